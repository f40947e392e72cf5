# SPDX-License-Identifier: MIT
# Thin wrapper over CMake: deps, build, demo, check, bench. See README.md.
BUILD      ?= build
SAN_BUILD  ?= build-san
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# gnuplot-nox is needed at run time only, to draw plots (without it tiersim writes their data).
DEB_PKGS   := build-essential cmake pkg-config libgsl-dev libhdf5-dev libyaml-dev \
              libjansson-dev libcmocka-dev libzstd-dev gnuplot-nox chromium
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build demo check test test-san bench clean

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

check: test test-san

bench: build
	./bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
