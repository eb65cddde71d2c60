// deploy/devnet/up and down as an operator uses them: what up writes, that
// the chain mines on its own with the default block time, that up compiles
// the contract itself without a build tree, that down is idempotent and
// signals nothing but its own anvil, and that failures say why.
//
// Run: node tests/chain/devnet_scripts_test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync,
  statSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  downScript, ethers, readEnvFile, upScript,
} from './devnet_support.mjs';

// Runs a script; resolves to {code, stdout, stderr} whatever the exit code.
function runScript(script, args, env = {}) {
  return new Promise((resolve) => {
    execFile(script, args,
             { timeout: 60000, env: { ...process.env, ...env } },
             (error, stdout, stderr) => {
               resolve({ code: error ? (error.code ?? 'killed') : 0,
                         stdout, stderr });
             });
  });
}

// --artifact from ctest's build, so that only the test about compiling pays
// for solc.
function artifactArgs() {
  const artifact = process.env.PKM_DEPOSIT_CONTRACT_ARTIFACT;
  return artifact ? ['--artifact', artifact] : [];
}

function temporaryDir() {
  return mkdtempSync(join(tmpdir(), 'pkm-devnet-script-'));
}

// True while `pid` runs (a zombie waiting to be reaped does not count).
function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) {
      return;
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('devnet up with defaults, without a build tree', () => {
  let dir;
  let up;
  let env;
  let provider;

  before(async () => {
    dir = temporaryDir();
    up = await runScript(upScript, [dir],
                         { PKM_BUILD_DIR: join(dir, 'no-build-here') });
    assert.equal(up.code, 0, `up failed: ${up.stderr}`);
    env = readEnvFile(join(dir, 'devnet.env'));
    provider = new ethers.JsonRpcProvider(env.PKM_ETH_RPC, undefined, {
      staticNetwork: true, cacheTimeout: -1 });
  });

  after(async () => {
    provider?.destroy();
    await runScript(downScript, [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('up compiles the contract itself when no artifact is built', () => {
    assert.match(up.stdout, /compiling the deposit contract/);
    assert.ok(existsSync(join(dir, 'contracts', 'DepositContract.json')));
    assert.ok(existsSync(join(dir, 'contracts', 'DepositContract.bin')));
  });

  test('devnet.env names a loopback RPC, an EIP-55 contract and the key',
       async () => {
    assert.match(env.PKM_ETH_RPC, /^http:\/\/127\.0\.0\.1:[0-9]+$/);
    assert.equal(env.PKM_DEPOSIT_CONTRACT,
                 ethers.getAddress(env.PKM_DEPOSIT_CONTRACT.toLowerCase()));
    assert.notEqual(env.PKM_DEPOSIT_CONTRACT,
                    env.PKM_DEPOSIT_CONTRACT.toLowerCase());
    assert.equal(env.PKM_FUNDER_KEY_FILE, join(dir, 'funder.key'));
    assert.equal(env.PKM_FORK_VERSION, '0x00000000');
    const code = await provider.getCode(env.PKM_DEPOSIT_CONTRACT);
    assert.ok(code.length > 2, 'no code at PKM_DEPOSIT_CONTRACT');
  });

  test('the funder key is private, funded and not the deployer', async () => {
    const file = env.PKM_FUNDER_KEY_FILE;
    const key = readFileSync(file, 'utf8');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(key, /^0x[0-9a-f]{64}\n$/);

    const funder = new ethers.Wallet(key.trim()).address;
    const balance = await provider.getBalance(funder);
    const creation = await provider.getTransactionReceipt(
      /deploy_tx=(0x[0-9a-f]{64})/.exec(
        readFileSync(join(dir, 'devnet.env'), 'utf8'))[1]);

    assert.ok(balance >= 1000n * 10n ** 18n, `funder holds ${balance} wei`);
    assert.equal(creation.contractAddress, env.PKM_DEPOSIT_CONTRACT);
    assert.notEqual(creation.from, funder);
  });

  test('blocks keep coming with the default 1 s block time', async () => {
    const start = await provider.getBlockNumber();

    await waitFor(async () => (await provider.getBlockNumber()) >= start + 2,
                  5000, 'two new blocks');
  });

  test('up refuses to start a second devnet in the same dir', async () => {
    const again = await runScript(upScript, [dir]);

    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already runs in .*deploy\/devnet\/down/);
  });
});

describe('devnet down', () => {
  test('stops anvil and succeeds again when nothing runs', async () => {
    const dir = temporaryDir();
    try {
      const up = await runScript(
        upScript, [...artifactArgs(), '--block-time', '0', dir]);
      assert.equal(up.code, 0, `up failed: ${up.stderr}`);
      const pid = Number(readFileSync(join(dir, 'anvil.pid'), 'utf8'));
      assert.ok(isRunning(pid));

      const first = await runScript(downScript, [dir]);
      const second = await runScript(downScript, [dir]);

      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /stopped anvil/);
      assert.equal(isRunning(pid), false);
      assert.equal(existsSync(join(dir, 'anvil.pid')), false);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /nothing to stop/);
    } finally {
      await runScript(downScript, [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('leaves a recorded pid alone when it is not its anvil', async () => {
    const dir = temporaryDir();
    writeFileSync(join(dir, 'anvil.pid'), `${process.pid}\n`);

    const down = await runScript(downScript, [dir]);

    // Had down signalled this process, the test would not get here.
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /is not the anvil of .* left it alone/);
    assert.equal(existsSync(join(dir, 'anvil.pid')), false);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('devnet up run concurrently', () => {
  // Every anvil process whose command line names `dir`'s anvil.json.
  function anvilsOf(dir) {
    const found = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^[0-9]+$/.test(entry)) {
        continue;
      }
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if (cmdline.includes(`${dir}/anvil.json`) &&
            isRunning(Number(entry))) {
          found.push(Number(entry));
        }
      } catch {
        // The process ended while being looked at.
      }
    }
    return found;
  }

  test('three ups on one dir start exactly one anvil that down stops',
       async () => {
    const dir = realpathSync(temporaryDir());
    try {
      const args = [...artifactArgs(), '--block-time', '0', dir];
      const ups = await Promise.all(
        [0, 1, 2].map(() => runScript(upScript, args)));

      const succeeded = ups.filter((up) => up.code === 0);
      assert.equal(succeeded.length, 1,
                   ups.map((up) => up.stderr).join('\n'));
      for (const up of ups.filter((run) => run.code !== 0)) {
        assert.match(up.stderr,
                     /another deploy\/devnet\/up or down|already runs/);
      }
      const anvils = anvilsOf(dir);
      assert.equal(anvils.length, 1, `anvils: ${anvils}`);
      assert.equal(Number(readFileSync(join(dir, 'anvil.pid'), 'utf8')),
                   anvils[0]);

      const down = await runScript(downScript, [dir]);

      assert.equal(down.code, 0, down.stderr);
      assert.equal(isRunning(anvils[0]), false);
      assert.deepEqual(anvilsOf(dir), []);
    } finally {
      await runScript(downScript, [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('devnet up failures', () => {
  test('a busy port fails naming the port and leaves nothing running',
       async () => {
    const server = createServer();
    await new Promise((done) => server.listen(0, '127.0.0.1', done));
    const port = server.address().port;
    const dir = temporaryDir();
    try {
      const up = await runScript(
        upScript, [...artifactArgs(), '--port', String(port), dir]);

      assert.notEqual(up.code, 0);
      assert.match(up.stderr, new RegExp(`port ${port} on 127.0.0.1 is busy`));
      assert.equal(existsSync(join(dir, 'anvil.pid')), false);
      assert.equal(existsSync(join(dir, 'devnet.env')), false);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing anvil points at scripts/setup', async () => {
    const dir = temporaryDir();

    const up = await runScript(upScript, [dir],
                               { PKM_NODE_TOOLS_DIR: join(dir, 'nothing') });

    assert.notEqual(up.code, 0);
    assert.match(up.stderr, /anvil not found .*run scripts\/setup/);
    rmSync(dir, { recursive: true, force: true });
  });

  test('bad options are refused before anything starts', async () => {
    const dir = temporaryDir();

    const blockTime = await runScript(upScript, ['--block-time', 'soon', dir]);
    const gasLimit = await runScript(upScript, ['--gas-limit', '-5', dir]);
    const noDir = await runScript(upScript, []);

    assert.notEqual(blockTime.code, 0);
    assert.match(blockTime.stderr, /--block-time 'soon' is not a number/);
    assert.notEqual(gasLimit.code, 0);
    assert.match(gasLimit.stderr, /--gas-limit '-5' is not a positive/);
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /usage: deploy\/devnet\/up/);
    assert.equal(existsSync(join(dir, 'anvil.pid')), false);
    rmSync(dir, { recursive: true, force: true });
  });
});

