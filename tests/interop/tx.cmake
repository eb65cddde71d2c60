# Transactions and deposit-contract ABI against ethers v6 (npm):
#   tx_cases.mjs writes random cases with ethers' encodings
#                                         (fixture tx_cases_from_ethers)
#   pkm_tx_interop_tests checks that pkm produces and reads the same bytes.
# ethers is found through --node-tools: ESM resolves imports relative to the
# script and ignores NODE_PATH, so the script anchors a require() in the
# tools directory (as bls.cmake does for @noble/curves).
find_program(PKM_NODE_EXECUTABLE node HINTS /usr/bin)
if(NOT PKM_NODE_EXECUTABLE)
  # Keep the tests, so that a missing node shows up as a failure, not a skip.
  set(PKM_NODE_EXECUTABLE node)
endif()

set(PKM_TX_INTEROP_DIR ${CMAKE_CURRENT_BINARY_DIR}/tx_interop)

add_executable(pkm_tx_interop_tests
  ${CMAKE_CURRENT_LIST_DIR}/tx_interop_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/oracle_cases.cc)
target_link_libraries(pkm_tx_interop_tests
  PRIVATE pkm_chain nlohmann_json::nlohmann_json GTest::gtest)

add_test(NAME interop_tx_ethers_writes
  COMMAND ${PKM_NODE_EXECUTABLE}
          ${CMAKE_CURRENT_LIST_DIR}/tx_cases.mjs
          --out ${PKM_TX_INTEROP_DIR}/from_ethers.json
          --transactions 500
          --calls 100
          --node-tools ${PKM_NODE_TOOLS_DIR})
set_tests_properties(interop_tx_ethers_writes PROPERTIES
  FIXTURES_SETUP tx_cases_from_ethers
  LABELS interop
  TIMEOUT 120)

add_test(NAME interop_tx_pkm_agrees_with_ethers
  COMMAND pkm_tx_interop_tests ${PKM_TX_INTEROP_DIR}/from_ethers.json)
set_tests_properties(interop_tx_pkm_agrees_with_ethers PROPERTIES
  FIXTURES_REQUIRED tx_cases_from_ethers
  LABELS interop
  TIMEOUT 120)
