# Turns a text file into a C++ source defining one std::string_view, at build time:
#   cmake -DINPUT=index.html -DOUTPUT=dashboard_html.cc -DSYMBOL=kDashboardHtml
#         -DHEADER=admin/dashboard.h -P embed.cmake
# A raw string literal keeps the HTML byte for byte, with no escaping to get wrong. The delimiter
# must not occur in the file; the build stops if it does.
set(delimiter "closewise_html")
file(READ "${INPUT}" content)
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter ')${delimiter}\"'")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by admin/dashboard/embed.cmake; edit the source file instead.\n"
  "#include \"${HEADER}\"\n\n"
  "namespace closewise::admin {\n\n"
  "const std::string_view ${SYMBOL} = R\"${delimiter}(${content})${delimiter}\";\n\n"
  "}  // namespace closewise::admin\n")
# Rewrite only on change, so an unchanged page does not recompile.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
