# bidgram: `make run` runs it, `make test` tests it. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run status migrate test test-postgres lint format lock bench clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

run: install  ## migrate the database and run the bot (needs BOT_TOKEN)
	$(BIN)/bidgram run

status: install  ## migrate the database and report what it holds
	$(BIN)/bidgram

migrate: install
	$(BIN)/bidgram migrate

test: install  ## the whole suite on SQLite, or on PostgreSQL when TEST_POSTGRES_URL is set
	$(BIN)/python -m pytest -q

test-postgres: install
	TEST_POSTGRES_URL=$${TEST_POSTGRES_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install  ## every benchmark, one table (BENCH_ARGS="--quick" for a short check); see docs/benchmarks.md
	$(BIN)/python -m bench $(BENCH_ARGS)

lock:  ## re-pin dependencies after changing pyproject.toml (needs `pip install uv`)
	uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
