// Writes keystores with @chainsafe/bls-keystore into DIR, plus
// DIR/expected.json listing each file, password, secret and pubkey, for
// `pkm_keystore_interop check DIR` to decrypt and compare.
// Usage: NODE_PATH=tools/node/node_modules node keystore_make.mjs DIR
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { keystoreLib, pubkeyOf, run, toHex, writeExpected }
  from './keystore_common.mjs';

function pbkdf2(c) {
  return {
    function: 'pbkdf2',
    params: { dklen: 32, c, prf: 'hmac-sha256',
              salt: randomBytes(32).toString('hex') },
  };
}

function scrypt(n, r, p) {
  return {
    function: 'scrypt',
    params: { dklen: 32, n, r, p, salt: randomBytes(32).toString('hex') },
  };
}

// Low-cost parameters, odd r and p, Unicode and control characters in
// passwords, an empty password, a keystore without description, and
// ChainSafe's own defaults for both KDFs.
const cases = [
  { password: 'chainsafe password 0', kdf: pbkdf2(1024),
    description: 'from @chainsafe/bls-keystore' },
  { password: '\u{1D531}\u{1D522}\u{1D530}\u{1D531}\u{1F511}',
    kdf: scrypt(1024, 8, 1), description: 'unicode password' },
  { password: 'tab\there\u007fand del', kdf: scrypt(2048, 1, 3),
    description: 'control characters' },
  { password: '', kdf: pbkdf2(1), description: null },
  { password: 'default pbkdf2', kdf: keystoreLib.defaultPbkdfModule(),
    description: 'default pbkdf2' },
  { password: 'default scrypt', kdf: keystoreLib.defaultScryptModule(),
    description: 'default scrypt' },
];

// A fixed, valid secret key per case (top bits cleared so it is below r).
function secretFor(index) {
  const secret = createHash('sha256')
    .update(`pkm keystore interop ${index}`).digest();
  secret[0] &= 0x3f;
  return Uint8Array.from(secret);
}

async function main() {
  const directory = process.argv[2];
  if (!directory) throw new Error('usage: keystore_make.mjs DIRECTORY');
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });

  const now = Math.floor(Date.now() / 1000);
  const expected = [];
  for (const [index, test] of cases.entries()) {
    const secret = secretFor(index);
    const pubkey = pubkeyOf(secret);
    const path = `m/12381/3600/${index}/0/0`;
    const keystore = await keystoreLib.create(
      test.password, secret, Buffer.from(pubkey.slice(2), 'hex'), path,
      test.description, test.kdf);

    const file = `keystore-${path.replaceAll('/', '_')}-${now}.json`;
    writeFileSync(join(directory, file), JSON.stringify(keystore, null, 2));
    expected.push({ file, password: test.password, secret: toHex(secret),
                    pubkey });
    console.log(`wrote ${file} (${test.kdf.function})`);
  }
  writeExpected(directory, expected);
  return 0;
}

run(main);
