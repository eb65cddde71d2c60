// Runs the pkm-client binary as a real process against a real nats-server
// on a free loopback port. pkm-server does not exist yet, so the keys come
// from FakeKeyService (tests/client/fake_key_service.h): a NATS.c responder
// in this test process that builds its replies with the real WireCodec from
// real BLS keys. It stands in only until pkm-server exists.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "crypto/keystore.h"
#include "messages/slashing_protection.h"
#include "messages/wire_codec.h"
#include "tests/client/fake_key_service.h"
#include "tests/client/nats_server.h"
#include "tests/support/child_process.h"

namespace pkm::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPod[] = "validator-0";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t mode_of(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return 0;
  return info.st_mode & 07777;
}

// Every file under `root`, relative to it, sorted.
std::vector<std::string> files_under(const std::string& root) {
  std::vector<std::string> files;
  std::error_code error;
  for (fs::recursive_directory_iterator it(root, error), end;
       !error && it != end; it.increment(error)) {
    if (it->is_regular_file()) {
      files.push_back(fs::relative(it->path(), root).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// What a finished pkm-client run left behind.
struct ClientRun {
  int exit_code = -1;
  std::string output;
  milliseconds elapsed{0};
};

// Helpers to run pkm-client; no NATS server or service of its own.
class ClientProcessTest : public ::testing::Test {
 protected:
  std::string output_dir() const { return temp_.path() + "/out"; }

  // Runs pkm-client with `args` until it exits (killing it after
  // `timeout`), capturing stdout and stderr.
  ClientRun run_client(const std::vector<std::string>& args,
                       milliseconds timeout = seconds(60)) {
    auto started = std::chrono::steady_clock::now();
    std::unique_ptr<ChildProcess> process = start_client(args);
    bool exited = wait_until([&] { return !process->running(); }, timeout);
    EXPECT_TRUE(exited) << "pkm-client did not exit within " << timeout.count()
                        << " ms";
    int status = process->stop(SIGKILL, seconds(5));
    ClientRun run;
    run.elapsed = std::chrono::duration_cast<milliseconds>(
        std::chrono::steady_clock::now() - started);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.output = process->log();
    return run;
  }

  std::unique_ptr<ChildProcess> start_client(
      const std::vector<std::string>& args) {
    std::vector<std::string> argv{PKM_CLIENT_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string log =
        temp_.path() + "/client-" + std::to_string(++runs_) + ".log";
    return std::make_unique<ChildProcess>(argv, log);
  }

  std::vector<std::string> allocate_args(const std::string& url, int keys,
                                         const std::string& kdf = "pbkdf2") {
    std::vector<std::string> args{"--nats-url",   url,
                                  "--pod-name",   kPod,
                                  "--keys",       std::to_string(keys),
                                  "--output-dir", output_dir()};
    if (!kdf.empty()) {
      args.push_back("--kdf");
      args.push_back(kdf);
    }
    return args;
  }

  TempDir temp_;
  int runs_ = 0;
};

// A nats-server and a FakeKeyService on it, started for each test.
class PkmClientTest : public ClientProcessTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(nats_.start());
    service_ = std::make_unique<FakeKeyService>(nats_.url());
  }

  ClientRun allocate(int keys, std::vector<std::string> extra = {},
                     const std::string& kdf = "pbkdf2") {
    std::vector<std::string> args = allocate_args(nats_.url(), keys, kdf);
    args.insert(args.end(), extra.begin(), extra.end());
    return run_client(args);
  }

  // No pool key's private key appears in `output`, in either case.
  void expect_no_private_key(const std::string& output) {
    for (int i = 0; i < FakeKeyService::kPoolSize; ++i) {
      std::string secret = service_->secret_hex(i);
      std::string upper = secret;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      EXPECT_THAT(output, Not(HasSubstr(secret))) << "pool key " << i;
      EXPECT_THAT(output, Not(HasSubstr(upper))) << "pool key " << i;
    }
  }

  std::string keystore_path(int index) const {
    return output_dir() + "/validator_keys/keystore-" +
           service_->public_hex(index) + ".json";
  }
  std::string secret_path(int index) const {
    return output_dir() + "/secrets/" + service_->public_hex(index);
  }
  std::string password_path(int index) const {
    return output_dir() + "/passwords/keystore-" + service_->public_hex(index) +
           ".txt";
  }

  // The secret key in the keystore of pool key `index`, opened with the
  // password in DIR/secrets, as hex; or the error.
  std::string decrypt_keystore(int index) {
    auto secret = crypto::keystore::decrypt(read_text(keystore_path(index)),
                                            read_text(secret_path(index)));
    if (!secret.ok()) return "error: " + secret.error().to_string();
    return to_hex(secret->to_bytes().view(), /*prefix=*/false);
  }

  NatsServer nats_{temp_.path() + "/nats.log"};
  std::unique_ptr<FakeKeyService> service_;
};

TEST_F(PkmClientTest, KeystoresDecryptToServedKeysWithWrittenPasswords) {
  ClientRun run = allocate(2);

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(decrypt_keystore(0), service_->secret_hex(0));
  EXPECT_EQ(decrypt_keystore(1), service_->secret_hex(1));
  EXPECT_EQ(read_text(password_path(0)), read_text(secret_path(0)));
  EXPECT_EQ(read_text(password_path(1)), read_text(secret_path(1)));
  EXPECT_NE(read_text(secret_path(0)), read_text(secret_path(1)));
  EXPECT_GE(read_text(secret_path(0)).size(), 32u);
  expect_no_private_key(run.output);
}

TEST_F(PkmClientTest, DefaultKdfIsScryptAndItsKeystoreDecrypts) {
  ClientRun run = allocate(1, {}, /*kdf=*/"");

  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto keystore = nlohmann::json::parse(read_text(keystore_path(0)));
  EXPECT_EQ(keystore["crypto"]["kdf"]["function"], "scrypt");
  EXPECT_EQ(decrypt_keystore(0), service_->secret_hex(0));
  expect_no_private_key(run.output);
}

TEST_F(PkmClientTest, FilesAreOwnerOnlyAndDirectoriesAre0700) {
  ClientRun run = allocate(2);

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(mode_of(output_dir()), 0700u);
  for (const char* sub : {"validator_keys", "secrets", "passwords"}) {
    EXPECT_EQ(mode_of(output_dir() + "/" + sub), 0700u) << sub;
  }
  std::vector<std::string> files = files_under(output_dir());
  EXPECT_EQ(files.size(), 7u);  // 2 x 3 key files, pubkeys.txt
  for (const std::string& file : files) {
    EXPECT_EQ(mode_of(output_dir() + "/" + file), 0600u) << file;
  }
}

TEST_F(PkmClientTest, PubkeysTxtListsEachServedPublicKeyOnItsOwnLine) {
  ClientRun run = allocate(3);

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(read_text(output_dir() + "/pubkeys.txt"),
            service_->public_hex(0) + "\n" + service_->public_hex(1) + "\n" +
                service_->public_hex(2) + "\n");
}

TEST_F(PkmClientTest, UnencryptedJsonHoldsValidatorKeysWithoutWithdrawalKey) {
  ClientRun run = allocate(2, {"--format", "unencrypted-json"});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::string keys_file = output_dir() + "/keys.json";
  auto keys = nlohmann::json::parse(read_text(keys_file));
  ASSERT_EQ(keys["keys"].size(), 2u);
  EXPECT_EQ(keys["keys"][0]["validator_key"], "0x" + service_->secret_hex(0));
  EXPECT_EQ(keys["keys"][1]["validator_key"], "0x" + service_->secret_hex(1));
  EXPECT_FALSE(keys["keys"][0].contains("withdrawal_key"));
  EXPECT_EQ(mode_of(keys_file), 0600u);
  EXPECT_FALSE(fs::exists(output_dir() + "/validator_keys"));
  EXPECT_EQ(read_text(output_dir() + "/pubkeys.txt"),
            service_->public_hex(0) + "\n" + service_->public_hex(1) + "\n");
  expect_no_private_key(run.output);
}

TEST_F(PkmClientTest, SecondRunForSamePodKeepsOneSetOfFilesAndTheSameKeys) {
  ClientRun first = allocate(2);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::vector<std::string> files_before = files_under(output_dir());
  std::string keystore_before = read_text(keystore_path(0));

  ClientRun second = allocate(2);

  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(files_under(output_dir()), files_before);
  EXPECT_EQ(read_text(keystore_path(0)), keystore_before);
  EXPECT_EQ(decrypt_keystore(0), service_->secret_hex(0));
  EXPECT_EQ(decrypt_keystore(1), service_->secret_hex(1));
  EXPECT_THAT(second.output, HasSubstr("0 written, 2 unchanged"));
}

TEST_F(PkmClientTest, RerunRepairsAMissingPasswordCopyWithTheSamePassword) {
  ASSERT_EQ(allocate(1).exit_code, 0);
  std::string password = read_text(secret_path(0));
  fs::remove(password_path(0));

  ClientRun run = allocate(1);

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(read_text(password_path(0)), password);
  EXPECT_EQ(read_text(secret_path(0)), password);
  EXPECT_EQ(decrypt_keystore(0), service_->secret_hex(0));
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

TEST_F(PkmClientTest, SymlinkedSecretsDirectoryIsRefusedAndItsTargetKept) {
  std::string victim = temp_.path() + "/victim";
  std::string precious = victim + "/0x" + std::string(96, 'c');
  fs::create_directories(victim);
  fs::permissions(victim, fs::perms(0755));
  write_text(precious, "precious");
  fs::create_directories(output_dir());
  fs::create_directory_symlink(victim, output_dir() + "/secrets");

  ClientRun run = allocate(1);

  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr(output_dir() + "/secrets is a symbolic"));
  EXPECT_EQ(read_text(precious), "precious");
  EXPECT_EQ(mode_of(victim), 0755u);
  EXPECT_EQ(files_under(victim), std::vector<std::string>{
                                     "0x" + std::string(96, 'c')});
}

TEST_F(PkmClientTest, PlantedSecretLinkIsNeitherReadNorFollowed) {
  ASSERT_EQ(allocate(1).exit_code, 0);
  std::string planted = temp_.path() + "/planted-password";
  write_text(planted, "attacker-password");
  fs::remove(secret_path(0));
  fs::create_symlink(planted, secret_path(0));

  ClientRun run = allocate(1);

  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr(secret_path(0) + " is a symbolic link"));
  EXPECT_EQ(read_text(planted), "attacker-password");
  EXPECT_NE(read_text(password_path(0)), "attacker-password");
}

TEST_F(PkmClientTest, PasswordThatDoesNotOpenTheKeystoreIsReplaced) {
  ASSERT_EQ(allocate(1).exit_code, 0);
  write_text(secret_path(0), "guessed-password");
  write_text(password_path(0), "guessed-password");

  ClientRun run = allocate(1);

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(read_text(secret_path(0)), "guessed-password");
  EXPECT_EQ(read_text(password_path(0)), read_text(secret_path(0)));
  EXPECT_EQ(decrypt_keystore(0), service_->secret_hex(0));
}

TEST_F(PkmClientTest, FilesOfKeysNoLongerServedAreRemoved) {
  ASSERT_EQ(allocate(2).exit_code, 0);
  service_->set_first_key(4);

  ClientRun run = allocate(2);

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(fs::exists(keystore_path(0)));
  EXPECT_FALSE(fs::exists(secret_path(0)));
  EXPECT_FALSE(fs::exists(password_path(1)));
  EXPECT_EQ(decrypt_keystore(4), service_->secret_hex(4));
  EXPECT_EQ(files_under(output_dir() + "/validator_keys").size(), 2u);
  EXPECT_THAT(run.output, HasSubstr("2 removed"));
}

TEST_F(PkmClientTest, SwitchingToUnencryptedJsonRemovesTheKeystores) {
  ASSERT_EQ(allocate(1).exit_code, 0);

  ClientRun run = allocate(1, {"--format", "unencrypted-json"});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(fs::exists(keystore_path(0)));
  EXPECT_FALSE(fs::exists(secret_path(0)));
  EXPECT_TRUE(fs::exists(output_dir() + "/keys.json"));
}

TEST_F(PkmClientTest, ReplyWithMismatchedPublicKeyIsRefusedAndNothingWritten) {
  service_->set_mismatched_key(1);

  ClientRun run = allocate(2);

  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("does not belong to its private key"));
  EXPECT_THAT(run.output, HasSubstr("nothing was written"));
  EXPECT_FALSE(fs::exists(output_dir()));
  expect_no_private_key(run.output);
}

TEST_F(PkmClientTest, ErrorReplyExitsNonZeroWithServerCodeAndMessage) {
  service_->set_error_reply(invalid_argument(
      "number_of_keys 300 is above --max-keys-per-request 256"));

  ClientRun run = allocate(2);

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("invalid_argument"));
  EXPECT_THAT(run.output,
              HasSubstr("number_of_keys 300 is above --max-keys-per-request"));
  EXPECT_EQ(service_->allocate_requests(), 1);
  EXPECT_FALSE(fs::exists(output_dir()));
}

