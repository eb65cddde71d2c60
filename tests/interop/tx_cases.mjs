// Writes random execution-layer transactions and deposit-contract ABI data
// as ethers v6 encodes them, for pkm_tx_interop_tests (tx_interop_test.cc),
// which checks that pkm produces and reads the same bytes.
//
// Usage: node tx_cases.mjs --out FILE [--transactions 500] [--calls 100]
//                          [--node-tools DIR]
//
// The file (hex is 0x-prefixed lower case, big integers are decimal
// strings so no JSON parser rounds them):
//   ethers_version
//   transactions: fields of a type-2 or EIP-155 legacy transaction, the
//                 private key, and ethers' unsigned serialization, signing
//                 hash, signed raw bytes, transaction hash and sender
//   deposit_calls: deposit(pubkey, withdrawal_credentials, signature,
//                  deposit_data_root) call data from ethers' Interface; kind
//                  "deposit" has the contract's field sizes, kind "any_size"
//                  random byte lengths (pure ABI encoding)
//   deposit_events: DepositEvent log data from Interface.encodeEventLog
//   deposit_counts: get_deposit_count() return data
//   revert_reasons: Error(string) revert data from encodeErrorResult
// Random inputs come from node:crypto; the file is the record needed to
// replay a failure.
//
// ethers lives in the project's tools/node. ESM resolves imports from this
// script's own folder and ignores NODE_PATH, so the tools directory is
// found explicitly (--node-tools, else $PKM_NODE_TOOLS_DIR, else
// tools/node of this checkout) and ethers is loaded from there with a
// require() anchored in it (ethers ships a CommonJS build).
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync }
  from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const kExpectedEthers = '6.17.0';
const kMaxDataLength = 600;
const kSecp256k1Order =
  0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const kMaxUint64 = (1n << 64n) - 1n;

