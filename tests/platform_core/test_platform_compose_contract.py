"""The Docker Compose deployment, checked without a Docker engine.

No engine runs here, so these checks stand in for `docker compose up`: the files
the images copy exist, the commands they run exist, every variable is documented,
only the webserver is published and every long-running service has a healthcheck.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from platform_support import REPO_ROOT

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yaml").read_text())
SERVICES: dict[str, dict] = COMPOSE["services"]
DOCKERFILE = (REPO_ROOT / "Dockerfile.data-manager").read_text()
VENV_BIN = Path(sys.executable).parent


def dockerfile_instructions(keyword: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.upper().startswith(keyword + " ")]


def test_every_copy_source_exists_and_is_not_ignored() -> None:
    ignored = {line.strip() for line in (REPO_ROOT / ".dockerignore").read_text().splitlines() if line.strip()}
    for instruction in dockerfile_instructions("COPY"):
        parts = [p for p in instruction.split() if not p.startswith("--")]
        for source in parts[:-1]:
            assert (REPO_ROOT / source).exists(), f"COPY source {source} is missing"
            assert source not in ignored, f"COPY source {source} is excluded by .dockerignore"


def test_image_entrypoint_and_commands_exist() -> None:
    assert "tini" in " ".join(dockerfile_instructions("RUN")), "tini must be installed for ENTRYPOINT"
    assert dockerfile_instructions("ENTRYPOINT") == ['["tini", "--"]']
    assert any(line.startswith("dagster") for line in dockerfile_instructions("USER")), "image must not run as root"
    assert any("uv sync --frozen" in line for line in dockerfile_instructions("RUN")), "install from uv.lock"
    assert any("data-manager dbt prepare" in line for line in dockerfile_instructions("RUN")), "manifest at build"
    for name, service in SERVICES.items():
        command = service.get("command")
        if not command:
            continue
        program = command[0]
        if program == "python":
            module = command[command.index("-m") + 1]
            found = subprocess.run(
                [sys.executable, "-c", f"import importlib.util as u; assert u.find_spec('{module}')"]
            )
            assert found.returncode == 0, f"{name}: module {module} is missing"
        else:
            assert (VENV_BIN / program).exists(), f"{name}: {program} is not installed by the project"
        if program == "data-manager":
            result = subprocess.run([str(VENV_BIN / program), *command[1:], "--help"], capture_output=True)
            assert result.returncode == 0, f"{name}: `{' '.join(command)}` is not a data-manager command"
        for argument in command:
            if argument.startswith("/app/"):
                assert (REPO_ROOT / argument.removeprefix("/app/")).exists(), f"{name}: {argument} is missing"


def test_every_variable_used_is_documented_in_env_example() -> None:
    text = (REPO_ROOT / "docker-compose.yaml").read_text()
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    documented = set(re.findall(r"^#? ?([A-Z0-9_]+)=", (REPO_ROOT / ".env.example").read_text(), re.MULTILINE))
    assert used, "compose uses no variables?"
    assert used <= documented, f"not in .env.example: {sorted(used - documented)}"


def test_only_the_webserver_port_is_published_on_loopback() -> None:
    published = {name: service["ports"] for name, service in SERVICES.items() if service.get("ports")}
    assert list(published) == ["dagster-webserver"]
    (mapping,) = published["dagster-webserver"]
    assert mapping.startswith("${DAGSTER_WEBSERVER_HOST:-127.0.0.1}:")
    assert "4266" not in (REPO_ROOT / "docker-compose.yaml").read_text()


def test_healthchecks_and_startup_order() -> None:
    for name in ("postgres", "data-manager", "mysql", "sample-api", "dagster-webserver"):
        assert "healthcheck" in SERVICES[name], f"{name} has no healthcheck"
    assert "pg_isready" in " ".join(SERVICES["postgres"]["healthcheck"]["test"])
    assert SERVICES["data-manager"]["healthcheck"]["test"] == ["CMD", "data-manager", "health"]
    assert SERVICES["data-manager"]["build"]["dockerfile"] == "Dockerfile.data-manager"
    assert SERVICES["data-manager"].get("init") is True
    for name in ("dagster-webserver", "dagster-daemon"):
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"] == {"condition": "service_healthy"}
        assert depends["data-manager"] == {"condition": "service_healthy"}
    assert "postgres-data" in COMPOSE["volumes"]


def test_no_secret_in_compose_files() -> None:
    for path in ("docker-compose.yaml", "Dockerfile.data-manager", ".env.example", "platform/dagster.yaml"):
        text = (REPO_ROOT / path).read_text()
        for match in re.finditer(r"(PASSWORD|TOKEN|SECRET|MSSQL_URL)[A-Z_]*[ \t]*[:=][ \t]*(\S*)", text):
            value = match.group(2)
            allowed = value.startswith(("${", "{env", "change-me")) or value in ("", '""', "''")
            assert allowed, f"{path}: {match.group(0)}"


def test_docker_compose_config_validates(tmp_path: Path) -> None:
    docker_compose = shutil.which("docker-compose")
    if docker_compose is None:
        pytest.fail("docker-compose (Debian package docker-compose) is required: apt-get install docker-compose")
    env_file = tmp_path / ".env"
    env_file.write_text((REPO_ROOT / ".env.example").read_text())
    result = subprocess.run(
        [docker_compose, "--env-file", str(env_file), "-f", str(REPO_ROOT / "docker-compose.yaml"), "config", "-q"],
        capture_output=True, text=True, cwd=REPO_ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
