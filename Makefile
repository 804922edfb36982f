# zwt: two commands from a fresh clone
#   make report   synthetic data -> clean -> indicators -> HTML reports (reports/index.html)
#   make test     the whole test suite
# Both create and use the virtual environment .venv inside the repository.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEV    := $(VENV)/.installed-dev-stamp
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check
# pip output without setuptools' note on editable installs and unreadable local mirrors
QUIET  := sed -e '/BuildBackendWarning: Editable installation/,/with strategy, WheelFile/d' -e '/^WARNING: Location/d'

# Main job on synthetic data (override on the command line for real exports).
SEED      ?= 2026
SCALE     ?= 1.0
RAW       ?= data/raw/synthetic
PROCESSED ?= data/processed/current
REPORTS   ?= reports
JOBS      ?=
# Synthetic data is pseudonymised with a fixed, public demo key so that runs are
# reproducible. Real exports need a secret key: see README ("Real exports").
SYNTH_KEY ?= zwt-synthetic-demo-key-not-secret

.PHONY: install report report-real synth test test-fast bench lint notebooks lab clean-outputs validate

install: $(STAMP)

# What the reports need: the package, its dependencies and the Jupyter kernel `zwt`.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing zwt and what the reports need into $(VENV) (first time: ~1-2 min) ..."
	@$(PIP) install --upgrade pip 2>&1 | $(QUIET)
	@$(PIP) install -e . 2>&1 | $(QUIET)
	@$(BIN)/python -c "import zwt_analysis" || { echo "install failed"; exit 1; }
	@$(BIN)/python -m ipykernel install --sys-prefix --name zwt --display-name "Python (zwt)" >/dev/null
	@touch $(STAMP)

# Development tools on top (tests, lint, JupyterLab): only `make test`, `make lab`, `make lint`.
$(DEV): $(STAMP)
	@echo "Installing the development tools (pytest, hypothesis, ruff, JupyterLab) ..."
	@$(PIP) install -e ".[dev]" 2>&1 | $(QUIET)
	@$(BIN)/python -c "import pytest, hypothesis, xdist" || { echo "install failed"; exit 1; }
	@touch $(DEV)

synth: $(STAMP)
	$(BIN)/zwt synth --out $(RAW) --seed $(SEED) --scale $(SCALE)

report: synth
	ZWT_PSEUDONYM_KEY=$(SYNTH_KEY) $(BIN)/zwt clean --raw $(RAW) --out $(PROCESSED)
	$(BIN)/zwt indicators --processed $(PROCESSED) --out $(PROCESSED)/indicators.csv
	$(BIN)/zwt report --processed $(PROCESSED) --out $(REPORTS) $(if $(JOBS),--jobs $(JOBS),)
	@echo "Open $(REPORTS)/index.html"

# Real exports in data/raw/: the key comes from ZWT_PSEUDONYM_KEY or KEY_FILE.
report-real: $(STAMP)
	$(BIN)/zwt clean --raw data/raw --out $(PROCESSED) $(if $(KEY_FILE),--key-file $(KEY_FILE),) $(if $(COLUMN_MAP),--column-map $(COLUMN_MAP),)
	$(BIN)/zwt indicators --processed $(PROCESSED) --out $(PROCESSED)/indicators.csv
	$(BIN)/zwt report --processed $(PROCESSED) --out $(REPORTS) $(if $(JOBS),--jobs $(JOBS),)
	@echo "Open $(REPORTS)/index.html"

test: $(DEV)
	@scripts/ensure_chromium.sh >/dev/null
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-fast: $(DEV)
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

bench: $(DEV)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python benchmarks/bench_scenarios.py

lint: $(DEV)
	$(BIN)/ruff check .

lab: $(DEV)
	$(BIN)/jupyter lab --notebook-dir=notebooks

# Statistical methods under known truths (issue 15): prints the tables of
# docs/validation.md. Not part of `make test`; about 13 minutes on 2 cores.
validate: $(STAMP)
	$(BIN)/python -m zwt_analysis.validate