TEST_F(PkmClientTest, ErrorReplyWithoutServiceHeadersIsRecognisedByItsBody) {
  service_->set_error_reply(Error{ErrorCode::kNotFound, "no such pool"},
                            /*with_headers=*/false);

  ClientRun run = allocate(1);

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("not_found: no such pool"));
}

TEST_F(PkmClientTest, UnavailableRepliesAreRetriedUntilKeysAreServed) {
  service_->set_unavailable_replies(2);

  ClientRun run = allocate(1);

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(service_->allocate_requests(), 3);
  EXPECT_THAT(run.output, HasSubstr("not enough deposited keys yet"));
  EXPECT_EQ(decrypt_keystore(0), service_->secret_hex(0));
}

TEST_F(PkmClientTest, RequestIsDesignJsonWithoutContentType) {
  ClientRun run = allocate(2);

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(service_->last_allocate_content_type(), "");
  auto body = nlohmann::json::parse(service_->last_allocate_body());
  EXPECT_EQ(body, nlohmann::json::parse(
                      R"({"pod_name":"validator-0","number_of_keys":2})"));
}

TEST_F(PkmClientTest, ProtobufEncodingAlsoGetsTheKeys) {
  ClientRun run = allocate(1, {"--encoding", "protobuf"});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(service_->last_allocate_content_type(),
            messages::kProtobufContentType);
  EXPECT_EQ(decrypt_keystore(0), service_->secret_hex(0));
}

