// Writes BLS12-381 test cases computed by @noble/curves for
// pkm_bls_interop_tests (bls_noble_test.cc), which checks that pkm gets the
// same answers. Ciphersuite BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_,
// checked against ../shared/vectors/bls/sign.json before anything is written.
//
// Usage: node bls_noble_cases.mjs --out FILE [--cases 1000] [--jobs 2]
//                                 [--node-tools DIR] [--vectors DIR]
//
// The file (hex is 0x-prefixed lower case):
//   keys:           random secret keys and messages with noble's public key
//                   and signature
//   verifications:  one Verify per key: valid, wrong_message, wrong_key or
//                   tampered_signature, with noble's decoding verdict for the
//                   signature bytes and its Verify result
//   g1_decodings, g2_decodings: encodings by kind (valid, flag changes,
//                   random bytes, x >= p, points on the curve outside the
//                   subgroup, infinity, wrong lengths, uncompressed) with
//                   noble's verdict, error and re-encoding
//   fast_aggregates, aggregate_verifications: aggregated signatures with
//                   noble's verdicts
// Random inputs come from node:crypto; the file itself is the record needed
// to replay a failure.
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { Worker, isMainThread, parentPort, workerData }
  from 'node:worker_threads';

import { assertEthereumDst, kPopDst, loadNoble, nodeToolsDir, packageVersion,
         parseArgs, toHex, vectorsDir } from './bls_noble_common.mjs';

const kMaxMessageLength = 200;

// A uniformly random scalar in [1, r - 1], as 32 big-endian bytes.
function randomSecretKey(order) {
  for (;;) {
    const bytes = randomBytes(32);
    const value = BigInt(toHex(bytes));
    if (value !== 0n && value < order) return Uint8Array.from(bytes);
  }
}

function scalarBytes(value) {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(64, '0'),
                                     'hex'));
}

function fieldBytes(value) {
  return Buffer.from(value.toString(16).padStart(96, '0'), 'hex');
}

// The secret key of case `index`: the edge values 1 and r - 1 first.
function secretKeyFor(index, order) {
  if (index === 0) return scalarBytes(1n);
  if (index === 1) return scalarBytes(order - 1n);
  return randomSecretKey(order);
}

// Lengths 0 and 200 appear for sure; the rest are uniform in 0..200.
function messageFor(index) {
  if (index === 2) return new Uint8Array(0);
  if (index === 3) return Uint8Array.from(randomBytes(kMaxMessageLength));
  return Uint8Array.from(randomBytes(randomInt(kMaxMessageLength + 1)));
}

// `message` with one random bit flipped; one random byte for the empty one.
function changedMessage(message) {
  if (message.length === 0) return Uint8Array.from(randomBytes(1));
  const changed = Uint8Array.from(message);
  changed[randomInt(changed.length)] ^= 1 << randomInt(8);
  return changed;
}

// Noble's verdict on `bytes` with the Signature decoder; null when refused.
function decodeSignature(scheme, bytes) {
  try {
    return scheme.Signature.fromBytes(bytes);
  } catch {
    return null;
  }
}

// Cases [start, start + count): keys, signatures and one Verify each.
function generateKeys(bls, start, count) {
  const scheme = bls.longSignatures;
  const order = bls.fields.Fr.ORDER;
  const keys = [];
  const verifications = [];
  const tamperings = ['negated', 'doubled', 'byte_flipped'];

  for (let index = start; index < start + count; ++index) {
    const secretKey = secretKeyFor(index, order);
    const message = messageFor(index);
    const publicKey = scheme.getPublicKey(secretKey);
    const hashed = scheme.hash(message, kPopDst);
    const signature = scheme.sign(hashed, secretKey);
    const signatureBytes = scheme.Signature.toBytes(signature);
    keys.push({
      secret_key: toHex(secretKey),
      message: toHex(message),
      public_key: toHex(publicKey.toBytes(true)),
      signature: toHex(signatureBytes),
    });

    // One Verify per key; the kinds take turns so each gets a quarter.
    const kind = ['valid', 'wrong_message', 'wrong_key',
                  'tampered_signature'][index % 4];
    let verifyMessage = message;
    let verifyHashed = hashed;
    let verifyKey = publicKey;
    let verifySignature = Uint8Array.from(signatureBytes);
    let tampering;
    if (kind === 'wrong_message') {
      verifyMessage = changedMessage(message);
      verifyHashed = scheme.hash(verifyMessage, kPopDst);
    } else if (kind === 'wrong_key') {
      verifyKey = scheme.getPublicKey(randomSecretKey(order));
    } else if (kind === 'tampered_signature') {
      tampering = tamperings[Math.floor(index / 4) % tamperings.length];
      if (tampering === 'negated') {
        verifySignature[0] ^= 0x20;
      } else if (tampering === 'doubled') {
        verifySignature = scheme.Signature.toBytes(signature.double());
      } else {
        verifySignature[1 + randomInt(95)] ^= 1 + randomInt(255);
      }
    }
    const decoded = decodeSignature(scheme, verifySignature);
    const valid = decoded !== null &&
                  scheme.verify(decoded, verifyHashed, verifyKey);
    verifications.push({
      kind,
      ...(tampering ? { tampering } : {}),
      public_key: toHex(verifyKey.toBytes(true)),
      message: toHex(verifyMessage),
      signature: toHex(verifySignature),
      signature_decodes: decoded !== null,
      valid,
    });
  }
  return { keys, verifications };
}

