"""The platform's HTTP API (FastAPI): one app, one router module per area under `routers/`."""
