#include "chain/deposit.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace pkm::chain {
namespace {

constexpr char kAmountFormatHelp[] =
    "allowed: a decimal number and a unit, e.g. \"32 ETH\", \"1.5 ETH\" or "
    "\"32000000000 gwei\"; units ETH (or ether), gwei, wei";

std::string_view trim_whitespace(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n";
  size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) {
    return {};
  }
  size_t last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a' : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] - 'A' + 'a' : b[i];
    if (x != y) {
      return false;
    }
  }
  return true;
}

// Powers of ten that turn one unit into gwei: ETH 9, gwei 0, wei -9.
// Returns false for an unknown unit.
bool unit_exponent(std::string_view unit, int* exponent) {
  if (equals_ignoring_case(unit, "eth") ||
      equals_ignoring_case(unit, "ether")) {
    *exponent = 9;
  } else if (equals_ignoring_case(unit, "gwei")) {
    *exponent = 0;
  } else if (equals_ignoring_case(unit, "wei")) {
    *exponent = -9;
  } else {
    return false;
  }
  return true;
}

Bytes32 address_credentials(uint8_t prefix,
                            const crypto::EthereumAddress& address) {
  Bytes32 credentials{};
  credentials[0] = prefix;
  std::copy(address.begin(), address.end(), credentials.end() - address.size());
  return credentials;
}

Result<Bytes32> address_credentials_from_text(uint8_t prefix,
                                              std::string_view text) {
  auto address = crypto::parse_address(text);
  if (!address.ok()) {
    return invalid_argument("withdrawal address refused: " +
                            address.error().message);
  }
  return address_credentials(prefix, *address);
}

template <size_t N>
std::string hex_of(const std::array<uint8_t, N>& bytes) {
  return to_hex(ByteView(bytes.data(), bytes.size()));
}

// The message a deposit's signature covers. A ForkVersion is 4 bytes and a
// domain 32, so neither step can fail.
Root deposit_signing_root(const DepositData& deposit,
                          const ForkVersion& fork_version) {
  Bytes32 domain =
      compute_deposit_domain(ByteView(fork_version.data(), fork_version.size()))
          .value();
  return compute_signing_root(deposit_message_root(deposit),
                              ByteView(domain.data(), domain.size()))
      .value();
}

}  // namespace

Result<ForkVersion> parse_fork_version(std::string_view text) {
  auto bytes = from_hex_exact(text, 4, "fork version");
  if (!bytes.ok()) {
    return bytes.error();
  }
  ForkVersion version{};
  std::copy(bytes->begin(), bytes->end(), version.begin());
  return version;
}

Result<Bytes32> compute_domain(ByteView domain_type, ByteView fork_version,
                               ByteView genesis_validators_root) {
  if (domain_type.size != 4) {
    return invalid_argument("domain type is " +
                            std::to_string(domain_type.size) +
                            " bytes long; allowed: exactly 4 bytes");
  }
  if (fork_version.size != 4) {
    return invalid_argument("fork version is " +
                            std::to_string(fork_version.size) +
                            " bytes long; allowed: exactly 4 bytes");
  }
  if (genesis_validators_root.size != 32) {
    return invalid_argument("genesis validators root is " +
                            std::to_string(genesis_validators_root.size) +
                            " bytes long; allowed: exactly 32 bytes");
  }

  Bytes4 version{};
  std::memcpy(version.data(), fork_version.data, version.size());
  Root validators_root{};
  std::memcpy(validators_root.data(), genesis_validators_root.data,
              validators_root.size());
  Root fork_data_root = hash_tree_root_fork_data(version, validators_root);

  Bytes32 domain{};
  std::memcpy(domain.data(), domain_type.data, 4);
  std::memcpy(domain.data() + 4, fork_data_root.data(), 28);
  return domain;
}

Result<Bytes32> compute_deposit_domain(ByteView fork_version) {
  Root zero_root{};
  return compute_domain(ByteView(kDomainDeposit.data(), kDomainDeposit.size()),
                        fork_version,
                        ByteView(zero_root.data(), zero_root.size()));
}

