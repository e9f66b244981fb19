# Every target installs what it needs: `make demo` and `make test` work on a fresh machine
# with only Python 3.11+, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-postgres lint format typecheck check bench serve clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: install
	$(BIN)/python -m relance.demo

test: install
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

lint: install
	$(BIN)/ruff check relance tests bench
	$(BIN)/ruff format --check relance tests bench

format: install
	$(BIN)/ruff format relance tests bench
	$(BIN)/ruff check --fix relance tests bench

typecheck: install
	$(BIN)/mypy relance

check: lint typecheck test

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

serve: install
	$(BIN)/relance serve

clean:
	rm -rf $(VENV) data build *.egg-info
