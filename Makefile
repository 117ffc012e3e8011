# hubfix.aws: `make demo` and `make test` do all set-up themselves (see README).
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.hubfix-installed

.PHONY: demo test venv lint sanity unit integration benchmark clean

# check-prereqs.sh first: make, a Python >= 3.11 with working venv + ensurepip, the package index (skipped once .venv
# is installed); it lists every problem with what to install. Well under a second once .venv exists.
$(STAMP): requirements-dev.txt requirements.txt scripts/venv.sh
	bash scripts/check-prereqs.sh
	bash scripts/venv.sh

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/python -m tests.demo

# Everything CI runs; ends with pytest's summary line.
test: $(STAMP)
	bash scripts/test.sh all

lint: $(STAMP)
	bash scripts/test.sh lint

sanity: $(STAMP)
	bash scripts/test.sh sanity

unit: $(STAMP)
	bash scripts/test.sh unit

integration: $(STAMP)
	bash scripts/test.sh integration

benchmark: $(STAMP)
	$(VENV)/bin/python benchmarks/audit.py

clean:
	rm -rf $(VENV) build tests/output hubfix-reports
