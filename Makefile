# The two set-up commands of the README: `make run` and `make test`.
# Each creates .venv and installs what it needs; both are safe to repeat.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

## run: yuqing in demo mode on the embedded defaults, at http://127.0.0.1:$(PORT)
run: $(VENV)/.installed-run
	$(BIN)/yuqing run --demo --port $(PORT)

## test: the whole suite (installs Chromium and a Chinese font with apt when missing: the console tests need them)
test: $(VENV)/.installed-test chromium
	$(BIN)/pytest

chromium:
	@test -x /usr/bin/chromium && test -d /usr/share/fonts/truetype/wqy || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-wqy-zenhei; }

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $@

## bench: the benchmarks in bench/ (ratios against a baseline, same machine, same run)
bench: $(VENV)/.installed-bench
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache artifacts
