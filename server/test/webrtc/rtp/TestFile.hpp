#pragma once
// Reads a packet kept in server/test/data (shared by the RTP and RTCP tests).
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace medicall::test {

inline std::vector<uint8_t> ReadTestFile(const std::string& relativePath) {
  const std::string path = std::string(MEDICALL_TEST_DATA) + "/" + relativePath;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing test data " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace medicall::test
