from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime


class VersionState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    HANDED_OVER = "handed_over"
    CLOSED = "closed"
    STOPPED = "stopped"  # a person took the conversation over while the bot had it


DRAFT_NUMBER = 0  # the draft is version 0; published versions count from 1


class Flow(Base):
    """A bot flow for one channel, or (channel NULL) the default for every channel."""

    __tablename__ = "flows"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FlowVersion(Base):
    """One version of a flow's tree. Number 0 is the draft the builder edits; publishing
    copies it into a new numbered version, and the previous published one is archived.
    Published and archived versions never change: conversations finish the one they began."""

    __tablename__ = "flow_versions"
    __table_args__ = (UniqueConstraint("flow_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class FlowRun(Base):
    """The bot's state in one conversation: the version it runs, the node it waits at,
    what it waits for, invalid answers there, and what it collected (data, tags)."""

    __tablename__ = "flow_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    flow_version_id: Mapped[int] = mapped_column(
        ForeignKey("flow_versions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.RUNNING.value)
    node_key: Mapped[str | None] = mapped_column(String(64))
    waiting: Mapped[str | None] = mapped_column(String(16))
    invalid_count: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The last customer message the bot answered: a message is never answered twice.
    last_message_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


track(Flow, "flow")
# The tree itself is too big for the log: that it changed is recorded, not its content.
track(FlowVersion, "flow_version", hidden=("definition",))
