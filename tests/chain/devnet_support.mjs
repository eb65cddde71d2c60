// Shared by the chain tests that need a real execution chain: loads the npm
// oracles (ethers, @chainsafe/ssz, @noble/curves) from the project's
// tools/node, starts and stops a devnet with deploy/devnet/up and down, and
// builds real deposit data (BLS keys and signatures, SSZ roots).
//
// Configuration comes from the environment, which ctest sets:
//   PKM_NODE_TOOLS_DIR          tools/node (default: this checkout's)
//   PKM_DEPOSIT_CONTRACT_ARTIFACT  compiled DepositContract.json (default:
//                               let deploy/devnet/up find or compile it)
//   PKM_VECTORS_DIR             published vectors (default ../shared/vectors)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const upScript = join(repoRoot, 'deploy', 'devnet', 'up');
export const downScript = join(repoRoot, 'deploy', 'devnet', 'down');

export const toolsDir = resolve(process.env.PKM_NODE_TOOLS_DIR ??
                                join(repoRoot, 'tools', 'node'));
if (!existsSync(join(toolsDir, 'node_modules'))) {
  throw new Error(`no node_modules in ${toolsDir}; run scripts/setup`);
}
const toolsRequire = createRequire(join(toolsDir, 'package.json'));

// ethers is dual CommonJS/ESM; the other two are ESM-only, which ignores
// NODE_PATH, so their files are resolved from tools/node and imported.
export const ethers = toolsRequire('ethers');
export const ssz = await import(
  pathToFileURL(toolsRequire.resolve('@chainsafe/ssz')).href);
const { bls12_381: bls } = await import(
  pathToFileURL(toolsRequire.resolve('@noble/curves/bls12-381.js')).href);

export const vectorsDir = resolve(process.env.PKM_VECTORS_DIR ??
                                  join(repoRoot, '..', 'shared', 'vectors'));

const run = promisify(execFile);

// ---------------------------------------------------------------- devnet --

