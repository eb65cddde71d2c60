#include "client/private_file.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/child_process.h"

namespace pkm::client {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(PrivateFile, WriteCreatesAnOwnerOnlyFileWithTheContent) {
  testing::TempDir temp;

  Status written = write_private_file(temp.path(), "secret", ByteView("abc"));

  ASSERT_TRUE(written.ok()) << written.error().to_string();
  EXPECT_EQ(read_text(temp.path() + "/secret"), "abc");
  EXPECT_TRUE(has_mode(temp.path() + "/secret", 0600));
}

TEST(PrivateFile, WriteReplacesAnOldFileAndLeavesNoTemporaryFile) {
  testing::TempDir temp;
  std::ofstream(temp.path() + "/secret") << "old content that is longer";
  ::chmod((temp.path() + "/secret").c_str(), 0644);

  Status written = write_private_file(temp.path(), "secret", ByteView("new"));

  ASSERT_TRUE(written.ok());
  EXPECT_EQ(read_text(temp.path() + "/secret"), "new");
  EXPECT_TRUE(has_mode(temp.path() + "/secret", 0600));
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(temp.path())) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(PrivateFile, WriteIntoAMissingDirectoryFailsNamingThePath) {
  testing::TempDir temp;

  Status written =
      write_private_file(temp.path() + "/missing", "secret", ByteView("x"));

  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message.find(temp.path() + "/missing"),
            std::string::npos);
}

TEST(PrivateFile, StaleTemporaryFilesAreRemoved) {
  testing::TempDir temp;
  std::ofstream(temp.path() + "/" + kTemporaryFilePrefix + "keys.json-ab12")
      << "partial";
  std::ofstream(temp.path() + "/keep.txt") << "kept";

  auto removed = remove_stale_temporary_files(temp.path());

  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1u);
  EXPECT_TRUE(fs::exists(temp.path() + "/keep.txt"));
}

TEST(PrivateFile, MakeDirectoryCreatesMissingParentsWithMode0700) {
  testing::TempDir temp;
  std::string path = temp.path() + "/a/b/c";

  Status made = make_private_directory(path, false);

  ASSERT_TRUE(made.ok()) << made.error().to_string();
  EXPECT_TRUE(has_mode(temp.path() + "/a", 0700));
  EXPECT_TRUE(has_mode(path, 0700));
}

TEST(PrivateFile, MakeDirectoryTightensAnExistingOneOnlyWhenAsked) {
  testing::TempDir temp;
  std::string path = temp.path() + "/open";
  fs::create_directory(path);
  ::chmod(path.c_str(), 0755);

  ASSERT_TRUE(make_private_directory(path, false).ok());
  bool kept = has_mode(path, 0755);
  ASSERT_TRUE(make_private_directory(path, true).ok());

  EXPECT_TRUE(kept);
  EXPECT_TRUE(has_mode(path, 0700));
}

TEST(PrivateFile, MakeDirectoryRefusesALinkItWouldTighten) {
  testing::TempDir temp;
  std::string victim = temp.path() + "/victim";
  fs::create_directory(victim);
  ::chmod(victim.c_str(), 0755);
  fs::create_directory_symlink(victim, temp.path() + "/link");

  Status made = make_private_directory(temp.path() + "/link", true);

  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(made.error().message.find("/link is a symbolic link"),
            std::string::npos)
      << made.error().message;
  EXPECT_TRUE(has_mode(victim, 0755));
}

TEST(PrivateFile, ReadRefusesASymbolicLink) {
  testing::TempDir temp;
  std::ofstream(temp.path() + "/target") << "secret";
  fs::create_symlink(temp.path() + "/target", temp.path() + "/link");

  auto content = read_private_file(temp.path() + "/link", 100);

  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(content.error().message.find("/link is a symbolic link"),
            std::string::npos)
      << content.error().message;
}

TEST(PrivateFile, StaleFilesAreNotRemovedThroughALinkedDirectory) {
  testing::TempDir temp;
  std::string victim = temp.path() + "/victim";
  std::string stale = victim + "/" + kTemporaryFilePrefix + "keys.json-ab12";
  fs::create_directory(victim);
  std::ofstream(stale) << "someone else's";
  fs::create_directory_symlink(victim, temp.path() + "/link");

  auto removed = remove_stale_temporary_files(temp.path() + "/link");

  ASSERT_FALSE(removed.ok());
  EXPECT_NE(removed.error().message.find("/link is a symbolic link"),
            std::string::npos)
      << removed.error().message;
  EXPECT_TRUE(fs::exists(stale));
}

TEST(PrivateFile, ReadOfAMissingFileIsNotFound) {
  testing::TempDir temp;

  auto content = read_private_file(temp.path() + "/nothing", 100);

  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pkm::client