// Whether y is the larger of {y, p - y} (the compressed "sort" flag).
function fpIsLarger(y, p) {
  return y > (p - 1n) / 2n;
}

function fp2IsLarger(y, p) {
  return y.c1 !== 0n ? fpIsLarger(y.c1, p) : fpIsLarger(y.c0, p);
}

// Compressed bytes of a point on E1 given as x and a sort flag.
function encodeG1(x, larger) {
  const bytes = fieldBytes(x);
  bytes[0] |= 0x80 | (larger ? 0x20 : 0);
  return bytes;
}

function encodeG2(x, larger) {
  const bytes = Buffer.concat([fieldBytes(x.c1), fieldBytes(x.c0)]);
  bytes[0] |= 0x80 | (larger ? 0x20 : 0);
  return bytes;
}

// Points on the curve whose order is not r: random x until x^3 + b is a
// square, then y from noble's square root, either sign. The cofactors are
// huge, so a random curve point lies in the subgroup with negligible
// probability; noble's verdict is recorded, not assumed.
function pointsOutsideSubgroup(bls, group, count) {
  const { Fp, Fp2 } = bls.fields;
  const p = Fp.ORDER;
  const points = [];
  if (group === 'g1') points.push(encodeG1(0n, false));  // (0, 2), order 3
  while (points.length < count) {
    if (group === 'g1') {
      const x = Fp.create(BigInt(toHex(randomBytes(48))));
      let y;
      try {
        y = Fp.sqrt(Fp.add(Fp.mul(Fp.sqr(x), x), 4n));
      } catch {
        continue;  // not a square: no point with this x
      }
      if (randomInt(2)) y = Fp.neg(y);
      points.push(encodeG1(x, fpIsLarger(y, p)));
    } else {
      const x = Fp2.fromBigTuple([Fp.create(BigInt(toHex(randomBytes(48)))),
                                  Fp.create(BigInt(toHex(randomBytes(48))))]);
      const b = Fp2.fromBigTuple([4n, 4n]);
      let y;
      try {
        y = Fp2.sqrt(Fp2.add(Fp2.mul(Fp2.sqr(x), x), b));
      } catch {
        continue;
      }
      if (randomInt(2)) y = Fp2.neg(y);
      points.push(encodeG2(x, fp2IsLarger(y, p)));
    }
  }
  return points;
}

// x coordinates that are not below p: p itself, p + k, and 2^381 - 1.
function coordinatesAtOrAboveP(p, count) {
  const values = [p, (1n << 381n) - 1n];
  while (values.length < count) {
    values.push(p + BigInt(toHex(randomBytes(48))) % ((1n << 381n) - p));
  }
  return values;
}

function withFlags(bytes, set, clear = 0) {
  const changed = Buffer.from(bytes);
  changed[0] = (changed[0] | set) & ~clear;
  return changed;
}

function toggleFlags(bytes, bits) {
  const changed = Buffer.from(bytes);
  changed[0] ^= bits;
  return changed;
}

function infinityLike(size, first, lastByte = 0) {
  const bytes = Buffer.alloc(size);
  bytes[0] = first;
  bytes[size - 1] |= lastByte;
  return bytes;
}

