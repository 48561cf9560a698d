# The README's two set-up commands are `make demo` and `make test`; both work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test check lint typecheck bench clean lock

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[emulator,dev]'
	touch $(STAMP)

install: $(STAMP)

# The demo: which template is best (reports/demo), then a candidate with one degraded template
# gated on that baseline (reports/demo-candidate/compare.html). The gate's exit code is printed;
# a failing gate is the point of the demo, so it does not fail `make demo`.
demo: $(STAMP)
	$(BIN)/scribe-eval run experiments/demo.yaml
	$(BIN)/scribe-eval runs bless latest --name demo-baseline --force --reason "make demo"
	$(BIN)/scribe-eval report demo-baseline -o reports/demo
	$(BIN)/scribe-eval run experiments/demo-candidate.yaml
	@$(BIN)/scribe-eval compare --baseline demo-baseline latest --markdown > reports/demo-gate.md; \
	  code=$$?; sed -n '1s/^### //p' reports/demo-gate.md; \
	  echo "Gate on the candidate (reports/demo-gate.md): exit code $$code (0 pass, 2 gate failed, 3 inconclusive)"
	$(BIN)/scribe-eval report latest -o reports/demo-candidate --compare demo-baseline
	@echo "Report: $(CURDIR)/reports/demo/index.html"
	@echo "Gate:   $(CURDIR)/reports/demo-candidate/compare.html"

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# Re-pin constraints.txt: the newest versions pyproject.toml allows, resolved in a throw-away venv.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[emulator,dev]'
	{ sed -n '/^#/p' constraints.txt; .lock-venv/bin/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
