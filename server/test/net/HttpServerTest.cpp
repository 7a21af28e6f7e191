// HttpServer: WebSockets keep their place under the connection cap after the upgrade, and a
// graceful shutdown closes them with the code given only once in-flight HTTP has drained.
#include "net/HttpServer.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "HttpServerFixture.hpp"
#include "RawWebSocketClient.hpp"

namespace medicall::net {
namespace {

using namespace std::chrono_literals;
using testing::HttpServerFixture;
using testing::RawTcpClient;
using testing::RawWebSocketClient;

void StartReading(std::shared_ptr<WebSocketConnection> conn) { conn->Start({}); }

int StatusOf(const std::optional<std::string>& head) {
  return head && head->size() >= 12 ? std::stoi(head->substr(9, 3)) : 0;
}

TEST(HttpServerTest, WebSocketsCountAgainstTheConnectionCap) {
  HttpServerLimits limits;
  limits.maxConnections = 3;
  HttpServerFixture server(limits, StartReading);
  std::vector<std::unique_ptr<RawWebSocketClient>> sockets;
  for (int i = 0; i < 3; ++i) {
    sockets.push_back(std::make_unique<RawWebSocketClient>(server.Port()));
    ASSERT_EQ(sockets.back()->Handshake("/ws"), 101);
  }
  const auto& stats = server.Server().Stats();
  ASSERT_TRUE(HttpServerFixture::Eventually([&] { return stats.webSocketsOpen.load() == 3; }));
  EXPECT_EQ(stats.connectionsOpen.load(), 3U);

  RawTcpClient refused(server.Port());
  refused.Write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusOf(refused.ReadUntil("\r\n\r\n", 5s)), 503);
  EXPECT_EQ(stats.connectionsRefused.load(), 1U);

  // A WebSocket that goes gives its place back.
  sockets.front()->Tcp().Close();
  ASSERT_TRUE(HttpServerFixture::Eventually([&] { return stats.connectionsOpen.load() == 2; }));
  EXPECT_EQ(stats.webSocketsOpen.load(), 2U);
  RawTcpClient accepted(server.Port());
  accepted.Write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusOf(accepted.ReadUntil("\r\n\r\n", 5s)), 200);
}

TEST(HttpServerTest, ShutdownClosesWebSocketsWithTheCodeGivenAfterInFlightHttpDrained) {
  HttpServerFixture server(HttpServerLimits{}, StartReading);
  RawWebSocketClient ws(server.Port());
  ASSERT_EQ(ws.Handshake("/ws"), 101);
  RawTcpClient http(server.Port());
  http.Write("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");  // the body is held back
  ASSERT_TRUE(
      HttpServerFixture::Eventually([&] { return server.Server().Stats().connectionsOpen.load() == 2; }));
  std::this_thread::sleep_for(50ms);  // the server has read the request head

  server.Server().Shutdown(4503, "server going away");
  EXPECT_FALSE(ws.ReadFrame(300ms).has_value()) << "closed before the request in flight finished";
  http.Write("hello");
  const auto head = http.ReadUntil("\r\n\r\n", 5s);
  EXPECT_EQ(StatusOf(head), 200);
  EXPECT_NE(head->find("Connection: close"), std::string::npos) << *head;
  EXPECT_EQ(ws.ReadUntilClose(nullptr, 5s), 4503);

  // Nothing new is accepted.
  RawTcpClient late(server.Port());
  EXPECT_FALSE(late.Connected() && late.Write("GET / HTTP/1.1\r\n\r\n") && late.ReadUntil("\r\n\r\n", 500ms));
}

// A streamed response (server-sent events): headers without a length, then each Send in order;
// the stream reports Closed() once the client has gone, and Shutdown ends it.
TEST(HttpServerTest, StreamedResponseCarriesEachSendUntilTheClientCloses) {
  boost::asio::io_context ioc;
  std::mutex mutex;
  std::shared_ptr<ResponseStream> stream;
  HttpServer server(ioc, HttpServerLimits{},
                    [&](HttpRequest&&, Responder respond) {
                      respond(HttpResponse::EventStream([&](std::shared_ptr<ResponseStream> s) {
                        s->Send("event: hello\ndata: 1\n\n");
                        std::lock_guard lock(mutex);
                        stream = std::move(s);
                      }));
                    },
                    {});
  server.Listen("127.0.0.1", 0);
  std::thread thread([&] { ioc.run(); });
  auto current = [&] {
    std::lock_guard lock(mutex);
    return stream;
  };

  RawTcpClient client(server.LocalPort());
  ASSERT_TRUE(client.Write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto head = client.ReadUntil("\r\n\r\n", 5s);
  ASSERT_TRUE(head);
  EXPECT_EQ(StatusOf(head), 200);
  EXPECT_NE(head->find("Content-Type: text/event-stream"), std::string::npos) << *head;
  EXPECT_EQ(head->find("Content-Length"), std::string::npos) << *head;
  EXPECT_TRUE(client.ReadUntil("data: 1\n\n", 5s));
  ASSERT_TRUE(HttpServerFixture::Eventually([&] { return current() != nullptr; }));
  std::this_thread::sleep_for(1500ms);  // past the request timeout: the stream stays open
  current()->Send("event: later\ndata: 2\n\n");
  EXPECT_TRUE(client.ReadUntil("data: 2\n\n", 5s));
  EXPECT_FALSE(current()->Closed());

  client.Close();
  EXPECT_TRUE(HttpServerFixture::Eventually([&] { return current()->Closed(); }));
  current()->Send("dropped");  // no effect once closed
  EXPECT_TRUE(HttpServerFixture::Eventually([&] { return server.Stats().connectionsOpen.load() == 0; }));

  // Shutdown ends open streams too.
  RawTcpClient second(server.LocalPort());
  ASSERT_TRUE(second.Write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(second.ReadUntil("data: 1\n\n", 5s));
  server.Shutdown(4503, "bye");
  EXPECT_TRUE(HttpServerFixture::Eventually([&] { return server.Stats().connectionsOpen.load() == 0; }));
  ioc.stop();
  thread.join();
}

}  // namespace
}  // namespace medicall::net