function parseOptions(argv) {
  const allowed = ['out', 'transactions', 'calls', 'node-tools'];
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : '';
    if (!allowed.includes(name) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete argument '${argv[i]}'; ` +
                      'allowed: ' + allowed.map((a) => `--${a} VALUE`)
                                           .join(' '));
    }
    options[name] = argv[i + 1];
  }
  if (!options.out) throw new Error('--out FILE is required');
  return options;
}

function loadEthers(options) {
  const here = dirname(fileURLToPath(import.meta.url));
  const tools = resolve(options['node-tools'] ??
                        process.env.PKM_NODE_TOOLS_DIR ??
                        join(here, '..', '..', 'tools', 'node'));
  if (!existsSync(join(tools, 'node_modules', 'ethers'))) {
    throw new Error(`ethers is not installed under ${tools}/node_modules; ` +
                    'run scripts/setup');
  }
  const manifest = JSON.parse(readFileSync(
    join(tools, 'node_modules', 'ethers', 'package.json'), 'utf8'));
  if (manifest.version !== kExpectedEthers) {
    throw new Error(`ethers ${manifest.version} found; the cases are made ` +
                    `with ${kExpectedEthers}`);
  }
  const toolsRequire = createRequire(join(tools, 'package.json'));
  return toolsRequire('ethers');
}

function hexOf(bytes) {
  return '0x' + Buffer.from(bytes).toString('hex');
}

// A random integer below 2^bits, for bits up to 256, as a BigInt.
function randomBits(bits) {
  if (bits === 0) return 0n;
  const bytes = randomBytes(Math.ceil(bits / 8));
  return BigInt(hexOf(bytes)) >> BigInt(8 * bytes.length - bits);
}

// Mostly small, sometimes any width up to `maxBits`: both short and long
// RLP integers show up.
function randomInteger(maxBits) {
  const pick = randomInt(4);
  if (pick === 0) return BigInt(randomInt(3));  // 0, 1, 2
  if (pick === 1) return randomBits(randomInt(1, 33));
  return randomBits(randomInt(maxBits + 1));
}

function randomPrivateKey(index) {
  if (index === 0) return 1n;
  if (index === 1) return kSecp256k1Order - 1n;
  for (;;) {
    const value = randomBits(256);
    if (value !== 0n && value < kSecp256k1Order) return value;
  }
}

function keyHex(value) {
  return '0x' + value.toString(16).padStart(64, '0');
}

// Boundaries of RLP string lengths first, then uniform lengths.
function randomData(index) {
  const fixed = [0, 1, 55, 56, kMaxDataLength];
  if (index < fixed.length) return hexOf(randomBytes(fixed[index]));
  if (index === fixed.length) return '0x7f';  // one byte below 0x80
  return hexOf(randomBytes(randomInt(kMaxDataLength + 1)));
}

function randomChainId() {
  const known = [1n, 17000n, 560048n, 11155111n, 31337n];
  const pick = randomInt(4);
  if (pick === 0) return known[randomInt(known.length)];
  if (pick === 1) return 1n + randomBits(32);
  if (pick === 2) return 1n + randomBits(randomInt(1, 63));
  return kMaxUint64 - randomBits(8);  // legacy v above 64 bits
}

function randomAccessList() {
  if (randomInt(10) < 7) return [];
  const entries = [];
  for (let i = randomInt(1, 4); i > 0; --i) {
    const keys = [];
    for (let k = randomInt(4); k > 0; --k) keys.push(hexOf(randomBytes(32)));
    entries.push({ address: hexOf(randomBytes(20)), storageKeys: keys });
  }
  return entries;
}

function makeTransaction(ethers, index) {
  const key = randomPrivateKey(index);
  const signingKey = new ethers.SigningKey(keyHex(key));
  const eip1559 = index % 2 === 0;  // half of each
  const to = randomInt(5) === 0 ? null : hexOf(randomBytes(20));

  const fields = {
    type: eip1559 ? 2 : 0,
    chainId: randomChainId(),
    // ethers keeps nonces as JS numbers: at most 2^53 - 1.
    nonce: Number(randomInteger(53) & ((1n << 53n) - 1n)),
    gasLimit: randomInteger(64),
    to,
    value: randomInteger(256),
    data: randomData(index),
  };
  if (eip1559) {
    // ethers, like nodes, refuses a tip above the fee cap.
    const fees = [randomInteger(256), randomInteger(256)]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    [fields.maxPriorityFeePerGas, fields.maxFeePerGas] = fees;
    fields.accessList = randomAccessList();
  } else {
    fields.gasPrice = randomInteger(256);
  }

  const tx = ethers.Transaction.from(fields);
  const unsignedSerialized = tx.unsignedSerialized;
  const signingHash = tx.unsignedHash;
  tx.signature = signingKey.sign(signingHash);

  const record = {
    type: fields.type,
    private_key: keyHex(key),
    chain_id: fields.chainId.toString(),
    nonce: fields.nonce.toString(),
    gas_limit: fields.gasLimit.toString(),
    to,
    value: fields.value.toString(),
    data: fields.data,
    unsigned_serialized: unsignedSerialized,
    signing_hash: signingHash,
    raw: tx.serialized,
    hash: tx.hash,
    sender: tx.from,
    y_parity: tx.signature.yParity,
  };
  if (eip1559) {
    record.max_priority_fee_per_gas = fields.maxPriorityFeePerGas.toString();
    record.max_fee_per_gas = fields.maxFeePerGas.toString();
    record.access_list = fields.accessList.map((entry) => ({
      address: entry.address, storage_keys: entry.storageKeys }));
  } else {
    record.gas_price = fields.gasPrice.toString();
  }
  return record;
}

const kDepositAbi = [
  'function deposit(bytes pubkey, bytes withdrawal_credentials, ' +
    'bytes signature, bytes32 deposit_data_root) payable',
  'event DepositEvent(bytes pubkey, bytes withdrawal_credentials, ' +
    'bytes amount, bytes signature, bytes index)',
  'function get_deposit_count() view returns (bytes)',
  'function get_deposit_root() view returns (bytes32)',
];

function littleEndian64(value) {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return hexOf(bytes);
}

function makeDepositCall(iface, index) {
  const anySize = index % 2 === 1;
  const size = (fixed) => (anySize ? randomInt(201) : fixed);
  const call = {
    kind: anySize ? 'any_size' : 'deposit',
    pubkey: hexOf(randomBytes(size(48))),
    withdrawal_credentials: hexOf(randomBytes(size(32))),
    signature: hexOf(randomBytes(size(96))),
    deposit_data_root: hexOf(randomBytes(32)),
  };
  call.call_data = iface.encodeFunctionData('deposit', [
    call.pubkey, call.withdrawal_credentials, call.signature,
    call.deposit_data_root]);
  return call;
}

function makeDepositEvent(iface) {
  const amount = randomInteger(64);
  const index = randomInteger(64);
  const event = {
    pubkey: hexOf(randomBytes(48)),
    withdrawal_credentials: hexOf(randomBytes(32)),
    amount_gwei: amount.toString(),
    signature: hexOf(randomBytes(96)),
    index: index.toString(),
  };
  const log = iface.encodeEventLog('DepositEvent', [
    event.pubkey, event.withdrawal_credentials, littleEndian64(amount),
    event.signature, littleEndian64(index)]);
  event.topic = log.topics[0];
  event.data = log.data;
  return event;
}

function makeRevertReason(iface, index) {
  const samples = ['', 'DepositContract: deposit value too low',
                   'DepositContract: reconstructed DepositData does not ' +
                   'match supplied deposit_data_root',
                   'caf\u00e9 \u2713 \u{1f600}'];
  const message = index < samples.length ? samples[index]
    : randomBytes(randomInt(1, 120)).toString('base64');
  return { message_hex: hexOf(Buffer.from(message, 'utf8')),
           data: iface.encodeErrorResult('Error(string)', [message]) };
}

function main() {
  const options = parseOptions(process.argv.slice(2));
  const ethers = loadEthers(options);
  const transactionCount = Number(options.transactions ?? 500);
  const callCount = Number(options.calls ?? 100);
  const iface = new ethers.Interface(kDepositAbi);

  const transactions = [];
  for (let i = 0; i < transactionCount; ++i) {
    transactions.push(makeTransaction(ethers, i));
  }
  const depositCalls = [];
  for (let i = 0; i < callCount; ++i) {
    depositCalls.push(makeDepositCall(iface, i));
  }
  const depositEvents = [];
  const depositCounts = [];
  const revertReasons = [];
  for (let i = 0; i < Math.ceil(callCount / 2); ++i) {
    depositEvents.push(makeDepositEvent(iface));
    const count = i === 0 ? 0n : randomInteger(64);
    depositCounts.push({
      count: count.toString(),
      data: iface.encodeFunctionResult('get_deposit_count',
                                       [littleEndian64(count)]) });
    revertReasons.push(makeRevertReason(iface, i));
  }

  // Write to a temporary name and rename, so that a half-written file never
  // looks complete.
  const file = resolve(options.out);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file + '.partial', JSON.stringify({
    ethers_version: ethers.version,
    transactions,
    deposit_calls: depositCalls,
    deposit_events: depositEvents,
    deposit_counts: depositCounts,
    revert_reasons: revertReasons,
  }, null, 1));
  renameSync(file + '.partial', file);
  console.log(`wrote ${transactions.length} transactions, ` +
              `${depositCalls.length} deposit calls, ` +
              `${depositEvents.length} events, counts and reverts to ${file}`);
}

try {
  main();
} catch (error) {
  console.error('FAIL:', error && error.stack ? error.stack : error);
  process.exitCode = 1;
}
