// Decrypts the keystores pkm wrote (pkm_keystore_interop write DIR) with
// @chainsafe/bls-keystore and compares each secret with DIR/expected.json.
// Usage: NODE_PATH=tools/node/node_modules node keystore_check.mjs DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { fromHex, keystoreLib, pubkeyOf, readExpected, run, toHex }
  from './keystore_common.mjs';

async function checkOne(directory, entry) {
  const text = readFileSync(join(directory, entry.file), 'utf8');
  // parse() validates against ChainSafe's EIP-2335 JSON schema.
  const keystore = keystoreLib.Keystore.parse(text);

  if (!(await keystore.verifyPassword(entry.password))) {
    return 'the password does not verify';
  }
  const secret = toHex(await keystore.decrypt(entry.password));
  if (secret !== entry.secret) {
    return `decrypted ${secret}, expected ${entry.secret}`;
  }
  if ('0x' + keystore.pubkey !== entry.pubkey) {
    return `pubkey field 0x${keystore.pubkey}, expected ${entry.pubkey}`;
  }
  const derived = pubkeyOf(fromHex(secret));
  if (derived !== entry.pubkey) {
    return `noble derives pubkey ${derived} from the secret, ` +
      `pkm wrote ${entry.pubkey}`;
  }
  if (await keystore.verifyPassword(entry.password + 'x')) {
    return 'a wrong password verifies';
  }
  return null;
}

async function main() {
  const directory = process.argv[2];
  if (!directory) throw new Error('usage: keystore_check.mjs DIRECTORY');
  const entries = readExpected(directory);

  let failures = 0;
  for (const entry of entries) {
    let problem;
    try {
      problem = await checkOne(directory, entry);
    } catch (error) {
      problem = `threw ${error && error.message ? error.message : error}`;
    }
    if (problem) {
      console.error(`FAIL ${entry.file}: ${problem}`);
      failures++;
    } else {
      console.log(`ok ${entry.file}`);
    }
  }
  console.log(`${entries.length - failures}/${entries.length} keystores ` +
    'decrypt with @chainsafe/bls-keystore');
  return failures;
}

run(main);
