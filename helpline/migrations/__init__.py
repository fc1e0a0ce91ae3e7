"""Alembic migrations, run through `helpline migrate` (see helpline.migrations.runner)."""
