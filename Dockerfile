# Two images from one Dockerfile (build one with --target):
#   platform      dagster-webserver and dagster-daemon: Dagster and its Postgres/Docker integrations only
#   data-manager  the code servers (`data-manager serve`), runs, the platform API and the sample API: the whole project
# Both install what uv.lock pins, keep no package cache, run as a non-root user and have tini as PID 1
# (the only init: compose sets no `init: true`). Plain Dockerfile syntax: the legacy builder of
# docker-compose v1 builds it too.

# ---- shared base -------------------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS base
ENV PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DAGSTER_HOME=/opt/dagster/dagster_home
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 dagster

# uv in a throw-away stage: neither image carries it or its cache.
FROM base AS uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_NO_CACHE=1 UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir --root-user-action=ignore uv==0.13.9
WORKDIR /app
# The lock and the package manifests only (not README.md, the project's readme): docs edits rebuild nothing.
COPY pyproject.toml uv.lock ./
COPY daglab/pyproject.toml daglab/

# ---- platform: webserver and daemon ------------------------------------------------------------------------------
# Only the Dagster packages they import, at the versions uv.lock pins (the lock is the constraint file).
FROM uv AS platform-venv
RUN uv export --frozen --no-dev --no-hashes --no-emit-project --no-emit-workspace --output-file /tmp/locked.txt \
    && uv venv /opt/venv \
    && uv pip install --python /opt/venv/bin/python --constraint /tmp/locked.txt \
        dagster dagster-webserver dagster-graphql dagster-postgres dagster-docker

FROM base AS platform
COPY --from=platform-venv /opt/venv /opt/venv
WORKDIR /app
COPY platform platform
COPY scripts/render_instance.py scripts/
# The instance: platform/dagster.yaml, or with RUN_LAUNCHER=docker (docker-compose.run-launcher-docker.yaml
# points DAGSTER_HOME there) the same file with run_launcher from platform/run-launcher-docker.yaml.
RUN python scripts/render_instance.py "$DAGSTER_HOME" /opt/dagster/dagster_home_docker \
    && mkdir -p "$DAGSTER_HOME/storage" \
    && chown -R dagster:dagster /opt/dagster
USER dagster
ENTRYPOINT ["tini", "--"]
CMD ["dagster-webserver", "-h", "0.0.0.0", "-p", "3000", "-w", "/app/platform/workspace.yaml"]

# ---- data-manager: code servers, runs, sample API ----------------------------------------------------------------
# Dependencies first, from the lock file only, so code edits do not reinstall them.
FROM uv AS data-manager-venv
RUN uv sync --frozen --no-dev --no-install-project --no-install-workspace

FROM base AS data-manager
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_NO_CACHE=1 UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never \
    DATA_PLATFORM_HOME=/app \
    AIRBYTE_OFFLINE_MODE=1 \
    AIRBYTE_INSTALL_DIR=/home/dagster/.airbyte
# unixodbc for pyodbc (MSSQL syncs); tesseract-ocr for the universal pipelines' OCR (ocr_text, scanned PDF pages).
RUN apt-get update \
    && apt-get install -y --no-install-recommends unixodbc tesseract-ocr \
    && rm -rf /var/lib/apt/lists/*
COPY --from=data-manager-venv /opt/venv /opt/venv
WORKDIR /app
COPY pyproject.toml uv.lock README.md code-locations.json ./
COPY daglab daglab
COPY app app
COPY samples samples
COPY platform platform
COPY dbt_models dbt_models
COPY external-connectors external-connectors
COPY scripts scripts
# The designer, built on the host (`make designer-build`: make up and test-compose run it), served at /designer/.
COPY designer/dist designer/dist
# Installs only the project itself (editable, so its code stays in /app): the dependencies are there.
RUN uv sync --frozen --no-dev \
    && data-manager dbt prepare \
    && python scripts/render_instance.py "$DAGSTER_HOME" /opt/dagster/dagster_home_docker \
    && mkdir -p "$DAGSTER_HOME/storage" /home/dagster/.airbyte /app/.data \
    && chown -R dagster:dagster /opt/dagster /home/dagster /app/dbt_models /app/.data
USER dagster
ENTRYPOINT ["tini", "--"]
CMD ["data-manager", "serve"]
