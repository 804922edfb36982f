# zwt: two commands from a fresh clone
#   make report   synthetic data -> clean -> indicators -> HTML reports (reports/index.html)
#   make test     the whole test suite
# Both create and use the virtual environment .venv inside the repository.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

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

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name zwt --display-name "Python (zwt)" >/dev/null
	touch $(STAMP)

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

test: $(STAMP)
	@scripts/ensure_chromium.sh >/dev/null
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python benchmarks/bench_scenarios.py

lint: $(STAMP)
	$(BIN)/ruff check .

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

# Statistical methods under known truths (issue 15): prints the tables of
# docs/validation.md. Not part of `make test`; about 6 minutes on 2 cores.
validate: $(STAMP)
	$(BIN)/python -m zwt_analysis.validate
