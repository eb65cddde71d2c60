# Devnet deposit contract: DepositContract.sol compiled by compile.mjs with
# solc from npm into ${CMAKE_BINARY_DIR}/contracts/DepositContract.json
# (abi, bytecode, deployedBytecode) and DepositContract.bin (creation
# bytecode as hex). deploy/devnet/up deploys it; the chain tests use it.
find_program(PKM_NODE_EXECUTABLE node HINTS /usr/bin)
if(NOT PKM_NODE_EXECUTABLE)
  # Keep the rule, so that a missing node fails the build with a clear
  # "node: not found" instead of silently producing no contract.
  set(PKM_NODE_EXECUTABLE node)
endif()

set(PKM_CONTRACTS_DIR ${CMAKE_BINARY_DIR}/contracts)
set(PKM_DEPOSIT_CONTRACT_JSON ${PKM_CONTRACTS_DIR}/DepositContract.json)
set(PKM_DEPOSIT_CONTRACT_BIN ${PKM_CONTRACTS_DIR}/DepositContract.bin)

add_custom_command(
  OUTPUT ${PKM_DEPOSIT_CONTRACT_JSON} ${PKM_DEPOSIT_CONTRACT_BIN}
  COMMAND ${PKM_NODE_EXECUTABLE}
          ${CMAKE_CURRENT_LIST_DIR}/compile.mjs
          --source ${CMAKE_CURRENT_LIST_DIR}/DepositContract.sol
          --out-dir ${PKM_CONTRACTS_DIR}
          --node-tools ${PKM_NODE_TOOLS_DIR}
  DEPENDS ${CMAKE_CURRENT_LIST_DIR}/DepositContract.sol
          ${CMAKE_CURRENT_LIST_DIR}/compile.mjs
          ${PKM_NODE_TOOLS_DIR}/node_modules/solc/package.json
  COMMENT "Compiling DepositContract.sol with solc (npm)"
  VERBATIM)

add_custom_target(pkm_deposit_contract ALL
  DEPENDS ${PKM_DEPOSIT_CONTRACT_JSON} ${PKM_DEPOSIT_CONTRACT_BIN})
