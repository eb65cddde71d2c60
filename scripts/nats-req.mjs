#!/usr/bin/env node
// Sends one NATS request the way `nats req SUBJECT BODY` does (the body as
// given, no headers) and prints the reply. A stand-in for the `nats` CLI,
// which no package registry reachable here carries; it uses the npm client
// @nats-io/transport-node that scripts/setup installs into tools/node.
//
//   node scripts/nats-req.mjs SUBJECT BODY [--server URL] [--timeout MS]
//
//   --server   NATS URL(s), comma-separated (default: $NATS_URL, else
//              nats://127.0.0.1:4222)
//   --timeout  milliseconds to wait for the reply (default 5000)
//
// Prints the reply body on stdout. An error reply (header
// Nats-Service-Error-Code, as pkm-server sets on refusals) also prints that
// header and Nats-Service-Error on stderr. Exit status: 0 a reply, 1 an
// error reply, 2 bad usage, 3 no reply (timeout, no responders, NATS
// unreachable).
//
// A pkm.allocate reply carries private keys: pipe it somewhere safe, not
// into a shared terminal log.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const kExitReply = 0;
const kExitErrorReply = 1;
const kExitUsage = 2;
const kExitNoReply = 3;

const usage =
  'usage: node scripts/nats-req.mjs SUBJECT BODY [--server URL] ' +
  '[--timeout MS]';

function fail(code, message) {
  console.error(`nats-req: ${message}`);
  process.exit(code);
}

function parseArgs(argv) {
  const options = {
    server: process.env.NATS_URL || 'nats://127.0.0.1:4222',
    timeout: 5000,
  };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      console.log(usage);
      process.exit(kExitReply);
    }
    if (arg === '--server' || arg === '-s' || arg === '--timeout') {
      if (i + 1 >= argv.length) fail(kExitUsage, `${arg} needs a value`);
      const value = argv[++i];
      if (arg === '--timeout') {
        if (!/^[1-9][0-9]*$/.test(value)) {
          fail(kExitUsage,
               `--timeout '${value}' is not a positive number of ms`);
        }
        options.timeout = Number(value);
      } else {
        options.server = value;
      }
      continue;
    }
    if (arg.startsWith('--server=')) {
      options.server = arg.slice('--server='.length);
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      fail(kExitUsage, `unknown option '${arg}'\n${usage}`);
    }
    positional.push(arg);
  }
  if (positional.length !== 2) {
    fail(kExitUsage, `expected SUBJECT and BODY\n${usage}`);
  }
  [options.subject, options.body] = positional;
  return options;
}

// @nats-io/transport-node from the project's tools/node (or
// $PKM_NODE_TOOLS_DIR), so that nothing has to be installed globally.
function loadNats() {
  const here = dirname(fileURLToPath(import.meta.url));
  const tools = resolve(process.env.PKM_NODE_TOOLS_DIR ??
                        join(here, '..', 'tools', 'node'));
  if (!existsSync(join(tools, 'node_modules'))) {
    fail(kExitUsage, `no node_modules in ${tools}; run scripts/setup`);
  }
  return createRequire(join(tools, 'package.json'))(
    '@nats-io/transport-node');
}

function isNoResponders(nats, error) {
  return error instanceof nats.errors.NoRespondersError ||
         error?.cause instanceof nats.errors.NoRespondersError;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const nats = loadNats();

  let connection;
  try {
    connection = await nats.connect({
      servers: options.server.split(','),
      timeout: options.timeout,
      reconnect: false,
    });
  } catch (error) {
    fail(kExitNoReply, `cannot connect to ${options.server}: ` +
                       `${error.message}`);
  }

  let reply;
  let failure;
  try {
    // A string body goes out as its UTF-8 bytes, with no headers: exactly
    // what `nats req` sends.
    reply = await connection.request(options.subject, options.body,
                                     { timeout: options.timeout });
  } catch (error) {
    failure = error;
  } finally {
    await connection.close();
  }

  if (failure) {
    if (isNoResponders(nats, failure)) {
      fail(kExitNoReply, `no responders on ${options.subject}: nothing ` +
                         'subscribes there (is pkm-server running, with ' +
                         'this subject prefix?)');
    }
    if (failure instanceof nats.errors.TimeoutError) {
      fail(kExitNoReply, `no reply on ${options.subject} within ` +
                         `${options.timeout} ms`);
    }
    fail(kExitNoReply, `request on ${options.subject} failed: ` +
                       `${failure.message}`);
  }

  process.stdout.write(reply.string() + '\n');
  const code = reply.headers?.get('Nats-Service-Error-Code');
  if (code) {
    console.error(`Nats-Service-Error-Code: ${code}`);
    const text = reply.headers.get('Nats-Service-Error');
    if (text) console.error(`Nats-Service-Error: ${text}`);
    process.exit(kExitErrorReply);
  }
  process.exit(kExitReply);
}

await main();
