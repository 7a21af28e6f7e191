#include "app/MediaWorkerPool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/io_context.hpp>
#include <stdexcept>
#include <vector>

namespace medicall::app {
namespace {

using Load = MediaWorkerPool::Load;

TEST(MediaWorkerPoolTest, PlacesOnTheLeastLoadedWorker) {
  std::vector<Load> loads = {{2, 4, 900}, {1, 2, 300}, {3, 6, 1200}};
  EXPECT_EQ(MediaWorkerPool::LeastLoaded(loads), 1u);
  // Packets per second count: a worker with fewer meetings but heavy traffic is not the lightest.
  loads = {{1, 2, 5000}, {2, 4, 600}};
  EXPECT_EQ(MediaWorkerPool::LeastLoaded(loads), 1u);
  // Before any media flows, meetings placed (and transports) decide.
  loads = {{1, 0, 0}, {0, 0, 0}};
  EXPECT_EQ(MediaWorkerPool::LeastLoaded(loads), 1u);
  loads = {{0, 2, 0}, {0, 1, 0}};
  EXPECT_EQ(MediaWorkerPool::LeastLoaded(loads), 1u);
}

TEST(MediaWorkerPoolTest, BreaksTiesByTheLowestIndex) {
  std::vector<Load> loads = {{1, 2, 100}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  EXPECT_EQ(MediaWorkerPool::LeastLoaded(loads), 1u);
  loads = {{0, 0, 0}, {0, 0, 0}};
  EXPECT_EQ(MediaWorkerPool::LeastLoaded(loads), 0u);
  loads = {{0, 0, 0}};
  EXPECT_EQ(MediaWorkerPool::LeastLoaded(loads), 0u);
}

TEST(MediaWorkerPoolTest, CountsOneWorkerPerCoreWhenNotConfigured) {
  EXPECT_EQ(MediaWorkerPool::WorkerCount(3, 8), 3u);
  EXPECT_EQ(MediaWorkerPool::WorkerCount(0, 2), 2u);
  EXPECT_EQ(MediaWorkerPool::WorkerCount(0, 0), 1u);  // hardware_concurrency() may not know
}

// A free run of `count` consecutive UDP ports on loopback (and their TCP twins are usually free too).
uint16_t FreeRange(size_t count) {
  boost::asio::io_context io;
  for (int attempt = 0; attempt < 50; ++attempt) {
    boost::asio::ip::udp::socket probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const uint16_t base = probe.local_endpoint().port();
    probe.close();
    if (base + count > 65535) continue;
    bool free = true;
    for (size_t i = 0; i < count && free; ++i) {
      boost::system::error_code ec;
      boost::asio::ip::udp::socket s(io);
      s.open(boost::asio::ip::udp::v4());
      s.bind({boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(base + i)}, ec);
      free = !ec;
    }
    if (free) return base;
  }
  throw std::runtime_error("no free port range");
}

TEST(MediaWorkerPoolTest, BindsConsecutivePortsOnePerWorker) {
  const uint16_t base = FreeRange(3);
  MediaWorkerPool pool(3);
  pool.Bind("127.0.0.1", base, -1, {});
  for (size_t i = 0; i < pool.Size(); ++i) {
    EXPECT_EQ(pool.At(i).demuxer.LocalPort(), base + i);
    EXPECT_EQ(pool.At(i).demuxer.LocalTcpPort(), base + i);  // ICE-TCP on the same number
    EXPECT_EQ(pool.At(i).worker.Name(), "media-" + std::to_string(i));
  }
  pool.Start();
  // Placement spreads meetings before any media flows, and a released meeting frees its worker.
  EXPECT_EQ(pool.Place(), 0u);
  EXPECT_EQ(pool.Place(), 1u);
  EXPECT_EQ(pool.Place(), 2u);
  pool.Release(1);
  EXPECT_EQ(pool.Place(), 1u);
  pool.Stop(std::chrono::seconds(1));
}

TEST(MediaWorkerPoolTest, FailsClearlyWhenAWorkersPortIsTaken) {
  const uint16_t base = FreeRange(2);
  boost::asio::io_context io;
  boost::asio::ip::udp::socket taken(
      io, {boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(base + 1)});
  MediaWorkerPool pool(2);
  try {
    pool.Bind("127.0.0.1", base, 0, {});
    FAIL() << "bound a taken port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("media worker 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(std::to_string(base + 1)), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace medicall::app
