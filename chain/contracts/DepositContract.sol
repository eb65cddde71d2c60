// SPDX-License-Identifier: UNLICENSED
//
// pkm's deposit contract for devnets. It behaves like the beacon chain
// deposit contract of the consensus specification: the same ABI, the same
// input checks, the same DepositEvent encoding and the same deposit root, so
// that pkm talks to it exactly as it talks to the mainnet contract.
//
// Written for pkm from the specification's facts; it does not verify BLS
// signatures (neither does the real contract: the beacon chain does).
pragma solidity ^0.8.20;

/// ERC-165 interface detection.
interface IERC165 {
    /// True when the contract implements the interface `interfaceId`.
    function supportsInterface(bytes4 interfaceId)
        external view returns (bool);
}

/// What the beacon chain and deposit tools expect of a deposit contract.
interface IDepositContract {
    /// One log per accepted deposit. `amount` (gwei) and `index` (position
    /// in the deposit tree) are 8-byte little-endian, as in SSZ.
    event DepositEvent(
        bytes pubkey,
        bytes withdrawal_credentials,
        bytes amount,
        bytes signature,
        bytes index
    );

    /// Accepts msg.value as a deposit for the BLS key `pubkey` (48 bytes)
    /// with `withdrawal_credentials` (32 bytes) and `signature` (96 bytes).
    /// `deposit_data_root` is the SSZ hash_tree_root of the DepositData; the
    /// call reverts when it does not match the other arguments and value.
    function deposit(
        bytes calldata pubkey,
        bytes calldata withdrawal_credentials,
        bytes calldata signature,
        bytes32 deposit_data_root
    ) external payable;

    /// hash_tree_root of the List[DepositData, 2**32] of all deposits.
    function get_deposit_root() external view returns (bytes32);

    /// Number of deposits so far, 8-byte little-endian.
    function get_deposit_count() external view returns (bytes memory);
}

/// Deposits are the leaves of an append-only Merkle tree of depth 32 that
/// keeps one stored node per level (`branch_`). After n deposits, for every
/// bit h set in n, branch_[h] is the root of the complete subtree of 2**h
/// leaves that lies left of the next free leaf at level h; the rest of the
/// tree is empty, and an empty subtree of height h hashes to
/// zero_hashes_[h].
contract DepositContract is IDepositContract, IERC165 {
    uint256 private constant kTreeDepth = 32;
    uint256 private constant kMaxDeposits = (1 << kTreeDepth) - 1;
    uint256 private constant kMinDeposit = 1 ether;

    bytes32[kTreeDepth] private branch_;
    bytes32[kTreeDepth] private zero_hashes_;
    uint256 private deposit_count_;

    constructor() {
        // zero_hashes_[0] is the empty leaf (all zero bytes); each level up
        // is the hash of two empty subtrees of the level below.
        for (uint256 h = 0; h + 1 < kTreeDepth; h++) {
            zero_hashes_[h + 1] = sha256(
                abi.encodePacked(zero_hashes_[h], zero_hashes_[h]));
        }
    }

    function supportsInterface(bytes4 interfaceId)
        external pure override returns (bool)
    {
        return interfaceId == type(IERC165).interfaceId ||
            interfaceId == type(IDepositContract).interfaceId;
    }

    function get_deposit_root() external view override returns (bytes32) {
        bytes32 node;
        uint256 size = deposit_count_;
        for (uint256 h = 0; h < kTreeDepth; h++) {
            if (size & 1 == 1) {
                node = sha256(abi.encodePacked(branch_[h], node));
            } else {
                node = sha256(abi.encodePacked(node, zero_hashes_[h]));
            }
            size >>= 1;
        }

        // SSZ list root: the tree root mixed with the length as a uint256
        // little-endian chunk (8 bytes of count, 24 zero bytes).
        return sha256(abi.encodePacked(
            node, to_little_endian_64(uint64(deposit_count_)), bytes24(0)));
    }

    function get_deposit_count()
        external view override returns (bytes memory)
    {
        return to_little_endian_64(uint64(deposit_count_));
    }

    function deposit(
        bytes calldata pubkey,
        bytes calldata withdrawal_credentials,
        bytes calldata signature,
        bytes32 deposit_data_root
    ) external payable override {
        require(pubkey.length == 48,
            "DepositContract: pubkey must be 48 bytes");
        require(withdrawal_credentials.length == 32,
            "DepositContract: withdrawal_credentials must be 32 bytes");
        require(signature.length == 96,
            "DepositContract: signature must be 96 bytes");
        require(msg.value >= kMinDeposit,
            "DepositContract: deposit value below 1 ether");
        require(msg.value % 1 gwei == 0,
            "DepositContract: deposit value not a multiple of 1 gwei");
        uint256 amount_gwei = msg.value / 1 gwei;
        require(amount_gwei <= type(uint64).max,
            "DepositContract: deposit value above 2**64-1 gwei");
        bytes memory amount = to_little_endian_64(uint64(amount_gwei));

        bytes32 node = deposit_data_hash_tree_root(
            pubkey, withdrawal_credentials, amount, signature);
        require(node == deposit_data_root,
            "DepositContract: deposit_data_root does not match the deposit");
        require(deposit_count_ < kMaxDeposits,
            "DepositContract: deposit tree is full");

        emit DepositEvent(
            pubkey,
            withdrawal_credentials,
            amount,
            signature,
            to_little_endian_64(uint64(deposit_count_)));

        insert_leaf(node);
    }

    // hash_tree_root(DepositData{pubkey, withdrawal_credentials, amount,
    // signature}): four fields, so a two-level tree over the field roots.
    // Byte vectors longer than 32 bytes are split into zero-padded chunks.
    function deposit_data_hash_tree_root(
        bytes calldata pubkey,
        bytes calldata withdrawal_credentials,
        bytes memory amount,
        bytes calldata signature
    ) private pure returns (bytes32) {
        bytes32 pubkey_root = sha256(abi.encodePacked(pubkey, bytes16(0)));
        bytes32 signature_root = sha256(abi.encodePacked(
            sha256(signature[:64]),
            sha256(abi.encodePacked(signature[64:], bytes32(0)))));
        bytes32 left = sha256(
            abi.encodePacked(pubkey_root, withdrawal_credentials));
        bytes32 right = sha256(
            abi.encodePacked(amount, bytes24(0), signature_root));
        return sha256(abi.encodePacked(left, right));
    }

    // Appends `node` as leaf number deposit_count_ and updates branch_:
    // climb while the new count has a 0 bit (the subtree there just became
    // complete and merges with its left sibling); store at the first 1 bit.
    function insert_leaf(bytes32 node) private {
        deposit_count_ += 1;
        uint256 size = deposit_count_;
        for (uint256 h = 0; h < kTreeDepth; h++) {
            if (size & 1 == 1) {
                branch_[h] = node;
                return;
            }
            node = sha256(abi.encodePacked(branch_[h], node));
            size >>= 1;
        }

        // Unreachable: deposit_count_ < 2**32 has a 1 bit below bit 32.
        assert(false);
    }

    // The 8 bytes of `value`, least significant first.
    function to_little_endian_64(uint64 value)
        private pure returns (bytes memory out)
    {
        out = new bytes(8);
        for (uint256 i = 0; i < 8; i++) {
            out[i] = bytes1(uint8(value >> (8 * i)));
        }
    }
}
