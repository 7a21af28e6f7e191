// UdpSocket on a real loopback socket: a handler that throws is counted and the socket keeps
// receiving (it re-arms before dispatch, into its other buffer), so media still flows after it.
#include "net/UdpSocket.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/udp.hpp>
#include <future>
#include <stdexcept>
#include <thread>
#include <string>
#include <vector>

#include "WorkerTestSupport.hpp"
#include "net/MediaWorker.hpp"

namespace medicall::net {
namespace {

using medicall::testing::OnWorker;
using medicall::testing::WaitFor;

struct SocketFixture {
  explicit SocketFixture(UdpSocket::ReceiveHandler handler) {
    worker.Start();
    OnWorker(worker, [&] {
      socket = std::make_unique<UdpSocket>(worker, std::move(handler));
      socket->Bind("127.0.0.1", 0);
      return 0;
    });
    sender.open(boost::asio::ip::udp::v4());
    target = UdpSocket::Endpoint(boost::asio::ip::make_address("127.0.0.1"), socket->LocalPort());
  }
  ~SocketFixture() {
    OnWorker(worker, [&] {
      socket.reset();
      return 0;
    });
    worker.Stop();
  }
  void Send(const std::string& text) { sender.send_to(boost::asio::buffer(text), target); }

  MediaWorker worker{"udp-test"};
  std::unique_ptr<UdpSocket> socket;
  boost::asio::io_context io;
  boost::asio::ip::udp::socket sender{io};
  UdpSocket::Endpoint target;
};

TEST(UdpSocketTest, AHandlerThatThrowsOnceDoesNotDeafenThePort) {
  std::vector<std::string> received;  // worker thread
  bool thrown = false;
  SocketFixture f([&](std::span<uint8_t> datagram, const UdpSocket::Endpoint&) {
    if (!thrown) {
      thrown = true;
      throw std::runtime_error("malformed packet");
    }
    received.emplace_back(datagram.begin(), datagram.end());
  });
  f.Send("first");
  ASSERT_TRUE(WaitFor(f.worker, [&] { return thrown; }));
  for (int i = 0; i < 3; ++i) f.Send("after-" + std::to_string(i));
  ASSERT_TRUE(WaitFor(f.worker, [&] { return received.size() == 3; }))
      << "received " << OnWorker(f.worker, [&] { return received.size(); });
  EXPECT_EQ(OnWorker(f.worker, [&] { return received; }),
            (std::vector<std::string>{"after-0", "after-1", "after-2"}));
  EXPECT_EQ(f.worker.GetStats().handlerExceptions.load(), 1U);
  EXPECT_EQ(f.socket->GetStats().received.load(), 4U);
}

// Re-arming before dispatch may complete the next receive at once (Asio tries a speculative read
// when a datagram is already queued): it must not overwrite the datagram being handled.
TEST(UdpSocketTest, TheDatagramBeingHandledIsNotOverwrittenByTheNextReceive) {
  std::vector<std::string> seen;  // worker thread
  SocketFixture f([&](std::span<uint8_t> datagram, const UdpSocket::Endpoint&) {
    seen.emplace_back(datagram.begin(), datagram.end());
  });
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> entered;
  f.worker.Post([&entered, released] {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();
  f.Send("datagram-one");  // both queued in the kernel before the worker looks
  f.Send("datagram-two");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let loopback deliver them
  release.set_value();
  ASSERT_TRUE(WaitFor(f.worker, [&] { return seen.size() == 2; }));
  EXPECT_EQ(OnWorker(f.worker, [&] { return seen; }),
            (std::vector<std::string>{"datagram-one", "datagram-two"}));
}

}  // namespace
}  // namespace medicall::net
