"""The sample products API serves the fixture, paged, in the camelCase shape the connector expects."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from sample_api import load_products, make_server
from sample_api.server import SampleApiServer


@pytest.fixture
def api() -> Iterator[SampleApiServer]:
    server = make_server()
    server.start_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_fixture_has_the_documented_shape() -> None:
    products = load_products()
    assert 100 <= len(products) <= 200
    assert len({p["id"] for p in products}) == len(products)
    for product in products:
        assert {"discountPercentage", "availabilityStatus", "meta"} <= product.keys()
        assert {"createdAt", "updatedAt"} <= product["meta"].keys()


def test_pages_cover_every_product_once(api: SampleApiServer) -> None:
    seen: list[int] = []
    skip = 0
    while True:
        page = httpx.get(f"{api.url}/products", params={"limit": 40, "skip": skip}).json()
        assert page["total"] == len(load_products())
        if not page["products"]:
            break
        seen += [p["id"] for p in page["products"]]
        skip += len(page["products"])
    assert seen == [p["id"] for p in load_products()]


def test_bad_requests_and_failure_mode(api: SampleApiServer) -> None:
    assert httpx.get(f"{api.url}/products", params={"limit": "x"}).status_code == 400
    assert httpx.get(f"{api.url}/products/99999").status_code == 404
    assert httpx.get(f"{api.url}/products/1").json()["id"] == 1
    api.fail = True
    assert httpx.get(f"{api.url}/products").status_code == 503
    assert httpx.get(f"{api.url}/health").json()["status"] == "failing"


def test_cli_reports_a_taken_port_on_one_line(api: SampleApiServer) -> None:
    port = api.server_address[1]
    done = subprocess.run(
        [sys.executable, "-m", "sample_api", "--port", str(port)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
