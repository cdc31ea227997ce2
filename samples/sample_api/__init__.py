"""A tiny products API for the `sample_product_sync` location and its tests.

Paged JSON in the shape of public demo APIs (camelCase fields, a nested `meta` object),
served from the fixture file `products.json` with the standard library only, so the
sample needs no network and its expected row counts come from the fixture.
"""

from sample_api.server import load_products, make_server

__all__ = ["load_products", "make_server"]
