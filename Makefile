# msgen: `make build` sets everything up and generates; `make test` installs what the tests need
# and runs them. Both work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := tools/asyncapi/node_modules/.installed
# Benchmarks compare against pipecat, which only the benchmark environment installs.
BENCH_VENV := .bench/venv
BENCH_STAMP := $(BENCH_VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: build test check lint format bench system-deps node-deps clean

build: $(STAMP)
	$(BIN)/msgen build

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# Debian tools the generated audio tests drive (real speech, the reference mu-law codec).
system-deps:
	@if ! command -v sox >/dev/null || ! command -v espeak-ng >/dev/null; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq sox libsox-fmt-all espeak-ng; \
	fi

# The official AsyncAPI parser, which must accept specs/ without errors.
node-deps: $(NODE_STAMP)

$(NODE_STAMP): tools/asyncapi/package.json tools/asyncapi/package-lock.json
	npm ci --prefix tools/asyncapi --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

test: $(STAMP) system-deps node-deps
	$(BIN)/msgen check
	$(BIN)/pytest -n auto --dist worksteal

check: $(STAMP)
	$(BIN)/msgen check

lint: $(STAMP)
	$(BIN)/ruff check generator tests generated bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/mypy -p msgen
	$(BIN)/mypy generated/twilio_media_streams

format: $(STAMP)
	$(BIN)/ruff check --fix generator tests bench
	$(BIN)/ruff format generator tests bench

$(BENCH_STAMP): constraints.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --upgrade pip
	$(BENCH_VENV)/bin/pip install -q pipecat-ai==1.14.0 numpy soxr orjson
	touch $@

# One run, every comparison side by side; each line: BENCH <name> ratio=<median of the rounds>
# min=<..> median=<..> max=<..> rounds=<n> ... (bench/spread.py says how they are timed).
bench: $(STAMP) $(BENCH_STAMP)
	@$(BIN)/python bench/bench_tool.py
	@$(BIN)/python bench/bench_frames.py
	@$(BENCH_VENV)/bin/python bench/bench_codec.py
	@$(BIN)/python bench/bench_server.py

clean:
	rm -rf $(VENV) .bench tools/asyncapi/node_modules .pytest_cache .mypy_cache .ruff_cache
