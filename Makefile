# Two commands matter: `make run` (set up, then run the whole pipeline on the sample sources)
# and `make test` (set up, lint, run every test). Both start with `make setup`.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp
UV_VERSION := 0.13.8
PYTEST_ARGS ?=

.PHONY: help setup run test lint unit e2e docs benchmark lock clean clean-warehouse browser system-deps

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv with the pinned dependencies and the `talent` command

# uv installs the lock in seconds; --only-binary guards against source builds that would reach
# for the network; bytecode is compiled because this machine sets PYTHONDONTWRITEBYTECODE and
# uncompiled Airflow starts twice as slowly.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 needed, found {sys.version.split()[0]}"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode --only-binary :all: -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode --no-deps -e .
	touch $(STAMP)

run: setup browser ## run the whole pipeline on the bundled sample sources (real Airflow, dbt, checks, report + PDF)
	$(BIN)/talent run

test: setup lint system-deps ## lint, install the system tools the tests use if missing, then run every test
	$(BIN)/pytest $(PYTEST_ARGS)

unit: setup ## the fast tests only (no end-to-end pipeline run)
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

e2e: setup ## the end-to-end tests only
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

lint: setup ## ruff (Python, with Airflow's AIR rules on the DAGs) and sqlfluff (dbt SQL)
	$(BIN)/ruff check .
	$(BIN)/ruff check --select AIR dags
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros --disable-progress-bar

# The report render test (tests/test_report_render.py) needs a browser with CJK fonts; the dashboard
# test (tests/test_dashboard.py) drives it through Debian's chromedriver (same version as chromium).
# Installing packages needs root; anyone else is told the command instead of having the build fail here.
browser: ## install headless Chromium, chromedriver and CJK fonts for the browser tests (root, Debian)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && fc-list :lang=zh 2>/dev/null | grep -q .; then \
		echo "chromium, chromedriver and a CJK font are installed: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk; \
	else echo "chromium is missing; as root run: apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk"; fi

# tests/test_deployment.py validates docker-compose.yml with Debian's `docker-compose` (no Docker
# engine needed) and skips that check without it, so a failed or impossible install is no error.
system-deps: browser ## also install docker-compose for the compose file check (root, Debian)
	@if ! command -v docker-compose >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			docker-compose; } >/dev/null 2>&1 || true; \
	fi

# dbt reads its catalog from the warehouse, so run this after `make run` (it says so if not built).
# The Great Expectations Data Docs need no target: every validation rebuilds warehouse/quality/.
docs: setup ## dbt's static docs of the built warehouse -> warehouse/docs/dbt/index.html
	$(BIN)/talent docs

BENCH_POSTINGS ?= 100000
benchmark: setup ## speed and memory of every stage at 100k postings (talent bench; not part of the tests)
	$(BIN)/talent bench --postings $(BENCH_POSTINGS)

lock: setup ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra deploy --python-version 3.11 --no-header -o requirements.lock

clean-warehouse: ## delete generated data (warehouse/*, Airflow metadata), keep the venv
	find warehouse -mindepth 1 ! -name README.md -prune -exec rm -rf {} +
	rm -rf .airflow

clean: clean-warehouse ## also delete the virtual environment
	rm -rf $(VENV)
