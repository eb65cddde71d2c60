#include "chain/deposit_data_file.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace pkm::chain {
namespace {

using pkm::testing::hex;
using pkm::testing::vector_path;

// deposit_data-1715584089.json of lighthouse's test vector set
// mainnet_first_0_count_1_eth1_false (staking-deposit-cli 2.7.0), byte for
// byte: 706 bytes, no trailing newline.
constexpr char kCliFileText[] =
    "[{\"pubkey\": \"88b6b3a9b391fa5593e8bce8d06102df1a56248368086929709fbb4a"
    "8570dc6a560febeef8159b19789e9c1fd13572f0\", \"withdrawal_credentials\": "
    "\"0049b6188ed20314309f617dd4030b8ddfac3c6e65759a03c226a13b2fe4cc72\", "
    "\"amount\": 32000000000, \"signature\": \"8ac88247c1b431a2d1eb2c5f00e7b8"
    "467bc21d6dc267f1af9ef727a12e32b4299e3b289ae5734a328b3202478dd746a80bf9e1"
    "5a2217240dca1fc1b91a6b7ff7a0f5830d9a2610c1c30f19912346271357c21bd9af35a7"
    "4097ebbdda2ddaf491\", \"deposit_message_root\": \"a9bc1d21cc009d9b10782a"
    "07213e37592c0d235463ed0117dec755758da90d51\", \"deposit_data_root\": \"8"
    "07a20b2801eabfd9065c1b74ed6ae3e991a1ab770e4eaf268f30b37cfd2cbd7\", \"for"
    "k_version\": \"00000000\", \"network_name\": \"mainnet\", \"deposit_cli_"
    "version\": \"2.7.0\"}]";

template <size_t N>
std::array<uint8_t, N> array_from_hex(const std::string& text) {
  Bytes bytes = hex(text);
  std::array<uint8_t, N> out{};
  EXPECT_EQ(bytes.size(), N) << text;
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
  return out;
}

DepositDataEntry entry_from_json(const nlohmann::ordered_json& object) {
  DepositDataEntry entry;
  entry.deposit.pubkey =
      array_from_hex<48>(object["pubkey"].get<std::string>());
  entry.deposit.withdrawal_credentials =
      array_from_hex<32>(object["withdrawal_credentials"].get<std::string>());
  entry.deposit.amount_gwei = object["amount"].get<uint64_t>();
  entry.deposit.signature =
      array_from_hex<96>(object["signature"].get<std::string>());
  entry.fork_version =
      array_from_hex<4>(object["fork_version"].get<std::string>());
  entry.network_name = object["network_name"].get<std::string>();
  entry.deposit_cli_version = object["deposit_cli_version"].get<std::string>();
  return entry;
}

// The CLI vectors with their key order kept (load_vectors sorts keys).
nlohmann::ordered_json ordered_cli_vectors() {
  std::ifstream in(vector_path("deposit/deposit_data_cli.json"));
  EXPECT_TRUE(in.good()) << "cannot open deposit_data_cli.json";
  return nlohmann::ordered_json::parse(in);
}

// What Python's json.dump(array) writes by default for these arrays:
// nlohmann's compact dump with ", " and ": " as separators. Inserting a space
// after every ',' and ':' is exact because no string in a deposit data file
// contains either character (checked).
std::string python_json_dump(const nlohmann::ordered_json& array) {
  std::string compact = array.dump();
  std::string text;
  for (char c : compact) {
    text += c;
    if (c == ',' || c == ':') text += ' ';
  }
  return text;
}

bool strings_free_of_separators(const nlohmann::ordered_json& array) {
  for (const auto& object : array) {
    for (const auto& item : object.items()) {
      if (item.value().is_string()) {
        const std::string& value = item.value().get_ref<const std::string&>();
        if (value.find_first_of(",:") != std::string::npos) return false;
      }
    }
  }
  return true;
}

// A valid one-entry file's text, parsed back into JSON for tampering.
nlohmann::ordered_json cli_file_json() {
  return nlohmann::ordered_json::parse(kCliFileText);
}

Status parse_status(const nlohmann::ordered_json& document) {
  auto entries = parse_deposit_data_file(document.dump());
  return entries.ok() ? Status() : Status(entries.error());
}

void expect_refused(const nlohmann::ordered_json& document,
                    const std::string& fragment) {
  Status status = parse_status(document);

  ASSERT_FALSE(status.ok()) << document.dump();
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message.find(fragment), std::string::npos)
      << status.error().message;
}

