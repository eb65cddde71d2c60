// Writes SSZ hash_tree_roots computed by @chainsafe/ssz for pseudo-random
// deposit containers, so that pkm_ssz_interop_tests can compare pkm's roots
// with them (see ssz.cmake).
//
// Usage: node ssz_roots.mjs --out FILE [--cases N] [--seed TEXT]
//                           [--node-tools DIR]
//
// The values come from SHA-256 in counter mode over the seed, so a run is
// reproducible from the seed printed in the output. Amounts cover the uint64
// edges as well as random values; lists use deposits from the same file.
//
// @chainsafe/ssz is ESM and ESM ignores NODE_PATH, so the tools directory is
// located explicitly (--node-tools, else $PKM_NODE_TOOLS_DIR, else tools/node
// of this checkout), the package file is resolved with a require() anchored
// there, and then loaded with import().
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync }
  from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const kAllowedOptions = ['out', 'cases', 'seed', 'node-tools'];
const kListLengths = [0, 1, 2, 3, 17, 64, 255, 256, 257];
const kUint64Edges = [
  0n, 1n, 255n, 256n, (1n << 32n) - 1n, 1n << 32n, (1n << 53n) + 1n,
  1000000000n, 32000000000n, 2048000000000n, (1n << 63n), (1n << 64n) - 1n,
];

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !kAllowedOptions.includes(name) ||
        i + 1 >= argv.length) {
      throw new Error(`bad argument '${argv[i]}'; allowed: ` +
                      kAllowedOptions.map((a) => `--${a} VALUE`).join(' '));
    }
    options[name] = argv[i + 1];
  }
  return options;
}

function toolsDirectory(options) {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = resolve(options['node-tools'] ?? process.env.PKM_NODE_TOOLS_DIR ??
                      join(here, '..', '..', 'tools', 'node'));
  if (!existsSync(join(dir, 'node_modules'))) {
    throw new Error(`no node_modules in ${dir}; run scripts/setup`);
  }
  return dir;
}

async function loadSsz(dir) {
  const require = createRequire(join(dir, 'package.json'));
  const module = await import(pathToFileURL(require.resolve('@chainsafe/ssz'))
    .href);
  const manifest = join(dir, 'node_modules', '@chainsafe', 'ssz',
                        'package.json');
  return { ssz: module, version: JSON.parse(readFileSync(manifest)).version };
}

// Deterministic bytes: SHA-256(seed ‖ counter) blocks laid end to end.
class ByteStream {
  constructor(seed) {
    this.seed = seed;
    this.counter = 0;
    this.buffer = Buffer.alloc(0);
  }

  take(count) {
    while (this.buffer.length < count) {
      const block = createHash('sha256')
        .update(`${this.seed}:${this.counter++}`).digest();
      this.buffer = Buffer.concat([this.buffer, block]);
    }
    const out = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(count);
    return Uint8Array.from(out);
  }

  uint64() {
    return Buffer.from(this.take(8)).readBigUInt64LE(0);
  }

  below(limit) {
    return Number(this.uint64() % BigInt(limit));
  }
}

function hex(bytes) {
  return '0x' + Buffer.from(bytes).toString('hex');
}

// Edges first, then a mix of deposit-sized and arbitrary 64-bit values.
function amountFor(index, stream) {
  if (index < kUint64Edges.length) return kUint64Edges[index];
  if (stream.below(2) === 0) {
    return 1000000000n + stream.uint64() % 2048000000000n;
  }
  return stream.uint64();
}

function defineTypes(ssz) {
  const { ByteVectorType, ContainerType, ListCompositeType, UintBigintType }
    = ssz;
  const bytes4 = new ByteVectorType(4);
  const bytes32 = new ByteVectorType(32);
  const bytes48 = new ByteVectorType(48);
  const bytes96 = new ByteVectorType(96);
  const uint64 = new UintBigintType(8);
  const depositMessage = new ContainerType({
    pubkey: bytes48, withdrawalCredentials: bytes32, amount: uint64,
  });
  const depositData = new ContainerType({
    pubkey: bytes48, withdrawalCredentials: bytes32, amount: uint64,
    signature: bytes96,
  });
  return {
    depositMessage,
    depositData,
    depositList: new ListCompositeType(depositData, 2 ** 32),
    forkData: new ContainerType({
      currentVersion: bytes4, genesisValidatorsRoot: bytes32,
    }),
    signingData: new ContainerType({ objectRoot: bytes32, domain: bytes32 }),
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!options.out) throw new Error('--out FILE is required');
  const cases = Number(options.cases ?? 500);
  if (!Number.isInteger(cases) || cases < Math.max(...kListLengths)) {
    throw new Error('--cases must be an integer >= ' +
                    Math.max(...kListLengths));
  }
  const seed = options.seed ?? 'pkm-ssz-interop-1';
  const { ssz, version } = await loadSsz(toolsDirectory(options));
  const types = defineTypes(ssz);
  const stream = new ByteStream(seed);

  const values = [];
  const deposits = [];
  for (let i = 0; i < cases; ++i) {
    const value = {
      pubkey: stream.take(48),
      withdrawalCredentials: stream.take(32),
      amount: amountFor(i, stream),
      signature: stream.take(96),
    };
    const { signature, ...message } = value;
    values.push(value);
    deposits.push({
      pubkey: hex(value.pubkey),
      withdrawal_credentials: hex(value.withdrawalCredentials),
      amount: value.amount.toString(),
      signature: hex(signature),
      deposit_message_root: hex(types.depositMessage.hashTreeRoot(message)),
      deposit_data_root: hex(types.depositData.hashTreeRoot(value)),
    });
  }

  const forkData = [];
  const signingData = [];
  for (let i = 0; i < 50; ++i) {
    const fork = {
      currentVersion: stream.take(4),
      genesisValidatorsRoot: i === 0 ? new Uint8Array(32) : stream.take(32),
    };
    forkData.push({
      current_version: hex(fork.currentVersion),
      genesis_validators_root: hex(fork.genesisValidatorsRoot),
      root: hex(types.forkData.hashTreeRoot(fork)),
    });
    const signing = { objectRoot: stream.take(32), domain: stream.take(32) };
    signingData.push({
      object_root: hex(signing.objectRoot),
      domain: hex(signing.domain),
      root: hex(types.signingData.hashTreeRoot(signing)),
    });
  }

  const lists = kListLengths.map((length) => {
    const indices = Array.from({ length }, () => stream.below(cases));
    const elements = indices.map((index) => values[index]);
    return {
      length,
      deposit_indices: indices,
      root: hex(types.depositList.hashTreeRoot(elements)),
    };
  });

  const output = {
    generator: 'tests/interop/ssz_roots.mjs',
    chainsafe_ssz_version: version,
    seed,
    deposits,
    fork_data: forkData,
    signing_data: signingData,
    deposit_lists: lists,
  };
  mkdirSync(dirname(resolve(options.out)), { recursive: true });
  const temporary = `${options.out}.partial`;
  writeFileSync(temporary, JSON.stringify(output, null, 1));
  renameSync(temporary, options.out);
  console.log(`ssz_roots: wrote ${deposits.length} deposits, ` +
              `${forkData.length} fork data, ${signingData.length} signing ` +
              `data and ${lists.length} lists to ${options.out} ` +
              `(@chainsafe/ssz ${version}, seed ${seed})`);
}

main().catch((error) => {
  console.error(`ssz_roots: ${error.stack ?? error}`);
  process.exit(1);
});
