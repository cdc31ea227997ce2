"""The Docker Compose deployment, checked without a Docker engine (`make test-compose` runs it for real).

The files the images copy exist, the commands they run exist, every variable is documented with the defaults of
settings.py, only the webserver and the platform API are published, every long-running service has a healthcheck,
migrations run once before the services that need them, exactly one init runs, and the
Docker socket is mounted only with RUN_LAUNCHER=docker and only into the services that launch runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from data_manager.locations.registry import PORT_RANGE
from platform_support import REPO_ROOT

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yaml").read_text())
SERVICES: dict[str, dict] = COMPOSE["services"]
OVERRIDE = yaml.safe_load((REPO_ROOT / "docker-compose.run-launcher-docker.yaml").read_text())
# Each image's file: the platform image (webserver, daemon) and the data-manager image (everything else built here).
DOCKERFILES = {"platform": "Dockerfile.platform", "data-manager": "Dockerfile.data-manager"}
DOCKERFILE_TEXT = {image: (REPO_ROOT / path).read_text() for image, path in DOCKERFILES.items()}
DOCKERFILE = "\n".join(DOCKERFILE_TEXT.values())
SHARED_STAGES = ("base", "uv")
VENV_BIN = Path(sys.executable).parent
PLATFORM_SERVICES = ("dagster-webserver", "dagster-daemon")
SOCKET = "/var/run/docker.sock"


def dockerfile_instructions(keyword: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.upper().startswith(keyword + " ")]


def test_every_copy_source_exists_and_is_not_ignored() -> None:
    ignored = {line.strip() for line in (REPO_ROOT / ".dockerignore").read_text().splitlines() if line.strip()}
    for instruction in dockerfile_instructions("COPY"):
        if instruction.startswith("--from="):
            continue  # from an earlier stage
        parts = [p for p in instruction.split() if not p.startswith("--")]
        for source in parts[:-1]:
            assert (REPO_ROOT / source).exists(), f"COPY source {source} is missing"
            assert source not in ignored, f"COPY source {source} is excluded by .dockerignore"


def dockerfile_stages(text: str) -> dict[str, str]:
    """Each stage's text (its FROM line up to the next stage's comments or FROM), by stage name."""
    starts = list(re.finditer(r"^FROM \S+ AS (\S+)$", text, re.MULTILINE))
    stages = {}
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        body = text[match.start() : following.start() if following else len(text)]
        stages[match.group(1)] = re.sub(r"(\n#[^\n]*|\n)*\Z", "", body)
    return stages


def test_shared_stages_are_written_the_same_in_both_files() -> None:
    """The two files repeat `base` and `uv` word for word, so the two builds share those layers in the cache."""
    platform, data_manager = (dockerfile_stages(DOCKERFILE_TEXT[image]) for image in DOCKERFILES)
    for stage in SHARED_STAGES:
        assert platform[stage] == data_manager[stage], f"stage {stage} differs between the two Dockerfiles"
    assert list(platform)[: len(SHARED_STAGES)] == list(data_manager)[: len(SHARED_STAGES)] == list(SHARED_STAGES)


def test_two_images_each_with_exactly_one_init() -> None:
    for image, text in DOCKERFILE_TEXT.items():
        assert list(dockerfile_stages(text))[-1] == image, f"{DOCKERFILES[image]} must end with the {image} stage"
    assert "tini" in " ".join(dockerfile_instructions("RUN")), "tini must be installed for ENTRYPOINT"
    assert dockerfile_instructions("ENTRYPOINT") == ['["tini", "--"]'] * 2
    assert not dockerfile_instructions("EXPOSE"), "ports belong on the data-manager service only"
    for name, service in SERVICES.items():
        assert "init" not in service, f"{name}: init: true would run a second init beside the image's tini"
        if "build" in service:
            expected = "platform" if name in PLATFORM_SERVICES else "data-manager"
            assert service["build"] == {"context": ".", "dockerfile": DOCKERFILES[expected]}, name
    assert SERVICES["data-manager"]["expose"] == [f"{PORT_RANGE.start}-{PORT_RANGE.stop - 1}"]
    assert [name for name, service in SERVICES.items() if service.get("expose")] == ["data-manager"]


def test_image_commands_exist() -> None:
    assert any(line.startswith("dagster") for line in dockerfile_instructions("USER")), "image must not run as root"
    assert any("uv sync --frozen" in line for line in dockerfile_instructions("RUN")), "install from uv.lock"
    assert any("data-manager dbt prepare" in line for line in dockerfile_instructions("RUN")), "manifest at build"
    for name, service in SERVICES.items():
        command = service.get("command")
        if not command or "build" not in service:  # a public image's own program (the broker's redis-server)
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
    documented = env_file_variables((REPO_ROOT / ".env.example").read_text())
    assert used, "compose uses no variables?"
    assert used <= documented, f"not in .env.example: {sorted(used - documented)}"


def test_only_the_webserver_and_the_api_are_published_on_loopback() -> None:
    published = {name: service["ports"] for name, service in SERVICES.items() if service.get("ports")}
    assert sorted(published) == ["dagster-webserver", "platform-api"]
    (mapping,) = published["dagster-webserver"]
    assert mapping.startswith("${DAGSTER_WEBSERVER_HOST:-127.0.0.1}:")
    (mapping,) = published["platform-api"]
    assert mapping.startswith("127.0.0.1:${PLATFORM_API_PORT:-"), "the API is published on the host's loopback only"
    command = SERVICES["platform-api"]["command"]
    assert command[:2] == ["data-manager", "api"]
    assert mapping.rsplit(":", 1)[1] == command[command.index("--port") + 1], "published port is the one it binds"
    text = (REPO_ROOT / "docker-compose.yaml").read_text()
    assert text.count(str(PORT_RANGE.start)) == 1, "no per-location port in compose (only the expose range)"


# Compose's own defaults that differ from settings on purpose (each says why in docker-compose.yaml).
COMPOSE_OWN_DEFAULTS = {"CODE_SERVER_MODE": "direct"}


def test_compose_defaults_are_the_settings_defaults() -> None:
    """One source of truth: every `${VAR:-default}` in the compose files is settings.py's default for VAR."""
    from data_manager.settings import SETTINGS

    for path in ("docker-compose.yaml", "docker-compose.run-launcher-docker.yaml"):
        for name, default in re.findall(r"\$\{([A-Z0-9_]+):-([^}]*)\}", (REPO_ROOT / path).read_text()):
            expected = COMPOSE_OWN_DEFAULTS.get(name, SETTINGS[name].default)
            assert default == expected, f"{path}: ${{{name}:-{default}}} but settings.py says {expected!r}"