TEST_F(PkmClientTest, PasswordFileGivesEveryKeystoreThatPassword) {
  std::string password_file = temp_.path() + "/password.txt";
  std::ofstream(password_file) << "correct horse battery staple\n";

  ClientRun run = allocate(2, {"--password-file", password_file});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(read_text(secret_path(0)), "correct horse battery staple");
  EXPECT_EQ(read_text(secret_path(1)), "correct horse battery staple");
  EXPECT_EQ(decrypt_keystore(1), service_->secret_hex(1));
  EXPECT_THAT(run.output, Not(HasSubstr("battery staple")));
}

// An EIP-3076 document for `pubkeys` on the chain whose genesis validators
// root is 32 bytes of `root` (two hex digits): each key signed a block at
// `slot` and `slot` + 1 and attestations 100 -> 101 and 101 -> 102.
std::string interchange(const std::vector<std::string>& pubkeys,
                        uint64_t slot, const std::string& root = "44") {
  nlohmann::json data = nlohmann::json::array();
  for (const std::string& pubkey : pubkeys) {
    data.push_back(
        {{"pubkey", pubkey},
         {"signed_blocks",
          {{{"slot", std::to_string(slot)}},
           {{"slot", std::to_string(slot + 1)},
            {"signing_root", "0x" + std::string(64, 'd')}}}},
         {"signed_attestations",
          {{{"source_epoch", "100"}, {"target_epoch", "101"}},
           {{"source_epoch", "101"}, {"target_epoch", "102"}}}}});
  }
  std::string root_hex = "0x";
  for (int i = 0; i < 32; ++i) root_hex += root;
  nlohmann::json document = {{"metadata",
                              {{"interchange_format_version", "5"},
                               {"genesis_validators_root", root_hex}}},
                             {"data", data}};
  return document.dump();
}

