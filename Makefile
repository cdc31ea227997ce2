# Data platform: `make help` lists the targets. Everything runs through uv from uv.lock.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# `make scaffold PATH=x` names a component folder: keep it, and give recipes a working PATH back.
ifeq ($(origin PATH),command line)
INSTANCE_PATH := $(PATH)
override PATH := $(HOME)/.local/bin:/usr/local/bin:$(shell /usr/bin/getconf PATH 2>/dev/null || echo /usr/bin:/bin)
endif
export PATH := $(HOME)/.local/bin:$(PATH)
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN := $(UV) run --frozen
DM := $(RUN) data-manager
# make test spreads test modules over this many pytest-xdist workers (each module stays on one worker)
TEST_WORKERS ?= 2
# Compose v2 (`docker compose`) when present, else v1 (`docker-compose`, Debian bookworm's only one).
COMPOSE ?= $(shell if docker compose version >/dev/null 2>&1; then echo "docker compose"; \
	elif command -v docker-compose >/dev/null 2>&1; then echo docker-compose; fi)
ENV_FILE ?= .env
# RUN_LAUNCHER=docker (here or in $(ENV_FILE)): each run in its own container; adds the override file.
RUN_LAUNCHER ?= $(shell sed -n 's/^RUN_LAUNCHER=//p' $(ENV_FILE) 2>/dev/null | tail -n 1)
# EXECUTOR=celery (here or in $(ENV_FILE)): steps on `worker` containers; adds the broker and workers.
EXECUTOR ?= $(shell sed -n 's/^EXECUTOR=//p' $(ENV_FILE) 2>/dev/null | tail -n 1)
COMPOSE_FILES = -f docker-compose.yaml $(if $(filter docker,$(RUN_LAUNCHER)),-f docker-compose.run-launcher-docker.yaml) \
	$(if $(filter celery,$(EXECUTOR)),-f docker-compose.celery.yaml --profile celery)
DC = $(COMPOSE) --env-file $(ENV_FILE) $(COMPOSE_FILES)

NAME ?=
PORT ?=
HOST ?=
TEMPLATE ?= empty
PURGE ?=
YES ?=
ROWS ?= 1000000
JOB ?=
LOCATION ?=
ATTRIBUTES ?=

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "; printf "Usage: make <target> [VAR=value]\n\n"} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-22s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# --compile-bytecode: otherwise, with PYTHONDONTWRITEBYTECODE set, every process compiles dagster again (+1 s each).
.PHONY: install
install: ## Install missing system packages (apt, as root), then .venv from uv.lock, bytecode compiled
	@scripts/system_packages.sh
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv \
		|| { echo "error: could not install uv; install it (pip install uv) and retry" >&2; exit 2; }
	@$(UV) sync --frozen --compile-bytecode

.PHONY: dev
dev: install designer-build dbt-prepare ## Run the whole platform locally (no Docker): UI at http://127.0.0.1:3000
	$(DM) dev --no-dbt-prepare

.PHONY: compose-check
compose-check:
	@test -n "$(COMPOSE)" || { echo "error: neither 'docker compose' (v2) nor 'docker-compose' (v1) is installed" >&2; exit 2; }
	@test -f $(ENV_FILE) || { echo "error: $(ENV_FILE) is missing: cp .env.example .env and set the passwords" >&2; exit 2; }
	@! grep -q '=change-me' $(ENV_FILE) || { echo "error: $(ENV_FILE) still has change-me values: set real passwords" >&2; exit 2; }
	@echo "compose: $(COMPOSE) ($$($(COMPOSE) version --short 2>/dev/null)), run launcher: $(or $(RUN_LAUNCHER),default), executor: $(or $(EXECUTOR),multiprocess)"

.PHONY: api
api: install ## Serve the platform API alone (designer routes; OpenAPI at /api/openapi.json) [HOST=] [PORT=]
	$(DM) api $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

.PHONY: scaffold
scaffold: install dbt-prepare ## Add a component instance to a location: NAME=location TYPE=component.Type PATH=folder [ATTRIBUTES=json]
	@test -n "$(NAME)" -a -n "$(TYPE)" -a -n "$(INSTANCE_PATH)" || { echo "error: give NAME=, TYPE= and PATH=" >&2; exit 2; }
	$(DM) components scaffold "$(NAME)" "$(TYPE)" "$(INSTANCE_PATH)" $(if $(ATTRIBUTES),--attributes '$(ATTRIBUTES)')

.PHONY: preview
preview: install dbt-prepare ## List the assets a location defines (dg list defs): NAME=location
	@test -n "$(NAME)" || { echo "error: give NAME=" >&2; exit 2; }
	$(DM) components preview "$(NAME)"

.PHONY: up
up: compose-check designer-build ## Build the designer and the images, start the platform with Docker Compose [RUN_LAUNCHER=docker]
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
test-compose: install designer-build ## End-to-end test of the Compose stack on a real Docker engine (builds, runs, tears down)
	@test -n "$(COMPOSE)" || { echo "error: neither 'docker compose' (v2) nor 'docker-compose' (v1) is installed" >&2; exit 2; }
	COMPOSE="$(COMPOSE)" $(RUN) python scripts/test_compose.py

