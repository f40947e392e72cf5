# SPDX-License-Identifier: MIT
# Thin wrapper over CMake: deps, build, demo, check, bench, bench-live. See README.md.
BUILD      ?= build
SAN_BUILD  ?= build-san
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# gnuplot-nox is needed at run time only, to draw plots (without it tiersim writes their data).
DEB_PKGS   := build-essential cmake pkg-config libgsl-dev libhdf5-dev libyaml-dev \
              libjansson-dev libcmocka-dev libzstd-dev liburing-dev libxxhash-dev \
              libcurl4-openssl-dev python3 procps libopenmpi-dev openmpi-bin gnuplot-nox chromium \
              valgrind fio
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build demo check test test-san valgrind bench bench-live clean

all: build

# Installs only the Debian packages that are missing; does nothing when all are present.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

configure: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Only what the demo needs: the tiersim binary (and its library), not the tests or benchmarks.
demo: configure
	cmake --build $(BUILD) -j $(JOBS) --target tiersim
	./$(BUILD)/tiersim run

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-san: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTS_SANITIZE=ON
	cmake --build $(SAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS)

check: test test-san valgrind

# valgrind memcheck on `tiersim run` of every examples/*.yaml (the Release build), results
# written to a scratch directory; the big examples are shrunk with -s (live ones are small
# already). Any memory error or
# definite/possible leak fails. About 40 s on 2 cores, so `make check` runs it last.
VALGRIND_SHRINK := workload.generator.requests=100k workload.generator.keys=20k \
                   workload.generator.sessions=30 workload.generator.epochs=1
valgrind: build
	@command -v valgrind >/dev/null || { echo "make valgrind: valgrind is not installed (apt-get install valgrind)"; exit 1; }
	@tmp=$$(mktemp -d); fail=0; start=$$(date +%s); \
	for f in examples/*.yaml; do \
	  n=$$(basename $$f .yaml); ovr=""; \
	  for kv in $(VALGRIND_SHRINK); do \
	    k=$${kv%%=*}; leaf=$${k##*.}; \
	    grep -Eq "(^|[^a-z_])$$leaf:" $$f && grep -q "generator:" $$f && \
	      ! grep -q "^engine: live" $$f && ovr="$$ovr -s $$kv"; \
	  done; \
	  t0=$$(date +%s); \
	  if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible \
	       --suppressions=tests/valgrind.supp ./$(BUILD)/tiersim run $$f -q -o $$tmp/$$n $$ovr \
	       > $$tmp/$$n.log 2>&1; then \
	    echo "valgrind: $$n: clean ($$(( $$(date +%s) - t0 ))s)$$ovr"; \
	  else \
	    echo "valgrind: $$n: FAILED ($$(( $$(date +%s) - t0 ))s):"; cat $$tmp/$$n.log; fail=1; \
	  fi; \
	done; \
	echo "valgrind: every example in $$(( $$(date +%s) - start ))s"; rm -rf $$tmp; exit $$fail

bench: build
	./bench/run.sh $(BUILD)

# The file back-end against fio on the same scratch file (bench/bench_live.c): 4 KiB random
# reads at queue depth 32 and 1 MiB sequential reads at queue depth 8, O_DIRECT, 5 runs of
# 4 s each alternating, medians and the ratio tiersim/fio. Writes 1 GiB per pattern to
# BENCH_LIVE_DIR (default $(BUILD)/bench-live: put it on the drive to measure); about 2 min.
# BENCH_LIVE_ARGS: [area] [seconds] [runs] [random|sequential|both], e.g. "256MiB 2 3".
BENCH_LIVE_ARGS ?=
bench-live: configure
	cmake --build $(BUILD) -j $(JOBS) --target bench_live
	./$(BUILD)/bench_live $(BENCH_LIVE_ARGS)

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