// Decoding cases for one group with noble's verdict on each.
function decodingCases(bls, group) {
  const scheme = bls.longSignatures;
  const p = bls.fields.Fp.ORDER;
  const size = group === 'g1' ? 48 : 96;
  const Point = group === 'g1' ? bls.G1.Point : bls.G2.Point;
  const decode = group === 'g1'
    ? (bytes) => bls.G1.Point.fromBytes(bytes)
    : (bytes) => scheme.Signature.fromBytes(bytes);
  const encode = group === 'g1'
    ? (point) => point.toBytes(true)
    : (point) => scheme.Signature.toBytes(point);
  const cases = [];
  const add = (kind, bytes) => cases.push({ kind, bytes: Buffer.from(bytes) });

  const points = [];
  for (let i = 0; i < 16; ++i) {
    const scalar = BigInt(toHex(randomSecretKey(bls.fields.Fr.ORDER)));
    points.push(Point.BASE.multiply(scalar));
  }
  const valid = points.map((point) => Buffer.from(encode(point)));
  for (const bytes of valid) add('valid', bytes);
  for (const bytes of valid.slice(0, 8)) {
    add('sort_flag_flipped', toggleFlags(bytes, 0x20));
    add('compression_flag_cleared', withFlags(bytes, 0, 0x80));
    add('infinity_flag_set', withFlags(bytes, 0x40));
    add('all_flags_cleared', withFlags(bytes, 0, 0xe0));
  }
  for (let i = 0; i < 40; ++i) add('random', randomBytes(size));
  for (let i = 0; i < 40; ++i) {
    add('random_compressed', withFlags(randomBytes(size), 0x80, 0x40));
  }
  for (const bytes of pointsOutsideSubgroup(bls, group, 20)) {
    add('not_in_subgroup', bytes);
  }
  const large = coordinatesAtOrAboveP(p, 8);
  for (const x of large) {
    if (group === 'g1') {
      add('x_not_below_p', encodeG1(x, randomInt(2) === 1));
    } else {
      // Either half of x too large, the other half from a valid point.
      const other = valid[randomInt(valid.length)];
      const high = withFlags(Buffer.concat([fieldBytes(x),
                                            other.subarray(48)]), 0x80);
      const low = Buffer.concat([other.subarray(0, 48), fieldBytes(x)]);
      add('x_c1_not_below_p', high);
      add('x_c0_not_below_p', low);
    }
  }
  add('infinity', infinityLike(size, 0xc0));
  add('infinity_with_sort_flag', infinityLike(size, 0xe0));
  add('infinity_with_nonzero_x', infinityLike(size, 0xc0, 0x01));
  add('infinity_uncompressed_flags', infinityLike(size, 0x40));
  add('all_zero', infinityLike(size, 0x00));
  add('x_zero_compressed', infinityLike(size, 0x80));
  for (const length of [0, 1, size - 1, size + 1, 2 * size - 1, 2 * size + 1]) {
    const source = Buffer.concat([valid[0], valid[1], valid[2]]);
    add('wrong_length', source.subarray(0, length));
  }
  // The uncompressed form (twice as long, no compression flag). Ethereum
  // keys and signatures are compressed only.
  add('uncompressed', Buffer.from(points[0].toBytes(false)));

  return cases.map(({ kind, bytes }) => {
    const record = { kind, bytes: toHex(bytes) };
    try {
      const point = decode(bytes);
      record.accepted = true;
      record.infinity = point.is0();
      record.reencoded = toHex(encode(point));
    } catch (error) {
      record.accepted = false;
      record.noble_error = String(error.message);
    }
    return record;
  });
}

// FastAggregateVerify sets: n keys sign one message.
function fastAggregateCases(bls) {
  const scheme = bls.longSignatures;
  const order = bls.fields.Fr.ORDER;
  const cases = [];
  for (const size of [1, 2, 5, 10]) {
    const message = Uint8Array.from(randomBytes(32));
    const hashed = scheme.hash(message, kPopDst);
    const secretKeys = Array.from({ length: size },
                                  () => randomSecretKey(order));
    const publicKeys = secretKeys.map((sk) => scheme.getPublicKey(sk));
    const signatures = secretKeys.map((sk) => scheme.sign(hashed, sk));
    const aggregate = scheme.aggregateSignatures(signatures);
    const outsider = scheme.getPublicKey(randomSecretKey(order));
    const otherMessage = changedMessage(message);

    const record = (kind, keys, signedMessage, hashedMessage) => ({
      kind,
      public_keys: keys.map((key) => toHex(key.toBytes(true))),
      message: toHex(signedMessage),
      signatures: signatures.map((s) => toHex(scheme.Signature.toBytes(s))),
      aggregate_signature: toHex(scheme.Signature.toBytes(aggregate)),
      // Noble has no FastAggregateVerify; this is its definition: Verify
      // against the sum of the public keys.
      valid: scheme.verify(aggregate, hashedMessage,
                           scheme.aggregatePublicKeys(keys)),
    });
    cases.push(record('all_signers', publicKeys, message, hashed));
    cases.push(record('extra_key', [...publicKeys, outsider], message,
                      hashed));
    cases.push(record('wrong_message', publicKeys, otherMessage,
                      scheme.hash(otherMessage, kPopDst)));
  }
  return cases;
}

