// A file (a TOML file, an admin token file) that exists for the life of one test, under the temporary directory, named after
// the process so that parallel test runs never share one.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace closewise::test {

class TomlFile {
 public:
  explicit TomlFile(std::string_view contents) {
    static int serial = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("closewise_config_" + std::to_string(getpid()) + "_" + std::to_string(++serial) +
             ".toml");
    std::ofstream(path_) << contents;
  }
  ~TomlFile() { std::filesystem::remove(path_); }
  TomlFile(const TomlFile&) = delete;
  TomlFile& operator=(const TomlFile&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace closewise::test
