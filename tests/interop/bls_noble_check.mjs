// Checks with @noble/curves the keys and signatures pkm_bls_cases_writer
// wrote: each public key must equal noble's getPublicKey(secret key), both
// encodings must pass noble's decoders (compressed, canonical, in the
// subgroup), and each signature must pass noble's Verify under the Ethereum
// POP DST (checked against ../shared/vectors/bls/sign.json first).
//
// Usage: node bls_noble_check.mjs --in FILE [--min-cases 1000] [--jobs 2]
//                                 [--node-tools DIR] [--vectors DIR]
// Prints the number checked; exits 1 naming the first mismatches.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData }
  from 'node:worker_threads';

import { assertEthereumDst, fromHex, kPopDst, loadNoble, nodeToolsDir,
         parseArgs, toHex, vectorsDir } from './bls_noble_common.mjs';

const kShownFailures = 10;

// Returns a description of each way `item` disagrees with noble.
function checkCase(bls, item) {
  const scheme = bls.longSignatures;
  const problems = [];
  const nobleKey = toHex(scheme.getPublicKey(fromHex(item.secret_key))
    .toBytes(true));
  if (nobleKey !== item.public_key) {
    problems.push(`public key ${item.public_key}, noble ${nobleKey}`);
  }

  // Noble's G1 decoder also takes the uncompressed form; Ethereum does not.
  if (fromHex(item.public_key).length !== 48) {
    problems.push('the public key is not 48 bytes');
  }
  let publicKey;
  let signature;
  try {
    publicKey = bls.G1.Point.fromBytes(fromHex(item.public_key));
  } catch (error) {
    problems.push(`noble refuses the public key: ${error.message}`);
  }
  try {
    signature = scheme.Signature.fromBytes(fromHex(item.signature));
  } catch (error) {
    problems.push(`noble refuses the signature: ${error.message}`);
  }
  if (publicKey && signature) {
    const hashed = scheme.hash(fromHex(item.message), kPopDst);
    if (!scheme.verify(signature, hashed, publicKey)) {
      problems.push('noble Verify says false');
    }
  }
  return problems;
}

function checkInWorkers(file, cases, jobs, toolsDir) {
  const share = Math.ceil(cases / jobs);
  const runs = [];
  for (let start = 0; start < cases; start += share) {
    const count = Math.min(share, cases - start);
    runs.push(new Promise((resolvePromise, reject) => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { file, start, count, toolsDir },
      });
      worker.once('message', resolvePromise);
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (code !== 0) reject(new Error(`worker exited with ${code}`));
      });
    }));
  }
  return Promise.all(runs).then((parts) => parts.flat());
}

async function main() {
  const options = parseArgs(process.argv.slice(2),
                            ['in', 'min-cases', 'jobs', 'node-tools',
                             'vectors']);
  if (!options.in) throw new Error('--in FILE is required');
  const minimum = Number(options['min-cases'] ?? 1000);
  const jobs = Number(options.jobs ?? Math.min(2, availableParallelism()));
  const toolsDir = nodeToolsDir(options);
  const bls = await loadNoble(toolsDir);
  const started = performance.now();

  assertEthereumDst(bls, vectorsDir(options));
  const input = JSON.parse(readFileSync(options.in, 'utf8'));
  if (input.dst !== kPopDst) {
    throw new Error(`${options.in} was signed with DST ${input.dst}, ` +
                    `expected ${kPopDst}`);
  }
  if (!Array.isArray(input.cases) || input.cases.length < minimum) {
    throw new Error(`${options.in} holds ${input.cases?.length ?? 0} ` +
                    `cases; at least ${minimum} are required`);
  }
  const failures = await checkInWorkers(options.in, input.cases.length, jobs,
                                        toolsDir);

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failures.length > 0) {
    console.error(`bls_noble_check: ${failures.length} of ` +
                  `${input.cases.length} cases from ${options.in} ` +
                  `(seed ${input.seed}) disagree with noble:`);
    for (const failure of failures.slice(0, kShownFailures)) {
      console.error(`  case ${failure.index}: ${failure.problems.join('; ')}`);
    }
    process.exit(1);
  }
  console.log(`bls_noble_check: all ${input.cases.length} pkm public keys ` +
              `and signatures pass noble (getPublicKey, decoding, Verify) ` +
              `in ${seconds} s`);
}

if (isMainThread) {
  main().catch((error) => {
    console.error(`bls_noble_check: ${error.message ?? error}`);
    process.exit(1);
  });
} else {
  const bls = await loadNoble(workerData.toolsDir);
  const input = JSON.parse(readFileSync(workerData.file, 'utf8'));
  const failures = [];
  const end = workerData.start + workerData.count;
  for (let index = workerData.start; index < end; ++index) {
    const problems = checkCase(bls, input.cases[index]);
    if (problems.length > 0) failures.push({ index, problems });
  }
  parentPort.postMessage(failures);
}
