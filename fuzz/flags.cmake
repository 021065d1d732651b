# Included by the top-level CMakeLists.txt before core/ when LD_FUZZ is ON:
# every object (libldcore above all) gets the coverage instrumentation that
# libFuzzer needs (fuzzer-no-link) plus ASan and UBSan; only the targets in
# fuzz/ link the libFuzzer driver itself (-fsanitize=fuzzer).
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "LD_FUZZ needs clang (e.g. -DCMAKE_C_COMPILER=clang), "
                      "not ${CMAKE_C_COMPILER_ID}")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                    -fno-sanitize-recover=all -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
