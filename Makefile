# jingwu workflow.  Every target sets up .venv (or uses the active environment)
# through run.py, which needs only python3.
PYTHON ?= python3
# Language of figures, tables and headings in reports/: zh, en or both.
REPORT_LANG ?= both

.PHONY: help reproduce quick test test-fast test-all data bench setup clean

help:  ## show this help
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup:  ## create .venv and install the pinned environment
	$(PYTHON) run.py setup

reproduce:  ## run every notebook on the bundled data, writing reports/ (REPORT_LANG=zh|en|both)
	$(PYTHON) run.py reproduce --lang $(REPORT_LANG)

quick:  ## the same in quick mode (small samples, about a minute per notebook)
	$(PYTHON) run.py reproduce --quick --lang $(REPORT_LANG)

test:  ## run the test suite (fast; slow checks excluded)
	$(PYTHON) run.py test

test-fast:  ## the test suite without executing notebooks (a few minutes)
	$(PYTHON) run.py test -m "not slow and not notebook"

test-all:  ## run every test, including the slow Monte Carlo checks
	$(PYTHON) run.py test -m "slow or not slow"

data:  ## regenerate the bundled M-city files from the default seed
	$(PYTHON) run.py simulate --out data/m_city

bench:  ## run the benchmarks, writing benchmarks/results/*.json
	$(PYTHON) run.py bench

clean:  ## remove generated reports
	rm -rf reports