Result<Root> compute_signing_root(const Root& object_root, ByteView domain) {
  if (domain.size != 32) {
    return invalid_argument("signing domain is " + std::to_string(domain.size) +
                            " bytes long; allowed: exactly 32 bytes");
  }
  Bytes32 domain_bytes{};
  std::memcpy(domain_bytes.data(), domain.data, domain_bytes.size());
  return hash_tree_root_signing_data(object_root, domain_bytes);
}

Bytes32 bls_withdrawal_credentials(const crypto::PublicKey& withdrawal_pubkey) {
  auto encoded = withdrawal_pubkey.to_bytes();
  Bytes32 credentials = sha256(ByteView(encoded.data(), encoded.size()));
  credentials[0] = kBlsWithdrawalPrefix;
  return credentials;
}

Bytes32 execution_withdrawal_credentials(
    const crypto::EthereumAddress& address) {
  return address_credentials(kExecutionWithdrawalPrefix, address);
}

Result<Bytes32> execution_withdrawal_credentials(
    std::string_view address_text) {
  return address_credentials_from_text(kExecutionWithdrawalPrefix,
                                       address_text);
}

Bytes32 compounding_withdrawal_credentials(
    const crypto::EthereumAddress& address) {
  return address_credentials(kCompoundingWithdrawalPrefix, address);
}

Result<Bytes32> compounding_withdrawal_credentials(
    std::string_view address_text) {
  return address_credentials_from_text(kCompoundingWithdrawalPrefix,
                                       address_text);
}

Root deposit_message_root(const DepositData& deposit) {
  return hash_tree_root_deposit_message(
      deposit.pubkey, deposit.withdrawal_credentials, deposit.amount_gwei);
}

Root deposit_data_root(const DepositData& deposit) {
  return hash_tree_root_deposit_data(deposit.pubkey,
                                     deposit.withdrawal_credentials,
                                     deposit.amount_gwei, deposit.signature);
}

Result<DepositData> sign_deposit(const crypto::SecretKey& signing_key,
                                 const Bytes32& withdrawal_credentials,
                                 uint64_t amount_gwei,
                                 const ForkVersion& fork_version) {
  if (amount_gwei < kMinDepositGwei) {
    return invalid_argument("deposit amount " + format_amount(amount_gwei) +
                            " is below the minimum of 1 ETH that the "
                            "deposit contract accepts");
  }

  DepositData deposit;
  deposit.pubkey = signing_key.public_key().to_bytes();
  deposit.withdrawal_credentials = withdrawal_credentials;
  deposit.amount_gwei = amount_gwei;

  Root signing_root = deposit_signing_root(deposit, fork_version);
  deposit.signature =
      signing_key.sign(ByteView(signing_root.data(), signing_root.size()))
          .to_bytes();
  return deposit;
}

Status verify_deposit(const DepositData& deposit,
                      const ForkVersion& fork_version) {
  if (deposit.amount_gwei < kMinDepositGwei) {
    return invalid_argument("deposit amount " +
                            format_amount(deposit.amount_gwei) +
                            " is below the minimum of 1 ETH that the "
                            "deposit contract accepts");
  }
  auto pubkey = crypto::PublicKey::from_bytes(
      ByteView(deposit.pubkey.data(), deposit.pubkey.size()));
  if (!pubkey.ok()) {
    return invalid_argument(
        "deposit pubkey " + hex_of(deposit.pubkey) +
        " is not a usable BLS public key: " + pubkey.error().message);
  }
  auto signature = crypto::Signature::from_bytes(
      ByteView(deposit.signature.data(), deposit.signature.size()));
  if (!signature.ok()) {
    return invalid_argument(
        "deposit signature for pubkey " + hex_of(deposit.pubkey) +
        " is not a valid BLS signature: " + signature.error().message);
  }

  Root signing_root = deposit_signing_root(deposit, fork_version);
  if (!crypto::verify(*pubkey,
                      ByteView(signing_root.data(), signing_root.size()),
                      *signature)) {
    return invalid_argument(
        "deposit signature does not verify for pubkey " +
        hex_of(deposit.pubkey) + " under fork version " + hex_of(fork_version) +
        "; it must be made for this network's genesis fork version over "
        "exactly this pubkey, withdrawal credentials and amount");
  }
  return Status();
}

