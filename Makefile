# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# One stamp per extra, so each target installs only what it needs, and only once:
# running needs the package alone; the tests, the linters and the installer build add
# their own tools. `.installed` (the developer's everything) is the dev extra.
VENV_OK := $(VENV)/.created
RUN     := $(VENV)/.installed-run
TESTS   := $(VENV)/.installed-test
STAMP   := $(VENV)/.installed
DIST    := $(VENV)/.installed-dist
VERSION  = $(shell sed -n 's/^__version__ = "\(.*\)"$$/\1/p' desk_app/__init__.py)
TARBALL  = dist/desk-app-$(VERSION)-linux-x86_64.tar.gz

.PHONY: run demo test lint dist smoke-dist ci-setup screenshots bench clean

$(VENV_OK):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(RUN): pyproject.toml | $(VENV_OK)
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TESTS): pyproject.toml | $(VENV_OK)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

$(STAMP): pyproject.toml | $(VENV_OK)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

$(DIST): pyproject.toml | $(VENV_OK)
	$(BIN)/python -m pip install --quiet -e ".[dist]"
	touch $@

# CI: every extra in one pip run, after which each stamp counts as made.
ci-setup: | $(VENV_OK)
	$(BIN)/python -m pip install --quiet -e ".[dev,dist]"
	touch $(RUN) $(TESTS) $(STAMP) $(DIST)

run: $(RUN)
	$(BIN)/desk-app

demo: $(RUN)
	$(BIN)/desk-app --demo

# One worker per core: every test has its own database file or PostgreSQL schema.
test: $(TESTS)
	$(BIN)/python -m pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy desk_app
	$(BIN)/lint-imports

# The demo book in a scratch folder, named as the status bar in the pictures shows it.
screenshots: $(RUN)
	@tmp=$$(mktemp -d) && db=sqlite:///$$tmp/desk-demo.db && \
	QT_QPA_PLATFORM=offscreen $(BIN)/desk-app --db $$db demo-data --seed 7 && \
	shot="env QT_QPA_PLATFORM=offscreen DESK_PASSWORD=try-the-demo $(BIN)/desk-app --db $$db --user sgoldberg screenshot" && \
	$$shot --out docs/screenshots && $$shot --out docs/guide/images --size 1366x768; \
	status=$$?; rm -rf "$$tmp"; exit $$status

bench: $(TESTS)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/audit_records.py
	$(BIN)/python bench/blotter.py $(if $(DESK_BENCH_PG_URL),--pg $(DESK_BENCH_PG_URL))
	$(BIN)/python bench/import_trades.py 100000 $(if $(DESK_BENCH_PG_URL),--pg $(DESK_BENCH_PG_URL))
	$(BIN)/python bench/settlements.py 100000 $(if $(DESK_BENCH_PG_URL),--pg $(DESK_BENCH_PG_URL))
	$(BIN)/python bench/manifest.py 1000 10000 --runs 2
	$(BIN)/python bench/calendars.py 100000
	$(BIN)/python bench/search.py $(if $(DESK_BENCH_PG_URL),--pg $(DESK_BENCH_PG_URL))

# The one-folder bundle dist/desk-app/ (PyInstaller), and the tarball that carries it
# with the desktop entry, its icon and the install note.
dist: $(DIST)
	rm -rf dist/desk-app $(TARBALL)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller installer/desk-app.spec
	cp installer/desk-app.desktop installer/INSTALL-LINUX.txt dist/desk-app/
	cp resources/icons/desk.svg dist/desk-app/desk-app.svg
	tar -C dist -czf $(TARBALL) desk-app
	@du -sh dist/desk-app $(TARBALL)

# The bundle run from a scratch folder outside the checkout, in a clean environment.
smoke-dist:
	installer/smoke-test.sh $(TARBALL)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
