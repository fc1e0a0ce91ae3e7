"""dashboard: indexes for today's figures (messages by creation time, conversations by
closing time), so they read one day's rows instead of every row

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_messages_created_at", "messages", ["created_at"])
    op.create_index("ix_conversations_closed_at", "conversations", ["closed_at"])


def downgrade() -> None:
    op.drop_index("ix_conversations_closed_at", table_name="conversations")
    op.drop_index("ix_messages_created_at", table_name="messages")
