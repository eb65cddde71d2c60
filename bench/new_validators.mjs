// Asks a running pkm-server for many new validators at once over NATS
// (JSON, as `nats req` sends) and reports how many blocks passed between
// the request and the last deposit that made them usable.
//
//   node bench/new_validators.mjs --nats URL --rpc URL [--pods 1000]
//        [--keys-per-pod 1] [--prefix pkm] [--timeout-ms 120000]
//
// Prints one JSON line; exits 1 when a request fails or a key comes back
// without a mined deposit.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const tools = resolve(process.env.PKM_NODE_TOOLS_DIR ??
                      join(here, '..', 'tools', 'node'));
const toolsRequire = createRequire(join(tools, 'package.json'));
const { connect } = await import(pathToFileURL(
    toolsRequire.resolve('@nats-io/transport-node')).href);

const args = { pods: 1000, 'keys-per-pod': 1, prefix: 'pkm',
               'timeout-ms': 120000 };
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
if (!args.nats || !args.rpc) {
  console.error('usage: new_validators.mjs --nats URL --rpc URL ' +
                '[--pods N] [--keys-per-pod K]');
  process.exit(2);
}

async function rpc(method, params) {
  const response = await fetch(args.rpc, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

const pods = Number(args.pods);
const perPod = Number(args['keys-per-pod']);
const nc = await connect({ servers: args.nats });
const startBlock = Number(await rpc('eth_blockNumber', []));
const started = performance.now();
const replies = await Promise.all(
    Array.from({ length: pods }, async (_, i) => {
      const body = JSON.stringify({ pod_name: `bench-new-${i}`,
                                    number_of_keys: perPod });
      const reply = await nc.request(`${args.prefix}.allocate`, body,
                                     { timeout: Number(args['timeout-ms']) });
      return reply.json();
    }));
const seconds = (performance.now() - started) / 1000;
const endBlock = Number(await rpc('eth_blockNumber', []));
await nc.close();

let failures = 0;
const blocks = [];
for (const reply of replies) {
  if (reply.error || reply.keys?.length !== perPod) {
    failures += 1;
    continue;
  }
  for (const key of reply.keys) {
    const receipt = await rpc('eth_getTransactionReceipt', [key.deposit_tx]);
    if (!receipt || receipt.status !== '0x1') {
      failures += 1;
      continue;
    }
    blocks.push(Number(receipt.blockNumber));
  }
}
const lastDeposit = Math.max(...blocks);
const perBlock = {};
for (const block of blocks) perBlock[block] = (perBlock[block] ?? 0) + 1;
console.log(JSON.stringify({
  validators: pods * perPod, pods, seconds: Number(seconds.toFixed(2)),
  start_block: startBlock, end_block: endBlock,
  first_deposit_block: Math.min(...blocks), last_deposit_block: lastDeposit,
  blocks_until_allocated: lastDeposit - startBlock, deposits_per_block:
  perBlock, failures,
}));
process.exit(failures === 0 ? 0 : 1);