TEST_F(PkmClientTest, SlashingProtectionOfEveryServedKeyIsWrittenInOneFile) {
  service_->set_slashing_protection(
      0, interchange({service_->public_hex(0)}, 81952));
  service_->set_slashing_protection(
      1, interchange({service_->public_hex(1)}, 90000));

  ClientRun run = allocate(3);

  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::string file = output_dir() + "/slashing_protection.json";
  auto written = messages::parse_interchange(read_text(file));
  ASSERT_TRUE(written.ok()) << written.error().to_string();
  ASSERT_EQ(written->data.size(), 2u);
  auto served = messages::parse_interchange(
      interchange({service_->public_hex(0), service_->public_hex(1)}, 0));
  EXPECT_EQ(written->genesis_validators_root,
            served->genesis_validators_root);
  EXPECT_EQ(written->data[0].signed_blocks[0].slot, 81952u);
  EXPECT_EQ(written->data[1].signed_blocks[1].slot, 90001u);
  EXPECT_EQ(written->data[1].signed_attestations.size(), 2u);
  EXPECT_EQ(to_hex(ByteView(written->data[1].pubkey.data(), 48)),
            service_->public_hex(1));
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_THAT(run.output, HasSubstr("; slashing protection of 2 keys in " +
                                    file + ": import it before signing"));
}

