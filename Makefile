# Top-level convenience targets over CMake/ctest. See README.md.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps demo test asan ubsan clean bench checksymbols

all: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/Makefile:
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

deps:
	@bash scripts/install-deps.sh

# Installs what is missing, builds, and runs the example script.
demo: deps
	@$(MAKE) --no-print-directory all
	@echo "== tessera -f examples/linreg.dml =="
	@$(BUILD)/bin/tessera -f examples/linreg.dml -stats

test: deps
	@$(MAKE) --no-print-directory all
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	@cmake -S . -B build-asan -DTSR_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)
ubsan: asan

clean:
	rm -rf $(BUILD) build-asan
