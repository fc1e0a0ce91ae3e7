"""Conversation labels, the tables: conversations load their labels through them; the
labels feature (`helpline/labels/`) manages them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.db import Base


class Label(Base):
    """An admin-managed conversation label with a colour."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    color: Mapped[str] = mapped_column(String(16), default="#64748b")


class ConversationLabel(Base):
    # The conversation is named by table only: conversations.models imports this module.
    __tablename__ = "conversation_labels"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[int] = mapped_column(
        ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True, index=True
    )


track(Label, "label")
