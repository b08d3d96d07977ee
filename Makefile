# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test soak bench lint clean receipt-preview

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,samples]'
	touch $(STAMP)

# Both processes of the Procfile, stopped together by Ctrl-C.
run: $(STAMP)
	$(BIN)/python -m store init
	trap 'kill 0' INT TERM EXIT; $(BIN)/python -m bot & $(BIN)/python -m intake

# The test files are spread over the cores (each file's tests stay together, so a fixture
# shared by a module is built once).
test: $(STAMP)
	$(BIN)/ruff check intake store bot tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not soak" -n auto --dist loadfile

soak: $(STAMP)
	$(BIN)/python -m pytest -m soak

# Throughput against a bare aiosmtpd server, reading times, bot latency, memory: bench/README.md
bench: $(STAMP)
	$(BIN)/python -m bench

# A receipt's HTML as an officer sees it, by headless Chromium: data/receipt/receipt.png
receipt-preview: $(STAMP)
	$(BIN)/python -m bench.receipt_png

lint: $(STAMP)
	$(BIN)/ruff check intake store bot tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data
