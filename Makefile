# The two commands of the README:
#   make run    install what is missing, build the release binary, start it with defaults
#   make test   the same set-up, then an ASan+UBSan build and every test through CTest
# The release binary is always build/bin/closewise.

BUILD      ?= build
TEST_BUILD ?= build/asan
JOBS       ?= $(shell nproc)
ARGS       ?=
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps deps-test configure build run test test-only bench clean

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
