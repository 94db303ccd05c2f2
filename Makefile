# bidgram: `make sandbox` tries it, `make run` runs it, `make test` tests it. All set up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
NGINX ?= /usr/sbin/nginx
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install sandbox run status migrate test test-postgres browser nginx fonts lint format lock bench clean messages

install: $(STAMP)

# The venv keeps the pip its Python ships (it installs the hashed lock): upgrading pip would
# fetch whatever version is newest, the one unpinned install.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

sandbox: install fonts  ## try bidgram in a browser: no token, no network (ARGS="--demo --port 8081")
	$(BIN)/bidgram sandbox $(ARGS)

run: install  ## migrate the database and run the bot (needs BOT_TOKEN)
	$(BIN)/bidgram run

status: install  ## migrate the database and report what it holds
	$(BIN)/bidgram

migrate: install
	$(BIN)/bidgram migrate

test: install browser nginx  ## the whole suite on SQLite, or on PostgreSQL when TEST_POSTGRES_URL is set
	$(BIN)/python -m pytest -q

# Debian packages some tests run: installed when missing and possible (root with apt-get);
# otherwise those tests fail and say how to get it. $(1) the package, $(2) a shell test
# that it is there, $(3) the tests that need it, $(4) the variable naming another binary.
define for_tests
	@if $(2); then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing $(1) for $(3) (apt-get install $(1))"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; } \
		|| echo "Could not install $(1); $(3) will fail until it is installed."; \
	else \
		echo "$(1) is missing: run 'sudo apt-get install $(1)' (or set $(4)=/path)."; \
	fi
endef

# The browser tests drive Debian's Chromium (Playwright's own download does not work here).
# The page's emoji need a font too (see fonts).
browser: fonts
	$(call for_tests,chromium,[ -x "$(CHROMIUM)" ] || command -v chromium >/dev/null 2>&1,the browser tests,CHROMIUM)

# The front-door test (tests/deploy) runs deploy/nginx in Debian's nginx, as the test user.
nginx:
	$(call for_tests,nginx,[ -x "$(NGINX)" ] || command -v nginx >/dev/null 2>&1,the front-door test,NGINX)

# The bot's texts are full of emoji; a machine without an emoji font (Debian's Chromium on a
# bare system) draws every one, the page's 📎 too, as a box. Install Noto Color Emoji (SIL
# Open Font License) when no emoji font is there and it can (root with apt-get); otherwise
# say how. Nothing to do where fontconfig is absent (macOS, Windows bring their own). Not
# for_tests: a missing font fails no test by itself, and there is no binary to point at.
fonts:
	@if ! command -v fc-list >/dev/null 2>&1 || fc-list 2>/dev/null | grep -qi emoji; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing an emoji font for the page (apt-get install fonts-noto-color-emoji)"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji >/dev/null \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji >/dev/null; } \
		|| echo "Could not install fonts-noto-color-emoji; emoji will show as boxes."; \
	else \
		echo "No emoji font: emoji show as boxes. Install one: sudo apt-get install fonts-noto-color-emoji"; \
	fi

test-postgres: install browser nginx
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

# Translations (bot/i18n.py): extract every marked text into the template and merge it into
# each language's catalogue; translators then fill in bot/locales/<language>/LC_MESSAGES/.
# A new language: $(BIN)/pybabel init -i bot/locales/bidgram.pot -d bot/locales -D bidgram -l xx
messages: install  ## refresh the translation catalogues after changing texts
	$(BIN)/pybabel extract --no-default-keywords \
		-k _:1,1t -k _:1,2t -k _:1,2,3t -k _:1,2,4t -k __:1,1t -k __:1,2t -k __:1,2,3t -k __:1,2,4t -k phrase:1 -k counted:1,2 \
		--no-wrap --sort-by-file --project bidgram --copyright-holder bidgram \
		-o bot/locales/bidgram.pot bot
	$(BIN)/pybabel update --no-wrap -i bot/locales/bidgram.pot -d bot/locales -D bidgram

lock:  ## re-pin dependencies after changing pyproject.toml (needs `pip install uv`)
	uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis test-artifacts