def test_platform_api_needs_its_token_and_is_read_only() -> None:
    from data_manager.settings import SETTINGS

    api = SERVICES["platform-api"]
    assert api["image"] == SERVICES["data-manager"]["image"]
    assert api["environment"]["PLATFORM_API_TOKEN"].startswith("${PLATFORM_API_TOKEN:?"), "required from .env"
    assert SETTINGS["PLATFORM_API_TOKEN"].compose_required, ".env.example asks for it (change-me) and make up checks it"
    assert api["environment"]["DESIGNER_READ_ONLY"] == "1", "the code is baked into the image"
    assert "/api/health" in " ".join(api["healthcheck"]["test"])
    assert any("COPY designer/dist" in line for line in DOCKERFILE.splitlines()), "the designer is in the image"


ONE_SHOT = ("migrate",)


def test_healthchecks_and_startup_order() -> None:
    for name in SERVICES:
        if name in ONE_SHOT:
            assert SERVICES[name].get("restart") == "no" and "healthcheck" not in SERVICES[name], name
            continue
        assert "healthcheck" in SERVICES[name], f"{name} has no healthcheck"
    # The universal_pipelines schema is migrated once, before the code servers and the API start.
    assert SERVICES["migrate"]["command"] == ["data-manager", "pipelines", "migrate"]
    for name in ("data-manager", "platform-api"):
        assert SERVICES[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    assert "pg_isready" in " ".join(SERVICES["postgres"]["healthcheck"]["test"])
    assert SERVICES["data-manager"]["healthcheck"]["test"] == ["CMD", "data-manager", "health"]
    assert SERVICES["dagster-daemon"]["healthcheck"]["test"] == ["CMD", "dagster-daemon", "liveness-check"]
    for name in ("dagster-webserver", "dagster-daemon"):
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"] == {"condition": "service_healthy"}
        assert depends["data-manager"] == {"condition": "service_healthy"}
    assert "postgres-data" in COMPOSE["volumes"]


def test_compose_defaults_to_direct_code_servers() -> None:
    assert COMPOSE["x-platform-env"]["CODE_SERVER_MODE"] == "${CODE_SERVER_MODE:-direct}"


def test_docker_socket_only_with_the_docker_launcher_and_only_where_runs_are_launched() -> None:
    for name, service in SERVICES.items():
        assert not any(SOCKET in str(v) for v in service.get("volumes", [])), f"{name} mounts the Docker socket"
    with_socket = {n for n, s in OVERRIDE["services"].items() if any(SOCKET in str(v) for v in s.get("volumes", []))}
    assert with_socket == set(PLATFORM_SERVICES)
    assert set(OVERRIDE["services"]) <= set(SERVICES)


def test_docker_launcher_instance_is_dagster_yaml_plus_the_launcher() -> None:
    from data_manager.dagster_private_api import dagster_instance_config_schema, validate_config

    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    from render_instance import instance_config

    default, docker = instance_config("default"), instance_config("docker")
    assert default["run_launcher"]["class"] == "DefaultRunLauncher"
    assert docker["run_launcher"]["class"] == "DockerRunLauncher"
    assert {k: v for k, v in docker.items() if k != "run_launcher"} == {
        k: v for k, v in default.items() if k != "run_launcher"
    }
    for config in (default, docker):
        assert validate_config(dagster_instance_config_schema(), config).success
    # Run containers get the same settings as the services (passed by name, values from the environment).
    passed = set(docker["run_launcher"]["config"]["env_vars"])
    assert set(COMPOSE["x-platform-env"]) <= passed
    launcher_env = OVERRIDE["services"]["dagster-daemon"]["environment"]
    assert docker["run_launcher"]["config"]["image"] == {"env": "DATA_MANAGER_IMAGE"}
    assert launcher_env["DATA_MANAGER_IMAGE"] == SERVICES["data-manager"]["image"]
    assert launcher_env["DAGSTER_RUN_NETWORK"] == COMPOSE["networks"]["default"]["name"]


def test_makefile_picks_compose_v2_first_then_v1() -> None:
    v2 = (
        subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
        if shutil.which("docker")
        else False
    )
    expected = "docker compose" if v2 else ("docker-compose" if shutil.which("docker-compose") else "")
    printed = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval=print-compose: ; @echo '$(COMPOSE)'", "print-compose"],
        capture_output=True, text=True, cwd=REPO_ROOT, env={k: v for k, v in os.environ.items() if k != "COMPOSE"},
    )  # fmt: skip
    assert printed.stdout.strip() == expected


