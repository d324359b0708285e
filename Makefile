# The two commands of the README:
#   make run    install what is missing, build the release binary, start it with defaults
#   make test   the same set-up, then an ASan+UBSan build and every test through CTest
# The release binary is always build/bin/closewise. To put it on a machine:
#   make install   copy what `make build` built under PREFIX (/usr/local): the binary, the systemd
#                  units naming it, the sysctl file (DESTDIR=dir stages it elsewhere). It does not
#                  build, so `make build && sudo make install` never builds as root.
#   make deb       build, then a Debian package of the same files under /usr, in build/package/

BUILD      ?= build
TEST_BUILD ?= build/asan
JOBS       ?= $(shell nproc)
ARGS       ?=
PREFIX     ?= /usr/local
DESTDIR    ?=
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps deps-test configure build run install deb test test-only bench clean

all: build

deps:
	@bash deploy/install-deps.sh

deps-test:
	@bash deploy/install-deps.sh --with-system-tests

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target closewise

run: build
	./$(BUILD)/bin/closewise $(ARGS)

install:
	@test -x $(BUILD)/bin/closewise || \
	  { echo "make install: no $(BUILD)/bin/closewise; run make build first" >&2; exit 1; }
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

deb: build
	cd $(BUILD) && cpack -G DEB -B $(CURDIR)/$(BUILD)/package

$(TEST_BUILD)/CMakeCache.txt: | deps-test
	cmake -S . -B $(TEST_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
	  -DCLOSEWISE_SANITIZE=ON -DCLOSEWISE_WERROR=ON

test: deps-test $(TEST_BUILD)/CMakeCache.txt
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

clean:
	rm -rf $(BUILD)

# make lab-<name>: the labs of docs/close-handling.md, each runnable alone.
-include docs/labs/labs.mk
-include bench/bench.mk
