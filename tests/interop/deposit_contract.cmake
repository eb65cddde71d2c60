# The devnet deposit contract and deploy/devnet/{up,down} against real
# components: anvil and ethers from npm, the deposit root checked with
# @chainsafe/ssz, deposits signed with @noble/curves. Each test starts its
# own anvil on a port the OS picks (127.0.0.1 only) and stops it when done.
#
# The compiled contract comes from pkm_deposit_contract (in ALL); a test run
# before the build reports the missing artifact instead of compiling.
find_program(PKM_NODE_EXECUTABLE node HINTS /usr/bin)
if(NOT PKM_NODE_EXECUTABLE)
  # Keep the tests, so that a missing node shows up as a failure, not a skip.
  set(PKM_NODE_EXECUTABLE node)
endif()

set(PKM_DEPOSIT_CONTRACT_ARTIFACT
    ${CMAKE_BINARY_DIR}/contracts/DepositContract.json)
set(PKM_CHAIN_TESTS_DIR ${PROJECT_SOURCE_DIR}/tests/chain)
set(PKM_CHAIN_NODE_ENV
  "PKM_NODE_TOOLS_DIR=${PKM_NODE_TOOLS_DIR}"
  "PKM_DEPOSIT_CONTRACT_ARTIFACT=${PKM_DEPOSIT_CONTRACT_ARTIFACT}"
  "PKM_VECTORS_DIR=${PKM_VECTORS_DIR}")

foreach(name deposit_contract devnet_scripts)
  add_test(NAME chain_${name}
    COMMAND ${PKM_NODE_EXECUTABLE} --test-reporter=spec
            ${PKM_CHAIN_TESTS_DIR}/${name}_test.mjs)
  set_tests_properties(chain_${name} PROPERTIES
    ENVIRONMENT "${PKM_CHAIN_NODE_ENV}"
    REQUIRED_FILES ${PKM_DEPOSIT_CONTRACT_ARTIFACT}
    LABELS "chain;interop"
    TIMEOUT 120)
endforeach()
