# Data platform: `make help` lists the targets. Everything runs through uv from uv.lock.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export PATH := $(HOME)/.local/bin:$(PATH)
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN := $(UV) run --frozen
DM := $(RUN) data-manager
# Compose v2 (`docker compose`) when present, else v1 (`docker-compose`, Debian bookworm's only one).
COMPOSE ?= $(shell if docker compose version >/dev/null 2>&1; then echo "docker compose"; \
	elif command -v docker-compose >/dev/null 2>&1; then echo docker-compose; fi)
ENV_FILE ?= .env
# RUN_LAUNCHER=docker (here or in $(ENV_FILE)): each run in its own container; adds the override file.
RUN_LAUNCHER ?= $(shell sed -n 's/^RUN_LAUNCHER=//p' $(ENV_FILE) 2>/dev/null | tail -n 1)
COMPOSE_FILES = -f docker-compose.yaml $(if $(filter docker,$(RUN_LAUNCHER)),-f docker-compose.run-launcher-docker.yaml)
DC = $(COMPOSE) --env-file $(ENV_FILE) $(COMPOSE_FILES)

NAME ?=
PORT ?=
TEMPLATE ?= empty
PURGE ?=
YES ?=
ROWS ?= 1000000
JOB ?=
LOCATION ?=

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "; printf "Usage: make <target> [VAR=value]\n\n"} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-22s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# --compile-bytecode: otherwise, with PYTHONDONTWRITEBYTECODE set, every process compiles dagster again (+1 s each).
.PHONY: install
install: ## Create .venv from uv.lock, bytecode compiled (installs uv with pip when it is missing)
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv \
		|| { echo "error: could not install uv; install it (pip install uv) and retry" >&2; exit 2; }
	@$(UV) sync --frozen --compile-bytecode

.PHONY: dev
dev: install ## Run the whole platform locally (no Docker): UI at http://127.0.0.1:3000
	$(DM) dev

.PHONY: compose-check
compose-check:
	@test -n "$(COMPOSE)" || { echo "error: neither 'docker compose' (v2) nor 'docker-compose' (v1) is installed" >&2; exit 2; }
	@test -f $(ENV_FILE) || { echo "error: $(ENV_FILE) is missing: cp .env.example .env and set the passwords" >&2; exit 2; }
	@! grep -q '=change-me' $(ENV_FILE) || { echo "error: $(ENV_FILE) still has change-me values: set real passwords" >&2; exit 2; }
	@echo "compose: $(COMPOSE) ($$($(COMPOSE) version --short 2>/dev/null)), run launcher: $(or $(RUN_LAUNCHER),default)"

.PHONY: up
up: compose-check ## Build the images and start the platform with Docker Compose [RUN_LAUNCHER=docker]
	$(DC) up -d --build --remove-orphans

.PHONY: down
down: compose-check ## Stop the Docker Compose platform (data volumes stay; `$(COMPOSE) down -v` drops them)
	$(DC) down

.PHONY: health
health: compose-check ## Compose: every service's state, then whether every location is LOADED in the webserver
	$(DC) ps
	$(DC) exec -T data-manager data-manager health --workspace

.PHONY: logs
logs: ## Follow the Docker Compose logs (or .data/logs in local mode)
	@if [ -n "$(COMPOSE)" ] && [ -f $(ENV_FILE) ] && $(DC) ps -q 2>/dev/null | grep -q .; then $(DC) logs -f; \
	else tail -F .data/logs/*.log; fi

.PHONY: test-compose
test-compose: install ## End-to-end test of the Compose stack on a real Docker engine (builds, runs, tears down)
	@test -n "$(COMPOSE)" || { echo "error: neither 'docker compose' (v2) nor 'docker-compose' (v1) is installed" >&2; exit 2; }
	COMPOSE="$(COMPOSE)" $(RUN) python scripts/test_compose.py

.PHONY: test
test: install ## Run the whole test suite (unit and end-to-end)
	$(DM) dbt prepare
	$(RUN) pytest

.PHONY: test-unit
test-unit: install ## Run only the fast tests
	$(DM) dbt prepare
	$(RUN) pytest -m "not e2e"

.PHONY: lint
lint: install ## ruff check and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

.PHONY: format
format: install ## Apply ruff fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

.PHONY: validate
validate: install ## Validate every code location (or NAME=x)
	$(DM) validate $(NAME)

.PHONY: reload
reload: install ## Reload one code location in the running platform (make dev, or make up): NAME=x
	@if [ -n "$(COMPOSE)" ] && [ -f $(ENV_FILE) ] && $(DC) ps -q data-manager 2>/dev/null | grep -q .; then \
		$(DC) exec -T data-manager data-manager reload $(NAME); else $(DM) reload $(NAME); fi

.PHONY: add-code-location
add-code-location: install ## Scaffold and register a location: NAME=x [PORT=] [TEMPLATE=empty|airbyte|sql|dbt]
	$(DM) locations add "$(NAME)" $(if $(PORT),--port $(PORT)) --template $(TEMPLATE)

.PHONY: remove-code-location
remove-code-location: install ## Remove a location: NAME=x [PURGE=1] [YES=1]
	$(DM) locations remove "$(NAME)" $(if $(PURGE),--purge) $(if $(YES),--yes)

.PHONY: workspace
workspace: install ## Regenerate platform/workspace.yaml and .env.example
	$(DM) locations render

.PHONY: run
run: install ## Launch a job on the local platform with daglab: JOB=x [LOCATION=y]
	$(RUN) daglab run --job "$(JOB)" $(if $(LOCATION),--location $(LOCATION)) --url http://127.0.0.1:$${DAGSTER_WEBSERVER_PORT:-3000}

.PHONY: bench-platform
bench-platform: install ## Cold start, memory, run latency for 1/5/10 locations, each deployment's default mode [MODE=]
	$(RUN) python scripts/bench_platform.py $(if $(MODE),--mode $(MODE))

.PHONY: bench-code-server
bench-code-server: install ## Benchmark one code server's load time and RSS (samples, both CODE_SERVER_MODEs)
	$(DM) dbt prepare
	$(RUN) python scripts/bench_code_server.py

.PHONY: bench-sync
bench-sync: install ## Benchmark MariaDB -> Postgres sync: [ROWS=1000000]
	$(RUN) python scripts/bench_sync.py --rows $(ROWS)

.PHONY: bench-dbt
bench-dbt: install ## Benchmark dbt location load time and manifest preparation
	$(RUN) python scripts/bench_dbt.py

.PHONY: clean
clean: ## Remove local state (.data/) and caches
	rm -rf .data .pytest_cache .ruff_cache dbt_models/target