// --- writing
// ------------------------------------------------------------------

TEST(DepositDataFile, FormattedTextEqualsCliFileByteForByte) {
  auto document = cli_file_json();
  std::vector<DepositDataEntry> entries = {entry_from_json(document[0])};

  auto text = format_deposit_data_file(entries);

  ASSERT_TRUE(text.ok()) << text.error().to_string();
  EXPECT_EQ(*text, kCliFileText);
  EXPECT_EQ(text->size(), 706u);
}

TEST(DepositDataFile, EveryCliSetFormatsAsPythonJsonDump) {
  auto vectors = ordered_cli_vectors();
  ASSERT_EQ(vectors["sets"].size(), 17u);

  for (const auto& set : vectors["sets"]) {
    const nlohmann::ordered_json& array = set["deposit_data"];
    ASSERT_TRUE(strings_free_of_separators(array)) << set["name"];
    std::vector<DepositDataEntry> entries;
    for (const auto& object : array) entries.push_back(entry_from_json(object));

    auto text = format_deposit_data_file(entries);

    ASSERT_TRUE(text.ok()) << set["name"] << ": " << text.error().to_string();
    EXPECT_EQ(*text, python_json_dump(array)) << set["name"];
  }
}

TEST(DepositDataFile, FieldsAppearInCliOrder) {
  auto document = cli_file_json();
  std::vector<DepositDataEntry> entries = {entry_from_json(document[0])};

  auto text = format_deposit_data_file(entries);

  ASSERT_TRUE(text.ok());
  auto written = nlohmann::ordered_json::parse(*text);
  std::vector<std::string> keys;
  for (const auto& item : written[0].items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "pubkey", "withdrawal_credentials", "amount", "signature",
                      "deposit_message_root", "deposit_data_root",
                      "fork_version", "network_name", "deposit_cli_version"}));
}

TEST(DepositDataFile, FormatRefusesAnEmptyList) {
  auto text = format_deposit_data_file({});

  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument);
}

TEST(DepositDataFile, FormatRefusesADepositThatDoesNotVerify) {
  auto document = cli_file_json();
  DepositDataEntry good = entry_from_json(document[0]);
  DepositDataEntry bad = good;
  bad.fork_version = {0x10, 0x00, 0x09, 0x10};

  auto text = format_deposit_data_file({good, bad});

  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("entry 1: deposit signature does not "
                                      "verify"),
            std::string::npos)
      << text.error().message;
}

TEST(DepositDataFile, FormatRefusesLabelsThatWouldNeedEscaping) {
  auto document = cli_file_json();
  for (const char* name :
       {"", "main\"net", "main\\net", "main net", "m\xc3\xa4innet"}) {
    DepositDataEntry entry = entry_from_json(document[0]);
    entry.network_name = name;

    auto text = format_deposit_data_file({entry});

    ASSERT_FALSE(text.ok()) << name;
    EXPECT_NE(text.error().message.find("network_name"), std::string::npos)
        << text.error().message;
  }
}

// --- reading
// ------------------------------------------------------------------

TEST(DepositDataFile, CliFileParsesToItsEntry) {
  auto entries = parse_deposit_data_file(kCliFileText);

  ASSERT_TRUE(entries.ok()) << entries.error().to_string();
  ASSERT_EQ(entries->size(), 1u);
  const DepositDataEntry& entry = entries->front();
  EXPECT_EQ(entry.deposit.amount_gwei, 32000000000u);
  EXPECT_EQ(entry.fork_version, (ForkVersion{0, 0, 0, 0}));
  EXPECT_EQ(entry.network_name, "mainnet");
  EXPECT_EQ(entry.deposit_cli_version, "2.7.0");
  EXPECT_EQ(to_hex(ByteView(entry.deposit.pubkey.data(), 48), false),
            "88b6b3a9b391fa5593e8bce8d06102df1a56248368086929709fbb4a8570dc6a"
            "560febeef8159b19789e9c1fd13572f0");
}

