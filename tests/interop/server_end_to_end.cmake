# pkm-server end to end against real components and outside checkers: a
# real nats-server, an anvil devnet (deploy/devnet/up) and pkm-server in
# deposit mode chain; requests sent by the npm NATS client the way `nats
# req` sends them; deposits read back with ethers and verified with
# @noble/curves and @chainsafe/ssz; pkm-client's keystores decrypted with
# @chainsafe/bls-keystore. Every process listens on 127.0.0.1 ports the OS
# picks and is stopped when the test ends.
find_program(PKM_NODE_EXECUTABLE node HINTS /usr/bin)
if(NOT PKM_NODE_EXECUTABLE)
  # Keep the test, so that a missing node shows up as a failure, not a skip.
  set(PKM_NODE_EXECUTABLE node)
endif()

set(PKM_E2E_CONTRACT_ARTIFACT
    ${CMAKE_BINARY_DIR}/contracts/DepositContract.json)

set(PKM_E2E_ENV
  "PKM_NODE_TOOLS_DIR=${PKM_NODE_TOOLS_DIR}"
  "PKM_DEPOSIT_CONTRACT_ARTIFACT=${PKM_E2E_CONTRACT_ARTIFACT}"
  "PKM_VECTORS_DIR=${PKM_VECTORS_DIR}"
  "PKM_SERVER_BINARY=$<TARGET_FILE:pkm-server>"
  "PKM_CLIENT_BINARY=$<TARGET_FILE:pkm-client>")

add_test(NAME interop_server_end_to_end
  COMMAND ${PKM_NODE_EXECUTABLE} --test-reporter=spec
          ${CMAKE_CURRENT_LIST_DIR}/server_end_to_end_test.mjs)
set_tests_properties(interop_server_end_to_end PROPERTIES
  ENVIRONMENT "${PKM_E2E_ENV}"
  REQUIRED_FILES ${PKM_E2E_CONTRACT_ARTIFACT}
  LABELS "interop;server"
  TIMEOUT 300)
