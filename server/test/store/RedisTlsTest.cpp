// rediss://: RedisConnection over TLS to a real redis-server started with --tls-port and a
// certificate from a throwaway CA. Verification failures (wrong CA, a certificate that does not name
// the host), a plaintext port and a missing client certificate are refusals with the reason, never
// a fallback to the clear; passwords work from the URL and from MEDICALL_REDIS_PASSWORD; restarts
// reconnect without leaking descriptors. (StoreContractTest runs the whole Store contract over TLS.)
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "common/ApiError.hpp"
#include "store/RedisConnection.hpp"
#include "store/RedisServerProcess.hpp"
#include "store/RedisStore.hpp"
#include "store/TestCertificates.hpp"

namespace medicall::store {
namespace {

using std::chrono::milliseconds;

// A directory of its own for certificates a test makes beside the server's.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("medicall-tls-" + std::to_string(rd()));
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& Path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string Url(const char* scheme, uint16_t port, const std::string& rest = "/0",
                const std::string& auth = "", const std::string& host = "127.0.0.1") {
  return std::string(scheme) + auth + host + ":" + std::to_string(port) + rest;
}

RedisEndpoint Parsed(const std::string& url, const std::string& password, const RedisTlsFiles& files) {
  std::string error;
  auto e = RedisEndpoint::Parse(url, password, error, files);
  if (!e) throw std::runtime_error(error);
  return *e;
}

// What a first command through `endpoint` is refused with ("" when it is answered).
std::string Refusal(const RedisEndpoint& endpoint) {
  RedisConnection c(endpoint, milliseconds(1000));
  try {
    c.Command({"PING"});
  } catch (const ServiceUnavailable& e) {
    return e.what();
  }
  return "";
}

size_t OpenDescriptors() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST(RedisTlsTest, RedissUrlsCarryTlsAndTheFilesOnlyGoWithThem) {
  TempDir dir;
  test::TestCertificates pki(dir.Path());
  std::string error;
  auto e = RedisEndpoint::Parse("rediss://:pw@redis.internal:6380/2", "", error, {pki.CaFile(), "", ""});
  ASSERT_TRUE(e) << error;
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "redis.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 2);
  EXPECT_EQ(e->password, "pw");
  e = RedisEndpoint::Parse("rediss://redis.internal", "", error);  // the system trust store
  ASSERT_TRUE(e) << error;
  EXPECT_TRUE(e->tls);
  e = RedisEndpoint::Parse("redis://redis.internal", "", error);
  ASSERT_TRUE(e) << error;
  EXPECT_FALSE(e->tls);

  const auto refused = [&](const std::string& url, const RedisTlsFiles& files, const std::string& reason) {
    error.clear();
    EXPECT_FALSE(RedisEndpoint::Parse(url, "", error, files)) << url;
    EXPECT_NE(error.find(reason), std::string::npos) << error;
  };
  // TLS files with a plaintext URL: refused rather than silently in the clear.
  refused("redis://h:1", {pki.CaFile(), "", ""}, "are for rediss://");
  refused("rediss://h:1", {(dir.Path() / "missing.pem").string(), "", ""},
          "MEDICALL_REDIS_CA_FILE: cannot load");
  refused("rediss://h:1", {pki.ServerKey(), "", ""}, "MEDICALL_REDIS_CA_FILE");  // a key, not a certificate
  refused("rediss://h:1", {"", pki.ClientCert(), ""}, "go together");
  refused("rediss://h:1", {"", pki.ClientCert(), pki.ServerKey()}, "is not the key of");
  refused("rediss://h:1", {"", pki.ClientKey(), pki.ClientKey()}, "MEDICALL_REDIS_CERT_FILE: cannot load");
  refused("rediss://h:1/16", {}, "0-15");
}

TEST(RedisTlsTest, CommandsPipelinesAndLargeValuesOverTls) {
  test::RedisServerProcess server(test::RedisServerOptions::Tls());
  RedisConnection c(server.Endpoint(), milliseconds(2000));
  // Several MB: many TLS records, and writes and reads the socket takes in parts.
  std::string big(3 * 1024 * 1024 + 17, 'x');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(c.Command({"SET", "big", big}).text, "OK");
  EXPECT_EQ(c.Command({"GET", "big"}).text, big);
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 2000; ++i) commands.push_back({"INCR", "counter"});
  const auto replies = c.Pipeline(commands);
  ASSERT_EQ(replies.size(), 2000u);
  EXPECT_EQ(replies.back().integer, 2000);
  EXPECT_TRUE(c.Command({"GET", "absent"}).IsNil());
  EXPECT_THROW(c.Command({"NOSUCHCOMMAND"}), std::runtime_error);
  EXPECT_EQ(c.Command({"PING"}).text, "PONG");  // still in step after the error reply
}

TEST(RedisTlsTest, AServerCertificateFromAnotherCaIsRefusedWithTheVerifyError) {
  test::RedisServerProcess server(test::RedisServerOptions::Tls());
  TempDir dir;
  test::TestCertificates other(dir.Path());
  const auto endpoint = Parsed(Url("rediss://", server.Port()), "", {other.CaFile(), "", ""});
  const std::string why = Refusal(endpoint);
  EXPECT_NE(why.find("MEDICALL_REDIS_URL: TLS handshake with 127.0.0.1:" + std::to_string(server.Port()) +
                     " failed: certificate verify failed"),
            std::string::npos)
      << why;
  // And the store it backs answers 503 (ServiceUnavailableException), as in any Redis outage.
  RedisStore store(endpoint, milliseconds(1000));
  EXPECT_THROW(store.Ping(), ServiceUnavailable);
}

TEST(RedisTlsTest, TheCertificateMustNameTheUrlsHost) {
  test::RedisServerProcess server(test::RedisServerOptions::Tls().ServerNames("DNS:localhost", "localhost"));
  const RedisTlsFiles ca{server.Certificates().CaFile(), "", ""};
  EXPECT_EQ(Refusal(Parsed(Url("rediss://", server.Port(), "/0", "", "localhost"), "", ca)), "");
  const std::string why = Refusal(Parsed(Url("rediss://", server.Port()), "", ca));
  EXPECT_NE(why.find("certificate verify failed: IP address mismatch"), std::string::npos) << why;
}

TEST(RedisTlsTest, RedissToAPlaintextPortIsAHandshakeErrorAndNothingIsSentInTheClear) {
  test::RedisServerProcess server;
  RedisConnection admin(server.Endpoint(), milliseconds(1000));
  admin.Command({"CONFIG", "RESETSTAT"});
  TempDir dir;
  test::TestCertificates pki(dir.Path());
  auto endpoint = server.Endpoint();
  endpoint.tls = Parsed(Url("rediss://", server.Port()), "", {pki.CaFile(), "", ""}).tls;
  RedisConnection c(endpoint, milliseconds(500));
  try {
    c.Command({"SET", "leaked", "secret"});
    FAIL() << "a TLS endpoint talked to a plaintext port";
  } catch (const ServiceUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("TLS handshake with 127.0.0.1:" + std::to_string(server.Port()) +
                                         " failed"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(admin.Command({"GET", "leaked"}).IsNil());
  EXPECT_EQ(admin.Command({"INFO", "commandstats"}).text.find("cmdstat_set"), std::string::npos);
}

TEST(RedisTlsTest, PasswordFromTheUrlOrFromTheSettingOverTls) {
  test::RedisServerProcess server(test::RedisServerOptions::Tls().Password("s3cret"));
  const RedisTlsFiles ca{server.Certificates().CaFile(), "", ""};
  RedisConnection fromUrl(Parsed(Url("rediss://", server.Port(), "/1", ":s3cret@"), "", ca),
                          milliseconds(1000));
  EXPECT_EQ(fromUrl.Command({"SET", "k", "v"}).text, "OK");
  RedisConnection fromSetting(Parsed(Url("rediss://", server.Port(), "/1"), "s3cret", ca),
                              milliseconds(1000));
  EXPECT_EQ(fromSetting.Command({"GET", "k"}).text, "v");  // database 1 through both
  const std::string none = Refusal(Parsed(Url("rediss://", server.Port()), "", ca));
  EXPECT_NE(none.find("NOAUTH"), std::string::npos) << none;
  const std::string wrong = Refusal(Parsed(Url("rediss://", server.Port(), "/0", ":nope@"), "", ca));
  EXPECT_NE(wrong.find("WRONGPASS"), std::string::npos) << wrong;
}

TEST(RedisTlsTest, MutualTlsNeedsTheClientCertificate) {
  test::RedisServerProcess server(test::RedisServerOptions::Tls().ClientCertificates());
  const auto& pki = server.Certificates();
  EXPECT_EQ(Refusal(server.Endpoint()), "");  // presents the client certificate
  const std::string without = Refusal(Parsed(Url("rediss://", server.Port()), "", {pki.CaFile(), "", ""}));
  EXPECT_NE(without, "");
  EXPECT_EQ(
      Refusal(Parsed(Url("rediss://", server.Port()), "", {pki.CaFile(), pki.ClientCert(), pki.ClientKey()})),
      "");
}

TEST(RedisTlsTest, PushesArriveAndAWaitWithNoneTimesOut) {
  test::RedisServerProcess server(test::RedisServerOptions::Tls());
  RedisConnection sub(server.Endpoint(), milliseconds(1000));
  RedisConnection pub(server.Endpoint(), milliseconds(1000));
  sub.Command({"SUBSCRIBE", "ch"});
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(sub.ReadPush(milliseconds(200)));
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(190));
  EXPECT_EQ(pub.Command({"PUBLISH", "ch", "one"}).integer, 1);
  EXPECT_EQ(pub.Command({"PUBLISH", "ch", "two"}).integer, 1);
  for (const char* expected : {"one", "two"}) {
    auto push = sub.ReadPush(milliseconds(2000));
    ASSERT_TRUE(push);
    ASSERT_EQ(push->elements.size(), 3u);
    EXPECT_EQ(push->elements[0].text, "message");
    EXPECT_EQ(push->elements[2].text, expected);
  }
}

TEST(RedisTlsTest, ReconnectsAfterARestartAndRefusalsLeakNoDescriptors) {
  test::RedisServerProcess server(test::RedisServerOptions::Tls().AppendOnly());
  RedisConnection c(server.Endpoint(), milliseconds(500));
  EXPECT_EQ(c.Command({"SET", "kept", "1"}).text, "OK");
  server.Kill();
  EXPECT_THROW(c.Command({"GET", "kept"}), ServiceUnavailable);
  server.Restart(/*appendOnly=*/true);
  std::this_thread::sleep_for(milliseconds(600));  // past the reconnect interval
  EXPECT_EQ(c.Command({"GET", "kept"}).text, "1");

  TempDir dir;
  test::TestCertificates other(dir.Path());
  const auto wrongCa = Parsed(Url("rediss://", server.Port()), "", {other.CaFile(), "", ""});
  const size_t before = OpenDescriptors();
  for (int i = 0; i < 20; ++i) {
    EXPECT_NE(Refusal(wrongCa), "");
    EXPECT_EQ(Refusal(server.Endpoint()), "");
  }
  EXPECT_EQ(OpenDescriptors(), before);
}

}  // namespace
}  // namespace medicall::store