def test_no_secret_in_compose_files() -> None:
    for path in (
        "docker-compose.yaml",
        "docker-compose.run-launcher-docker.yaml",
        *DOCKERFILES.values(),
        ".env.example",
        "platform/dagster.yaml",
        "platform/run-launcher-docker.yaml",
    ):
        text = (REPO_ROOT / path).read_text()
        for match in re.finditer(r"(PASSWORD|TOKEN|SECRET|MSSQL_URL)[A-Z_]*[ \t]*[:=][ \t]*(\S*)", text):
            value = match.group(2)
            allowed = value.startswith(("${", "{env", "change-me")) or value in ("", '""', "''")
            assert allowed, f"{path}: {match.group(0)}"


def env_file_variables(text: str) -> set[str]:
    """Every variable an env file sets or documents (commented out with its default)."""
    return set(re.findall(r"^#? ?([A-Z0-9_]+)=", text, re.MULTILINE))


@pytest.mark.parametrize(
    "files", [["docker-compose.yaml"], ["docker-compose.yaml", "docker-compose.run-launcher-docker.yaml"]]
)
def test_docker_compose_config_validates(tmp_path: Path, files: list[str]) -> None:
    docker_compose = shutil.which("docker-compose")
    if docker_compose is None:
        pytest.fail("docker-compose (Debian package docker-compose) is required: apt-get install docker-compose")
    env_file = tmp_path / ".env"
    env_file.write_text((REPO_ROOT / ".env.example").read_text())
    # Compose lets the process environment win over --env-file: check the file alone, not this worker's variables.
    settings = env_file_variables(env_file.read_text())
    environment = {key: value for key, value in os.environ.items() if key not in settings}
    result = subprocess.run(
        [docker_compose, "--env-file", str(env_file), *(a for f in files for a in ("-f", str(REPO_ROOT / f))), "config", "-q"],
        capture_output=True, text=True, cwd=REPO_ROOT, env=environment,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
