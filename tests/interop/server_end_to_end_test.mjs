// pkm-server end to end, checked by outside implementations: a real
// nats-server (Debian), an anvil devnet with the deposit contract
// (deploy/devnet/up) and pkm-server in deposit mode chain, all on
// 127.0.0.1 ports the OS picks.
//
//   - Requests go through the npm NATS client (@nats-io/transport-node) as
//     `nats req` sends them: a JSON body and no headers.
//   - Deposits are read back from the chain (ethers decodes DepositEvent)
//     and their signatures verified with @noble/curves over a signing root
//     from @chainsafe/ssz.
//   - pkm-client's keystores are decrypted with @chainsafe/bls-keystore.
//
// ctest runs it (tests/interop/server_end_to_end.cmake) with
// PKM_SERVER_BINARY, PKM_CLIENT_BINARY, PKM_NODE_TOOLS_DIR and
// PKM_DEPOSIT_CONTRACT_ARTIFACT set; PKM_NATS_SERVER may name nats-server.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync, constants, existsSync, mkdtempSync, openSync, readFileSync,
  readdirSync, rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import {
  DepositMessage, depositDomain, ethers, kPopDst, loadArtifact, ssz,
  startDevnet, toHex, toolsDir,
} from '../chain/devnet_support.mjs';

const toolsRequire = createRequire(join(toolsDir, 'package.json'));
const nats = toolsRequire('@nats-io/transport-node');
const { Keystore } = toolsRequire('@chainsafe/bls-keystore');
const { bls12_381: bls } = await import(
  pathToFileURL(toolsRequire.resolve('@noble/curves/bls12-381.js')).href);
const scheme = bls.longSignatures;

const kDepositGwei = 32_000_000_000n;
const kRequestTimeoutMs = 60_000;
const kForkVersion = new Uint8Array(4);

const SigningData = new ssz.ContainerType({
  objectRoot: new ssz.ByteVectorType(32),
  domain: new ssz.ByteVectorType(32),
});

const run = promisify(execFile);

// ----------------------------------------------------------- processes --

function binaryFromEnv(name) {
  const path = process.env[name];
  if (!path || !existsSync(path)) {
    throw new Error(`${name} does not name a built binary ('${path}'); ` +
                    'ctest sets it, or build pkm-server and pkm-client');
  }
  return path;
}

function findNatsServer() {
  const candidates = [process.env.PKM_NATS_SERVER, '/usr/sbin/nats-server',
                      '/usr/bin/nats-server',
                      ...(process.env.PATH ?? '').split(':')
                        .map((dir) => join(dir, 'nats-server'))];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Try the next one.
    }
  }
  throw new Error('nats-server not found; run scripts/setup or set ' +
                  'PKM_NATS_SERVER');
}

// The environment without PKM_* variables: pkm-server and pkm-client read
// them as flags, and the test passes every flag it means.
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env)
    .filter(([name]) => !name.startsWith('PKM_')));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `probe` until it returns a value other than undefined.
async function waitFor(probe, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

// A child process whose output goes to `logFile`; stop() sends SIGTERM
// and waits, then SIGKILL.
class Child {
  constructor(name, argv, logFile) {
    this.name = name;
    this.logFile = logFile;
    const log = openSync(logFile, 'a');
    this.process = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', log, log], env: cleanEnv() });
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => resolve({ code, signal }));
    });
    this.running = true;
    this.exited.then(() => { this.running = false; });
    children.add(this);
  }

  log() {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8')
                                    : '';
  }

  // The first group of `pattern` in the log, once it appears.
  async waitForLog(pattern, timeoutMs) {
    return waitFor(() => {
      if (!this.running) {
        throw new Error(`${this.name} exited during start; log:\n` +
                        this.log().slice(-2000));
      }
      return pattern.exec(this.log())?.[1];
    }, timeoutMs, `${this.name} to log ${pattern}`);
  }

  async stop(timeoutMs = 20_000) {
    if (this.running) {
      this.process.kill('SIGTERM');
      const timer = setTimeout(() => this.process.kill('SIGKILL'),
                               timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    const status = await this.exited;
    children.delete(this);
    return status;
  }
}

const children = new Set();
// A test run cut short must not leave servers behind.
process.on('exit', () => {
  for (const child of children) child.process.kill('SIGKILL');
});

// ------------------------------------------------------------- fixture --

let dir;
let devnet;
let natsServer;
let pkmServer;
let natsUrl;
let httpUrl;
let connection;
let depositContract;
// Set when a test fails: the logs are then kept and their ends printed.
let failed = false;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pkm-server-e2e-'));
  const serverBinary = binaryFromEnv('PKM_SERVER_BINARY');
  binaryFromEnv('PKM_CLIENT_BINARY');

  natsServer = new Child('nats-server',
    [findNatsServer(), '-a', '127.0.0.1', '-p', '-1'],
    join(dir, 'nats-server.log'));
  const natsPort = await natsServer.waitForLog(
    /Listening for client connections on 127\.0\.0\.1:(\d+)/, 15_000);
  natsUrl = `nats://127.0.0.1:${natsPort}`;

  devnet = await startDevnet();
  depositContract = new ethers.Contract(devnet.env.PKM_DEPOSIT_CONTRACT,
                                        loadArtifact(devnet.dir).abi,
                                        devnet.provider);

  pkmServer = new Child('pkm-server', [
    serverBinary,
    '--data-dir', join(dir, 'data'),
    '--nats-url', natsUrl,
    '--http-listen', '127.0.0.1:0',
    '--deposit-mode', 'chain',
    '--eth-rpc', devnet.env.PKM_ETH_RPC,
    '--deposit-contract', devnet.env.PKM_DEPOSIT_CONTRACT,
    '--funder-key-file', devnet.env.PKM_FUNDER_KEY_FILE,
    '--fork-version', devnet.env.PKM_FORK_VERSION,
    '--recycle-delay', '0s',
  ], join(dir, 'pkm-server.log'));
  const httpPort = await pkmServer.waitForLog(
    /listening address=127\.0\.0\.1:(\d+)/, 30_000);
  httpUrl = `http://127.0.0.1:${httpPort}`;
  await waitFor(async () => {
    if (!pkmServer.running) throw new Error('pkm-server exited');
    const response = await fetch(`${httpUrl}/readyz`).catch(() => null);
    return response?.status === 200 ? true : undefined;
  }, 60_000, 'pkm-server /readyz to answer 200');

  connection = await nats.connect({ servers: natsUrl });
});