Result<uint64_t> parse_amount(std::string_view text) {
  text = trim_whitespace(text);
  if (text.empty()) {
    return invalid_argument(std::string("amount is empty; ") +
                            kAmountFormatHelp);
  }
  if (text.front() == '-') {
    return invalid_argument(std::string("amount is negative; ") +
                            kAmountFormatHelp);
  }

  // The number: digits, then optionally '.' and more digits.
  size_t position = 0;
  while (position < text.size() && is_digit(text[position])) {
    ++position;
  }
  std::string_view integer_digits = text.substr(0, position);
  std::string_view fraction_digits;
  if (position < text.size() && text[position] == '.') {
    size_t fraction_start = ++position;
    while (position < text.size() && is_digit(text[position])) {
      ++position;
    }
    fraction_digits = text.substr(fraction_start, position - fraction_start);
    if (fraction_digits.empty()) {
      integer_digits = {};  // "1." is as malformed as ".5"
    }
  }
  if (integer_digits.empty()) {
    return invalid_argument(
        std::string("amount does not start with a decimal number; ") +
        kAmountFormatHelp);
  }

  // The unit, after optional spaces.
  while (position < text.size() && text[position] == ' ') {
    ++position;
  }
  std::string_view unit = text.substr(position);
  if (unit.empty()) {
    return invalid_argument(std::string("amount has no unit; ") +
                            kAmountFormatHelp);
  }
  int exponent = 0;
  if (!unit_exponent(unit, &exponent)) {
    return invalid_argument(
        std::string("amount unit is not known, or the number is not plain "
                    "decimal (no signs, exponents or digit separators); ") +
        kAmountFormatHelp);
  }

  // value in gwei = digits * 10^(exponent - fraction length). Shifting
  // right drops digits, which must all be zero for a whole number of gwei.
  std::string digits(integer_digits);
  digits.append(fraction_digits);
  int shift = exponent - static_cast<int>(fraction_digits.size());
  if (shift >= 0) {
    digits.append(static_cast<size_t>(shift), '0');
  } else {
    size_t dropped = std::min(digits.size(), static_cast<size_t>(-shift));
    std::string_view tail =
        std::string_view(digits).substr(digits.size() - dropped);
    if (tail.find_first_not_of('0') != std::string_view::npos) {
      return invalid_argument(
          "amount is not a whole number of gwei; allowed: at most 9 "
          "decimal places in ETH, none in gwei, and wei in multiples of "
          "1000000000");
    }
    digits.resize(digits.size() - dropped);
  }

  size_t first_nonzero = digits.find_first_not_of('0');
  digits.erase(0, std::min(first_nonzero, digits.size()));
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  unsigned __int128 gwei = 0;
  bool too_large = digits.size() > 20;
  for (size_t i = 0; !too_large && i < digits.size(); ++i) {
    gwei = gwei * 10 + static_cast<unsigned>(digits[i] - '0');
    too_large = gwei > kMax;
  }
  if (too_large) {
    return invalid_argument(
        "amount is above 18446744073709551615 gwei (2^64 - 1), the most a "
        "deposit can carry");
  }

  uint64_t amount = static_cast<uint64_t>(gwei);
  if (amount < kMinDepositGwei) {
    return invalid_argument("amount " + format_amount(amount) +
                            " is below the minimum deposit of 1 ETH");
  }
  return amount;
}

std::string format_amount(uint64_t amount_gwei) {
  std::string text = std::to_string(amount_gwei / kGweiPerEth);
  uint64_t fraction = amount_gwei % kGweiPerEth;
  if (fraction != 0) {
    std::string fraction_digits = std::to_string(fraction);
    fraction_digits.insert(0, 9 - fraction_digits.size(), '0');
    fraction_digits.erase(fraction_digits.find_last_not_of('0') + 1);
    text += "." + fraction_digits;
  }
  return text + " ETH";
}

}  // namespace pkm::chain