TEST_F(PkmClientTest, StaleSlashingProtectionIsRemovedWhenNoKeyHasHistory) {
  service_->set_slashing_protection(
      1, interchange({service_->public_hex(1)}, 81952));
  ASSERT_EQ(allocate(2).exit_code, 0);
  ASSERT_TRUE(fs::exists(output_dir() + "/slashing_protection.json"));
  service_->set_slashing_protection(1, "");

  ClientRun run = allocate(2);

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(fs::exists(output_dir() + "/slashing_protection.json"));
  EXPECT_THAT(run.output, Not(HasSubstr("slashing protection")));
}

TEST_F(PkmClientTest, HistoryOfDifferentChainsIsRefusedAndNothingWritten) {
  service_->set_slashing_protection(
      0, interchange({service_->public_hex(0)}, 81952, "44"));
  service_->set_slashing_protection(
      1, interchange({service_->public_hex(1)}, 81952, "55"));

  ClientRun run = allocate(2);

  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output,
              HasSubstr("slashing protection served with key " +
                        service_->public_hex(1) +
                        " is for genesis_validators_root 0x5555"));
  EXPECT_FALSE(fs::exists(output_dir()));
  expect_no_private_key(run.output);
}

TEST_F(PkmClientTest, MalformedHistoryFromTheServerIsRefusedNamingTheKey) {
  std::string broken = interchange({service_->public_hex(0)}, 81952);
  broken.replace(broken.find("\"slot\":\"81952\""), 14, "\"slot\":81952");
  service_->set_slashing_protection(0, broken);

  ClientRun run = allocate(1);

  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output,
              HasSubstr("slashing protection served with key " +
                        service_->public_hex(0) + " is not valid EIP-3076: "
                        "data[0].signed_blocks[0].slot is the number 81952"));
  EXPECT_FALSE(fs::exists(keystore_path(0)));
}

TEST_F(PkmClientTest, InvalidPodNameIsAUsageErrorAndNothingIsAsked) {
  ClientRun run = run_client({"--nats-url", nats_.url(), "--pod-name",
                              "Validator_0", "--output-dir", output_dir()});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.output, HasSubstr("--pod-name"));
  EXPECT_THAT(run.output, HasSubstr("DNS-1123"));
  EXPECT_EQ(service_->allocate_requests(), 0);
}

