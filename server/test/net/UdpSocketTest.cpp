// UdpSocket on a real loopback socket: a handler that throws is counted and the socket keeps
// receiving, so media still flows after it; datagrams are handed over in order, each intact; and the
// handler is told how long a datagram waited in the kernel while the worker was busy (SO_TIMESTAMPNS).
#include "net/UdpSocket.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/udp.hpp>
#include <chrono>
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
  SocketFixture f([&](std::span<uint8_t> datagram, const UdpSocket::Endpoint&, int64_t) {
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

// Datagrams queued in the kernel while the worker is busy come up in one recvmmsg, each intact and
// in order: handing one over must not overwrite another of the batch (nor, with Asio's speculative
// read on re-arming, the one being handled).
TEST(UdpSocketTest, QueuedDatagramsAreReadInOneBatchEachIntactInOrder) {
  std::vector<std::string> seen;  // worker thread
  SocketFixture f([&](std::span<uint8_t> datagram, const UdpSocket::Endpoint&, int64_t) {
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
  std::vector<std::string> sent;
  for (int i = 0; i < 10; ++i) {
    sent.push_back("datagram-" + std::to_string(i) + std::string(static_cast<size_t>(i) * 100, 'x'));
    f.Send(sent.back());  // all queued in the kernel before the worker looks
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let loopback deliver them
  const uint64_t callsBefore = f.socket->GetStats().receiveCalls.load();
  release.set_value();
  ASSERT_TRUE(WaitFor(f.worker, [&] { return seen.size() == sent.size(); }));
  EXPECT_EQ(OnWorker(f.worker, [&] { return seen; }), sent);
  EXPECT_EQ(f.socket->GetStats().receiveCalls.load() - callsBefore, 1U) << "one recvmmsg for the ten";
}

// The worker is held for 120 ms while a datagram arrives: the kernel's stamp says it waited about that
// long (the bandwidth estimators then see its real arrival, not the worker's delay); one that arrives
// while the worker is idle waited almost nothing.
TEST(UdpSocketTest, TheHandlerIsToldHowLongADatagramWaitedInTheKernel) {
  std::vector<int64_t> queued;  // worker thread
  SocketFixture f(
      [&](std::span<uint8_t>, const UdpSocket::Endpoint&, int64_t queuedUs) { queued.push_back(queuedUs); });
  std::promise<void> entered;
  f.worker.Post([&entered] {
    entered.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
  });
  entered.get_future().wait();
  f.Send("while-busy");
  ASSERT_TRUE(WaitFor(f.worker, [&] { return queued.size() == 1; }));
  f.Send("while-idle");
  ASSERT_TRUE(WaitFor(f.worker, [&] { return queued.size() == 2; }));
  const auto seen = OnWorker(f.worker, [&] { return queued; });
  EXPECT_GE(seen[0], 60'000) << "a datagram queued behind a busy worker";
  EXPECT_LE(seen[0], 1'000'000);
  EXPECT_LT(seen[1], seen[0]);
  EXPECT_EQ(f.socket->GetStats().kernelTimestamps.load(), 2U);
}

// The largest IPv4 datagram (65507 bytes, under kMaxDatagram) arrives whole, and so does the next.
TEST(UdpSocketTest, TheLargestDatagramArrivesWholeAndSoDoesTheNext) {
  std::vector<size_t> sizes;  // worker thread
  SocketFixture f([&](std::span<uint8_t> datagram, const UdpSocket::Endpoint&, int64_t) {
    sizes.push_back(datagram.size());
  });
  f.Send(std::string(65507, 'x'));
  f.Send("small");
  ASSERT_TRUE(WaitFor(f.worker, [&] { return sizes.size() == 2; }));
  EXPECT_EQ(OnWorker(f.worker, [&] { return sizes; }), (std::vector<size_t>{65507, 5}));
  EXPECT_EQ(f.socket->GetStats().truncated.load(), 0U);
}

// What one handler sends leaves in one sendmmsg when it returns, in order; a datagram larger than a
// send slot goes alone but after what was queued before it; Close sends what is still queued.
TEST(UdpSocketTest, WhatAHandlerSendsLeavesInOneCallInOrder) {
  SocketFixture f([](std::span<uint8_t>, const UdpSocket::Endpoint&, int64_t) {});
  boost::asio::io_context io;
  boost::asio::ip::udp::socket receiver(io,
                                        UdpSocket::Endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const UdpSocket::Endpoint to = receiver.local_endpoint();
  std::vector<std::string> sent;
  for (int i = 0; i < 40; ++i) sent.push_back("out-" + std::to_string(i));
  const std::string large(4000, 'L');
  const uint64_t callsBefore = f.socket->GetStats().sendCalls.load();
  OnWorker(f.worker, [&] {
    for (const std::string& d : sent) {
      EXPECT_TRUE(f.socket->Send(std::span(reinterpret_cast<const uint8_t*>(d.data()), d.size()), to));
    }
    return 0;
  });
  ASSERT_TRUE(WaitFor(f.worker, [&] { return f.socket->GetStats().sent.load() == sent.size(); }));
  EXPECT_EQ(f.socket->GetStats().sendCalls.load() - callsBefore, 1U) << "one sendmmsg for the forty";
  OnWorker(f.worker, [&] {
    const std::string a = "before-large";
    const std::string b = "after-large";
    f.socket->Send(std::span(reinterpret_cast<const uint8_t*>(a.data()), a.size()), to);
    f.socket->Send(std::span(reinterpret_cast<const uint8_t*>(large.data()), large.size()), to);
    f.socket->Send(std::span(reinterpret_cast<const uint8_t*>(b.data()), b.size()), to);
    f.socket->Close();  // "after-large" is still queued here
    return 0;
  });
  std::vector<std::string> expected = sent;
  expected.insert(expected.end(), {"before-large", large, "after-large"});
  std::vector<std::string> got;
  std::vector<char> buf(70000);
  receiver.non_blocking(true);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (got.size() < expected.size() && std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    const size_t n = receiver.receive(boost::asio::buffer(buf), 0, ec);
    if (ec) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    got.emplace_back(buf.data(), n);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(f.socket->GetStats().sendDropped.load(), 0U);
}

}  // namespace
}  // namespace medicall::net
