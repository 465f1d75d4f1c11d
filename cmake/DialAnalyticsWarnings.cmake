# dial_analytics_set_warnings(<target>): our warning set, PRIVATE to the target.
function(dial_analytics_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow)
  # GCC 12 reports false -Wrestrict positives inside libstdc++'s std::string operator+ at -O2/-O3
  # (GCC bug 105329); the warning stays on with every other compiler.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(DIAL_ANALYTICS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
