"""Artifacts read only what they may (#29): paths under ARTIFACT_ROOTS, URLs of public hosts, checked when an
artifact is registered and again when a run reads it. Names resolve only as each test stubs them, redirects
come from a server on 127.0.0.1, and the `network` guard fails a test that connects beyond loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from fastapi.testclient import TestClient

from dagster_code.universal_pipelines import defs
from data_manager.api.app import create_app
from data_manager.pipelines import artifact_access
from data_manager.pipelines.extraction import extract_artifacts
from data_manager.pipelines.models import EntityIn, PipelineIn, TemplateField, TemplateIn
from data_manager.pipelines.runs import build_run_config
from data_manager.pipelines.store import PipelineStore
from data_manager.pipelines.strategies import ExtractionSpec

PUBLIC = "93.184.215.14"  # resolved to, never connected to (the guard would fail the test)
SPEC = ExtractionSpec("json_path", {}, [TemplateField(name="sku", selector="$.sku", required=True)])


@pytest.fixture
def api(store: PipelineStore) -> TestClient:
    return TestClient(create_app(token=""))


@pytest.fixture
def local_server() -> Iterator[str]:
    """127.0.0.1: /ok serves a record; /to?url=X redirects to X; /big claims 10 GB; /slow never ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/ok":
                body = b'{"sku": "A-1"}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif self.path.startswith("/to?url="):
                self.send_response(302)
                self.send_header("Location", self.path.removeprefix("/to?url="))
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/big":
                self.send_response(200)
                self.send_header("Content-Length", str(10 * 1024**3))
                self.end_headers()
            else:
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{")
                self.wfile.flush()
                threading.Event().wait(5)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def register(api: TestClient, location: str) -> tuple[int, str]:
    response = api.post("/api/artifacts", json={"name": "doc", "media_type": "application/json", "location": location})
    return response.status_code, (response.json().get("errors") or [{}])[0].get("message", "")


def test_registration_refuses_files_outside_the_roots_and_internal_urls(
    api: TestClient, artifact_root: Path, tmp_path: Path, network, monkeypatch: pytest.MonkeyPatch
) -> None:
    network.names.update({"intranet.example": "10.1.2.3", "files.example": PUBLIC, "meta.example": "169.254.169.254"})
    (tmp_path / "secret.json").write_text("{}")
    (artifact_root / "escape.json").symlink_to(tmp_path / "secret.json")
    (artifact_root / "ok.json").write_text('{"sku": "A-1"}')
    refused = {
        "/etc/passwd": "location: /etc/passwd is outside ARTIFACT_ROOTS",
        "file:///etc/passwd": "location: file:///etc/passwd: only http(s) URLs and absolute paths under ARTIFACT_ROOTS",
        f"{artifact_root}/../../../../../../../../etc/passwd": "(resolves to /etc/passwd) is outside ARTIFACT_ROOTS",
        f"{artifact_root}/escape.json": f"(resolves to {tmp_path / 'secret.json'}) is outside ARTIFACT_ROOTS",
        "relative/doc.json": "is neither an absolute path nor an http(s) URL",
        "http://127.0.0.1:8080/x": "location: 127.0.0.1 is a loopback address; add it to ARTIFACT_URL_ALLOW",
        "http://localhost/x": "location: localhost (127.0.0.1) is a loopback address",
        "http://[::ffff:127.0.0.1]/x": "is a loopback address",
        "http://169.254.169.254/latest/meta-data": "169.254.169.254 is a link-local (cloud metadata) address",
        "http://meta.example/latest": "meta.example (169.254.169.254) is a link-local (cloud metadata) address",
        "http://intranet.example/report.pdf": "location: intranet.example (10.1.2.3) is a private address",
        "http://nowhere.example/x": "location: cannot resolve host nowhere.example",
        "ftp://files.example/x": "only http(s) URLs and absolute paths",
    }
    for location, message in refused.items():
        status, text = register(api, location)
        assert status == 400 and message in text and "\n" not in text, (location, text)
    assert register(api, str(artifact_root / "ok.json"))[0] == 201
    assert register(api, "https://files.example/feed.json")[0] == 201  # public: registered, not fetched
    monkeypatch.setenv("ARTIFACT_URL_ALLOW", "intranet.example,127.0.0.0/8")
    assert register(api, "http://intranet.example/report.pdf")[0] == 201
    assert register(api, "http://localhost:8080/x")[0] == 201
    assert len(api.get("/api/artifacts").json()) == 4


def stored_as_before(store: PipelineStore, location: str) -> int:
    """An artifact row written without the checks (as before them, or by hand in SQL)."""
    with psycopg.connect(**store.settings.connect_kwargs()) as conn:
        return conn.execute(
            "INSERT INTO universal_pipelines.artifacts (name, media_type, location) VALUES (%s, 'application/json', %s)"
            " RETURNING id",
            (location.rsplit("/", 1)[-1] or "doc", location),
        ).fetchone()[0]


def errors_at_run_time(store: PipelineStore, ids: list[int]) -> list[str]:
    result = extract_artifacts(store, SPEC, ids, "continue")
    return [failure.errors[0] for failure in result.failures]


def test_runs_check_every_location_again_when_they_read_it(
    store: PipelineStore, artifact_root: Path, tmp_path: Path, network, local_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    network.names.update({
        "internal.example": "10.0.0.7",
        "rebind.example": [PUBLIC, "127.0.0.1"],  # public when registered, loopback when read
        "flip.example": ["127.0.0.1", "10.0.0.9"],  # allowed when checked, private when connecting
    })  # fmt: skip
    monkeypatch.setattr(artifact_access, "FETCH_TIMEOUT_S", 2.0)
    (tmp_path / "secret.json").write_text('{"sku": "secret"}')
    swapped = artifact_root / "swapped.json"
    swapped.write_text('{"sku": "A-1"}')
    ids = [
        stored_as_before(store, "/etc/passwd"),
        stored_as_before(store, "file:///etc/passwd"),
        stored_as_before(store, f"{artifact_root}/../../../../../../../../etc/passwd"),
        stored_as_before(store, "http://169.254.169.254/latest/meta-data"),
        stored_as_before(store, "http://internal.example/data.json"),
        store.create_artifact(_link(f"{artifact_root}/swapped.json")).id,
        store.create_artifact(_link("http://rebind.example/data.json")).id,
    ]
    swapped.unlink()
    swapped.symlink_to(tmp_path / "secret.json")  # swapped for a link out after registration
    errors = errors_at_run_time(store, ids)
    assert errors == [
        f"passwd: refused: /etc/passwd is outside ARTIFACT_ROOTS ({artifact_root})",
        "passwd: refused: file:///etc/passwd: only http(s) URLs and absolute paths under ARTIFACT_ROOTS are read",
        f"passwd: refused: {artifact_root}/../../../../../../../../etc/passwd (resolves to /etc/passwd) is outside ARTIFACT_ROOTS ({artifact_root})",
        "meta-data: refused: 169.254.169.254 is a link-local (cloud metadata) address; add it to ARTIFACT_URL_ALLOW to allow it",
        "data.json: refused: internal.example (10.0.0.7) is a private address; add it to ARTIFACT_URL_ALLOW to allow it",
        f"swapped.json: refused: {swapped} (resolves to {tmp_path / 'secret.json'}) is outside ARTIFACT_ROOTS ({artifact_root})",
        "data.json: refused: rebind.example (127.0.0.1) is a loopback address; add it to ARTIFACT_URL_ALLOW to allow it",
    ]  # fmt: skip

    monkeypatch.setenv("ARTIFACT_URL_ALLOW", "127.0.0.1")  # the local test server may be read; nothing else
    redirects = [
        stored_as_before(store, f"{local_server}/to?url=http://169.254.169.254/latest/meta-data"),
        stored_as_before(store, f"{local_server}/to?url=http://internal.example/data.json"),
        stored_as_before(store, f"{local_server}/to?url=file:///etc/passwd"),
        stored_as_before(store, "http://flip.example/data.json"),
        stored_as_before(store, f"{local_server}/big"),
        stored_as_before(store, f"{local_server}/slow"),
        stored_as_before(store, f"{local_server}/to?url={local_server}/ok"),
    ]
    result = extract_artifacts(store, SPEC, redirects, "continue")
    assert [f.errors[0].split(": ", 1)[1] for f in result.failures] == [
        "refused: 169.254.169.254 is a link-local (cloud metadata) address; add it to ARTIFACT_URL_ALLOW to allow it",
        "refused: internal.example (10.0.0.7) is a private address; add it to ARTIFACT_URL_ALLOW to allow it",
        "refused: file:///etc/passwd is not an http(s) URL with a host",
        "refused: flip.example (10.0.0.9) is a private address; add it to ARTIFACT_URL_ALLOW to allow it",
        "10737418240 bytes is over ARTIFACT_MAX_MB (100 MB)",
        f"GET {local_server}/slow timed out",
    ]
    assert result.records == [{"sku": "A-1"}]  # a redirect to an allowed place is followed
    assert not network.blocked and "internal.example" in network.lookups


def _link(location: str):
    from data_manager.pipelines.models import ArtifactIn

    return ArtifactIn(name=location.rsplit("/", 1)[-1], media_type="application/json", location=location)


def test_a_run_of_the_job_fails_the_refused_artifact_with_one_line(store: PipelineStore, network) -> None:
    template = store.create_template(TemplateIn(name="t", extraction_strategy="json_path", fields=SPEC.fields))
    entity = store.create_entity(EntityIn(name="e", table_name="skus", columns=[{"name": "sku", "type": "text"}]))
    pipeline = store.create_pipeline(
        PipelineIn(name="p", template_id=template.id, entity_id=entity.id, artifact_ids=[stored_as_before(store, "/etc/passwd")])
    )  # fmt: skip
    with dg.instance_for_test() as instance:
        job = defs.resolve_job_def("universal_pipeline")
        run_config = build_run_config(store, pipeline)
        result = job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    description = failure.event_specific_data.user_failure_data.description
    assert description.startswith("artifact 1 (passwd): passwd: refused: /etc/passwd is outside ARTIFACT_ROOTS")


def test_the_network_guard_stops_a_connection_beyond_loopback_before_it_leaves(network) -> None:
    import socket

    with pytest.raises(ConnectionRefusedError, match="test network guard"):
        socket.create_connection(("10.255.255.1", 80), timeout=1)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("unstubbed.example", 80)
    assert network.blocked == [("10.255.255.1", 80)]
    network.blocked.clear()  # seen: the fixture would fail this test for it otherwise
