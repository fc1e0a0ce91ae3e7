from __future__ import annotations

from typing import Literal

from pydantic import Field

from helpline.auth.schemas import ApiModel

MAX_MINUTES = 60 * 24 * 30  # thirty days

Minutes = int | None


class AreaTargetsIn(ApiModel):
    first_response_minutes: Minutes = Field(
        default=None, ge=1, le=MAX_MINUTES, description="null: no first-response target"
    )
    resolution_minutes: Minutes = Field(
        default=None, ge=1, le=MAX_MINUTES, description="null: no resolution target"
    )


class AreaTargetsOut(ApiModel):
    area_id: int
    first_response_minutes: int | None
    resolution_minutes: int | None
    basis: Literal["business", "clock"] = Field(
        description="business: counted in the area's open hours; clock: it has none"
    )
