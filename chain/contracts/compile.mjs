// Compiles one Solidity contract with solc from npm (tools/node) and writes
//   OUT_DIR/NAME.json  contractName, source, compiler, abi, bytecode and
//                      deployedBytecode (both 0x-prefixed hex)
//   OUT_DIR/NAME.bin   creation bytecode as hex (0x-prefixed, one line)
// where NAME is the file name without .sol and also the contract's name.
//
// Usage: node compile.mjs --source FILE.sol --out-dir DIR [--node-tools DIR]
//
// The npm tools are found through --node-tools, else $PKM_NODE_TOOLS_DIR,
// else tools/node of this checkout; a require() anchored there loads solc
// (CommonJS), so neither NODE_PATH nor the working directory matters.
// Compiler errors and warnings both fail the run, so that a warning cannot
// slip into the artifact unseen. Outputs are replaced atomically.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync }
  from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// EVM version and optimizer are pinned so that every build of the same
// source yields the same bytecode. Cancun is the newest fork that every
// current client runs, anvil's default included.
const kSettings = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 200 },
};

function parseArgs(argv) {
  const allowed = ['source', 'out-dir', 'node-tools'];
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !allowed.includes(name) ||
        i + 1 >= argv.length) {
      throw new Error(`bad argument '${argv[i]}'; usage: node compile.mjs ` +
                      '--source FILE.sol --out-dir DIR [--node-tools DIR]');
    }
    options[name] = argv[i + 1];
  }
  for (const name of ['source', 'out-dir']) {
    if (options[name] === undefined) {
      throw new Error(`missing --${name}`);
    }
  }
  return options;
}

function loadSolc(options) {
  const dir = resolve(options['node-tools'] ?? process.env.PKM_NODE_TOOLS_DIR ??
                      join(here, '..', '..', 'tools', 'node'));
  if (!existsSync(join(dir, 'node_modules', 'solc'))) {
    throw new Error(`solc is not installed in ${dir}/node_modules; ` +
                    'run scripts/setup');
  }
  return createRequire(join(dir, 'package.json'))('solc');
}

function writeAtomically(file, text) {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const source = resolve(options.source);
  const outDir = resolve(options['out-dir']);
  const name = basename(source, '.sol');
  const solc = loadSolc(options);

  const input = {
    language: 'Solidity',
    sources: { [basename(source)]: { content: readFileSync(source, 'utf8') } },
    settings: {
      ...kSettings,
      outputSelection: {
        '*': { '*': ['abi', 'evm.bytecode.object',
                     'evm.deployedBytecode.object'] },
      },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));

  const problems = output.errors ?? [];
  for (const problem of problems) {
    process.stderr.write(problem.formattedMessage ?? problem.message);
  }
  if (problems.length > 0) {
    const errors = problems.filter((p) => p.severity === 'error').length;
    throw new Error(`solc ${solc.version()} reported ${errors} error(s) and ` +
                    `${problems.length - errors} warning(s) in ${source}`);
  }
  const contract = output.contracts?.[basename(source)]?.[name];
  if (!contract || !contract.evm.bytecode.object) {
    throw new Error(`no deployable contract named ${name} in ${source}`);
  }

  const artifact = {
    contractName: name,
    source: basename(source),
    compiler: { name: 'solc', version: solc.version(), settings: kSettings },
    abi: contract.abi,
    bytecode: '0x' + contract.evm.bytecode.object,
    deployedBytecode: '0x' + contract.evm.deployedBytecode.object,
  };
  mkdirSync(outDir, { recursive: true });
  writeAtomically(join(outDir, `${name}.json`),
                  JSON.stringify(artifact, null, 2) + '\n');
  writeAtomically(join(outDir, `${name}.bin`), artifact.bytecode + '\n');
  console.log(`compile: ${name} bytecode_bytes=` +
              `${contract.evm.bytecode.object.length / 2} ` +
              `out=${join(outDir, name + '.json')}`);
}

try {
  main();
} catch (error) {
  console.error(`compile: ${error.message}`);
  process.exit(1);
}
