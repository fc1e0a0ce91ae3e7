"""The migrations and the models describe the same schema, on every backend."""

from __future__ import annotations

import asyncio

from alembic import command

from helpline.migrations.runner import alembic_config, current_revision, head_revision


async def test_migrated_database_matches_the_models(db_url: str) -> None:
    assert await current_revision(db_url) == head_revision(db_url)
    # `alembic check` fails if autogenerate would produce any operation.
    await asyncio.to_thread(command.check, alembic_config(db_url))
