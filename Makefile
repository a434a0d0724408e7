# Two commands on a fresh machine: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format bench migrate install clean

# Reinstall whenever pyproject.toml changes; the stamp keeps repeat runs fast.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev,bench]'
	touch $(STAMP)

install: $(STAMP)

## run: start the bot (no TELEGRAM_BOT_TOKEN: the local sandbox chat). `repaybot run` migrates
## the database it uses first (the sandbox's own ./data/sandbox.sqlite3 by default).
run: $(STAMP)
	$(BIN)/repaybot run

## test: the whole suite (storage tests also on PostgreSQL when TEST_DATABASE_URL is set).
test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

## lint: ruff (check + format) everywhere, mypy --strict on tracker/, bot/ and jobs/.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict tracker bot jobs

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(STAMP)
	$(BIN)/repaybot migrate

## bench: speed measurements (never asserted in tests).
bench: $(STAMP)
	$(BIN)/python -m pytest bench -q -p no:cacheprovider --benchmark-only $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
