# SSZ roots of the deposit containers against @chainsafe/ssz (npm):
#   ssz_roots.mjs writes 500 pseudo-random DepositMessage/DepositData values,
#   ForkData, SigningData and deposit lists with ChainSafe's roots
#   (fixture ssz_roots_from_chainsafe) -> pkm_ssz_interop_tests compares.
# The script finds @chainsafe/ssz through --node-tools (ESM ignores
# NODE_PATH).
find_program(PKM_NODE_EXECUTABLE node HINTS /usr/bin)
if(NOT PKM_NODE_EXECUTABLE)
  # Keep the tests, so that a missing node shows up as a failure, not a skip.
  set(PKM_NODE_EXECUTABLE node)
endif()

set(PKM_SSZ_ROOTS_FILE ${CMAKE_CURRENT_BINARY_DIR}/ssz_interop/roots.json)

add_executable(pkm_ssz_interop_tests
  ${CMAKE_CURRENT_LIST_DIR}/ssz_interop_test.cc)
target_link_libraries(pkm_ssz_interop_tests
  PRIVATE pkm_chain nlohmann_json::nlohmann_json GTest::gtest)

add_test(NAME interop_ssz_chainsafe_writes
  COMMAND ${PKM_NODE_EXECUTABLE}
          ${CMAKE_CURRENT_LIST_DIR}/ssz_roots.mjs
          --out ${PKM_SSZ_ROOTS_FILE}
          --cases 500
          --node-tools ${PKM_NODE_TOOLS_DIR})
set_tests_properties(interop_ssz_chainsafe_writes PROPERTIES
  FIXTURES_SETUP ssz_roots_from_chainsafe
  LABELS interop
  TIMEOUT 120)

add_test(NAME interop_ssz_pkm_agrees_with_chainsafe
  COMMAND pkm_ssz_interop_tests ${PKM_SSZ_ROOTS_FILE})
set_tests_properties(interop_ssz_pkm_agrees_with_chainsafe PROPERTIES
  FIXTURES_REQUIRED ssz_roots_from_chainsafe
  LABELS interop
  TIMEOUT 120)
