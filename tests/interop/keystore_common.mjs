// Shared by the keystore interop scripts: loads the npm oracles from the
// project's tools/node (found through NODE_PATH, which keystore.cmake sets)
// and reads and writes the expected-values file.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

// @chainsafe/bls-keystore is CommonJS; require() honours NODE_PATH.
export const keystoreLib = require('@chainsafe/bls-keystore');

// @noble/curves is ESM-only: resolve its file through NODE_PATH, then import.
const blsModule = await import(
  pathToFileURL(require.resolve('@noble/curves/bls12-381.js')).href);
export const bls = blsModule.bls12_381.longSignatures;

export function toHex(bytes) {
  return '0x' + Buffer.from(bytes).toString('hex');
}

export function fromHex(text) {
  return Uint8Array.from(Buffer.from(text.replace(/^0x/, ''), 'hex'));
}

export function pubkeyOf(secret) {
  return toHex(bls.getPublicKey(secret).toBytes(true));
}

export function readExpected(directory) {
  const parsed = JSON.parse(readFileSync(join(directory, 'expected.json'),
                                         'utf8'));
  if (!Array.isArray(parsed.keystores) || parsed.keystores.length === 0) {
    throw new Error(`no keystores listed in ${directory}/expected.json`);
  }
  return parsed.keystores;
}

export function writeExpected(directory, keystores) {
  writeFileSync(join(directory, 'expected.json'),
                JSON.stringify({ keystores }, null, 2));
}

// Runs `main`, turning any exception into a loud failure with exit code 1.
export function run(main) {
  main().then((failures) => {
    process.exitCode = failures === 0 ? 0 : 1;
  }, (error) => {
    console.error('FAIL:', error && error.stack ? error.stack : error);
    process.exitCode = 1;
  });
}