TEST_F(PkmClientTest, ReleasePrintsHowManyKeysWereReleased) {
  service_->set_released(2);

  ClientRun run =
      run_client({"release", "--nats-url", nats_.url(), "--pod-name", kPod});

  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("released 2 keys of pod validator-0"));
  EXPECT_EQ(service_->release_requests(), 1);
}

// The release request the stand-in received, decoded in its encoding.
class ReleaseTest : public PkmClientTest {
 protected:
  std::string write_interchange(const std::string& text) {
    std::string file = temp_.path() + "/interchange.json";
    write_text(file, text);
    return file;
  }

  ClientRun release(std::vector<std::string> extra) {
    std::vector<std::string> args{"release", "--nats-url", nats_.url(),
                                  "--pod-name", kPod};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_client(args);
  }

  Result<wire::ReleaseRequest> last_request() {
    messages::WireCodec codec;
    auto encoding =
        service_->last_release_content_type() == messages::kProtobufContentType
            ? messages::Encoding::kProtobuf
            : messages::Encoding::kJson;
    return codec.decode_release_request(service_->last_release_body(),
                                        encoding);
  }
};

TEST_F(ReleaseTest, SlashingProtectionFileIsSentInMinimalForm) {
  service_->set_released(2);
  std::string file = write_interchange(interchange(
      {service_->public_hex(0), service_->public_hex(1)}, 81952));

  ClientRun run = release({"--slashing-protection", file});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output,
              HasSubstr("released 2 keys of pod validator-0 with the "
                        "slashing protection of 2 keys from " + file));
  auto request = last_request();
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  auto sent = messages::parse_interchange(request->slashing_protection());
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  auto exported = messages::parse_interchange(read_text(file));
  EXPECT_EQ(*sent, messages::minify_interchange(*exported));
  ASSERT_EQ(sent->data.size(), 2u);
  EXPECT_EQ(sent->data[1].signed_blocks,
            (std::vector<messages::SignedBlock>{{81953, std::nullopt}}));
  EXPECT_EQ(sent->data[1].signed_attestations,
            (std::vector<messages::SignedAttestation>{
                {101, 102, std::nullopt}}));
}

TEST_F(ReleaseTest, JsonRequestCarriesTheDocumentAsAnObject) {
  std::string file =
      write_interchange(interchange({service_->public_hex(0)}, 5));

  ClientRun run = release({"--slashing-protection", file});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto body = nlohmann::json::parse(service_->last_release_body());
  ASSERT_TRUE(body["slashing_protection"].is_object()) << body.dump();
  EXPECT_EQ(body["slashing_protection"]["metadata"]
                ["interchange_format_version"],
            "5");
  EXPECT_EQ(body["slashing_protection"]["data"][0]["pubkey"],
            service_->public_hex(0));
}

TEST_F(ReleaseTest, ProtobufRequestCarriesTheDocumentToo) {
  std::string file =
      write_interchange(interchange({service_->public_hex(0)}, 5));

  ClientRun run =
      release({"--slashing-protection", file, "--encoding", "protobuf"});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(service_->last_release_content_type(),
            messages::kProtobufContentType);
  auto request = last_request();
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  auto sent = messages::parse_interchange(request->slashing_protection());
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  EXPECT_EQ(sent->data[0].signed_blocks[0].slot, 6u);
}

TEST_F(ReleaseTest, ReleaseWithoutTheFlagSendsNoSlashingProtection) {
  ClientRun run = release({});

  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto request = last_request();
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_FALSE(request->has_slashing_protection());
}

TEST_F(ReleaseTest, MalformedFileIsAUsageErrorNamingTheFieldAndNothingIsSent) {
  std::string text = interchange({service_->public_hex(0)}, 5);
  text.replace(text.find("\"101\"}"), 6, "\"99\"}");
  std::string file = write_interchange(text);

  ClientRun run = release({"--slashing-protection", file});

  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output,
              HasSubstr("--slashing-protection: " + file +
                        ": data[0].signed_attestations[0].source_epoch is "
                        "100, above target_epoch 99"));
  EXPECT_EQ(service_->release_requests(), 0);
}

