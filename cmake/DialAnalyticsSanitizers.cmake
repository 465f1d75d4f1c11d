# DIAL_ANALYTICS_SANITIZE="address;undefined" instruments everything built in this tree.
if(DIAL_ANALYTICS_SANITIZE)
  list(JOIN DIAL_ANALYTICS_SANITIZE "," _dial_analytics_sanitizers)
  add_compile_options(-fsanitize=${_dial_analytics_sanitizers} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_dial_analytics_sanitizers})
  add_compile_definitions(DIAL_ANALYTICS_SANITIZED)  # for the few tests that cannot run sanitized
endif()
