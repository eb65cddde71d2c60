#include "crypto/mnemonic.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_support.h"

namespace pkm::crypto {
namespace {

using pkm::testing::load_vectors;

constexpr char kTwelveWords[] =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon "
    "abandon abandon about";

std::string replace_all(std::string text, const std::string& from,
                        const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string seed_hex(std::string_view mnemonic, std::string_view passphrase) {
  auto seed = mnemonic_to_seed(mnemonic, passphrase);
  EXPECT_TRUE(seed.ok()) << seed.error().to_string();
  return seed.ok() ? to_hex(seed->view()) : std::string();
}

TEST(Mnemonic, SeedsMatchAllBip39Vectors) {
  auto vectors = load_vectors("eip2333/bip39_mnemonic_vectors.json");
  std::string passphrase = vectors["passphrase"].get<std::string>();
  size_t checked = 0;

  for (const auto& [language, cases] : vectors["languages"].items()) {
    for (const auto& test : cases) {
      SCOPED_TRACE(language + ": " + test["entropy"].get<std::string>());
      auto seed =
          mnemonic_to_seed(test["mnemonic"].get<std::string>(), passphrase);

      ASSERT_TRUE(seed.ok()) << seed.error().to_string();
      EXPECT_EQ(seed->size(), kMnemonicSeedSize);
      EXPECT_EQ(to_hex(seed->view()), test["seed"].get<std::string>());
      ++checked;
    }
  }

  EXPECT_EQ(checked, 208u);
  EXPECT_EQ(checked, vectors["count"].get<size_t>());
}

TEST(Mnemonic, ComposedAccentsGiveTheSameSeedAsDecomposed) {
  auto vectors = load_vectors("eip2333/bip39_mnemonic_vectors.json");
  const auto& test = vectors["languages"]["spanish"][0];
  std::string decomposed = test["mnemonic"].get<std::string>();
  // The vector spells "á" as "a" + U+0301; write it as U+00E1 instead.
  std::string composed = replace_all(decomposed, "a\xcc\x81", "\xc3\xa1");
  ASSERT_NE(composed, decomposed);

  std::string seed = seed_hex(composed, "TREZOR");

  EXPECT_EQ(seed, test["seed"].get<std::string>());
}

TEST(Mnemonic, IdeographicSpacesWorkLikeSpaces) {
  auto vectors = load_vectors("eip2333/bip39_mnemonic_vectors.json");
  const auto& test = vectors["languages"]["japanese"][0];
  std::string ideographic =
      replace_all(test["mnemonic"].get<std::string>(), " ", "\xe3\x80\x80");

  std::string seed = seed_hex(ideographic, "TREZOR");

  EXPECT_EQ(seed, test["seed"].get<std::string>());
}

TEST(Mnemonic, PassphraseIsNormalizedToo) {
  // U+FB01 (the "fi" ligature) normalizes to "fi" under NFKD.
  std::string ligature = seed_hex(kTwelveWords, "\xef\xac\x81");
  std::string plain = seed_hex(kTwelveWords, "fi");

  EXPECT_EQ(ligature, plain);
  EXPECT_NE(plain, seed_hex(kTwelveWords, ""));
}

TEST(Mnemonic, DefaultPassphraseIsEmpty) {
  auto seed = mnemonic_to_seed(kTwelveWords);

  ASSERT_TRUE(seed.ok());
  // The widely published seed of this mnemonic without passphrase.
  EXPECT_EQ(to_hex(seed->view()),
            "0x5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc1"
            "9a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4");
}

TEST(Mnemonic, InvalidUtf8IsRefusedWithoutQuotingTheInput) {
  std::string mnemonic = std::string(kTwelveWords) + "\xff";

  auto seed = mnemonic_to_seed(mnemonic, "");

  ASSERT_FALSE(seed.ok());
  EXPECT_EQ(seed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(seed.error().message.find("mnemonic is not valid UTF-8"),
            std::string::npos);
  EXPECT_EQ(seed.error().message.find("abandon"), std::string::npos);
}

TEST(Mnemonic, InvalidUtf8PassphraseIsRefused) {
  auto seed = mnemonic_to_seed(kTwelveWords, "secret\xc0\x80");

  ASSERT_FALSE(seed.ok());
  EXPECT_EQ(seed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(seed.error().message.find("passphrase is not valid UTF-8"),
            std::string::npos);
  EXPECT_EQ(seed.error().message.find("secret"), std::string::npos);
}

TEST(Mnemonic, WrongWordCountsAreRefused) {
  for (int words : {1, 11, 13, 25, 27}) {
    std::string mnemonic = "abandon";
    for (int i = 1; i < words; ++i) mnemonic += " abandon";
    SCOPED_TRACE(words);

    auto seed = mnemonic_to_seed(mnemonic, "");

    ASSERT_FALSE(seed.ok());
    EXPECT_EQ(seed.error().message,
              "mnemonic has " + std::to_string(words) +
                  " words; allowed: 12, 15, 18, 21 or 24");
  }
}

TEST(Mnemonic, StraySpacesAreRefused) {
  const std::string base = kTwelveWords;
  for (const std::string& mnemonic :
       {" " + base, base + " ", replace_all(base, "about", " about")}) {
    SCOPED_TRACE(mnemonic);

    auto seed = mnemonic_to_seed(mnemonic, "");

    ASSERT_FALSE(seed.ok());
    EXPECT_EQ(seed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(seed.error().message.find("single spaces"), std::string::npos);
  }
}

TEST(Mnemonic, EmptyMnemonicIsRefused) {
  auto seed = mnemonic_to_seed("", "");

  ASSERT_FALSE(seed.ok());
  EXPECT_NE(seed.error().message.find("mnemonic is empty"), std::string::npos);
}

}  // namespace
}  // namespace pkm::crypto
