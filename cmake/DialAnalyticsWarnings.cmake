# dial_analytics_set_warnings(<target>): our warning set, PRIVATE to the target.
function(dial_analytics_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow)
  if(DIAL_ANALYTICS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
