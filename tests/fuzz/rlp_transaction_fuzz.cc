// Fuzzes the strict RLP decoder and signed-transaction decoding: no input
// may crash; accepted RLP must re-encode to the same bytes, and an accepted
// transaction must keep its raw bytes and recover a sender.
#include <cstdlib>
#include <cstring>

#include "chain/rlp.h"
#include "chain/transaction.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pkm::ByteView input(data, size);

  auto item = pkm::chain::rlp_decode(input);
  if (item.ok()) {
    pkm::Bytes encoded = pkm::chain::rlp_encode(*item);
    if (encoded.size() != size || std::memcmp(encoded.data(), data, size)) {
      std::abort();
    }
  }

  auto tx = pkm::chain::decode_signed_transaction(input);
  if (tx.ok()) {
    const pkm::Bytes& raw = tx->raw();
    if (raw.size() != size || std::memcmp(raw.data(), data, size)) {
      std::abort();
    }
  }
  return 0;
}
