#include "meetings/IdGenerator.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace medicall::meetings {
namespace {

TEST(IdGenerator, UuidIsVersion4Rfc4122) {
  const std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 200; ++i) {
    const std::string id = IdGenerator::NewUuid();
    EXPECT_TRUE(std::regex_match(id, pattern)) << id;
    EXPECT_TRUE(IdGenerator::IsUuid(id));
  }
}

TEST(IdGenerator, UuidsAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(IdGenerator::NewUuid());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(IdGenerator, JoinTokenIsBase64UrlWithoutPaddingAndAtLeast128Bits) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string t = IdGenerator::NewJoinToken();
    EXPECT_EQ(t.size(), 43u);  // 32 bytes = 256 bits
    EXPECT_GE(t.size() * 6, 128u);
    for (char c : t) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << t;
    EXPECT_EQ(t.find('='), std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(IdGenerator, JoinTokensUseTheWholeAlphabet) {
  std::set<char> chars;
  for (int i = 0; i < 200; ++i)
    for (char c : IdGenerator::NewJoinToken()) chars.insert(c);
  EXPECT_GT(chars.size(), 60u);  // not a hex or otherwise narrow encoding
}

TEST(IdGenerator, Base64UrlKnownValues) {
  // RFC 4648 section 10 test vectors, in the URL-safe alphabet and without padding.
  auto enc = [](const std::string& s) {
    return IdGenerator::Base64UrlEncode(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg");
  EXPECT_EQ(enc("fo"), "Zm8");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("foob"), "Zm9vYg");
  EXPECT_EQ(enc("fooba"), "Zm9vYmE");
  EXPECT_EQ(enc("foobar"), "Zm9vYmFy");
  EXPECT_EQ(enc("\xfb\xff"), "-_8");
}

TEST(IdGenerator, IsUuidRejects) {
  EXPECT_FALSE(IdGenerator::IsUuid(""));
  EXPECT_FALSE(IdGenerator::IsUuid("not-a-uuid"));
  EXPECT_FALSE(IdGenerator::IsUuid("1234567812341234123412345678901"));
  EXPECT_FALSE(IdGenerator::IsUuid("12345678-1234-1234-1234-12345678901g"));
  EXPECT_FALSE(IdGenerator::IsUuid("12345678x1234-1234-1234-123456789012"));
  EXPECT_TRUE(IdGenerator::IsUuid("12345678-1234-1234-1234-123456789ABC"));
}

}  // namespace
}  // namespace medicall::meetings
