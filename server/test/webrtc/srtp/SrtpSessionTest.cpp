// SrtpSession against published vectors:
//  - RFC 3711 appendix B.2 (AES-CM keystream) and B.3 (key derivation), checked on an independent
//    reference model built on OpenSSL; the same model then predicts libsrtp's output byte for byte.
//  - libsrtp's own known-answer packets (test/srtp_driver.c: srtp_validate, srtp_validate_gcm), whose
//    master key is the RFC 3711 B.3 key; for GCM the model follows RFC 7714 sections 8, 9 and 11.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "webrtc/srtp/SrtpSession.hpp"

namespace medicall::webrtc::srtp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Hex(std::string_view hex) {
  Bytes out;
  int nibble = -1;
  for (char c : hex) {
    int v = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (v < 0) continue;
    if (nibble < 0) {
      nibble = v;
    } else {
      out.push_back(static_cast<uint8_t>(nibble << 4 | v));
      nibble = -1;
    }
  }
  return out;
}

// ---- Reference model (OpenSSL), independent of libsrtp ----

Bytes AesCtr(const Bytes& key, const Bytes& iv16, const Bytes& input) {
  Bytes out(input.size());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, key.data(), iv16.data());
  EVP_EncryptUpdate(ctx, out.data(), &len, input.data(), static_cast<int>(input.size()));
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

// RFC 3711 section 4.3: AES-CM PRF, key_id = label || index DIV kdr (kdr = 0), x = key_id XOR master_salt.
Bytes Derive(const Bytes& masterKey, const Bytes& masterSalt, uint8_t label, size_t length) {
  Bytes iv(16, 0);
  std::copy(masterSalt.begin(), masterSalt.end(), iv.begin());
  iv[7] ^= label;
  return AesCtr(masterKey, iv, Bytes(length, 0));
}

Bytes HmacSha1(const Bytes& key, const Bytes& data) {
  Bytes out(20);
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(), &len);
  return out;
}

// RFC 3711 section 4.1.1 / 4.2: AES_CM_128_HMAC_SHA1_80 protection of an RTP packet with ROC 0.
Bytes ReferenceProtectCm(const Bytes& masterKey, const Bytes& masterSalt, const Bytes& rtp) {
  Bytes key = Derive(masterKey, masterSalt, 0x00, 16);
  Bytes auth = Derive(masterKey, masterSalt, 0x01, 20);
  Bytes salt = Derive(masterKey, masterSalt, 0x02, 14);
  Bytes iv(16, 0);
  std::copy(salt.begin(), salt.end(), iv.begin());
  for (int i = 0; i < 4; ++i) iv[4 + i] ^= rtp[8 + i];  // SSRC * 2^64
  iv[12] ^= rtp[2];                                     // index (ROC 0 || SEQ) * 2^16
  iv[13] ^= rtp[3];
  Bytes payload(rtp.begin() + 12, rtp.end());
  Bytes out(rtp.begin(), rtp.begin() + 12);
  Bytes enc = AesCtr(key, iv, payload);
  out.insert(out.end(), enc.begin(), enc.end());
  Bytes authenticated = out;
  authenticated.insert(authenticated.end(), {0, 0, 0, 0});  // ROC
  Bytes tag = HmacSha1(auth, authenticated);
  out.insert(out.end(), tag.begin(), tag.begin() + 10);
  return out;
}

