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

# Tessera side by side with NumPy/SciPy/scikit-learn/R on the workloads of bench/README.md.
# BENCH_QUICK=1: small sizes, one run each (a smoke test of about a minute);
# BENCH_ARGS: more options for bench/run.py, e.g. BENCH_ARGS="--only gemm --reps 3 --markdown".
BENCH_DIR = $(BUILD)/bench
BENCH_HELPERS = $(BENCH_DIR)/rclock.so $(BENCH_DIR)/peak $(BENCH_DIR)/dgemm_openblas \
                $(BENCH_DIR)/blas_race
BENCH_BLAS = $(shell pkg-config --cflags --libs openblas 2>/dev/null || echo -lopenblas)

bench: deps
	@bash scripts/install-bench-deps.sh $(BENCH_DIR)
	@$(MAKE) --no-print-directory $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS) --target tessera_cli par_overhead
	@$(MAKE) --no-print-directory $(BENCH_HELPERS)
	@/usr/bin/python3 bench/run.py --build $(BUILD) $(if $(BENCH_QUICK),--quick) $(BENCH_ARGS)

$(BENCH_DIR)/rclock.so: bench/rclock.c
	@mkdir -p $(@D)
	cc -O2 -Wall -Wextra -shared -fPIC -o $@ $<
$(BENCH_DIR)/peak: bench/peak.c
	@mkdir -p $(@D)
	cc -O2 -march=native -Wall -Wextra -pthread -o $@ $<
$(BENCH_DIR)/dgemm_openblas: bench/dgemm_openblas.c
	@mkdir -p $(@D)
	cc -O2 -Wall -Wextra -o $@ $< $(BENCH_BLAS) -lm
$(BENCH_DIR)/blas_race: bench/blas_race.c
	@mkdir -p $(@D)
	cc -O2 -Wall -Wextra -pthread -o $@ $< $(BENCH_BLAS)

clean:
	rm -rf $(BUILD) build-asan
