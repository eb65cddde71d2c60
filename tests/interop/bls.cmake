# BLS12-381 against @noble/curves (npm), both ways:
#   noble writes cases -> pkm_bls_interop_tests compares  (fixture
#                                                    bls_cases_from_noble)
#   pkm_bls_cases_writer writes -> bls_noble_check.mjs verifies with noble
#                                                   (fixture bls_cases_from_pkm)
# The node scripts find @noble/curves through --node-tools (ESM ignores
# NODE_PATH). Noble needs tens of milliseconds per signature, so each script
# spreads its 1,000 cases over two worker threads.
find_program(PKM_NODE_EXECUTABLE node HINTS /usr/bin)
if(NOT PKM_NODE_EXECUTABLE)
  # Keep the tests, so that a missing node shows up as a failure, not a skip.
  set(PKM_NODE_EXECUTABLE node)
endif()

set(PKM_BLS_INTEROP_DIR ${CMAKE_CURRENT_BINARY_DIR}/bls_interop)
set(PKM_BLS_INTEROP_CASES 1000)
set(PKM_BLS_NODE_ARGS
  --node-tools ${PKM_NODE_TOOLS_DIR}
  --vectors ${PKM_VECTORS_DIR}
  --jobs 2)

add_executable(pkm_bls_interop_tests
  ${CMAKE_CURRENT_LIST_DIR}/bls_noble_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/oracle_cases.cc)
target_link_libraries(pkm_bls_interop_tests
  PRIVATE pkm_crypto nlohmann_json::nlohmann_json GTest::gtest)

add_executable(pkm_bls_cases_writer
  ${CMAKE_CURRENT_LIST_DIR}/bls_cases_writer.cc)
target_link_libraries(pkm_bls_cases_writer
  PRIVATE pkm_crypto nlohmann_json::nlohmann_json)

# noble -> pkm
add_test(NAME interop_bls_noble_writes
  COMMAND ${PKM_NODE_EXECUTABLE}
          ${CMAKE_CURRENT_LIST_DIR}/bls_noble_cases.mjs
          --out ${PKM_BLS_INTEROP_DIR}/from_noble.json
          --cases ${PKM_BLS_INTEROP_CASES}
          ${PKM_BLS_NODE_ARGS})
set_tests_properties(interop_bls_noble_writes PROPERTIES
  FIXTURES_SETUP bls_cases_from_noble
  LABELS interop
  TIMEOUT 300)

add_test(NAME interop_bls_pkm_agrees_with_noble
  COMMAND pkm_bls_interop_tests ${PKM_BLS_INTEROP_DIR}/from_noble.json)
set_tests_properties(interop_bls_pkm_agrees_with_noble PROPERTIES
  FIXTURES_REQUIRED bls_cases_from_noble
  LABELS interop
  TIMEOUT 120)

# pkm -> noble
add_test(NAME interop_bls_pkm_writes
  COMMAND pkm_bls_cases_writer ${PKM_BLS_INTEROP_DIR}/from_pkm.json
          ${PKM_BLS_INTEROP_CASES})
set_tests_properties(interop_bls_pkm_writes PROPERTIES
  FIXTURES_SETUP bls_cases_from_pkm
  LABELS interop
  TIMEOUT 120)

add_test(NAME interop_bls_noble_verifies_pkm
  COMMAND ${PKM_NODE_EXECUTABLE}
          ${CMAKE_CURRENT_LIST_DIR}/bls_noble_check.mjs
          --in ${PKM_BLS_INTEROP_DIR}/from_pkm.json
          --min-cases ${PKM_BLS_INTEROP_CASES}
          ${PKM_BLS_NODE_ARGS})
set_tests_properties(interop_bls_noble_verifies_pkm PROPERTIES
  FIXTURES_REQUIRED bls_cases_from_pkm
  LABELS interop
  TIMEOUT 300)
