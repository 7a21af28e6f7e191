#include "app/TlsCredentials.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "common/Random.hpp"
#include "webrtc/dtls/DtlsCertificate.hpp"

namespace medicall::app {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

void FreeGeneralNames(GENERAL_NAMES* names) { GENERAL_NAMES_free(names); }
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, FreeGeneralNames>>;

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !in.bad();
}

BioPtr MemoryBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::vector<std::string> AltNames(X509* cert) {
  std::vector<std::string> out;
  NamesPtr names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                       static_cast<size_t>(ASN1_STRING_length(dns)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      const int family = ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6;
      if (inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof(text)) != nullptr) out.emplace_back(text);
    }
  }
  return out;
}

// Still valid `seconds` from now.
bool ValidFor(X509* cert, long seconds) {
  time_t later = time(nullptr) + seconds;
  return X509_cmp_time(X509_get0_notAfter(cert), &later) > 0;
}

void WritePem(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("MEDICALL_TLS_SELF_SIGNED: cannot write " + path);
  ::chmod(path.c_str(), mode);
}

std::string ToPem(const std::function<int(BIO*)>& write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) throw std::runtime_error("MEDICALL_TLS_SELF_SIGNED: cannot encode PEM");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

TlsCredentials TlsCredentials::Load(const std::string& certificatePath, const std::string& keyPath,
                                    const std::string& certSetting, const std::string& keySetting) {
  TlsCredentials c;
  c.certificatePath = certificatePath;
  c.keyPath = keyPath;
  if (!ReadFile(certificatePath, c.certificateChainPem))
    throw std::runtime_error(certSetting + ": cannot read " + certificatePath);
  if (!ReadFile(keyPath, c.privateKeyPem)) throw std::runtime_error(keySetting + ": cannot read " + keyPath);
  auto certBio = MemoryBio(c.certificateChainPem);
  X509Ptr leaf(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
  if (!leaf) throw std::runtime_error(certSetting + ": " + certificatePath + " holds no PEM certificate");
  auto keyBio = MemoryBio(c.privateKeyPem);
  KeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
  if (!key) throw std::runtime_error(keySetting + ": " + keyPath + " holds no (unencrypted) PEM private key");
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    throw std::runtime_error(keySetting + ": the key in " + keyPath + " does not match the certificate in " +
                             certSetting + " (" + certificatePath + ")");
  }
  if (!ValidFor(leaf.get(), 0))
    throw std::runtime_error(certSetting + ": " + certificatePath + " has expired");
  c.fingerprintSha256 = webrtc::dtls::DtlsCertificate::FingerprintSha256(leaf.get());
  c.names = AltNames(leaf.get());
  return c;
}

TlsCredentials TlsCredentials::SelfSigned(const std::string& dataDir, const std::vector<std::string>& hosts) {
  const std::filesystem::path dir = std::filesystem::path(dataDir) / "tls";
  const std::string certPath = (dir / "self-signed.crt").string();
  const std::string keyPath = (dir / "self-signed.key").string();
  std::error_code ec;
  if (std::filesystem::exists(certPath, ec) && std::filesystem::exists(keyPath, ec)) {
    try {
      TlsCredentials kept = Load(certPath, keyPath, "MEDICALL_TLS_SELF_SIGNED", "MEDICALL_TLS_SELF_SIGNED");
      const bool coversAll = std::all_of(hosts.begin(), hosts.end(), [&](const std::string& h) {
        return std::find(kept.names.begin(), kept.names.end(), h) != kept.names.end();
      });
      auto bio = MemoryBio(kept.certificateChainPem);
      X509Ptr leaf(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
      if (coversAll && leaf && ValidFor(leaf.get(), 30L * 24 * 3600)) return kept;
    } catch (const std::runtime_error&) {
      // Unusable: made anew below.
    }
  }
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error("MEDICALL_TLS_SELF_SIGNED: cannot create " + dir.string() + ": " + ec.message());

  KeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!key || !cert) throw std::runtime_error("MEDICALL_TLS_SELF_SIGNED: key generation failed");
  std::string altNames = "DNS:localhost";
  for (const auto& h : hosts) altNames += (IsIpAddress(h) ? ",IP:" : ",DNS:") + h;
  bool ok = X509_set_version(cert.get(), 2) == 1;
  ok = ok && ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), random::Value<uint64_t>() >> 1) == 1;
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600) != nullptr;
  ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600) != nullptr;
  ok = ok && X509_set_pubkey(cert.get(), key.get()) == 1;
  X509_NAME* name = X509_get_subject_name(cert.get());
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        reinterpret_cast<const unsigned char*>("MediCall self-signed"), -1,
                                        -1, 0) == 1;
  ok = ok && X509_set_issuer_name(cert.get(), name) == 1;
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, altNames},
                                   {NID_basic_constraints, "critical,CA:FALSE"},
                                   {NID_ext_key_usage, "serverAuth"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
    ok = ok && ext != nullptr && X509_add_ext(cert.get(), ext, -1) == 1;
    X509_EXTENSION_free(ext);
  }
  ok = ok && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) throw std::runtime_error("MEDICALL_TLS_SELF_SIGNED: certificate creation failed");
  WritePem(keyPath, ToPem([&](BIO* b) {
             return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
           }),
           0600);
  WritePem(certPath, ToPem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); }), 0644);
  return Load(certPath, keyPath, "MEDICALL_TLS_SELF_SIGNED", "MEDICALL_TLS_SELF_SIGNED");
}

}  // namespace medicall::app
