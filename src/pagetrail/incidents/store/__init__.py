"""The incident store: SQLAlchemy 2.0 rows, engine and sessions, and the Alembic migrations shipped
inside the package (so `pagetrail db upgrade` works from an installed wheel)."""