TEST(DepositDataFile, EveryCliSetParsesAndFormatsBackUnchanged) {
  auto vectors = ordered_cli_vectors();

  for (const auto& set : vectors["sets"]) {
    std::string text = python_json_dump(set["deposit_data"]);

    auto entries = parse_deposit_data_file(text);
    ASSERT_TRUE(entries.ok())
        << set["name"] << ": " << entries.error().to_string();
    auto again = format_deposit_data_file(*entries);

    ASSERT_TRUE(again.ok());
    EXPECT_EQ(entries->size(), set["deposit_data"].size());
    EXPECT_EQ(*again, text) << set["name"];
  }
}

TEST(DepositDataFile, ParserAcceptsHexWithPrefix) {
  auto document = cli_file_json();
  document[0]["pubkey"] = "0x" + document[0]["pubkey"].get<std::string>();

  Status status = parse_status(document);

  EXPECT_TRUE(status.ok()) << status.error().to_string();
}

TEST(DepositDataFile, ParserRefusesTextThatIsNotJson) {
  auto entries = parse_deposit_data_file("[{\"pubkey\": ");

  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(entries.error().message.find("not valid JSON"), std::string::npos)
      << entries.error().message;
}

TEST(DepositDataFile, ParserRefusesANumberTooLargeForADouble) {
  std::string text = "[1" + std::string(400, '0') + "]";

  auto entries = parse_deposit_data_file(text);

  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(entries.error().message.find("number too large"),
            std::string::npos)
      << entries.error().message;
}

TEST(DepositDataFile, ParserRefusesADuplicateField) {
  std::string text = kCliFileText;
  text.insert(text.size() - 2, ", \"amount\": 1");

  auto entries = parse_deposit_data_file(text);

  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(entries.error().message.find("\"amount\" more than once"),
            std::string::npos)
      << entries.error().message;
}

TEST(DepositDataFile, ParserRefusesTextWithANulByte) {
  std::string text = kCliFileText;
  text += std::string(1, '\0') + "garbage";

  auto entries = parse_deposit_data_file(text);

  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(entries.error().message.find("NUL byte at byte 706"),
            std::string::npos)
      << entries.error().message;
}

TEST(DepositDataFile, ParserRefusesAnObjectAtTopLevel) {
  expect_refused(cli_file_json()[0], "not a JSON array");
}

TEST(DepositDataFile, ParserRefusesAnEmptyArray) {
  expect_refused(nlohmann::ordered_json::array(), "no deposits");
}

TEST(DepositDataFile, ParserRefusesAMissingField) {
  auto document = cli_file_json();
  document[0].erase("deposit_data_root");

  expect_refused(document, "entry 0: field deposit_data_root is missing");
}

TEST(DepositDataFile, ParserRefusesAnUnknownField) {
  auto document = cli_file_json();
  document[0]["validator_index"] = 0;

  expect_refused(document, "unknown field \"validator_index\"");
}

TEST(DepositDataFile, ParserRefusesAShortPubkey) {
  auto document = cli_file_json();
  std::string pubkey = document[0]["pubkey"].get<std::string>();
  document[0]["pubkey"] = pubkey.substr(0, 94);

  expect_refused(document, "pubkey is 47 bytes; expected 48");
}

TEST(DepositDataFile, ParserRefusesAnAmountThatIsNotAnUnsignedInteger) {
  for (nlohmann::ordered_json amount :
       {nlohmann::ordered_json("32000000000"), nlohmann::ordered_json(-1),
        nlohmann::ordered_json(32e9), nlohmann::ordered_json(nullptr)}) {
    auto document = cli_file_json();
    document[0]["amount"] = amount;

    expect_refused(document, "amount is not a JSON integer");
  }
}

