# Loom: the commands.
#   make ask Q="What is 2^100 mod 97?"   set up everything on a fresh machine and answer with the default model
#   make test                            set up everything the tests need and run the whole suite
#   make fuzz                            fuzz every parser of outside input for FUZZ_SECONDS (60) each
SHELL := /bin/bash
LOOM_HOME ?= $(HOME)/.cache/loom
export LOOM_HOME
Q ?= What is 2^100 mod 97?
MODEL ?= qwen2.5-coder-1.5b-instruct
TEST_MODELS := smollm2-135m-instruct qwen2.5-coder-0.5b-instruct
TEST_VENV := $(LOOM_HOME)/venvs/test
# Tests run optimized: model code in a debug build is 10-50x slower.
TEST_FLAGS := -c release -Xswiftc -enable-testing

FUZZ_SECONDS ?= 60
export FUZZ_SECONDS

.PHONY: ask test fuzz fuzz-smoke system-packages test-deps build build-tests models test-models bench clean

ask: system-packages build
	.build/release/loom models pull $(MODEL)
	.build/release/loom ask --model $(MODEL) "$(Q)"

test: system-packages test-deps build-tests test-models
	PATH="$(TEST_VENV)/bin:$$PATH" swift test $(TEST_FLAGS)
	$(MAKE) fuzz-smoke

# libFuzzer + AddressSanitizer over the parsers (Fuzz/README.md); builds into .build-fuzz.
fuzz: system-packages
	scripts/fuzz.sh

# Every fuzz target over its seed corpus and a few seconds of fuzzing: part of `make test`.
fuzz-smoke: system-packages
	scripts/fuzz.sh --smoke

system-packages:
	@scripts/install-system-packages.sh

test-deps: system-packages
	@scripts/install-test-deps.sh

build:
	swift build -c release

build-tests:
	swift build $(TEST_FLAGS) --build-tests

test-models: build-tests
	@for m in $(TEST_MODELS); do .build/release/loom models pull $$m || exit 1; done

models: system-packages build
	@for m in $(TEST_MODELS) $(MODEL); do .build/release/loom models pull $$m || exit 1; done

bench: system-packages build
	.build/release/loom bench --model $(MODEL)

clean:
	rm -rf .build .build-fuzz
