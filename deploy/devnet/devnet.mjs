// Helper of deploy/devnet/up, not meant to be run by hand. Subcommands:
//
//   wait-rpc --rpc URL --timeout SECONDS
//       Polls eth_chainId until the node answers; prints `chain_id=N`.
//   deploy --rpc URL --accounts FILE --artifact FILE --timeout SECONDS
//       Deploys the artifact's creation bytecode from dev account 0 of
//       anvil's --config-out FILE, waits for the receipt, checks that the
//       contract answers like an empty deposit contract, and prints
//       `key=value` lines (address in EIP-55, tx, block, gas_used, deployer).
//   write-key --accounts FILE --index N --out FILE
//       Writes dev account N's private key (0x-prefixed hex and a newline)
//       to FILE with mode 0600, replacing FILE. Prints `address=...`.
//
// ethers is loaded from the project's tools/node (--node-tools DIR, else
// $PKM_NODE_TOOLS_DIR, else tools/node of this checkout). Errors go to
// stderr as one line and exit with status 1. Private keys are never printed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync, chmodSync }
  from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

const kUsage = 'usage: devnet.mjs wait-rpc|deploy|write-key --name value...';

function parseArgs(argv, allowed) {
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

function required(options, name) {
  if (options[name] === undefined) {
    throw new Error(`missing --${name}`);
  }
  return options[name];
}

function loadEthers(options) {
  const dir = resolve(options['node-tools'] ?? process.env.PKM_NODE_TOOLS_DIR ??
                      join(here, '..', '..', 'tools', 'node'));
  if (!existsSync(join(dir, 'node_modules', 'ethers'))) {
    throw new Error(`ethers is not installed in ${dir}/node_modules; ` +
                    'run scripts/setup');
  }
  return createRequire(join(dir, 'package.json'))('ethers');
}

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

// One JSON-RPC call with its own deadline, so that a node that accepts the
// connection but never answers cannot stall the caller.
async function rpcCall(url, method, params, timeoutMs) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await response.json();
  if (body.error) {
    throw new Error(`${method}: ${body.error.message}`);
  }
  return body.result;
}

async function waitRpc(options) {
  const url = required(options, 'rpc');
  const deadline = Date.now() + 1000 * Number(required(options, 'timeout'));
  let lastError = 'no attempt';
  while (Date.now() < deadline) {
    try {
      const chainId = await rpcCall(url, 'eth_chainId', [], 2000);
      console.log(`chain_id=${BigInt(chainId)}`);
      return;
    } catch (error) {
      lastError = error.cause?.code ?? error.message;
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer eth_chainId within ` +
                  `${options.timeout} s (last error: ${lastError})`);
}

function readAccounts(file) {
  const config = JSON.parse(readFileSync(file, 'utf8'));
  const keys = config.private_keys;
  if (!Array.isArray(keys) || keys.length < 2) {
    throw new Error(`${file} lists no private_keys; is it anvil's ` +
                    '--config-out output?');
  }
  return keys;
}

// Root of an empty deposit tree: depth-32 root of zero leaves, mixed with a
// zero count. A freshly deployed contract must report exactly this.
function emptyDepositRoot() {
  const sha256 = (data) => createHash('sha256').update(data).digest();
  let node = Buffer.alloc(32);
  for (let h = 0; h < 32; h++) {
    node = sha256(Buffer.concat([node, node]));
  }
  return '0x' + sha256(Buffer.concat([node, Buffer.alloc(32)]))
    .toString('hex');
}

async function deploy(options) {
  const ethers = loadEthers(options);
  const url = required(options, 'rpc');
  const timeoutMs = 1000 * Number(required(options, 'timeout'));
  const keys = readAccounts(required(options, 'accounts'));
  const artifactFile = required(options, 'artifact');
  const artifact = JSON.parse(readFileSync(artifactFile, 'utf8'));
  if (!artifact.bytecode || !Array.isArray(artifact.abi)) {
    throw new Error(`${artifactFile} has no abi or bytecode; rebuild it ` +
                    'with chain/contracts/compile.mjs');
  }

  // A devnet mines every second or on each transaction: poll often, so the
  // receipt is seen within a fraction of a block (ethers' default is 4 s),
  // and cache nothing (ethers reuses answers for 250 ms by default, stale
  // on an instantly mining chain).
  const provider = new ethers.JsonRpcProvider(url, undefined, {
    staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
  const deployer = new ethers.Wallet(keys[0], provider);
  const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode,
                                             deployer);
  const contract = await factory.deploy();
  const tx = contract.deploymentTransaction();
  const receipt = await tx.wait(1, timeoutMs);
  if (!receipt || receipt.status !== 1) {
    throw new Error(`deployment transaction ${tx.hash} failed`);
  }
  const address = ethers.getAddress(receipt.contractAddress);

  // A wrong artifact (or a node that ignored the code) shows up here rather
  // than at the first deposit.
  const deployed = new ethers.Contract(address, artifact.abi, provider);
  const count = await deployed.get_deposit_count();
  const root = await deployed.get_deposit_root();
  if (count !== '0x0000000000000000' || root !== emptyDepositRoot()) {
    throw new Error(`contract at ${address} does not behave like an empty ` +
                    `deposit contract: count=${count} root=${root}`);
  }

  console.log(`address=${address}`);
  console.log(`tx=${tx.hash}`);
  console.log(`block=${receipt.blockNumber}`);
  console.log(`gas_used=${receipt.gasUsed}`);
  console.log(`deployer=${deployer.address}`);
  provider.destroy();
}

function writeKey(options) {
  const ethers = loadEthers(options);
  const keys = readAccounts(required(options, 'accounts'));
  const index = Number(required(options, 'index'));
  if (!Number.isInteger(index) || index < 0 || index >= keys.length) {
    throw new Error(`--index ${options.index} out of range; ` +
                    `${keys.length} dev accounts`);
  }
  const out = resolve(required(options, 'out'));

  // Create the file 0600 from the start, under a temporary name, so the key
  // is never readable by others, not even briefly.
  const temporary = `${out}.tmp-${process.pid}`;
  writeFileSync(temporary, `${keys[index]}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600);
  renameSync(temporary, out);
  console.log(`address=${new ethers.Wallet(keys[index]).address}`);
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const common = ['node-tools'];
  switch (command) {
    case 'wait-rpc':
      return waitRpc(parseArgs(rest, ['rpc', 'timeout', ...common]));
    case 'deploy':
      return deploy(parseArgs(
        rest, ['rpc', 'accounts', 'artifact', 'timeout', ...common]));
    case 'write-key':
      return writeKey(parseArgs(rest, ['accounts', 'index', 'out',
                                       ...common]));
    default:
      throw new Error(kUsage);
  }
}

main().catch((error) => {
  console.error(`devnet: ${error.shortMessage ?? error.message}`);
  process.exit(1);
});
