from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from helpline.auth.schemas import ApiModel

TEXT_LENGTH = 1024  # WhatsApp's limit for an interactive message's body


class AreaSurveyIn(ApiModel):
    enabled: bool
    question: str = Field(min_length=1, max_length=TEXT_LENGTH)
    thanks: str = Field(min_length=1, max_length=TEXT_LENGTH)

    @field_validator("question", "thanks")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class AreaSurveyOut(ApiModel):
    area_id: int
    enabled: bool
    question: str
    thanks: str


class SurveyOut(ApiModel):
    """A closed conversation's survey: sent, rated (maybe with a comment) or ignored."""

    conversation_id: int
    state: str = Field(description="sent, rated (a comment may follow), answered or ignored")
    sent_at: datetime
    rating: int | None = Field(description="1 (bad) to 5 (excellent)")
    rated_at: datetime | None
    comment: str | None