// RFC 7714 sections 8.1 and 9: AEAD_AES_128_GCM protection of an RTP packet with ROC 0;
// session keys derived with the AES-CM PRF (section 11), the 96-bit master salt zero-padded.
Bytes ReferenceProtectGcm(const Bytes& masterKey, const Bytes& masterSalt12, const Bytes& rtp) {
  Bytes paddedSalt = masterSalt12;
  paddedSalt.resize(14, 0);
  Bytes key = Derive(masterKey, paddedSalt, 0x00, 16);
  Bytes salt = Derive(masterKey, paddedSalt, 0x02, 12);
  Bytes iv(12, 0);
  for (int i = 0; i < 4; ++i) iv[2 + i] = rtp[8 + i];  // 00 00 || SSRC || ROC || SEQ
  iv[10] = rtp[2];
  iv[11] = rtp[3];
  for (int i = 0; i < 12; ++i) iv[i] ^= salt[i];
  Bytes out(rtp.begin(), rtp.begin() + 12);
  Bytes enc(rtp.size() - 12);
  Bytes tag(16);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, nullptr, nullptr);
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr);
  EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), iv.data());
  EVP_EncryptUpdate(ctx, nullptr, &len, rtp.data(), 12);  // AAD: the RTP header
  EVP_EncryptUpdate(ctx, enc.data(), &len, rtp.data() + 12, static_cast<int>(rtp.size() - 12));
  EVP_EncryptFinal_ex(ctx, enc.data() + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag.data());
  EVP_CIPHER_CTX_free(ctx);
  out.insert(out.end(), enc.begin(), enc.end());
  out.insert(out.end(), tag.begin(), tag.end());
  return out;
}

// ---- Vectors ----

const Bytes kRfcMasterKey = Hex("E1F97A0D3E018BE0D64FA32C06DE4139");  // RFC 3711 B.3
const Bytes kRfcMasterSalt = Hex("0EC675AD498AFEEBB6960B3AABE6");
const Bytes kGcmMasterKey = Hex("000102030405060708090a0b0c0d0e0f");  // libsrtp srtp_validate_gcm
const Bytes kGcmMasterSalt = Hex("a0a1a2a3a4a5a6a7a8a9aaab");

// An RTP packet: V=2, PT 15, seq 0x1234, ts 0xdecafbad, SSRC 0xcafebabe, 16 bytes of 0xab.
Bytes PlainRtp() { return Hex("800f1234decafbadcafebabe abababababababababababababababab"); }
// An RTCP SR header (RC 1, length 11) with SSRC 0xcafebabe and 16 bytes of 0xab.
Bytes PlainRtcp() { return Hex("81c8000bcafebabe abababababababababababababababab"); }

