from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator, model_validator

from helpline.auth.schemas import ApiModel
from helpline.db import RowId
from helpline.quick_replies.models import Scope

SHORTCUT_PATTERN = r"^[a-z0-9_\-]{1,40}$"


def _clean_shortcut(value: str) -> str:
    return value.strip().lstrip("/").lower()


class QuickReplyOut(ApiModel):
    id: int
    shortcut: str
    title: str
    body: str
    scope: Scope
    area_id: int | None
    owner_user_id: int | None
    position: int
    updated_at: datetime


class QuickReplyIn(ApiModel):
    shortcut: str = Field(max_length=41)
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=4096)
    scope: Scope = Scope.PERSONAL
    area_id: RowId | None = None

    @field_validator("shortcut")
    @classmethod
    def _shortcut(cls, value: str) -> str:
        import re

        value = _clean_shortcut(value)
        if not re.match(SHORTCUT_PATTERN, value):
            raise ValueError("use 1-40 letters, digits, '-' or '_' (e.g. /saludo)")
        return value

    @model_validator(mode="after")
    def _area_matches_scope(self) -> QuickReplyIn:
        if (self.scope == Scope.AREA) != (self.area_id is not None):
            raise ValueError("areaId is required for scope 'area' and only for it")
        return self


class ReorderIn(ApiModel):
    ids: list[int] = Field(min_length=1, max_length=500)
