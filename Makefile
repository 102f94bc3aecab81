# Every command the team runs. `make help` lists them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED ?= false

.DEFAULT_GOAL := help
.PHONY: help install run serve train shell lint fmt types validate knowledge-report test test-unit test-integration test-e2e browser-deps test-browser bench bench-faq bench-dialogue prod-deps run-prod test-prod bench-prod clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv/ (Python 3.10) and install everything

$(STAMP): pyproject.toml constraints.txt scripts/bootstrap.sh
	@scripts/bootstrap.sh
	@touch $@

run: install ## train if needed, then start the assistant (Ctrl-C stops it)
	@$(PY) -m bot.cli run

serve: install ## start the assistant with the already trained model
	@$(PY) -m bot.cli serve

train: install ## train the model into models/ if data or config changed
	@$(PY) -m bot.cli train

shell: train ## talk to the assistant in this terminal (starts the action server too)
	@mkdir -p var
	@$(RASA) run actions --port $${BOT_ACTIONS_PORT:-5055} --actions actions > /dev/null 2>&1 & \
	  trap "kill $$! 2>/dev/null" EXIT; \
	  $(RASA) shell --model models/crossborder.tar.gz --endpoints endpoints.yml

fmt: install ## format the code
	@$(VENV)/bin/ruff format bot actions tests benchmarks
	@$(VENV)/bin/ruff check --fix bot actions tests benchmarks

lint: install ## ruff on the code
	@$(VENV)/bin/ruff check bot actions tests benchmarks

types: install ## mypy on bot/: strict on the business core ([tool.mypy] in pyproject.toml)
	@$(VENV)/bin/mypy

knowledge-report: install ## knowledge files due for review, with their sources (ALL=1: every topic)
	@$(PY) -m bot.knowledge.review $(if $(ALL),--all)

validate: install ## rasa data validate on domain and data
	@$(RASA) data validate --domain domain --data data --config config.yml

test-unit: install ## content, parity and unit tests (no model, no server)
	@$(PY) -m pytest -q tests/content tests/unit

test-integration: install ## real SQLite and PostgreSQL, real local HTTP servers
	@$(PY) -m pytest -q tests/integration

test-e2e: train ## start the real servers and hold the conversations of tests/e2e
	@$(PY) -m pytest -q tests/e2e

browser-deps: ## install Debian's Chromium for the browser tests, when it is missing
	@command -v /usr/bin/chromium >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test-browser: train browser-deps ## the website and its chat in headless Chromium (Playwright)
	@$(PY) -m pytest -q -s tests/browser

# Training keeps one core busy for minutes and the unit and integration tests need no model:
# they run beside it (its output in var/log/train.log, shown when it fails).
test: install ## everything CI runs: pip check, lint, types, validate, unit, integration, end-to-end, browser, production
	@$(PY) -m pip check
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory types
	@mkdir -p var/log; \
	  echo "[test] training the model if needed, beside the unit and integration tests (var/log/train.log)"; \
	  $(MAKE) --no-print-directory train > var/log/train.log 2>&1 & training=$$!; \
	  $(MAKE) --no-print-directory validate && $(MAKE) --no-print-directory test-unit \
	    && $(MAKE) --no-print-directory test-integration; tests=$$?; \
	  wait $$training; trained=$$?; \
	  if [ $$trained -ne 0 ]; then tail -n 40 var/log/train.log; echo "[test] training failed"; exit $$trained; fi; \
	  grep -h "^\[assistant\]" var/log/train.log | tail -n 1; exit $$tests
	@$(MAKE) --no-print-directory test-e2e
	@$(MAKE) --no-print-directory test-browser
	@$(MAKE) --no-print-directory test-prod

bench: train ## NLU, REST latency next to rasa init, search, bookings, console list and live updates: docs/benchmarks.md
	@$(PY) -m benchmarks.run

bench-faq: train ## only the cross-border conversations of benchmarks/faq_conversations: turn pass rate per language
	@$(PY) -m benchmarks.faq_dialogues

bench-dialogue: train ## only the dialogue panel of benchmarks/dialogue_panel, through the whole assistant
	@$(PY) -m benchmarks.dialogue_panel

prod-deps: ## install Debian's HAProxy for production mode, when it is missing
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy; }

# Production mode reads its settings from the environment, then from .env for what the
# environment does not set (copy .env.example): DATABASE_URL (PostgreSQL), BOT_REDIS_URL...
run-prod: train prod-deps ## production mode: N Rasa processes behind HAProxy, PostgreSQL, Redis, RabbitMQ
	@$(PY) -m bot.production

test-prod: train prod-deps ## production mode under faults: kill a process, restart PostgreSQL, Redis, RabbitMQ
	@$(PY) -m pytest -q -p no:cacheprovider tests/production

bench-prod: train prod-deps ## 200 conversations through HAProxy on 1, 2 and 4 Rasa processes; docs/benchmarks-prod.md
	@$(PY) -m benchmarks.prod

clean: ## remove trained models and runtime files
	rm -rf models var