TEST_F(ReleaseTest, MissingFileIsAUsageErrorAndNothingIsSent) {
  std::string file = temp_.path() + "/no-such-export.json";

  ClientRun run = release({"--slashing-protection", file});

  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_THAT(run.output, HasSubstr(file + " does not exist"));
  EXPECT_EQ(service_->release_requests(), 0);
}

TEST_F(PkmClientTest, RenewLoopRenewsUntilSigtermThenExitsZero) {
  auto process = start_client({"renew", "--nats-url", nats_.url(), "--pod-name",
                               kPod, "--interval", "100ms"});
  ASSERT_TRUE(
      wait_until([&] { return service_->renew_requests() >= 3; }, seconds(20)));

  int status = process->stop(SIGTERM, seconds(10));

  ASSERT_TRUE(WIFEXITED(status)) << process->log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_THAT(process->log(), HasSubstr("stopped renewing pod=validator-0"));
}

TEST_F(PkmClientTest, RenewExitsNonZeroWhenTheServerRefusesForGood) {
  service_->set_error_reply(
      Error{ErrorCode::kNotFound, "pod validator-0 holds no keys"});

  ClientRun run = run_client({"renew", "--nats-url", nats_.url(), "--pod-name",
                              kPod, "--interval", "100ms"});

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("not_found: pod validator-0 holds no"));
  EXPECT_EQ(service_->renew_requests(), 1);
}

TEST_F(PkmClientTest, RenewStopsPromptlyOnSigtermWhileRetrying) {
  auto process = start_client({"renew", "--nats-url", nats_.url(), "--pod-name",
                               kPod, "--subject-prefix", "nobody", "--interval",
                               "60s", "--timeout", "60s"});
  ASSERT_TRUE(wait_until(
      [&] { return process->log().find("retrying") != std::string::npos; },
      seconds(20)));
  auto stopping = std::chrono::steady_clock::now();

  int status = process->stop(SIGTERM, seconds(10));

  ASSERT_TRUE(WIFEXITED(status)) << process->log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, seconds(3));
}

TEST_F(ClientProcessTest, NoRespondersRetriesThenGivesUpWithinTheTimeout) {
  NatsServer nats(temp_.path() + "/nats.log");
  ASSERT_TRUE(nats.start());
  std::vector<std::string> args = allocate_args(nats.url(), 1);
  args.insert(args.end(), {"--timeout", "2s"});

  ClientRun run = run_client(args);

  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_THAT(run.output, HasSubstr("gave up on pkm.allocate after 2s"));
  EXPECT_THAT(run.output, HasSubstr("no responders on pkm.allocate"));
  EXPECT_GE(run.elapsed, milliseconds(1900));
  EXPECT_LT(run.elapsed, milliseconds(5000));
  EXPECT_FALSE(fs::exists(output_dir()));
}

TEST_F(ClientProcessTest, NatsServerStartedLateIsUsedOnceItAppears) {
  NatsServer nats(temp_.path() + "/nats.log");
  auto process = start_client(allocate_args(nats.url(), 1));
  ASSERT_TRUE(wait_until(
      [&] {
        return process->log().find("cannot connect to NATS") !=
               std::string::npos;
      },
      seconds(20)));
  ASSERT_TRUE(process->running());

  ASSERT_TRUE(nats.start());
  FakeKeyService service(nats.url());
  ASSERT_TRUE(wait_until([&] { return !process->running(); }, seconds(30)));
  int status = process->stop(SIGKILL, seconds(1));

  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << process->log();
  auto secret = crypto::keystore::decrypt(
      read_text(output_dir() + "/validator_keys/keystore-" +
                service.public_hex(0) + ".json"),
      read_text(output_dir() + "/secrets/" + service.public_hex(0)));
  ASSERT_TRUE(secret.ok()) << secret.error().to_string();
  EXPECT_EQ(to_hex(secret->to_bytes().view(), false), service.secret_hex(0));
}

}  // namespace
}  // namespace pkm::testing