// AggregateVerify sets: n keys each sign their own message.
function aggregateVerifyCases(bls) {
  const scheme = bls.longSignatures;
  const order = bls.fields.Fr.ORDER;
  const cases = [];
  for (const size of [1, 3, 6]) {
    const messages = Array.from({ length: size },
                                (_, i) => Uint8Array.from(randomBytes(i * 7)));
    const hashed = messages.map((m) => scheme.hash(m, kPopDst));
    const secretKeys = Array.from({ length: size },
                                  () => randomSecretKey(order));
    const publicKeys = secretKeys.map((sk) => scheme.getPublicKey(sk));
    const signatures = secretKeys.map((sk, i) => scheme.sign(hashed[i], sk));
    const aggregate = scheme.aggregateSignatures(signatures);

    const record = (kind, messageOrder) => ({
      kind,
      public_keys: publicKeys.map((key) => toHex(key.toBytes(true))),
      messages: messageOrder.map((i) => toHex(messages[i])),
      signatures: signatures.map((s) => toHex(scheme.Signature.toBytes(s))),
      aggregate_signature: toHex(scheme.Signature.toBytes(aggregate)),
      valid: scheme.verifyBatch(aggregate, messageOrder.map((i, k) => ({
        message: hashed[i], publicKey: publicKeys[k] }))),
    });
    const identity = messages.map((_, i) => i);
    cases.push(record('all_signers', identity));
    if (size > 1) {
      cases.push(record('messages_swapped', [1, 0, ...identity.slice(2)]));
    }
  }
  return cases;
}

// Runs generateKeys over `total` cases split between `jobs` worker threads
// (noble takes tens of milliseconds per signature).
function generateInWorkers(total, jobs, toolsDir) {
  const share = Math.ceil(total / jobs);
  const runs = [];
  for (let start = 0; start < total; start += share) {
    const count = Math.min(share, total - start);
    runs.push(new Promise((resolvePromise, reject) => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { start, count, toolsDir },
      });
      worker.once('message', resolvePromise);
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (code !== 0) reject(new Error(`worker exited with ${code}`));
      });
    }));
  }
  return Promise.all(runs).then((parts) => ({
    keys: parts.flatMap((part) => part.keys),
    verifications: parts.flatMap((part) => part.verifications),
  }));
}

async function main() {
  const options = parseArgs(process.argv.slice(2),
                            ['out', 'cases', 'jobs', 'node-tools', 'vectors']);
  if (!options.out) throw new Error('--out FILE is required');
  const total = Number(options.cases ?? 1000);
  const jobs = Number(options.jobs ?? Math.min(2, availableParallelism()));
  if (!Number.isInteger(total) || total < 4 || !Number.isInteger(jobs) ||
      jobs < 1) {
    throw new Error('--cases must be an integer >= 4, --jobs >= 1');
  }
  const toolsDir = nodeToolsDir(options);
  const bls = await loadNoble(toolsDir);
  const started = performance.now();

  const vectorCase = assertEthereumDst(bls, vectorsDir(options));
  const generated = generateInWorkers(total, jobs, toolsDir);
  const g1 = decodingCases(bls, 'g1');
  const g2 = decodingCases(bls, 'g2');
  const fastAggregates = fastAggregateCases(bls);
  const aggregateVerifications = aggregateVerifyCases(bls);
  const { keys, verifications } = await generated;

  const output = {
    generator: 'tests/interop/bls_noble_cases.mjs',
    noble_curves_version: packageVersion(toolsDir, '@noble/curves'),
    dst: kPopDst,
    dst_checked_against: `bls/sign.json ${vectorCase}`,
    keys,
    verifications,
    g1_decodings: g1,
    g2_decodings: g2,
    fast_aggregates: fastAggregates,
    aggregate_verifications: aggregateVerifications,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  const temporary = `${options.out}.partial`;
  writeFileSync(temporary, JSON.stringify(output, null, 1));
  renameSync(temporary, options.out);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`bls_noble_cases: wrote ${keys.length} keys, ` +
              `${verifications.length} verifications, ` +
              `${g1.length + g2.length} decodings, ` +
              `${fastAggregates.length + aggregateVerifications.length} ` +
              `aggregates to ${options.out} in ${seconds} s ` +
              `(noble ${output.noble_curves_version}, ${jobs} jobs)`);
}

if (isMainThread) {
  main().catch((error) => {
    console.error(`bls_noble_cases: ${error.stack ?? error}`);
    process.exit(1);
  });
} else {
  const bls = await loadNoble(workerData.toolsDir);
  parentPort.postMessage(generateKeys(bls, workerData.start,
                                      workerData.count));
}
