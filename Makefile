# Every target installs what it needs: `make demo` and `make test` work on a fresh machine
# with only Python 3.11+, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser demo serve-demo messages test lint format typecheck check check-deliverability lint-corpus bench serve clean

# SpamAssassin (Debian package `spamassassin`) for check-deliverability and the tests: $SPAMASSASSIN if set,
# else found on $PATH or in /usr/bin, /usr/local/bin. Never installed by make (.ci/run does, as root).
ifeq ($(origin SPAMASSASSIN),undefined)
SPAMASSASSIN := $(firstword $(shell command -v spamassassin 2>/dev/null) $(wildcard /usr/bin/spamassassin /usr/local/bin/spamassassin))
endif
export SPAMASSASSIN

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Debian's Chromium for the end-to-end tests (tests/e2e/). Needs root; .ci/run does it too.
browser:
	command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

demo: install
	$(BIN)/python -m relance.demo

test: install
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

lint: install
	$(BIN)/ruff check relance tests bench scripts
	$(BIN)/ruff format --check relance tests bench scripts

format: install
	$(BIN)/ruff format relance tests bench scripts
	$(BIN)/ruff check --fix relance tests bench scripts

typecheck: install
	$(BIN)/mypy relance

check: lint typecheck test

# Every built-in template rendered with the sample data: local SpamAssassin score below 1.0 (no network
# tests), plain-text part, text/HTML ratio, no URL shortener, alt text. JSON report in build/.
check-deliverability: install
	$(BIN)/python scripts/check_deliverability.py --json build/deliverability.json

# Precision and recall of the linter on the labelled corpus (tests/corpus/lint/), as JSON.
lint-corpus: install
	$(BIN)/python bench/lint_corpus.py

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

serve: install
	$(BIN)/relance serve

# The web application on the demo's database (run make demo first).
serve-demo: install
	DATABASE_URL=sqlite:///$(CURDIR)/data/demo/demo.sqlite3 $(BIN)/relance serve

# Refresh the translation catalog (relance/locale/fr) from the code and templates, and compile it.
# Needs GNU gettext (apt-get install gettext); the compiled .mo is committed, so running needs nothing.
messages: install
	cd relance && DJANGO_SETTINGS_MODULE=relance.settings ../$(BIN)/python -m django makemessages -l fr \
		--add-location file --ignore 'mail/builtin_templates/*' --ignore 'demo/*'
	cd relance && DJANGO_SETTINGS_MODULE=relance.settings ../$(BIN)/python -m django compilemessages -l fr

clean:
	rm -rf $(VENV) data build *.egg-info
