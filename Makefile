# The two commands a fresh clone needs: `make run` (set up, build the seed archive, serve it) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# `make run PORT=8080`, or the archive's own variables (ARCHIVE_PORT=8080 make run)
DATA_DIR ?= $(or $(ARCHIVE_DATA_DIR),archive-data)
HOST ?= $(or $(ARCHIVE_HOST),127.0.0.1)
PORT ?= $(or $(ARCHIVE_PORT),5000)

SCALE_BASE ?= bench-data/scale-base

.PHONY: install run test lint browser ocr bench bench-scale bench-cluster bench-relevance load clean readme

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and pinned: here pip takes the local CPU wheel; anything else pulls a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,onnx,cluster]'
	$(MAKE) --no-print-directory browser
	$(MAKE) --no-print-directory ocr
	touch $(STAMP)

# Debian's chromium for the browser tests. Where it cannot be installed (not root, no apt) the browser tests
# are skipped with a printed reason; nothing is downloaded by Playwright itself.
browser:
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: $$(command -v chromium)"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "chromium could not be installed: browser tests will be skipped"; \
	else echo "chromium not installed (needs root and apt-get): browser tests will be skipped"; fi

# Debian's Tesseract for reading scanned PDF pages. Where it cannot be installed, such pages are reported and
# skipped at ingest, and the OCR test is skipped with a reason.
ocr:
	@if command -v tesseract >/dev/null 2>&1; then echo "tesseract: $$(command -v tesseract)"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng \
		>/dev/null) || echo "tesseract could not be installed: scanned PDF pages will be skipped"; \
	else echo "tesseract not installed (needs root and apt-get): scanned PDF pages will be skipped"; fi

run: install
	$(BIN)/archive --data-dir $(DATA_DIR) serve --host $(HOST) --port $(PORT) --seed seeds/

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# Speed and memory figures (not tests): BBC ingest, 100k chunks, latency, concurrent API load. ~10-15 min.
# Then the scale table (10k, 100k, 1M passages from perturbed copies of real vectors): see tests/bench/scale.py.
bench: install
	$(BIN)/python tests/bench/bench.py --bbc ../shared/data/bbc-news --scale 100000
	$(MAKE) --no-print-directory bench-scale

# The base of real passages and vectors (BBC + Reuters, encoded once with the default encoder: bfloat16 where the
# processor has it, 1.8x float32; about a quarter of an hour here), then the sets built from it. Writes docs/scale.json and docs/scale.png.
bench-scale: install
	test -f $(SCALE_BASE)/indexes/CURRENT || $(BIN)/archive --data-dir $(SCALE_BASE) \
		ingest ../shared/data/bbc-news ../shared/data/reuters21578
	$(BIN)/python tests/bench/scale.py --base $(SCALE_BASE) --sizes 10000,100000,1000000
	$(MAKE) --no-print-directory bench-cluster

# Encoding throughput locally and on a local Dask cluster of 1 and 2 workers (needs the scale base above).
bench-cluster: install
	$(BIN)/python tests/bench/cluster.py --base $(SCALE_BASE) --passages 1000

# Relevance and build time beside the plain reference (tests/bench/reference.py: tantivy BM25 + MiniLM + RRF),
# Cranfield and SciFact test, same model and machine. Our evaluation archives are kept under bench-data/ (a second
# run only searches); the first run ingests each set (SciFact about 5 minutes on 2 cores, the reference about 4).
bench-relevance: install
	$(BIN)/archive eval ../shared/data/cranfield --data-dir bench-data/eval-cranfield
	$(BIN)/python tests/bench/reference.py ../shared/data/cranfield
	$(BIN)/archive eval ../shared/data/scifact --data-dir bench-data/eval-scifact
	$(BIN)/python tests/bench/reference.py ../shared/data/scifact

# The bounded load test: seeds + the BBC archive (~10k chunks), 16 clients for 60 s; prints errors and p50/p99.
load: install
	$(BIN)/python tests/bench/bench.py --bbc ../shared/data/bbc-news --scale 0 --extra seeds --clients 16 --duration 60

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .ruff_cache

# Regenerate the README's settings table from archive/settings.py (a test fails when they differ).
readme: install
	$(BIN)/python -c "import re, pathlib; from archive.settings import settings_table; \
	p = pathlib.Path('README.md'); s = p.read_text(); \
	p.write_text(re.sub(r'(<!-- settings table:[^\n]*\n).*?(<!-- end of settings table -->)', \
	lambda m: m.group(1) + settings_table() + '\n' + m.group(2), s, flags=re.S))"
