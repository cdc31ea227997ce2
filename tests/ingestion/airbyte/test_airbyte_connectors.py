"""Connector YAML loading: the sample shapes load, bad files fail naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_manager.errors import UserError
from data_manager.ingestion.airbyte.connectors import (
    get_connector_by_name,
    list_connectors,
    resolve_config,
)
from data_manager.ingestion.masking import mask_secrets

SOURCE_FAKER = """\
version: 1
name: source-faker
connector_type: source
pip_url: airbyte-source-faker
config:
  count: 100
"""

SAMPLE_CONNECTOR = """\
version: "0.1"
name: sample-connector
connector_type: source
manifest: sample-connector/manifest.yaml
config:
  base_url: ${SAMPLE_API_URL}
  api_key: ${SAMPLE_API_KEY}
  nested:
    header: "Bearer ${SAMPLE_API_KEY}"
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EXTERNAL_CONNECTORS_DIR", str(tmp_path))
    (tmp_path / "source-faker.yaml").write_text(SOURCE_FAKER)
    (tmp_path / "sample-connector.yaml").write_text(SAMPLE_CONNECTOR)
    (tmp_path / "sample-connector").mkdir()
    (tmp_path / "sample-connector" / "manifest.yaml").write_text("version: 6.44.0\n")
    (tmp_path / "sample-connector" / "components.py").write_text("# custom components\n")
    (tmp_path / "_caches.yaml").write_text("caches: {}\n")
    return tmp_path


def test_airbyte_loads_pip_url_and_manifest_shapes(folder: Path) -> None:
    faker = get_connector_by_name("source-faker")
    assert faker.spec.pip_url == "airbyte-source-faker"
    assert faker.spec.manifest is None
    assert faker.spec.config == {"count": 100}
    assert faker.spec.version == "1"

    sample = get_connector_by_name("sample-connector")
    assert sample.manifest_path == folder / "sample-connector" / "manifest.yaml"
    assert sample.spec.env_references() == ["SAMPLE_API_URL", "SAMPLE_API_KEY"]
    assert list_connectors() == ["sample-connector", "source-faker"]  # `_caches.yaml` is not a connector


def test_airbyte_env_references_resolve_at_run_time(folder: Path) -> None:
    sample = get_connector_by_name("sample-connector")
    resolved = resolve_config(sample, {"SAMPLE_API_URL": "http://api", "SAMPLE_API_KEY": "s3cr3t-value"})
    assert resolved.config == {
        "base_url": "http://api",
        "api_key": "s3cr3t-value",
        "nested": {"header": "Bearer s3cr3t-value"},
    }
    assert "s3cr3t-value" not in repr(resolved)
    assert sample.spec.config["api_key"] == "${SAMPLE_API_KEY}"  # the loaded model keeps the reference
    assert mask_secrets("failed with key s3cr3t-value", resolved.secret_values) == "failed with key ***"


def test_airbyte_unset_env_var_names_it_without_values(folder: Path) -> None:
    sample = get_connector_by_name("sample-connector")
    with pytest.raises(UserError) as info:
        resolve_config(sample, {"SAMPLE_API_URL": "http://visible-url-value"})
    message = str(info.value)
    assert "SAMPLE_API_KEY" in message
    assert "not set" in message
    assert "http://visible-url-value" not in message


def test_airbyte_unknown_connector_lists_known_ones(folder: Path) -> None:
    with pytest.raises(
        UserError,
        match=r"unknown connector 'nope': no file .*nope\.yaml \(known connectors: sample-connector, source-faker\)",
    ):
        get_connector_by_name("nope")


@pytest.mark.parametrize("bad_name", ["../etc/passwd", "a/b", "", "-x"])
def test_airbyte_invalid_connector_names(folder: Path, bad_name: str) -> None:
    with pytest.raises(UserError, match="invalid connector name"):
        get_connector_by_name(bad_name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SOURCE_FAKER.replace("config:\n  count: 100\n", ""), r"broken\.yaml: field `config` is missing"),
        (SOURCE_FAKER.replace("name: source-faker\n", ""), r"broken\.yaml: field `name` is missing"),
        (
            SOURCE_FAKER.replace("pip_url: airbyte-source-faker\n", ""),
            r"broken\.yaml: set exactly one of `pip_url` or `manifest`",
        ),
        (SOURCE_FAKER + "manifest: x.yaml\n", r"broken\.yaml: set exactly one of `pip_url` or `manifest`"),
        (
            SOURCE_FAKER.replace("connector_type: source", "connector_type: destination"),
            r"field `connector_type` must be `source`",
        ),
        (SOURCE_FAKER + "image: airbyte/source-faker\n", r"field `image` is not allowed"),
        ("version: [unclosed\n", r"broken\.yaml is not valid YAML at line"),
        ("- a list\n", r"broken\.yaml must be a YAML mapping"),
    ],
)
def test_airbyte_bad_connector_files_name_file_and_field(folder: Path, text: str, expected: str) -> None:
    (folder / "broken.yaml").write_text(text)
    with pytest.raises(UserError, match=expected):
        get_connector_by_name("broken")


def test_airbyte_missing_manifest_file_is_named(folder: Path) -> None:
    (folder / "broken.yaml").write_text(
        SAMPLE_CONNECTOR.replace("sample-connector/manifest.yaml", "missing/manifest.yaml")
    )
    with pytest.raises(UserError, match=r"field `manifest` points to .*missing/manifest\.yaml, which does not exist"):
        get_connector_by_name("broken")
