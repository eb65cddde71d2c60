// Shared by the BLS interop scripts (bls_noble_cases.mjs, bls_noble_check.mjs)
// and bench/bls_baselines.mjs: finds the npm oracles in the project's
// tools/node, loads @noble/curves' BLS12-381, checks that the Ethereum
// ciphersuite is in use, and converts hex.
//
// @noble/curves is ESM-only and ESM ignores NODE_PATH, so the tools directory
// is located explicitly: --node-tools DIR, else $PKM_NODE_TOOLS_DIR, else
// tools/node of this checkout. Node's CommonJS resolver, anchored at that
// directory, finds the file; a dynamic import() then loads it as ESM.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const kPopDst = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';

// Parses `--name value` pairs; refuses anything else so that a typo fails
// loudly instead of being ignored.
export function parseArgs(argv, allowed) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !allowed.includes(name) ||
        i + 1 >= argv.length) {
      throw new Error(`bad argument '${argv[i]}'; allowed: ` +
                      allowed.map((a) => `--${a} VALUE`).join(' '));
    }
    options[name] = argv[i + 1];
  }
  return options;
}

export function nodeToolsDir(options = {}) {
  const dir = resolve(options['node-tools'] ?? process.env.PKM_NODE_TOOLS_DIR ??
                      join(here, '..', '..', 'tools', 'node'));
  if (!existsSync(join(dir, 'node_modules'))) {
    throw new Error(`no node_modules in ${dir}; run scripts/setup`);
  }
  return dir;
}

// A require() anchored at the tools directory (for CommonJS packages and for
// resolving file paths of ESM-only ones).
export function toolsRequire(dir) {
  return createRequire(join(dir, 'package.json'));
}

export function packageVersion(dir, name) {
  const manifest = join(dir, 'node_modules', name, 'package.json');
  return JSON.parse(readFileSync(manifest, 'utf8')).version;
}

// Loads @noble/curves' bls12_381 from the tools directory.
export async function loadNoble(dir) {
  const file = toolsRequire(dir).resolve('@noble/curves/bls12-381.js');
  const module = await import(pathToFileURL(file).href);
  return module.bls12_381;
}

export function vectorsDir(options = {}) {
  return resolve(options.vectors ?? process.env.PKM_VECTORS_DIR ??
                 join(here, '..', '..', '..', 'shared', 'vectors'));
}

export function toHex(bytes) {
  return '0x' + Buffer.from(bytes).toString('hex');
}

export function fromHex(text) {
  const digits = text.startsWith('0x') ? text.slice(2) : text;
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) {
    throw new Error(`not hex: '${text.slice(0, 40)}'`);
  }
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

// Signs the first case of the published sign.json vectors with noble and the
// POP DST; throws when the result differs. This proves the hash-to-curve DST
// is Ethereum's (noble's own default is the _NUL_ suite).
export function assertEthereumDst(bls, vectors) {
  const file = join(vectors, 'bls', 'sign.json');
  const sign = JSON.parse(readFileSync(file, 'utf8'));
  const known = sign.cases.find((c) => c.output !== null);
  const scheme = bls.longSignatures;
  const hashed = scheme.hash(fromHex(known.input.message), kPopDst);
  const signature = scheme.sign(hashed, fromHex(known.input.privkey));
  const got = toHex(scheme.Signature.toBytes(signature));
  if (got !== known.output) {
    throw new Error(`noble does not reproduce ${known.name} from ${file} ` +
                    `with DST ${kPopDst}: got ${got}, want ${known.output}`);
  }
  return known.name;
}
