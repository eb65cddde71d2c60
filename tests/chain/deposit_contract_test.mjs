// The devnet deposit contract (chain/contracts/DepositContract.sol) against
// the consensus spec, on a real anvil started by deploy/devnet/up: deposits,
// DepositEvent encoding, the deposit root checked against @chainsafe/ssz,
// every refused input, ERC-165. Deposit data is real: BLS keys and
// signatures from @noble/curves, and the deposit CLI's published files.
//
// Run: node tests/chain/deposit_contract_test.mjs (ctest does, with
// PKM_DEPOSIT_CONTRACT_ARTIFACT pointing at the build's artifact).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DepositDataList, depositDomain, ethers, littleEndian64, loadArtifact,
  makeDeposit, startDevnet, toHex, vectorsDir, verifyDeposit,
} from './devnet_support.mjs';

const kGwei = 10n ** 9n;
const kEther = 10n ** 18n;
const kErc165InterfaceId = '0x01ffc9a7';
// XOR of the selectors of deposit, get_deposit_root and get_deposit_count:
// the id the mainnet deposit contract reports.
const kDepositInterfaceId = '0x85640907';
// Storage slot of the deposit count: after branch_[32] and zero_hashes_[32].
const kDepositCountSlot = 64;

const kRevert = {
  pubkey: 'DepositContract: pubkey must be 48 bytes',
  credentials: 'DepositContract: withdrawal_credentials must be 32 bytes',
  signature: 'DepositContract: signature must be 96 bytes',
  tooSmall: 'DepositContract: deposit value below 1 ether',
  notGwei: 'DepositContract: deposit value not a multiple of 1 gwei',
  tooLarge: 'DepositContract: deposit value above 2**64-1 gwei',
  root: 'DepositContract: deposit_data_root does not match the deposit',
  full: 'DepositContract: deposit tree is full',
};

let devnet;
let artifact;
// Dev accounts: 0 deployed the devnet's contract and 1 is the funder; the
// tests use their own, one role each, so that nonces never interleave.
let deployer;
let depositor;
let vectorDepositor;
let whale;

before(async () => {
  devnet = await startDevnet(['--block-time', '0']);
  artifact = loadArtifact(devnet.dir);
  const wallet = (index) => new ethers.NonceManager(
    new ethers.Wallet(devnet.devKeys[index], devnet.provider));
  deployer = wallet(2);
  depositor = wallet(3);
  vectorDepositor = wallet(4);
  whale = wallet(5);
});

after(async () => {
  await devnet?.stop();
});

// A new, empty deposit contract, so that each test owns its tree.
async function deployFresh() {
  const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode,
                                             deployer);
  const contract = await factory.deploy();
  await contract.waitForDeployment();
  return contract;
}

function depositArgs(deposit) {
  const { data, root } = deposit;
  return [data.pubkey, data.withdrawalCredentials, data.signature, root];
}

async function sendDeposit(contract, deposit, signer = depositor) {
  const value = BigInt(deposit.data.amount) * kGwei;
  const tx = await contract.connect(signer).deposit(...depositArgs(deposit),
                                                    { value });
  return tx.wait();
}

// Asserts that the call reverts with exactly `reason` (eth_call, no tx).
async function assertReverts(promise, reason) {
  await assert.rejects(promise, (error) => {
    assert.equal(error.reason, reason, `unexpected error: ${error.message}`);
    return true;
  });
}

