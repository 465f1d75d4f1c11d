# FindFastText: Debian's libfasttext-dev ships a pkg-config file without include paths that
# CMake can import as a target, so look the header and library up directly.
# Defines FastText::FastText (headers <fasttext/fasttext.h>, library libfasttext).
find_path(FASTTEXT_INCLUDE_DIR fasttext/fasttext.h)
find_library(FASTTEXT_LIBRARY NAMES fasttext)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(FastText REQUIRED_VARS FASTTEXT_LIBRARY FASTTEXT_INCLUDE_DIR)
if(FastText_FOUND AND NOT TARGET FastText::FastText)
  add_library(FastText::FastText UNKNOWN IMPORTED)
  set_target_properties(FastText::FastText PROPERTIES IMPORTED_LOCATION "${FASTTEXT_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${FASTTEXT_INCLUDE_DIR}")
endif()
