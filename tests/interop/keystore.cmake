# EIP-2335 keystores against @chainsafe/bls-keystore (npm), both ways:
#   pkm writes -> ChainSafe decrypts    (fixture keystores_from_pkm)
#   ChainSafe writes -> pkm decrypts    (fixture keystores_from_chainsafe)
# Each side compares the secrets with the expected.json the writer left, and
# fails naming the keystore on any mismatch.
find_program(PKM_NODE_EXECUTABLE node HINTS /usr/bin)
if(NOT PKM_NODE_EXECUTABLE)
  # Keep the tests, so that a missing node shows up as a failure, not a skip.
  set(PKM_NODE_EXECUTABLE node)
endif()

add_executable(pkm_keystore_interop
  ${CMAKE_CURRENT_LIST_DIR}/keystore_interop.cc)
target_link_libraries(pkm_keystore_interop
  PRIVATE pkm_crypto nlohmann_json::nlohmann_json)

set(PKM_KEYSTORE_INTEROP_DIR ${CMAKE_CURRENT_BINARY_DIR}/keystore_interop)
set(PKM_KEYSTORE_NODE_ENV "NODE_PATH=${PKM_NODE_TOOLS_DIR}/node_modules")

add_test(NAME interop_keystore_pkm_writes
  COMMAND pkm_keystore_interop write ${PKM_KEYSTORE_INTEROP_DIR}/from_pkm)
set_tests_properties(interop_keystore_pkm_writes PROPERTIES
  FIXTURES_SETUP keystores_from_pkm
  LABELS interop
  TIMEOUT 120)

add_test(NAME interop_keystore_chainsafe_decrypts_pkm
  COMMAND ${PKM_NODE_EXECUTABLE}
          ${CMAKE_CURRENT_LIST_DIR}/keystore_check.mjs
          ${PKM_KEYSTORE_INTEROP_DIR}/from_pkm)
set_tests_properties(interop_keystore_chainsafe_decrypts_pkm PROPERTIES
  FIXTURES_REQUIRED keystores_from_pkm
  ENVIRONMENT "${PKM_KEYSTORE_NODE_ENV}"
  LABELS interop
  TIMEOUT 300)

add_test(NAME interop_keystore_chainsafe_writes
  COMMAND ${PKM_NODE_EXECUTABLE}
          ${CMAKE_CURRENT_LIST_DIR}/keystore_make.mjs
          ${PKM_KEYSTORE_INTEROP_DIR}/from_chainsafe)
set_tests_properties(interop_keystore_chainsafe_writes PROPERTIES
  FIXTURES_SETUP keystores_from_chainsafe
  ENVIRONMENT "${PKM_KEYSTORE_NODE_ENV}"
  LABELS interop
  TIMEOUT 300)

add_test(NAME interop_keystore_pkm_decrypts_chainsafe
  COMMAND pkm_keystore_interop check
          ${PKM_KEYSTORE_INTEROP_DIR}/from_chainsafe)
set_tests_properties(interop_keystore_pkm_decrypts_chainsafe PROPERTIES
  FIXTURES_REQUIRED keystores_from_chainsafe
  LABELS interop
  TIMEOUT 120)
