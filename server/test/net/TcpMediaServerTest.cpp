#include "net/TcpMediaServer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace medicall::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

std::vector<uint8_t> Framed(const std::string& payload) {
  std::vector<uint8_t> out{static_cast<uint8_t>(payload.size() >> 8), static_cast<uint8_t>(payload.size())};
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// One io_context driven from the test thread; the client side uses the same loop.
class TcpMediaServerTest : public ::testing::Test {
 protected:
  template <typename Predicate>
  bool RunUntil(Predicate done, std::chrono::milliseconds limit = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.run_for(5ms);
      if (io_.stopped()) io_.restart();
    }
    return true;
  }

  void StartServer(TcpMediaServer::Options options) {
    server_ = std::make_unique<TcpMediaServer>(
        io_, options,
        [this](std::span<uint8_t> frame, const TcpMediaServer::Endpoint& from) {
          frames_.emplace_back(frame.begin(), frame.end());
          froms_.push_back(from);
          if (throwNext_) {
            throwNext_ = false;
            throw std::runtime_error("handler failure");
          }
        },
        [this](const TcpMediaServer::Endpoint& from) { closed_.push_back(from); }, clock_);
    server_->Listen("127.0.0.1", 0);
  }

  tcp::socket Connect() {
    tcp::socket s(io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->LocalPort()));
    return s;
  }

  // Reads until EOF or error; true when the server closed the connection.
  bool ServerClosed(tcp::socket& s) {
    bool eof = false;
    std::array<uint8_t, 64> sink{};
    std::function<void()> read = [&] {
      s.async_read_some(asio::buffer(sink), [&](const boost::system::error_code& ec, size_t) {
        if (ec) {
          eof = true;
          return;
        }
        read();
      });
    };
    read();
    return RunUntil([&] { return eof; });
  }

  asio::io_context io_;
  ManualClock clock_;
  std::unique_ptr<TcpMediaServer> server_;
  std::vector<std::string> frames_;
  std::vector<TcpMediaServer::Endpoint> froms_;
  std::vector<TcpMediaServer::Endpoint> closed_;
  bool throwNext_ = false;
};

TEST_F(TcpMediaServerTest, FramesArriveWithTheirSourceAndRepliesGoBackFramed) {
  StartServer({});
  tcp::socket client = Connect();
  asio::write(client, asio::buffer(Framed("stun-request")));
  ASSERT_TRUE(RunUntil([&] { return frames_.size() == 1; }));
  EXPECT_EQ(frames_[0], "stun-request");
  EXPECT_EQ(froms_[0], client.local_endpoint());
  EXPECT_EQ(server_->ConnectionCount(), 1u);

  const std::string reply = "stun-response";
  ASSERT_TRUE(server_->Send(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(reply.data()), reply.size()), froms_[0]));
  std::vector<uint8_t> got(reply.size() + 2);
  bool done = false;
  asio::async_read(client, asio::buffer(got),
                   [&](const boost::system::error_code& ec, size_t) { done = !ec; });
  ASSERT_TRUE(RunUntil([&] { return done; }));
  EXPECT_EQ(got, Framed(reply));
  EXPECT_EQ(server_->GetStats().framesOut.load(), 1u);
}

TEST_F(TcpMediaServerTest, SendToAnUnknownPeerIsDroppedAndCounted) {
  StartServer({});
  const uint8_t byte = 1;
  EXPECT_FALSE(server_->Send(std::span<const uint8_t>(&byte, 1),
                             tcp::endpoint(asio::ip::make_address("127.0.0.1"), 9)));
  EXPECT_EQ(server_->GetStats().sendDropped.load(), 1u);
}

TEST_F(TcpMediaServerTest, ConnectionsBeyondTheCapAreClosed) {
  TcpMediaServer::Options options;
  options.maxConnections = 1;
  StartServer(options);
  tcp::socket first = Connect();
  ASSERT_TRUE(RunUntil([&] { return server_->ConnectionCount() == 1; }));
  tcp::socket second = Connect();
  EXPECT_TRUE(ServerClosed(second));
  EXPECT_EQ(server_->GetStats().refused.load(), 1u);
  EXPECT_EQ(server_->ConnectionCount(), 1u);
}

TEST_F(TcpMediaServerTest, IdleConnectionsAreClosed) {
  TcpMediaServer::Options options;
  options.idleTimeout = 30s;
  StartServer(options);
  tcp::socket client = Connect();
  asio::write(client, asio::buffer(Framed("x")));
  ASSERT_TRUE(RunUntil([&] { return frames_.size() == 1; }));
  clock_.AdvanceMs(29'000);
  server_->SweepIdle();
  EXPECT_EQ(server_->ConnectionCount(), 1u) << "not idle yet";
  clock_.AdvanceMs(2'000);
  server_->SweepIdle();
  EXPECT_EQ(server_->ConnectionCount(), 0u);
  EXPECT_TRUE(ServerClosed(client));
  ASSERT_EQ(closed_.size(), 1u);
  EXPECT_EQ(closed_[0], client.local_endpoint());
  EXPECT_EQ(server_->GetStats().closedIdle.load(), 1u);
}

TEST_F(TcpMediaServerTest, TheSendQueueIsBounded) {
  TcpMediaServer::Options options;
  options.maxQueuedBytes = 4096;
  StartServer(options);
  tcp::socket client = Connect();
  asio::write(client, asio::buffer(Framed("x")));
  ASSERT_TRUE(RunUntil([&] { return frames_.size() == 1; }));
  // Without running the loop nothing is written, so the queue fills up.
  const std::vector<uint8_t> packet(1000, 7);
  size_t accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += server_->Send(packet, froms_[0]) ? 1 : 0;
  EXPECT_EQ(accepted, 4u);
  EXPECT_EQ(server_->GetStats().sendDropped.load(), 6u);
}

TEST_F(TcpMediaServerTest, AThrowingHandlerIsCountedAndTheConnectionKeepsReading) {
  StartServer({});
  tcp::socket client = Connect();
  throwNext_ = true;
  asio::write(client, asio::buffer(Framed("boom")));
  ASSERT_TRUE(RunUntil([&] { return frames_.size() == 1; }));
  asio::write(client, asio::buffer(Framed("after")));
  ASSERT_TRUE(RunUntil([&] { return frames_.size() == 2; }));
  EXPECT_EQ(frames_[1], "after");
  EXPECT_EQ(server_->GetStats().handlerErrors.load(), 1u);
}

TEST_F(TcpMediaServerTest, PeerCloseIsReported) {
  StartServer({});
  {
    tcp::socket client = Connect();
    asio::write(client, asio::buffer(Framed("x")));
    ASSERT_TRUE(RunUntil([&] { return frames_.size() == 1; }));
  }
  ASSERT_TRUE(RunUntil([&] { return closed_.size() == 1; }));
  EXPECT_EQ(server_->ConnectionCount(), 0u);
}

}  // namespace
}  // namespace medicall::net
