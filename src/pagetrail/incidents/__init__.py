"""Incidents: lifecycle rules (pure modules), the store (SQLAlchemy + Alembic) and Alertmanager intake."""