describe('deposit contract', () => {
  test('a fresh contract reports count 0 and the empty list root',
       async () => {
    const contract = await deployFresh();

    const count = await contract.get_deposit_count();
    const root = await contract.get_deposit_root();

    assert.equal(count, littleEndian64(0));
    assert.equal(root, toHex(DepositDataList.hashTreeRoot([])));
  });

  test('supportsInterface accepts ERC-165 and the deposit interface only',
       async () => {
    const contract = await deployFresh();
    const selectors = ['deposit(bytes,bytes,bytes,bytes32)',
                       'get_deposit_root()', 'get_deposit_count()']
      .map((signature) => BigInt(ethers.id(signature).slice(0, 10)));
    const computedId = selectors.reduce((a, b) => a ^ b);

    assert.equal(ethers.toBeHex(computedId, 4), kDepositInterfaceId);
    assert.equal(await contract.supportsInterface(kErc165InterfaceId), true);
    assert.equal(await contract.supportsInterface(kDepositInterfaceId), true);
    assert.equal(await contract.supportsInterface('0xffffffff'), false);
    assert.equal(await contract.supportsInterface('0x00000000'), false);
  });

  test('test deposits carry valid BLS signatures in the mainnet domain',
       () => {
    const intermediate = JSON.parse(readFileSync(
      join(vectorsDir, 'deposit', 'deposit_intermediate.json'), 'utf8'));

    const deposit = makeDeposit(1, 32_000_000_000);

    assert.equal(toHex(depositDomain(new Uint8Array(4))),
                 intermediate.domain);
    assert.equal(verifyDeposit(deposit), true);
  });

  test('a valid deposit emits DepositEvent with little-endian amount and ' +
       'index', async () => {
    const contract = await deployFresh();
    const first = makeDeposit(10, 32_000_000_000);
    const second = makeDeposit(11, 1_500_000_000, {
      withdrawalAddress: depositor.signer.address });

    await sendDeposit(contract, first);
    const receipt = await sendDeposit(contract, second);

    assert.equal(receipt.status, 1);
    assert.equal(receipt.logs.length, 1);
    const log = receipt.logs[0];
    assert.equal(log.topics[0],
                 ethers.id('DepositEvent(bytes,bytes,bytes,bytes,bytes)'));
    const event = contract.interface.parseLog(log);
    assert.equal(event.args.pubkey, toHex(second.data.pubkey));
    assert.equal(event.args.withdrawal_credentials,
                 toHex(second.data.withdrawalCredentials));
    assert.equal(event.args.amount, '0x002f685900000000');
    assert.equal(event.args.amount, littleEndian64(1_500_000_000));
    assert.equal(event.args.signature, toHex(second.data.signature));
    assert.equal(event.args.index, littleEndian64(1));
  });

  test('the contract holds the deposited ether', async () => {
    const contract = await deployFresh();

    await sendDeposit(contract, makeDeposit(20, 1_000_000_000));
    await sendDeposit(contract, makeDeposit(21, 2_500_000_000));

    const balance = await devnet.provider.getBalance(
      await contract.getAddress());
    assert.equal(balance, 3_500_000_000n * kGwei);
  });

  test('the deposit root equals the SSZ list root after each of 20 deposits',
       async (t) => {
    const contract = await deployFresh();
    const deposits = [];
    const gasUsed = [];

    for (let i = 0; i < 20; i++) {
      const amount = 1_000_000_000 + i * 1_234_567_891;
      const deposit = makeDeposit(100 + i, amount);
      const receipt = await sendDeposit(contract, deposit);
      deposits.push(deposit.data);
      gasUsed.push(receipt.gasUsed);

      assert.equal(await contract.get_deposit_root(),
                   toHex(DepositDataList.hashTreeRoot(deposits)),
                   `root after ${deposits.length} deposits`);
      assert.equal(await contract.get_deposit_count(),
                   littleEndian64(deposits.length));
    }
    const sorted = [...gasUsed].sort((a, b) => (a < b ? -1 : 1));
    t.diagnostic(`gas_used per deposit over 20 deposits: ` +
                 `min=${sorted[0]} max=${sorted[sorted.length - 1]} ` +
                 `first=${gasUsed[0]} second=${gasUsed[1]}`);
  });

  test('published deposit-cli data is accepted with its own ' +
       'deposit_data_root', async () => {
    const contract = await deployFresh();
    const cli = JSON.parse(readFileSync(
      join(vectorsDir, 'deposit', 'deposit_data_cli.json'), 'utf8'));
    const entries = cli.sets.flatMap((set) => set.deposit_data);
    const deposits = [];

    for (const entry of entries) {
      const data = {
        pubkey: ethers.getBytes('0x' + entry.pubkey),
        withdrawalCredentials:
          ethers.getBytes('0x' + entry.withdrawal_credentials),
        amount: entry.amount,
        signature: ethers.getBytes('0x' + entry.signature),
      };
      await sendDeposit(contract,
                        { data, root: '0x' + entry.deposit_data_root },
                        vectorDepositor);
      deposits.push(data);
    }

    assert.equal(deposits.length, 33);
    assert.equal(await contract.get_deposit_root(),
                 toHex(DepositDataList.hashTreeRoot(deposits)));
  });

  test('a wrong deposit_data_root is refused', async () => {
    const contract = await deployFresh();
    const deposit = makeDeposit(30, 32_000_000_000);
    const other = makeDeposit(31, 32_000_000_000);
    const value = 32n * kEther;
    const [pubkey, credentials, signature] = depositArgs(deposit);

    await assertReverts(contract.connect(depositor).deposit.staticCall(
      pubkey, credentials, signature, other.root, { value }), kRevert.root);
    // The root covers the amount: the right root with another value fails.
    await assertReverts(contract.connect(depositor).deposit.staticCall(
      ...depositArgs(deposit), { value: value - kGwei }), kRevert.root);
  });

  test('a refused deposit transaction changes nothing', async () => {
    const contract = await deployFresh();
    const deposit = makeDeposit(32, 32_000_000_000);
    const [pubkey, credentials, signature] = depositArgs(deposit);

    // A fixed gas limit skips estimation, so the transaction is mined and
    // reverts on chain.
    const tx = await contract.connect(depositor).deposit(
      pubkey, credentials, signature, ethers.ZeroHash,
      { value: 32n * kEther, gasLimit: 300_000 });
    await assert.rejects(tx.wait(), (error) => {
      assert.equal(error.receipt?.status, 0);
      assert.equal(error.receipt.logs.length, 0);
      return true;
    });

    assert.equal(await contract.get_deposit_count(), littleEndian64(0));
    assert.equal(await devnet.provider.getBalance(
      await contract.getAddress()), 0n);
  });

  test('wrong field lengths are refused', async () => {
    const contract = await deployFresh().then((c) => c.connect(depositor));
    const [pubkey, credentials, signature, root] =
      depositArgs(makeDeposit(40, 32_000_000_000));
    const value = 32n * kEther;
    const call = (...args) => contract.deposit.staticCall(...args, { value });

    await assertReverts(call(pubkey.subarray(0, 47), credentials, signature,
                             root), kRevert.pubkey);
    await assertReverts(call(ethers.concat([pubkey, '0x00']), credentials,
                             signature, root), kRevert.pubkey);
    await assertReverts(call(pubkey, credentials.subarray(0, 31), signature,
                             root), kRevert.credentials);
    await assertReverts(call(pubkey, ethers.concat([credentials, '0x00']),
                             signature, root), kRevert.credentials);
    await assertReverts(call(pubkey, credentials, signature.subarray(0, 95),
                             root), kRevert.signature);
    await assertReverts(call(pubkey, credentials, '0x', root),
                        kRevert.signature);
  });

  test('a value below 1 ether is refused', async () => {
    const contract = await deployFresh().then((c) => c.connect(depositor));
    const deposit = makeDeposit(50, 999_999_999);

    await assertReverts(contract.deposit.staticCall(
      ...depositArgs(deposit), { value: kEther - kGwei }), kRevert.tooSmall);
    await assertReverts(contract.deposit.staticCall(
      ...depositArgs(deposit), { value: 0n }), kRevert.tooSmall);
  });

  test('a value that is not a whole number of gwei is refused', async () => {
    const contract = await deployFresh().then((c) => c.connect(depositor));
    const deposit = makeDeposit(51, 1_000_000_000);

    await assertReverts(contract.deposit.staticCall(
      ...depositArgs(deposit), { value: kEther + 1n }), kRevert.notGwei);
  });

  test('a value above 2**64-1 gwei is refused', async () => {
    const contract = await deployFresh().then((c) => c.connect(whale));
    const deposit = makeDeposit(52, 1_000_000_000);
    const address = await whale.getAddress();
    await devnet.provider.send('anvil_setBalance',
                               [address, ethers.toBeHex(2n ** 100n)]);

    await assertReverts(contract.deposit.staticCall(
      ...depositArgs(deposit), { value: 2n ** 64n * kGwei }),
      kRevert.tooLarge);
  });

  test('plain ether transfers without deposit data are refused',
       async () => {
    const contract = await deployFresh();

    await assert.rejects(depositor.call({
      to: await contract.getAddress(), value: 32n * kEther }));
    await assert.rejects(depositor.call({
      to: await contract.getAddress(), value: 32n * kEther, data: '0x' }));
  });

  test('get_deposit_count is the count as 8 little-endian bytes',
       async () => {
    const contract = await deployFresh();
    await sendDeposit(contract, makeDeposit(60, 1_000_000_000));
    assert.equal(await contract.get_deposit_count(), '0x0100000000000000');

    await devnet.provider.send('anvil_setStorageAt', [
      await contract.getAddress(),
      ethers.toBeHex(kDepositCountSlot, 32),
      ethers.toBeHex(0x0102030405n, 32)]);

    assert.equal(await contract.get_deposit_count(), '0x0504030201000000');
  });

  test('the tree takes deposit number 2**32-1 and refuses the next one',
       async () => {
    const contract = await deployFresh().then((c) => c.connect(depositor));
    const address = await contract.getAddress();
    await devnet.provider.send('anvil_setStorageAt', [
      address,
      ethers.toBeHex(kDepositCountSlot, 32),
      ethers.toBeHex(2n ** 32n - 2n, 32)]);

    const receipt = await sendDeposit(contract, makeDeposit(70, 1e9));
    assert.equal(receipt.status, 1);
    assert.equal(await contract.get_deposit_count(), '0xffffffff00000000');
    await assertReverts(contract.deposit.staticCall(
      ...depositArgs(makeDeposit(71, 1e9)), { value: kEther }), kRevert.full);
  });
});