after(async () => {
  await connection?.close();
  const server = await pkmServer?.stop();
  await natsServer?.stop();
  await devnet?.stop();
  // Keep the logs of a failed run; a clean stop removes them.
  if (!failed && server?.code === 0) {
    rmSync(dir, { recursive: true, force: true });
  } else if (dir) {
    if (pkmServer) {
      console.error('pkm-server log (end):\n' +
                    pkmServer.log().slice(-3000));
    }
    console.error(`pkm-server e2e: stop status ${JSON.stringify(server)}; ` +
                  `logs kept in ${dir}`);
  }
});

// ------------------------------------------------------------- helpers --

// Sends `body` (a string, as given) with no headers, like `nats req`.
async function natsRequest(subject, body) {
  const reply = await connection.request(subject, body,
                                         { timeout: kRequestTimeoutMs });
  return {
    body: JSON.parse(reply.string()),
    errorCode: reply.headers?.get('Nats-Service-Error-Code') || null,
  };
}

async function allocate(pod, keys) {
  const reply = await natsRequest('pkm.allocate', JSON.stringify(
    { pod_name: pod, number_of_keys: keys }));
  assert.equal(reply.errorCode, null,
               `allocate refused: ${JSON.stringify(reply.body)}`);
  assert.equal(reply.body.pod_name, pod);
  assert.equal(reply.body.keys.length, keys);
  return reply.body.keys;
}

async function assignmentsOverHttp() {
  const response = await fetch(`${httpUrl}/assignments?format=json`);
  assert.equal(response.status, 200);
  return response.json();
}

function podKeys(assignments, pod) {
  const entry = assignments.assignments.find((a) => a.pod_name === pod);
  return entry ? [...entry.public_keys].sort() : [];
}

function fromHex(text) {
  assert.match(text, /^0x([0-9a-f]{2})*$/, `not 0x lower-case hex: ${text}`);
  return ethers.getBytes(text);
}

function publicKeyOf(secret) {
  return toHex(scheme.getPublicKey(secret).toBytes(true));
}

// 0x00 || sha256(pubkey)[1:], the credentials pkm uses without
// --withdrawal-address.
function blsWithdrawalCredentials(pubkey) {
  const digest = createHash('sha256').update(fromHex(pubkey)).digest();
  digest[0] = 0x00;
  return toHex(digest);
}

// Every DepositEvent of the devnet's contract, decoded by ethers.
async function depositEvents() {
  const filter = depositContract.filters.DepositEvent();
  const logs = await depositContract.queryFilter(filter, 0, 'latest');
  return logs.map((log) => ({
    pubkey: log.args.pubkey,
    withdrawalCredentials: log.args.withdrawal_credentials,
    amountGwei: Buffer.from(fromHex(log.args.amount)).readBigUInt64LE(),
    signature: log.args.signature,
    txHash: log.transactionHash,
  }));
}

// compute_signing_root(DepositMessage, compute_domain(DOMAIN_DEPOSIT,
// fork version, zero genesis validators root)), then BLS verify.
function depositSignatureVerifies(event) {
  const messageRoot = DepositMessage.hashTreeRoot({
    pubkey: fromHex(event.pubkey),
    withdrawalCredentials: fromHex(event.withdrawalCredentials),
    amount: Number(event.amountGwei),
  });
  const signingRoot = SigningData.hashTreeRoot({
    objectRoot: messageRoot, domain: depositDomain(kForkVersion) });
  return scheme.verify(
    scheme.Signature.fromBytes(fromHex(event.signature)),
    scheme.hash(signingRoot, kPopDst), fromHex(event.pubkey));
}

