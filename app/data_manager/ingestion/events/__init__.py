"""Event store (dedup, claims) and HTTP calls for event-driven integrations; universal pipelines log each fetched artifact here."""
