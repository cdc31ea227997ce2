"""Every typed setting is checked when read: one line naming the variable and the expected form, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_manager.settings import (
    SECRET_VARS,
    SETTINGS,
    SettingError,
    check_environment,
    env,
    env_int,
    render_env_example,
)
from platform_support import make_home, run_cli

BAD_VALUES = {
    "POSTGRES_PORT": "abc",
    "DAGSTER_WEBSERVER_PORT": "70000",
    "SAMPLE_API_PORT": "-1",
    "EMBEDDED_POSTGRES_PORT": "5433x",
    "MYSQL_PORT": "0",
    "PLATFORM_API_PORT": "31OO",
    "MAX_CONCURRENT_RUNS": "0",
    "LOCAL_PORT_OFFSET": "-3",
    "CODE_SERVER_MODE": "fast",
    "RUN_WORKER_START": "fork",
    "CODE_SERVER_START": "forkserver",
    "RUN_LAUNCHER": "k8s",
    "DESIGNER_READ_ONLY": "yes",
    "SAMPLE_API_URL": "127.0.0.1:8099",
    "DAGSTER_WEBSERVER_URL": "http://127.0.0.1:99999",
    "DAGSTER_UI_URL": "localhost:3000",
    "ARTIFACT_MAX_MB": "0",
    "ARTIFACT_URL_ALLOW": "10.0.0.0/8,bad host!",
    "EXECUTOR": "threads",
    "CELERY_BROKER_URL": "http://:s3cret@broker:6379/0",
    "CELERY_BACKEND_URL": "broker:6379",
    "CELERY_VISIBILITY_TIMEOUT_S": "0",
    "CELERY_WORKER_CONCURRENCY": "two",
}


def test_every_typed_setting_has_a_bad_value_here() -> None:
    assert set(BAD_VALUES) == {name for name, setting in SETTINGS.items() if setting.typed}


@pytest.mark.parametrize(("name", "value"), sorted(BAD_VALUES.items()))
def test_bad_value_is_one_line_naming_the_variable_and_the_form(name: str, value: str) -> None:
    with pytest.raises(SettingError) as caught:
        env(name, {name: value})
    message = str(caught.value)
    shown = "(hidden: a secret)" if name in SECRET_VARS else repr(value)
    assert message.startswith(f"{name}={shown} is not valid: expected ") and "\n" not in message
    assert name not in SECRET_VARS or value not in message
    assert caught.value.exit_code == 2
    with pytest.raises(SettingError, match=name):
        check_environment({name: value})


def test_the_supervisor_serves_every_choice_of_its_settings() -> None:
    from data_manager.control.supervisor import CODE_SERVER_MODES, RUN_WORKER_STARTS

    assert tuple(CODE_SERVER_MODES) == SETTINGS["CODE_SERVER_MODE"].choices
    assert tuple(RUN_WORKER_STARTS) == SETTINGS["RUN_WORKER_START"].choices
    for name, setting in SETTINGS.items():
        assert not setting.choices or setting.default in setting.choices, name


def test_each_setting_is_one_record() -> None:
    """Secrets have no default and are marked as secrets in .env.example; internal ones stay out of it."""
    example = render_env_example()
    for name, setting in SETTINGS.items():
        assert not setting.secret or setting.default == "", name
        assert not setting.compose_required or setting.secret, name
        assert (f"{name}=" in example) != setting.internal, name
        if setting.secret:
            assert f"# Secret. {setting.doc}\n" in example, name
    assert "secret" not in " ".join(setting.doc.lower() for setting in SETTINGS.values()), "the flag says it"


def test_defaults_and_good_values_pass() -> None:
    check_environment({})
    assert env_int("POSTGRES_PORT", {"POSTGRES_PORT": "6543"}) == 6543
    assert env("CODE_SERVER_MODE", {"CODE_SERVER_MODE": "direct"}) == "direct"
    assert env("POSTGRES_PORT", {"POSTGRES_PORT": ""}) == SETTINGS["POSTGRES_PORT"].default


def test_cli_with_a_bad_port_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    result = run_cli(home, "locations", "list", env={"POSTGRES_PORT": "abc", "MAX_CONCURRENT_RUNS": "many"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: POSTGRES_PORT='abc' is not valid: expected a port number (1-65535); "
        "MAX_CONCURRENT_RUNS='many' is not valid: expected a whole number of at least 1"
    ]
    assert "Traceback" not in result.stderr and result.stdout == ""
