# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint screenshots bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/desk-app

demo: $(STAMP)
	$(BIN)/desk-app --demo

# One worker per core: every test has its own database file or PostgreSQL schema.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy desk_app
	$(BIN)/lint-imports

# The demo book in a scratch folder, named as the status bar in the pictures shows it.
screenshots: $(STAMP)
	@tmp=$$(mktemp -d) && db=sqlite:///$$tmp/desk-demo.db && \
	QT_QPA_PLATFORM=offscreen $(BIN)/desk-app --db $$db demo-data --seed 7 && \
	shot="env QT_QPA_PLATFORM=offscreen DESK_PASSWORD=try-the-demo $(BIN)/desk-app --db $$db --user sgoldberg screenshot" && \
	$$shot --out docs/screenshots && $$shot --out docs/guide/images --size 1366x768; \
	status=$$?; rm -rf "$$tmp"; exit $$status

bench: $(STAMP)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/audit_records.py
	$(BIN)/python bench/blotter.py $(if $(DESK_BENCH_PG_URL),--pg $(DESK_BENCH_PG_URL))
	$(BIN)/python bench/import_trades.py 100000 $(if $(DESK_BENCH_PG_URL),--pg $(DESK_BENCH_PG_URL))
	$(BIN)/python bench/settlements.py 100000 $(if $(DESK_BENCH_PG_URL),--pg $(DESK_BENCH_PG_URL))
	$(BIN)/python bench/manifest.py 1000 10000 --runs 2
	$(BIN)/python bench/calendars.py 100000
	$(BIN)/python bench/search.py $(if $(DESK_BENCH_PG_URL),--pg $(DESK_BENCH_PG_URL))

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
