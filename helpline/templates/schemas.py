from __future__ import annotations

import re
from datetime import datetime

from pydantic import Field, field_validator

from helpline.auth.schemas import ApiModel

# What Meta refuses in a body parameter (error 132018): line breaks, tabs, runs of 5+ spaces.
BAD_PARAM = re.compile(r"[\n\t]| {5,}")
PARAM_MAX = 1024


class TemplateOut(ApiModel):
    id: int
    name: str
    language: str
    category: str | None
    status: str  # APPROVED, PENDING, REJECTED, PAUSED, DISABLED...
    body: str  # with its {{1}} placeholders
    param_count: int
    synced_at: datetime


class TemplateSend(ApiModel):
    name: str = Field(min_length=1, max_length=512)
    language: str = Field(min_length=1, max_length=16)
    params: list[str] = Field(
        default_factory=list, max_length=100, description="the values of {{1}}, {{2}}... in order"
    )

    @field_validator("params")
    @classmethod
    def _sendable(cls, params: list[str]) -> list[str]:
        for number, value in enumerate(params, start=1):
            if not value.strip():
                raise ValueError(f"parameter {number} is empty")
            if len(value) > PARAM_MAX:
                raise ValueError(f"parameter {number} is longer than {PARAM_MAX} characters")
            if BAD_PARAM.search(value):
                raise ValueError(
                    f"parameter {number} has a line break, a tab or more than 4 spaces in a row, "
                    "which WhatsApp does not allow in template parameters"
                )
        return params
