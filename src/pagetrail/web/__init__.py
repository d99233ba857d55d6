"""The HTTP service: REST API under /api/v1, the Alertmanager webhook, /healthz, /metrics and the pages."""