// A node:test test that records its failure for after().
function e2eTest(name, body) {
  test(name, async () => {
    try {
      await body();
    } catch (error) {
      failed = true;
      throw error;
    }
  });
}

// --------------------------------------------------------------- tests --

describe('pkm-server end to end', () => {
  const chainPod = 'interop-chain-0';
  const keystorePod = 'interop-keystores-0';
  let chainKeys;

  e2eTest('keys allocated over NATS are deposited on chain with valid ' +
       'signatures', async () => {
    chainKeys = await allocate(chainPod, 3);

    const events = await depositEvents();

    const allocated = chainKeys.map((key) => key.public_key).sort();
    assert.deepEqual(events.map((event) => event.pubkey).sort(), allocated);
    for (const key of chainKeys) {
      const event = events.find((e) => e.pubkey === key.public_key);
      assert.equal(depositSignatureVerifies(event), true,
                   `deposit signature of ${key.public_key}`);
      assert.equal(event.amountGwei, kDepositGwei);
      assert.equal(event.withdrawalCredentials, key.withdrawal_credentials);
      assert.equal(event.withdrawalCredentials,
                   blsWithdrawalCredentials(key.public_key));
      assert.equal(event.txHash, key.deposit_tx);
      assert.equal(publicKeyOf(fromHex(key.private_key)), key.public_key);
    }
  });

  e2eTest('the allocated keys are listed by GET /assignments?format=json',
       async () => {
    const assignments = await assignmentsOverHttp();

    assert.deepEqual(podKeys(assignments, chainPod),
                     chainKeys.map((key) => key.public_key).sort());
    assert.equal(JSON.stringify(assignments).includes('private'), false);
  });

  e2eTest('pkm-client keystores decrypt with @chainsafe/bls-keystore to the ' +
       'keys served over NATS', async () => {
    const output = join(dir, 'pods', keystorePod);
    await run(process.env.PKM_CLIENT_BINARY, [
      '--pod-name', keystorePod, '--keys', '2', '--nats-url', natsUrl,
      '--output-dir', output, '--timeout', '60s', '--log-level', 'warn',
    ], { env: cleanEnv(), timeout: 120_000 });

    const files = readdirSync(join(output, 'validator_keys')).sort();
    const served = await allocate(keystorePod, 2);

    assert.equal(files.length, 2);
    const secretOf = new Map(served.map((key) => [key.public_key,
                                                  key.private_key]));
    for (const file of files) {
      const keystore = Keystore.parse(
        readFileSync(join(output, 'validator_keys', file), 'utf8'));
      const pubkey = '0x' + keystore.pubkey;
      const password = readFileSync(join(output, 'secrets', pubkey), 'utf8');
      assert.equal(readFileSync(join(output, 'passwords',
                                     `keystore-${pubkey}.txt`), 'utf8'),
                   password);
      assert.equal(file, `keystore-${pubkey}.json`);

      const secret = await keystore.decrypt(password);

      assert.equal(publicKeyOf(secret), pubkey);
      assert.equal(secretOf.has(pubkey), true,
                   `keystore ${file} holds a key not served to the pod`);
      assert.equal(toHex(secret), secretOf.get(pubkey));
    }
  });

  e2eTest('pkm.assignments over the npm client lists the pods', async () => {
    const reply = await natsRequest('pkm.assignments', '{}');

    assert.equal(reply.errorCode, null);
    assert.deepEqual(podKeys(reply.body, chainPod),
                     chainKeys.map((key) => key.public_key).sort());
    assert.equal(podKeys(reply.body, keystorePod).length, 2);
  });

  e2eTest('no public key is deposited twice, also when a pod asks again',
       async () => {
    await allocate(chainPod, 3);

    const events = await depositEvents();

    const pubkeys = events.map((event) => event.pubkey);
    const assigned = (await assignmentsOverHttp()).assignments
      .flatMap((pod) => pod.public_keys);
    assert.equal(new Set(pubkeys).size, pubkeys.length);
    assert.deepEqual([...pubkeys].sort(), [...assigned].sort());
    for (const event of events) {
      assert.equal(depositSignatureVerifies(event), true, event.pubkey);
    }
  });

  e2eTest('malformed requests get Nats-Service-Error-Code 400 and change ' +
       'nothing', async () => {
    const earlier = await assignmentsOverHttp();
    const malformed = [
      '{"pod_name":',
      'not json',
      JSON.stringify({ pod_name: 'Not_A_DNS_Label', number_of_keys: 1 }),
      JSON.stringify({ pod_name: 'interop-too-many', number_of_keys: 257 }),
    ];

    for (const body of malformed) {
      const reply = await natsRequest('pkm.allocate', body);

      assert.equal(reply.errorCode, '400', `for body ${body}`);
      assert.equal(reply.body.error.code, 'invalid_argument');
      assert.equal(typeof reply.body.error.message, 'string');
    }
    assert.deepEqual(await assignmentsOverHttp(), earlier);
  });
});
