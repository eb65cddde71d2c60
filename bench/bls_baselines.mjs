// Baselines for bench/bls_bench.cc: times SkToPk, Sign, Verify and
// hash_to_G2 with @chainsafe/blst (native blst) and @noble/curves (pure
// JavaScript) in one process, on pkm's benchmark inputs: secret key 32 bytes
// of 0x37, message 32 bytes of 0xab, DST BLS_SIG_BLS12381G2_XMD:SHA-256_
// SSWU_RO_POP_. Sign and Verify include hashing the message, as pkm's do.
//
// Usage: node bench/bls_baselines.mjs [--json] [--repetitions 5]
//                                     [--min-ms 300] [--node-tools DIR]
// Prints microseconds per operation (median of the repetitions), or JSON:
// {"blst": {"SkToPk": us, ...}, "noble": {...}, "notes": [...]}; an
// operation a library does not expose is null and explained in notes.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const kDst = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
const kOperations = ['SkToPk', 'Sign', 'Verify', 'HashToG2'];

function parseOptions(argv) {
  const options = { json: false, repetitions: 5, minMs: 300 };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--json') {
      options.json = true;
    } else if (argv[i] === '--repetitions' && i + 1 < argv.length) {
      options.repetitions = Number(argv[++i]);
    } else if (argv[i] === '--min-ms' && i + 1 < argv.length) {
      options.minMs = Number(argv[++i]);
    } else if (argv[i] === '--node-tools' && i + 1 < argv.length) {
      options.nodeTools = argv[++i];
    } else {
      throw new Error(`bad argument '${argv[i]}'; allowed: --json ` +
                      '--repetitions N --min-ms MS --node-tools DIR');
    }
  }
  if (!(options.repetitions >= 1) || !(options.minMs > 0)) {
    throw new Error('--repetitions must be >= 1 and --min-ms > 0');
  }
  return options;
}

// Loads both libraries from the project's tools/node (ESM ignores
// NODE_PATH, so the directory is located explicitly).
async function loadLibraries(nodeTools) {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = resolve(nodeTools ?? process.env.PKM_NODE_TOOLS_DIR ??
                      join(here, '..', 'tools', 'node'));
  if (!existsSync(join(dir, 'node_modules'))) {
    throw new Error(`no node_modules in ${dir}; run scripts/setup`);
  }
  const require = createRequire(join(dir, 'package.json'));
  const blst = require('@chainsafe/blst');
  const noblePath = require.resolve('@noble/curves/bls12-381.js');
  const noble = (await import(pathToFileURL(noblePath).href)).bls12_381;
  return { blst, noble };
}

// Microseconds per call of `operation`: each repetition runs it until
// `minMs` have passed; the median repetition wins.
function measure(operation, repetitions, minMs) {
  for (let i = 0; i < 3; ++i) operation();  // warm up the JIT
  const perCall = [];
  for (let r = 0; r < repetitions; ++r) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < minMs) {
      operation();
      ++calls;
      elapsed = performance.now() - start;
    }
    perCall.push((elapsed * 1000) / calls);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)];
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const { blst, noble } = await loadLibraries(options.nodeTools);
  const secret = new Uint8Array(32).fill(0x37);
  const message = new Uint8Array(32).fill(0xab);
  const notes = [];

  const blstSecret = blst.SecretKey.fromBytes(secret);
  const blstPublic = blstSecret.toPublicKey();
  const blstSignature = blstSecret.sign(message);
  const scheme = noble.longSignatures;
  const noblePublic = scheme.getPublicKey(secret);
  const nobleSignature = scheme.sign(scheme.hash(message, kDst), secret);

  // Both must compute the same Ethereum signature, or the comparison is
  // between different things.
  const fromBlst = Buffer.from(blstSignature.toBytes(true)).toString('hex');
  const fromNoble =
    Buffer.from(scheme.Signature.toBytes(nobleSignature)).toString('hex');
  if (fromBlst !== fromNoble) {
    throw new Error(`blst and noble sign differently: ${fromBlst} vs ` +
                    `${fromNoble}; is noble using DST ${kDst}?`);
  }
  if (!blst.verify(message, blstPublic, blstSignature) ||
      !scheme.verify(nobleSignature, scheme.hash(message, kDst),
                     noblePublic)) {
    throw new Error('a baseline signature does not verify');
  }

  const run = (operation) => measure(operation, options.repetitions,
                                     options.minMs);
  const results = {
    blst: {
      SkToPk: run(() => blstSecret.toPublicKey()),
      Sign: run(() => blstSecret.sign(message)),
      // Keys and signatures were validated when made, as pkm's are when
      // decoded, so no validation inside Verify (blst's default).
      Verify: run(() => blst.verify(message, blstPublic, blstSignature)),
      HashToG2: null,
    },
    noble: {
      SkToPk: run(() => scheme.getPublicKey(secret)),
      Sign: run(() => scheme.sign(scheme.hash(message, kDst), secret)),
      Verify: run(() => scheme.verify(nobleSignature,
                                      scheme.hash(message, kDst),
                                      noblePublic)),
      HashToG2: run(() => scheme.hash(message, kDst)),
    },
  };
  notes.push('@chainsafe/blst does not expose hash_to_G2 (only inside ' +
             'sign and verify), so blst has no HashToG2 figure');

  if (options.json) {
    console.log(JSON.stringify({ unit: 'us', ...results, notes }, null, 1));
    return;
  }
  console.log('operation   blst us    noble us');
  for (const operation of kOperations) {
    const format = (value) => (value === null ? 'n/a' : value.toFixed(1));
    console.log(`${operation.padEnd(10)} ` +
                `${format(results.blst[operation]).padStart(8)} ` +
                `${format(results.noble[operation]).padStart(11)}`);
  }
  for (const note of notes) console.log(`note: ${note}`);
}

main().catch((error) => {
  console.error(`bls_baselines: ${error.message ?? error}`);
  process.exit(1);
});
