// An owned descriptor is closed when its owner goes, once: a move hands it over (the moved-from
// owner closes nothing), release() gives it back to the caller, reset() closes the old one.
#include "kernel/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <utility>

using closewise::kernel::UniqueFd;

namespace {

bool isOpen(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

int openDescriptor() {
  return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

}  // namespace

TEST_CASE("a descriptor is closed when its owner goes out of scope") {
  int fd = -1;
  {
    const UniqueFd owner(openDescriptor());
    fd = owner.get();
    REQUIRE(owner.valid());
    CHECK(isOpen(fd));
  }
  CHECK_FALSE(isOpen(fd));
  CHECK_FALSE(UniqueFd().valid());
}

TEST_CASE("a move hands the descriptor over and the old owner closes nothing") {
  UniqueFd first(openDescriptor());
  const int fd = first.get();
  UniqueFd second(std::move(first));
  CHECK_FALSE(first.valid());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  CHECK(second.get() == fd);
  first.reset();
  CHECK(isOpen(fd));

  UniqueFd third(openDescriptor());
  const int replaced = third.get();
  third = std::move(second);
  CHECK_FALSE(isOpen(replaced));  // the assigned-to owner closed what it held
  CHECK(third.get() == fd);
  CHECK(isOpen(fd));
}

TEST_CASE("release gives the descriptor back and reset closes the one held") {
  UniqueFd owner(openDescriptor());
  const int fd = owner.release();
  CHECK_FALSE(owner.valid());
  CHECK(isOpen(fd));
  owner.reset(fd);
  CHECK(owner.get() == fd);
  owner.reset();
  CHECK_FALSE(isOpen(fd));
  CHECK_FALSE(owner.valid());
}
