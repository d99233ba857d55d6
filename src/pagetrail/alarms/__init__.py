"""Alarm semantics (CloudWatch, Prometheus rules), replay, flapping, tuning, SLO rules and rule lint; pure."""
