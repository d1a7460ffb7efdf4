# `make run` and `make test` each create .venv and install what they need on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint typecheck bench clean i18n-extract

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[embedded]'
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[embedded,dev]'
	touch $@ $(RUN_STAMP)

# The demo answers mail for support@/sales@/billing@demo.hub on 127.0.0.1:2525; replies go to a
# relay on 127.0.0.1:1025 (e.g. `python -m aiosmtpd -n -l 127.0.0.1:1025`), or fail visibly without one.
DEMO_MAILBOXES := [{"address":"support@demo.hub","department":"Support","smtp":{"host":"127.0.0.1","port":1025,"security":"none"}},{"address":"sales@demo.hub","department":"Sales","smtp":{"host":"127.0.0.1","port":1025,"security":"none"}},{"address":"billing@demo.hub","department":"Billing","smtp":{"host":"127.0.0.1","port":1025,"security":"none"}}]
run: export HUB_SMTP_LISTEN ?= 127.0.0.1:2525
run: export EMAIL_MAILBOXES ?= $(DEMO_MAILBOXES)

run: $(RUN_STAMP)
	$(BIN)/hub run --demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# Two workers by default: most of a test's time is spent waiting on sockets, so two processes (each with
# its own embedded database) finish in well under the time of one. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: $(DEV_STAMP) lint typecheck
	$(BIN)/python -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS))

# Every `_("...")` in templates/, N_("...") in inbox_ui/ and Sentence("...") in channels/ into messages.pot, then into each language's
# messages.po (new strings empty, changed ones fuzzy: tests/test_catalogues.py fails until they are
# translated). Nothing to compile: the hub reads the .po files when it starts (hub/http/languages.py).
LOCALE := inbox_ui/locale
i18n-extract: $(DEV_STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k Sentence --no-location --sort-output --project=hub -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --ignore-obsolete --width=120

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