.PHONY: test
test: install designer-build dbt-prepare ## Run the whole test suite (unit and end-to-end)
	cd designer && npm run --silent test
	$(RUN) pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder --durations=20

.PHONY: test-unit
test-unit: install dbt-prepare ## Run only the fast tests
	$(RUN) pytest -m "not e2e"

.PHONY: lint
lint: install designer-deps ## ruff check and format check; eslint and tsc for the designer
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	cd designer && npm run --silent lint && npm run --silent typecheck

.PHONY: format
format: install ## Apply ruff fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

.PHONY: validate
validate: install dbt-prepare ## Validate every code location (or NAME=x)
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
bench-code-server: install dbt-prepare ## Benchmark one code server's load time and RSS (samples, both CODE_SERVER_MODEs)
	$(RUN) python scripts/bench_code_server.py

.PHONY: bench-sync
bench-sync: install ## Benchmark MariaDB -> Postgres sync: [ROWS=1000000]
	$(RUN) python scripts/bench_sync.py --rows $(ROWS)

.PHONY: bench-dbt
bench-dbt: install ## Benchmark dbt location load time and manifest preparation
	$(RUN) python scripts/bench_dbt.py

.PHONY: bench-api
bench-api: install dbt-prepare ## Benchmark the platform API: catalog, preview cold/warm, attribute update + validation
	$(RUN) python scripts/bench_api.py

.PHONY: bench-pipelines
bench-pipelines: install ## Benchmark universal pipelines: documents (recall, exactness, silent drops, PDF pages/s vs pdfplumber, 10,000 artifacts in one run, preview, upload RSS), extraction rates, upsert vs COPY [ROWS=1000000], API launch to STARTED (with make dev)
	$(RUN) python scripts/bench_pipelines.py --rows $(ROWS)

# The dbt manifest that code servers, validate and dg load, and the locations' own dbt projects. dbt's partial
# parsing (files and env_var() values) makes it about 2 s when nothing changed.
.PHONY: dbt-prepare
dbt-prepare: install ## Prepare the dbt manifest (data-manager dbt prepare)
	$(DM) dbt prepare

# The designer (designer/): a Vite app the platform API serves at /designer/. Rebuilt only when its sources change.
DESIGNER_SOURCES := $(shell find designer/src designer/index.html designer/vite.config.ts designer/tsconfig.json -type f 2>/dev/null)

designer/node_modules/.package-lock.json: designer/package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is missing: install Node.js 20+ (https://nodejs.org) and retry" >&2; exit 2; }
	cd designer && npm ci --no-audit --no-fund

designer/dist/index.html: designer/node_modules/.package-lock.json $(DESIGNER_SOURCES)
	cd designer && npm run --silent build

.PHONY: designer-deps
designer-deps: designer/node_modules/.package-lock.json ## Install the designer's npm packages from package-lock.json

.PHONY: designer-build
designer-build: designer/dist/index.html ## Build the designer web app (designer/dist, served at /designer/)

# The designer's types and run-time facts (src/generated/) come from the API's OpenAPI document; a test fails while
# they are stale. Run after changing an API model, and commit the result.
.PHONY: designer-api-types
designer-api-types: install designer-deps ## Regenerate designer/src/generated/ (API types, vocabularies, name patterns) from the API's OpenAPI document
	cd designer && UV="$(UV)" npm run --silent gen:api

.PHONY: designer-dev
designer-dev: designer-deps ## Designer with hot reload on :5173, proxying /api to a running `data-manager api`
	cd designer && npm run dev

.PHONY: bench-scale
bench-scale: install ## Benchmark Celery workers: 2 vs 1 worker, per-step overhead, worker death to rerun
	$(RUN) python scripts/bench_scale.py

MINUTES ?= 10
SOAK_MODE ?=
.PHONY: soak
soak: install dbt-prepare ## Mixed load + faults on its own make dev stack (SOAK_MODE=compose: a Compose project) for MINUTES (10); one JSON line, exit 1 if a check fails
	$(if $(filter compose,$(SOAK_MODE)),@test -n "$(COMPOSE)" || { echo "error: neither 'docker compose' (v2) nor 'docker-compose' (v1) is installed" >&2; exit 2; })
	COMPOSE="$(COMPOSE)" $(RUN) python scripts/soak.py --minutes $(MINUTES) $(if $(filter compose,$(SOAK_MODE)),--compose)

.PHONY: bench-designer
bench-designer: install designer-build dbt-prepare ## Benchmark the designer: bundle, canvas and form in headless Chromium; writes and reloads on a platform
	$(RUN) python scripts/bench_designer.py

.PHONY: clean
clean: ## Remove local state (.data/) and caches
	rm -rf .data .pytest_cache .ruff_cache dbt_models/target
