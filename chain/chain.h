// chain/: everything between a BLS key and a confirmed deposit on an
// execution chain: SSZ deposit containers and roots, deposit data files,
// RLP, EIP-1559 and EIP-155 transactions, ABI encoding of the deposit
// contract, a JSON-RPC client and a nonce manager. A pure library: it
// depends on base/ and crypto/, never on actors, NATS or storage.
#ifndef PKM_CHAIN_CHAIN_H_
#define PKM_CHAIN_CHAIN_H_

namespace pkm::chain {}

#endif  // PKM_CHAIN_CHAIN_H_