// Runs deploy/devnet/up in a fresh temp dir and returns the devnet: its env
// values, provider, dev-account keys and a stop() that runs down and removes
// the dir. `args` go to up (e.g. ['--block-time', '0']).
export async function startDevnet(args = []) {
  const dir = mkdtempSync(join(tmpdir(), 'pkm-devnet-'));
  const artifactArgs = process.env.PKM_DEPOSIT_CONTRACT_ARTIFACT
    ? ['--artifact', process.env.PKM_DEPOSIT_CONTRACT_ARTIFACT] : [];
  try {
    await run(upScript, [...artifactArgs, ...args, dir], { timeout: 60000 });
  } catch (error) {
    await stopDevnetDir(dir);
    throw new Error(`deploy/devnet/up failed: ${error.stderr || error}`);
  }
  const env = readEnvFile(join(dir, 'devnet.env'));
  // No request cache: ethers otherwise answers a repeated call (nonce, block
  // number, gas estimate) from the last 250 ms, which on an instantly mining
  // chain is already stale.
  const provider = new ethers.JsonRpcProvider(env.PKM_ETH_RPC, undefined, {
    staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  const config = JSON.parse(readFileSync(join(dir, 'anvil.json'), 'utf8'));
  return {
    dir,
    env,
    provider,
    devKeys: config.private_keys,
    async stop() {
      provider.destroy();
      await stopDevnetDir(dir);
    },
  };
}

async function stopDevnetDir(dir) {
  try {
    await run(downScript, [dir], { timeout: 30000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// KEY=value lines; comments and blank lines skipped.
export function readEnvFile(file) {
  const values = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) {
      values[match[1]] = match[2];
    }
  }
  return values;
}

export function loadArtifact(dir) {
  const file = process.env.PKM_DEPOSIT_CONTRACT_ARTIFACT ??
               join(dir, 'contracts', 'DepositContract.json');
  return JSON.parse(readFileSync(file, 'utf8'));
}

// ------------------------------------------------------------------- SSZ --

export const DepositMessage = new ssz.ContainerType({
  pubkey: new ssz.ByteVectorType(48),
  withdrawalCredentials: new ssz.ByteVectorType(32),
  amount: new ssz.UintNumberType(8),
});
export const DepositData = new ssz.ContainerType({
  pubkey: new ssz.ByteVectorType(48),
  withdrawalCredentials: new ssz.ByteVectorType(32),
  amount: new ssz.UintNumberType(8),
  signature: new ssz.ByteVectorType(96),
});
// What the contract's get_deposit_root() must equal.
export const DepositDataList = new ssz.ListCompositeType(DepositData, 2 ** 32);
const ForkData = new ssz.ContainerType({
  currentVersion: new ssz.ByteVectorType(4),
  genesisValidatorsRoot: new ssz.ByteVectorType(32),
});
const SigningData = new ssz.ContainerType({
  objectRoot: new ssz.ByteVectorType(32),
  domain: new ssz.ByteVectorType(32),
});

// compute_domain(DOMAIN_DEPOSIT, fork_version, zero genesis root).
export function depositDomain(forkVersion) {
  const forkDataRoot = ForkData.hashTreeRoot({
    currentVersion: forkVersion,
    genesisValidatorsRoot: new Uint8Array(32),
  });
  const domain = new Uint8Array(32);
  domain.set([0x03, 0x00, 0x00, 0x00]);
  domain.set(forkDataRoot.subarray(0, 28), 4);
  return domain;
}

// ------------------------------------------------------------------- BLS --

export const kPopDst = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
const scheme = bls.longSignatures;

function sha256(data) {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

// A valid BLS secret key derived from `seed` (deterministic test keys).
function secretKeyFrom(seed) {
  const order = bls.fields.Fr.ORDER;
  const digest = sha256(Buffer.from(`pkm deposit contract test ${seed}`));
  const value = BigInt('0x' + Buffer.from(digest).toString('hex')) %
                (order - 1n) + 1n;
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(64, '0'),
                                     'hex'));
}

// A complete, correctly signed DepositData for test key `seed`:
// 0x00 credentials from the key unless `withdrawalAddress` (0x01) is given.
// Returns the SSZ value and its hash_tree_root.
export function makeDeposit(seed, amountGwei,
                            { forkVersion = new Uint8Array(4),
                              withdrawalAddress } = {}) {
  const secret = secretKeyFrom(seed);
  const pubkey = scheme.getPublicKey(secret).toBytes(true);
  const withdrawalCredentials = new Uint8Array(32);
  if (withdrawalAddress) {
    withdrawalCredentials[0] = 0x01;
    withdrawalCredentials.set(ethers.getBytes(withdrawalAddress), 12);
  } else {
    withdrawalCredentials.set(sha256(pubkey));
    withdrawalCredentials[0] = 0x00;
  }
  const message = { pubkey, withdrawalCredentials, amount: amountGwei };
  const signingRoot = SigningData.hashTreeRoot({
    objectRoot: DepositMessage.hashTreeRoot(message),
    domain: depositDomain(forkVersion),
  });
  const signature = scheme.Signature.toBytes(
    scheme.sign(scheme.hash(signingRoot, kPopDst), secret));
  const data = { ...message, signature };
  return { data, root: DepositData.hashTreeRoot(data), signingRoot };
}

export function verifyDeposit(deposit) {
  return scheme.verify(
    scheme.Signature.fromBytes(deposit.data.signature),
    scheme.hash(deposit.signingRoot, kPopDst),
    deposit.data.pubkey);
}

// ------------------------------------------------------------- encodings --

// 8-byte little-endian hex of a uint64, as the contract encodes it.
export function littleEndian64(value) {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(value));
  return '0x' + bytes.toString('hex');
}

export function toHex(bytes) {
  return '0x' + Buffer.from(bytes).toString('hex');
}
