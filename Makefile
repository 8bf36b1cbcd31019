# The two commands of the README, and their helpers. Everything builds with
# CMake presets (CMakePresets.json) into build/<preset>.
#   make demo    - set up, build, and run the example keying module, in
#                  process and against a private fwpd, with fwpctl
#   make check   - set up, build, and run every test: a normal build, then
#                  ASan+UBSan (leaks included), then TSan on the threaded tests
#   make bench   - benchmarks (release build); results in bench-results/
#   make bench-datapath - the datapath's packet-moving ceilings (root:
#                  namespaces, TUN, iperf3); bench-results/datapath-ceilings.json
#   make bench-strongswan - charon with kernel-wfp against the static tunnel
#                  and libipsec, CHILD_SA setups per second (root; builds
#                  strongSwan once); bench-results/strongswan.json
#   make fuzz    - long fuzzing runs, 10 million executions per target
#                  (clang libFuzzer; corpus kept in build/fuzz/tests/fuzz/corpus_*)

JOBS ?= $(shell nproc)
CTEST = ctest --output-on-failure -j $(JOBS)

.PHONY: all deps build demo check check-debug check-asan check-tsan check-fuzz bench bench-datapath bench-strongswan fuzz clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

demo: build
	scripts/demo.sh build/release

check-debug: deps
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS)
	cd build/debug && $(CTEST)

check-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST) -LE noasan

check-tsan: deps
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS)
	cd build/tsan && TSAN_OPTIONS=halt_on_error=1 $(CTEST) -L threads

# libFuzzer targets for a fixed, short time: the request and reply targets
# FUZZ_TIME seconds each (default 20), the others 20000 runs; FUZZ_RUNS
# sets a number of executions for every target instead (make fuzz).
FUZZ_TARGETS = fuzz_request fuzz_reply make_seeds fuzz_esp_input make_esp_seeds fuzz_dp_reasm fuzz_secdesc
check-fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	cd build/fuzz && FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_TIME=$(or $(FUZZ_TIME),20) $(CTEST) -L fuzz

check: check-debug check-asan check-tsan check-fuzz

bench: build
	./build/release/bench/bench_engine --out bench-results/engine.json
	FWPD_BIN=./build/release/fwpd ./build/release/bench/bench_service \
		--out bench-results/service.json
	./build/release/bench/bench_store --out bench-results/store.json
	./build/release/bench/bench_classify --out bench-results/classify.json
	./build/release/bench/bench_policy --out bench-results/policy.json
	./build/release/bench/bench_classify_mt --out bench-results/classify_mt.json
	./build/release/bench/datapath/bench_esp --out bench-results/esp.json

# Veth, UDP and TUN-relay ceilings side by side (TRIALS, DURATION: see
# bench/datapath/ceilings.sh); a clear skip without root.
bench-datapath:
	@if [ "$$(id -u)" != 0 ]; then \
		echo "bench-datapath: skipped: needs root (network namespaces, TUN devices)"; \
		exit 0; \
	fi; \
	scripts/install-deps.sh --with-datapath && $(MAKE) build && \
	bench/datapath/ceilings.sh build/release

# TRIALS, DURATION, CHILDREN: see bench/strongswan/bench.sh.
bench-strongswan:
	@if [ "$$(id -u)" != 0 ]; then \
		echo "bench-strongswan: skipped: needs root (network namespaces, TUN devices)"; \
		exit 0; \
	fi; \
	scripts/install-deps.sh --with-datapath && $(MAKE) build && \
	bench/strongswan/bench.sh build/release

fuzz:
	$(MAKE) check-fuzz FUZZ_RUNS=10000000

clean:
	rm -rf build
