# Two commands matter: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench eval clean docs-images

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot run

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m bot kb check
	$(PY) -m pytest -q

check: $(STAMP)
	$(PY) -m bot kb check

eval: $(STAMP)
	$(PY) -m bot eval

bench: $(STAMP)
	$(PY) -m bot bench
	$(PY) -m bot bench --discord --runs 5

# The two pictures embedded in README.md, drawn from the knowledge base by the render command.
docs-images: $(STAMP)
	$(PY) -m bot render ladder ladder-uflpa-detention --out docs/ladder-uflpa-detention.png
	$(PY) -m bot render chart uflpa-entity-list-total --out docs/chart-uflpa-entity-list-total.png

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
