# The two commands of the README:
#   make run    install what is missing, build the release binary, start it with defaults
#   make test   the same set-up, then an ASan+UBSan build and every test through CTest
#               (the fuzz targets included, a short run each)
# The release binary is always build/bin/closewise. make fuzz runs the fuzz targets for longer
# (fuzz/README.md). To put the binary on a machine:
#   make install   copy what `make build` built under PREFIX (/usr/local): the binary, the systemd
#                  units naming it, the sysctl file, and the headers, libraries and CMake package
#                  a service builds on (cmake/package.cmake); DESTDIR=dir stages it elsewhere. It
#                  does not build, so `make build && sudo make install` never builds as root.
#   make deb       build, then a Debian package of the program, units and sysctl file under /usr,
#                  in build/package/

BUILD      ?= build
TEST_BUILD ?= build/asan
JOBS       ?= $(shell nproc)
ARGS       ?=
PREFIX     ?= /usr/local
DESTDIR    ?=
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
FUZZ_BUILD   ?= build/fuzz
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?=

.PHONY: all deps deps-test configure build run install deb test test-only fuzz bench clean

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

# libFuzzer needs clang, so the fuzz targets have a tree of their own. Each target runs for
# FUZZ_SECONDS, one after the other; FUZZ_TARGETS="request_parser ..." picks some. Inputs that
# reach new code are kept in $(FUZZ_BUILD)/fuzz/<target>/corpus and fuzzing resumes from them.
space := $(subst ,, )
FUZZ_REGEX = ^fuzz: ($(or $(subst $(space),|,$(strip $(FUZZ_TARGETS))),.*))$$

$(FUZZ_BUILD)/CMakeCache.txt: | deps-test
	cmake -S . -B $(FUZZ_BUILD) $(GENERATOR) -DCLOSEWISE_FUZZ=ON \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++

fuzz: deps-test $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	cd $(FUZZ_BUILD) && FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_KEEP_CORPUS=1 \
	  ctest -V --no-tests=error -R '$(FUZZ_REGEX)'

clean:
	rm -rf $(BUILD)

# make lab-<name>: the labs of docs/close-handling.md, each runnable alone.
-include docs/labs/labs.mk
-include bench/bench.mk
