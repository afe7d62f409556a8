"""Alembic environment: Desk always passes its own connection in."""

from __future__ import annotations

from alembic import context

from desk_app.db.models import Base
from desk_app.db.models.base import include_object

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - Desk never runs Alembic without one
    raise RuntimeError("run migrations through desk_app.db.migrate (desk-app db upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
