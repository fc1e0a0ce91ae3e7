from __future__ import annotations

from pydantic import Field, field_validator

from helpline.auth.schemas import ApiModel


class AreaOut(ApiModel):
    id: int
    name: str
    description: str | None
    active: bool
    auto_assign: bool
    capacity: int


class AreaCreate(ApiModel):
    name: str = Field(min_length=1, max_length=80)
    description: str | None = Field(default=None, max_length=2000)
    active: bool = True
    auto_assign: bool = True
    capacity: int = Field(default=5, ge=1, le=100)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class AreaUpdate(ApiModel):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    description: str | None = Field(default=None, max_length=2000)
    active: bool | None = None
    auto_assign: bool | None = None
    capacity: int | None = Field(default=None, ge=1, le=100)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value.strip() if value else value


class AreaMemberOut(ApiModel):
    id: int
    name: str
    role: str
    is_default: bool
