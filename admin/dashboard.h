// The dashboard page (admin/dashboard/index.html), compiled into the binary at build time by
// admin/dashboard/embed.cmake, so GET / works offline and the page always matches the /stats
// keys of the same build.
#pragma once

#include <string_view>

namespace closewise::admin {

extern const std::string_view kDashboardHtml;

}  // namespace closewise::admin
