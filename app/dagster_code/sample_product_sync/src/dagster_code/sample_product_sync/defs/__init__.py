"""Component instances of the sample_product_sync location (one folder per defs.yaml)."""
