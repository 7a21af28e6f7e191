#include "clinic/LinkSigner.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "meetings/TempDir.hpp"

namespace medicall::clinic {
namespace {

TEST(LinkSignerTest, TokensAreDerivedPerVisitAndKeptAcrossRestarts) {
  testing::TempDir dir;
  std::string first;
  {
    LinkSigner signer(dir.Path());
    first = signer.TokenFor("visit-a");
    EXPECT_EQ(first.size(), 32u);  // 192 bits
    EXPECT_TRUE(LinkSigner::LooksLikeToken(first));
    EXPECT_NE(signer.TokenFor("visit-b"), first);
    EXPECT_EQ(signer.TokenFor("visit-a"), first);
  }
  LinkSigner again(dir.Path());  // the key file is reused
  EXPECT_EQ(again.TokenFor("visit-a"), first);
  const auto perms =
      std::filesystem::status(std::filesystem::path(dir.Path()) / "clinic-link.key").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_all, std::filesystem::perms::none);
  EXPECT_EQ(perms & std::filesystem::perms::others_all, std::filesystem::perms::none);

  testing::TempDir otherDir;
  EXPECT_NE(LinkSigner(otherDir.Path()).TokenFor("visit-a"), first) << "another server, another key";
  EXPECT_EQ(LinkSigner::HashOf(first).size(), 64u);
  EXPECT_FALSE(LinkSigner::LooksLikeToken(first + "x"));
  EXPECT_FALSE(LinkSigner::LooksLikeToken("../../../../etc/passwd/xxxxxxxxxxx"));
}

}  // namespace
}  // namespace medicall::clinic
