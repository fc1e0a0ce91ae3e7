from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.clock import utcnow
from helpline.db import Base, UTCDateTime

DEFAULT_QUESTION = (
    "¿Cómo calificarías la atención que recibiste? Responde con un número del 1 (mala) al "
    "5 (excelente)."
)
DEFAULT_THANKS = "¡Gracias por tu respuesta! Si quieres, escríbenos ahora un comentario."


class AreaSurvey(Base):
    """An area's satisfaction survey: whether its closed conversations are rated, and the
    texts (per deployment, in the business's language). No row: off."""

    __tablename__ = "area_surveys"

    area_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    question: Mapped[str] = mapped_column(Text, default=DEFAULT_QUESTION)
    thanks: Mapped[str] = mapped_column(Text, default=DEFAULT_THANKS)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SurveyState(enum.StrEnum):
    SENT = "sent"  # waiting for the rating
    RATED = "rated"  # rated; a comment may still follow for a while
    ANSWERED = "answered"  # rated, and commented or past the comment's time
    IGNORED = "ignored"  # the customer wrote something else, or never answered


class Survey(Base):
    """The survey of one closed conversation: at most one, asked once."""

    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_contact_state", "contact_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=SurveyState.SENT.value)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rating: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # reports
    comment: Mapped[str | None] = mapped_column(Text)


track(AreaSurvey, "area_survey")
