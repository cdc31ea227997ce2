"""Event store and HTTP helpers for event-driven integrations (framework-free)."""
