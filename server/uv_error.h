// libuv errors as closewise reports them: "what: EMFILE (too many open files)", the code's name
// for searching and grepping, its text for reading.
#pragma once

#include <uv.h>

#include <string>

namespace closewise::server {

inline std::string uvError(const std::string& what, int rc) {
  return what + ": " + uv_err_name(rc) + " (" + uv_strerror(rc) + ")";
}

}  // namespace closewise::server