TEST(DepositDataFile, ParserRefusesAWrongDepositMessageRoot) {
  auto document = cli_file_json();
  document[0]["amount"] = 31000000000;

  expect_refused(document, "deposit_message_root a9bc1d21");
}

TEST(DepositDataFile, ParserRefusesAWrongDepositDataRoot) {
  auto document = cli_file_json();
  document[0]["deposit_data_root"] = std::string(64, '0');

  expect_refused(document, "deposit_data_root 0000");
}

TEST(DepositDataFile, ParserRefusesASignatureForAnotherFork) {
  auto document = cli_file_json();
  document[0]["fork_version"] = "10000910";

  expect_refused(document, "does not verify for pubkey");
}

TEST(DepositDataFile, ParserNamesTheFailingEntry) {
  auto vectors = ordered_cli_vectors();
  nlohmann::ordered_json document;
  for (const auto& set : vectors["sets"]) {
    if (set["name"] == "mainnet_first_1024_count_3_eth1_false") {
      document = set["deposit_data"];
    }
  }
  ASSERT_EQ(document.size(), 3u);
  document[2]["network_name"] = "main net";

  expect_refused(document, "entry 2: network_name");
}

// --- files on disk ----------------------------------------------------------

class DepositDataFileOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/pkm_deposit_data_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    directory_ = pattern;
    entries_ = {entry_from_json(cli_file_json()[0])};
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  static std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string directory_;
  std::vector<DepositDataEntry> entries_;
};

TEST_F(DepositDataFileOnDisk, WritesCliNamedReadOnlyFile) {
  auto path = write_deposit_data_file(directory_, entries_, 1715584089);

  ASSERT_TRUE(path.ok()) << path.error().to_string();
  EXPECT_EQ(*path, directory_ + "/deposit_data-1715584089.json");
  EXPECT_EQ(read_text(*path), kCliFileText);
  struct stat info {};
  ASSERT_EQ(::stat(path->c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0222, 0u) << "file must not be writable";
  EXPECT_NE(info.st_mode & S_IRUSR, 0u);
}

TEST_F(DepositDataFileOnDisk, NeverReplacesAnExistingFile) {
  ASSERT_TRUE(write_deposit_data_file(directory_, entries_, 42).ok());

  auto second = write_deposit_data_file(directory_, entries_, 42);

  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(second.error().message.find("already exists"), std::string::npos);
}

TEST_F(DepositDataFileOnDisk, RefusedEntriesCreateNoFile) {
  entries_[0].deposit.amount_gwei = 1;

  auto path = write_deposit_data_file(directory_, entries_, 7);

  ASSERT_FALSE(path.ok());
  EXPECT_FALSE(std::filesystem::exists(directory_ + "/deposit_data-7.json"));
}

TEST_F(DepositDataFileOnDisk, WrittenFileReadsBackToTheSameEntries) {
  auto path = write_deposit_data_file(directory_, entries_, 1);
  ASSERT_TRUE(path.ok());

  auto entries = read_deposit_data_file(*path);

  ASSERT_TRUE(entries.ok()) << entries.error().to_string();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ(entries->front().deposit, entries_[0].deposit);
  EXPECT_EQ(entries->front().fork_version, entries_[0].fork_version);
}

TEST_F(DepositDataFileOnDisk, ReadingAMissingFileIsNotFound) {
  auto entries = read_deposit_data_file(directory_ + "/deposit_data-0.json");

  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().code, ErrorCode::kNotFound);
}

TEST_F(DepositDataFileOnDisk, ReadErrorsNameTheFile) {
  std::string path = directory_ + "/deposit_data-5.json";
  std::ofstream(path) << "[]";

  auto entries = read_deposit_data_file(path);

  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().message.rfind(path, 0), 0u)
      << entries.error().message;
}

TEST(DepositDataFileName, IsPrefixTimestampAndJsonSuffix) {
  EXPECT_EQ(deposit_data_file_name(1715584089), "deposit_data-1715584089.json");
}

}  // namespace
}  // namespace pkm::chain
