# The two commands a newcomer needs: `make run` and `make test` (both install what is missing
# first, via scripts/setup). Other targets: build, bench, fuzz, clean.
BUILD ?= build
DATA ?= atelier-data
LISTEN ?= 127.0.0.1:8080
JOBS ?= $(shell nproc)
BUILD_TYPE ?= RelWithDebInfo
ATELIER := $(BUILD)/src/cli/atelier

.PHONY: setup configure build test run bench bench-log fuzz tidy clean

setup:
	scripts/setup

configure: setup
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD) -j$(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) --timeout 600

# Registers the example generators, renders the 24-token sample series, serves the gallery.
run: build
	$(ATELIER) --data $(DATA) generator add examples/generators/*/
	$(ATELIER) --data $(DATA) sample --count 24 --size 1024x1024
	@echo "serving http://$(LISTEN)/ (Ctrl-C to stop)"
	$(ATELIER) --data $(DATA) serve --listen $(LISTEN)

bench: configure
	cmake --build $(BUILD) -j$(JOBS) --target render_bench
	$(BUILD)/bench/render_bench

# The transparency log: durable appends/s, proofs at 1M and 10M entries (those logs are built
# once, about a minute, under $(BUILD)/bench-data), whole-log verification.
bench-log: configure
	cmake --build $(BUILD) -j$(JOBS) --target log_bench
	$(BUILD)/bench/log_bench

# Every libFuzzer target in fuzz/ (fuzz/CMakeLists.txt lists the same); corpora in fuzz/corpus/<name>.
FUZZ_TARGETS = recipe_fuzz note_fuzz log_fuzz market_fuzz rules_fuzz api_fuzz amount_fuzz image_fuzz bundle_fuzz c2pa_fuzz \
  http_fuzz pdq_fuzz terms_fuzz registry_fuzz

# libFuzzer targets, with clang 16. Its libstdc++ <expected> is gated on a __cpp_concepts value
# clang 16 does not advertise although it implements what <expected> needs (P0848).
fuzz:
	scripts/setup --fuzz
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 \
	  -DCMAKE_CXX_FLAGS="-Wno-macro-redefined -D__cpp_concepts=202002L" \
	  -DATELIER_FUZZ=ON -DBUILD_TESTING=OFF -DATELIER_BENCH=OFF -DATELIER_WERROR=OFF
	cmake --build build-fuzz -j$(JOBS) --target $(FUZZ_TARGETS)
	@echo "run: build-fuzz/fuzz/<name>_fuzz fuzz/corpus/<name> -max_total_time=60, <name> one of: $(FUZZ_TARGETS:_fuzz=)"
	@echo "     (image_fuzz also with -malloc_limit_mb=128: a decoder allocating past its pixel limit stops it)"

# clang-tidy (checks in .clang-tidy) with clang 16, which parses <expected> given the same
# __cpp_concepts override as `make fuzz`, and clang's lock analysis (-Wthread-safety: members
# marked ATELIER_GUARDED_BY in core/mutex.h). FILES=… to check a subset.
FILES ?= $(shell git ls-files 'src/*.cc')
tidy: configure
	scripts/setup --fuzz
	clang-tidy-16 -p $(BUILD) --quiet --extra-arg=-std=c++2b --extra-arg=-D__cpp_concepts=202002L \
	  --extra-arg=-Wno-macro-redefined --extra-arg=-Wno-unknown-warning-option \
	  --extra-arg=-Wthread-safety $(FILES)

clean:
	rm -rf $(BUILD) build-fuzz
