// Verifies deposits read back from the chain with outside implementations:
// the signing root from @chainsafe/ssz (DepositMessage, ForkData,
// SigningData, DOMAIN_DEPOSIT) and the BLS signature with @noble/curves.
//
//   node deposit_signatures_check.mjs DEPOSITS.json
//
// DEPOSITS.json: {"fork_version":"0x..","deposits":[{"pubkey","
// withdrawal_credentials","amount_gwei","signature"}]}. Exits 1 naming
// every deposit that does not verify; prints the count otherwise.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import {
  assertEthereumDst, fromHex, kPopDst, loadNoble, nodeToolsDir,
  toolsRequire, vectorsDir,
} from './bls_noble_common.mjs';

const file = process.argv[2];
if (!file) {
  console.error('usage: deposit_signatures_check.mjs DEPOSITS.json');
  process.exit(2);
}
const tools = nodeToolsDir();
const bls = await loadNoble(tools);
assertEthereumDst(bls, vectorsDir());
const ssz = await import(
    pathToFileURL(toolsRequire(tools).resolve('@chainsafe/ssz')).href);

const bytes4 = new ssz.ByteVectorType(4);
const bytes32 = new ssz.ByteVectorType(32);
const DepositMessage = new ssz.ContainerType({
  pubkey: new ssz.ByteVectorType(48),
  withdrawalCredentials: bytes32,
  amount: new ssz.UintBigintType(8),
});
const ForkData = new ssz.ContainerType({
  currentVersion: bytes4, genesisValidatorsRoot: bytes32,
});
const SigningData = new ssz.ContainerType({
  objectRoot: bytes32, domain: bytes32,
});

const input = JSON.parse(readFileSync(file, 'utf8'));
const forkRoot = ForkData.hashTreeRoot({
  currentVersion: fromHex(input.fork_version),
  genesisValidatorsRoot: new Uint8Array(32),
});
const domain = new Uint8Array(32);
domain.set([3, 0, 0, 0], 0);
domain.set(forkRoot.subarray(0, 28), 4);

const scheme = bls.longSignatures;
const failures = [];
for (const [i, d] of input.deposits.entries()) {
  const messageRoot = DepositMessage.hashTreeRoot({
    pubkey: fromHex(d.pubkey),
    withdrawalCredentials: fromHex(d.withdrawal_credentials),
    amount: BigInt(d.amount_gwei),
  });
  const signingRoot = SigningData.hashTreeRoot({ objectRoot: messageRoot,
                                                 domain });
  let ok = false;
  try {
    const publicKey = bls.G1.Point.fromBytes(fromHex(d.pubkey));
    const signature = scheme.Signature.fromBytes(fromHex(d.signature));
    ok = scheme.verify(signature, scheme.hash(signingRoot, kPopDst),
                       publicKey);
  } catch (error) {
    failures.push(`deposit ${i} (${d.pubkey}): ${error.message}`);
    continue;
  }
  if (!ok) failures.push(`deposit ${i} (${d.pubkey}): signature invalid`);
}
if (input.deposits.length === 0) failures.push('no deposits to check');
if (failures.length > 0) {
  console.error(`FAIL: ${failures.length} of ${input.deposits.length}` +
                ' deposits do not verify with @noble/curves:');
  for (const line of failures.slice(0, 20)) console.error('  ' + line);
  process.exit(1);
}
console.log(`${input.deposits.length} deposits verify with @noble/curves ` +
            `under fork ${input.fork_version}`);