const Bytes kCmCipherRtp =
    Hex("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
const Bytes kCmCipherRtcp =
    Hex("81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798");
const Bytes kGcmCipherRtp =
    Hex("800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06ed2976826f796b201df3131a127e8a392");
const Bytes kGcmCipherRtcp =
    Hex("81c8000bcafebabec98b8b5df0392a55852b6c21ac8e7025c52c6fbea2b3b446ea31123ba88ce61e80000001");

std::unique_ptr<SrtpSession> Make(SrtpSession::Direction d, SrtpProfile p) {
  return p == SrtpProfile::AeadAes128Gcm ? SrtpSession::Create(d, p, kGcmMasterKey, kGcmMasterSalt)
                                         : SrtpSession::Create(d, p, kRfcMasterKey, kRfcMasterSalt);
}

Bytes WithRoom(Bytes b) {
  b.resize(b.size() + kSrtpMaxTrailerLength, 0);
  return b;
}

// ---- RFC 3711 appendix B on the reference model ----

TEST(SrtpReference, Rfc3711B2AesCmKeystream) {
  Bytes key = Hex("2B7E151628AED2A6ABF7158809CF4F3C");
  Bytes iv = Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
  Bytes stream = AesCtr(key, iv, Bytes(0x10000 * 16 + 32, 0));
  auto block = [&](size_t i) { return Bytes(stream.begin() + i * 16, stream.begin() + i * 16 + 16); };
  EXPECT_EQ(block(0), Hex("E03EAD0935C95E80E166B16DD92B4EB4"));
  EXPECT_EQ(block(1), Hex("D23513162B02D0F72A43A2FE4A5F97AB"));
  EXPECT_EQ(block(2), Hex("41E95B3BB0A2E8DD477901E4FCA894C0"));
  EXPECT_EQ(block(0xfeff), Hex("EC8CDF7398607CB0F2D21675EA9EA1E4"));
  EXPECT_EQ(block(0xff00), Hex("362B7C3C6773516318A077D7FC5073AE"));
  EXPECT_EQ(block(0xff01), Hex("6A2CC3787889374FBEB4C81B17BA6C44"));
}

TEST(SrtpReference, Rfc3711B3KeyDerivation) {
  EXPECT_EQ(Derive(kRfcMasterKey, kRfcMasterSalt, 0x00, 16), Hex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(Derive(kRfcMasterKey, kRfcMasterSalt, 0x02, 14), Hex("30CBBC08863D8C85D49DB34A9AE1"));
  Bytes auth = Derive(kRfcMasterKey, kRfcMasterSalt, 0x01, 94);
  EXPECT_EQ(Bytes(auth.begin(), auth.begin() + 20), Hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
}

// ---- libsrtp through SrtpSession ----

TEST(SrtpSession, CmProtectMatchesReferenceModelAndLibsrtpVector) {
  auto tx = Make(SrtpSession::Direction::Outbound, SrtpProfile::AesCm128HmacSha1_80);
  ASSERT_TRUE(tx);
  Bytes buf = WithRoom(PlainRtp());
  size_t len = PlainRtp().size();
  ASSERT_TRUE(tx->ProtectRtp(buf, len));
  buf.resize(len);
  EXPECT_EQ(buf, kCmCipherRtp);
  EXPECT_EQ(buf, ReferenceProtectCm(kRfcMasterKey, kRfcMasterSalt, PlainRtp()));
}

TEST(SrtpSession, GcmProtectMatchesReferenceModelAndLibsrtpVector) {
  auto tx = Make(SrtpSession::Direction::Outbound, SrtpProfile::AeadAes128Gcm);
  ASSERT_TRUE(tx);
  Bytes buf = WithRoom(PlainRtp());
  size_t len = PlainRtp().size();
  ASSERT_TRUE(tx->ProtectRtp(buf, len));
  buf.resize(len);
  EXPECT_EQ(buf, kGcmCipherRtp);
  EXPECT_EQ(buf, ReferenceProtectGcm(kGcmMasterKey, kGcmMasterSalt, PlainRtp()));
}

struct VectorCase {
  SrtpProfile profile;
  const Bytes* rtp;
  const Bytes* rtcp;
};

class SrtpVectors : public ::testing::TestWithParam<VectorCase> {};

TEST_P(SrtpVectors, ProtectRtcpMatchesVector) {
  auto tx = Make(SrtpSession::Direction::Outbound, GetParam().profile);
  Bytes buf = WithRoom(PlainRtcp());
  size_t len = PlainRtcp().size();
  ASSERT_TRUE(tx->ProtectRtcp(buf, len));
  buf.resize(len);
  EXPECT_EQ(buf, *GetParam().rtcp);
}

TEST_P(SrtpVectors, UnprotectVectors) {
  auto rx = Make(SrtpSession::Direction::Inbound, GetParam().profile);
  Bytes rtp = *GetParam().rtp;
  size_t len = 0;
  ASSERT_TRUE(rx->UnprotectRtp(rtp, len));
  EXPECT_EQ(Bytes(rtp.begin(), rtp.begin() + len), PlainRtp());
  Bytes rtcp = *GetParam().rtcp;
  ASSERT_TRUE(rx->UnprotectRtcp(rtcp, len));
  EXPECT_EQ(Bytes(rtcp.begin(), rtcp.begin() + len), PlainRtcp());
  EXPECT_EQ(rx->Successes(), 2u);
}

TEST_P(SrtpVectors, ReplayIsRejectedAndCounted) {
  auto rx = Make(SrtpSession::Direction::Inbound, GetParam().profile);
  Bytes first = *GetParam().rtp;
  Bytes again = *GetParam().rtp;
  size_t len = 0;
  ASSERT_TRUE(rx->UnprotectRtp(first, len));
  EXPECT_FALSE(rx->UnprotectRtp(again, len));
  EXPECT_EQ(rx->Failures(SrtpSession::Failure::Replay), 1u);
  Bytes rtcp1 = *GetParam().rtcp;
  Bytes rtcp2 = *GetParam().rtcp;
  ASSERT_TRUE(rx->UnprotectRtcp(rtcp1, len));
  EXPECT_FALSE(rx->UnprotectRtcp(rtcp2, len));
  EXPECT_EQ(rx->Failures(SrtpSession::Failure::Replay), 2u);
}

TEST_P(SrtpVectors, TamperedPacketsAreRejected) {
  auto rx = Make(SrtpSession::Direction::Inbound, GetParam().profile);
  const Bytes& vector = *GetParam().rtp;
  for (size_t i : {size_t{1}, size_t{9}, size_t{13}, vector.size() - 1}) {  // header, SSRC, payload, tag
    Bytes bad = vector;
    bad[i] ^= 0x01;
    size_t len = 0;
    EXPECT_FALSE(rx->UnprotectRtp(bad, len)) << "byte " << i;
  }
  Bytes badRtcp = *GetParam().rtcp;
  badRtcp[10] ^= 0x80;
  size_t len = 0;
  EXPECT_FALSE(rx->UnprotectRtcp(badRtcp, len));
  EXPECT_GE(rx->Failures(SrtpSession::Failure::AuthFail), 4u);
  // The untouched packet still passes: failures did not advance the replay window.
  Bytes good = vector;
  EXPECT_TRUE(rx->UnprotectRtp(good, len));
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, SrtpVectors,
    ::testing::Values(VectorCase{SrtpProfile::AesCm128HmacSha1_80, &kCmCipherRtp, &kCmCipherRtcp},
                      VectorCase{SrtpProfile::AeadAes128Gcm, &kGcmCipherRtp, &kGcmCipherRtcp}));

class SrtpRoundTrip : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpRoundTrip, ManyPacketsOfManySizesAndSsrcs) {
  auto tx = Make(SrtpSession::Direction::Outbound, GetParam());
  auto rx = Make(SrtpSession::Direction::Inbound, GetParam());
  for (uint32_t i = 0; i < 300; ++i) {
    Bytes plain = PlainRtp();
    plain.resize(12 + (i * 7) % 1200, static_cast<uint8_t>(i));
    plain[2] = static_cast<uint8_t>((0xfff0 + i) >> 8);  // crosses the sequence-number wrap (ROC 1)
    plain[3] = static_cast<uint8_t>(0xfff0 + i);
    plain[11] = static_cast<uint8_t>(i % 3);  // three SSRCs
    Bytes buf = WithRoom(plain);
    size_t len = plain.size();
    ASSERT_TRUE(tx->ProtectRtp(buf, len));
    ASSERT_EQ(len, plain.size() + SrtpTagLength(GetParam()));
    buf.resize(len);
    ASSERT_TRUE(rx->UnprotectRtp(buf, len)) << i;
    ASSERT_EQ(Bytes(buf.begin(), buf.begin() + len), plain);

    Bytes rtcp = PlainRtcp();
    Bytes rbuf = WithRoom(rtcp);
    len = rtcp.size();
    ASSERT_TRUE(tx->ProtectRtcp(rbuf, len));
    rbuf.resize(len);
    ASSERT_TRUE(rx->UnprotectRtcp(rbuf, len));
    ASSERT_EQ(Bytes(rbuf.begin(), rbuf.begin() + len), rtcp);
  }
}

TEST_P(SrtpRoundTrip, WrongKeyFailsAuthentication) {
  auto tx = Make(SrtpSession::Direction::Outbound, GetParam());
  Bytes otherKey(16, 0x42);
  Bytes otherSalt(SrtpSaltLength(GetParam()), 0x17);
  auto rx = SrtpSession::Create(SrtpSession::Direction::Inbound, GetParam(), otherKey, otherSalt);
  Bytes buf = WithRoom(PlainRtp());
  size_t len = PlainRtp().size();
  ASSERT_TRUE(tx->ProtectRtp(buf, len));
  buf.resize(len);
  EXPECT_FALSE(rx->UnprotectRtp(buf, len));
  EXPECT_EQ(rx->Failures(SrtpSession::Failure::AuthFail), 1u);
}

TEST_P(SrtpRoundTrip, BadLengthsRoomAndDirectionAreRefused) {
  auto tx = Make(SrtpSession::Direction::Outbound, GetParam());
  auto rx = Make(SrtpSession::Direction::Inbound, GetParam());
  Bytes tiny(11, 0x80);
  size_t len = tiny.size();
  Bytes tinyRoom = WithRoom(tiny);
  EXPECT_FALSE(tx->ProtectRtp(tinyRoom, len));
  EXPECT_EQ(tx->Failures(SrtpSession::Failure::BadLength), 1u);
  Bytes noRoom = PlainRtp();  // no space for the tag
  len = noRoom.size();
  EXPECT_FALSE(tx->ProtectRtp(noRoom, len));
  EXPECT_EQ(tx->Failures(SrtpSession::Failure::NoRoom), 1u);
  Bytes shortSrtp(12 + SrtpTagLength(GetParam()) - 1, 0x80);
  EXPECT_FALSE(rx->UnprotectRtp(shortSrtp, len));
  EXPECT_EQ(rx->Failures(SrtpSession::Failure::BadLength), 1u);
  Bytes plain = WithRoom(PlainRtp());
  len = PlainRtp().size();
  EXPECT_FALSE(rx->ProtectRtp(plain, len));  // an inbound session never protects
  EXPECT_EQ(rx->Failures(SrtpSession::Failure::Other), 1u);
  // Garbage of every length up to 64 bytes never crashes and never passes.
  for (size_t n = 0; n < 64; ++n) {
    Bytes junk(n, static_cast<uint8_t>(0x80 + n));
    EXPECT_FALSE(rx->UnprotectRtp(junk, len));
    EXPECT_FALSE(rx->UnprotectRtcp(junk, len));
  }
}

TEST(SrtpSession, RemoveStreamForgetsTheReplayWindow) {
  auto rx = Make(SrtpSession::Direction::Inbound, SrtpProfile::AesCm128HmacSha1_80);
  EXPECT_FALSE(rx->RemoveStream(0xcafebabe));  // never seen
  Bytes first = kCmCipherRtp;
  size_t len = 0;
  ASSERT_TRUE(rx->UnprotectRtp(first, len));
  Bytes again = kCmCipherRtp;
  EXPECT_FALSE(rx->UnprotectRtp(again, len));  // replay
  EXPECT_TRUE(rx->RemoveStream(0xcafebabe));
  Bytes afterRemoval = kCmCipherRtp;
  EXPECT_TRUE(rx->UnprotectRtp(afterRemoval, len));  // a fresh stream from the template
}

TEST(SrtpSession, CreateRejectsWrongKeyLengths) {
  Bytes key(16, 1);
  EXPECT_FALSE(
      SrtpSession::Create(SrtpSession::Direction::Inbound, SrtpProfile::AeadAes128Gcm, key, Bytes(14, 0)));
  EXPECT_FALSE(SrtpSession::Create(SrtpSession::Direction::Inbound, SrtpProfile::AesCm128HmacSha1_80, key,
                                   Bytes(12, 0)));
  EXPECT_FALSE(SrtpSession::Create(SrtpSession::Direction::Inbound, SrtpProfile::AesCm128HmacSha1_80,
                                   Bytes(15, 0), Bytes(14, 0)));
  EXPECT_TRUE(SrtpSession::Create(SrtpSession::Direction::Inbound, SrtpProfile::AesCm128HmacSha1_80, key,
                                  Bytes(14, 0)));
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpRoundTrip,
                         ::testing::Values(SrtpProfile::AesCm128HmacSha1_80, SrtpProfile::AeadAes128Gcm));

}  // namespace
}  // namespace medicall::webrtc::srtp
