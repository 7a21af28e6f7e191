// WebSocketSession's bounded send queue against a peer that does not read (a raw TCP client with a
// small receive buffer): the queue overflows while a frame is being written. The frame in flight
// must stay alive until its write completes (under ASan, freeing it is a heap-use-after-free in
// sendmsg once the peer reads again), and then the connection is closed with 1008.
#include <gtest/gtest.h>

#include <future>

#include "HttpServerFixture.hpp"
#include "RawWebSocketClient.hpp"

namespace medicall::net {
namespace {

using namespace std::chrono_literals;
using testing::HttpServerFixture;
using testing::RawWebSocketClient;

TEST(WebSocketSessionTest, OverflowWhileWritingFinishesTheFrameInFlightThenCloses1008) {
  constexpr size_t kBig = WebSocketConnection::kMaxQueuedBytes;  // fits the queue alone
  std::promise<uint16_t> closed;
  std::promise<void> opened;
  HttpServerFixture server(HttpServerLimits{}, [&](std::shared_ptr<WebSocketConnection> conn) {
    conn->Start(
        {[](std::string_view, bool) {}, [&closed](uint16_t code, std::string) { closed.set_value(code); }});
    conn->Send(std::string(kBig, 'a'), true);       // in flight: the peer takes only a few KB of it
    conn->Send(std::string(64 * 1024, 'b'), true);  // over the limit while the first is written
    conn->Send(std::string(16, 'c'), true);         // after the close was asked for: dropped
    opened.set_value();
  });

  RawWebSocketClient client(server.Port(), 4096);
  ASSERT_EQ(client.Handshake("/ws"), 101);
  ASSERT_EQ(opened.get_future().wait_for(5s), std::future_status::ready);
  server.Sync();  // the Send()s have run: the queue overflowed while the big frame was in flight

  // Now read: the rest of the frame in flight must be intact, then the close frame.
  std::string data;
  EXPECT_EQ(client.ReadUntilClose(&data, 10s), 1008);
  EXPECT_EQ(data.size(), kBig);
  EXPECT_EQ(data.find_first_not_of('a'), std::string::npos);
  client.Tcp().Close();
  auto code = closed.get_future();
  ASSERT_EQ(code.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(code.get(), 1008);
  EXPECT_TRUE(
      HttpServerFixture::Eventually([&] { return server.Server().Stats().connectionsOpen.load() == 0; }));
}

}  // namespace
}  // namespace medicall::net
