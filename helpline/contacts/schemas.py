from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import EmailStr, Field, field_validator

from helpline.auth.schemas import ApiModel
from helpline.contacts.models import TAG_LENGTH, AttributeType

# A custom attribute's value on the wire: text, a number or an ISO date (choice: the option).
AttributeValue = str | int | float

COLOR = r"^#[0-9a-fA-F]{6}$"


class ContactStatusIn(ApiModel):
    name: str = Field(min_length=1, max_length=60)
    color: str = Field(default="#64748b", pattern=COLOR)
    position: int = Field(default=0, ge=0, le=10_000)


class ContactStatusOut(ApiModel):
    id: int
    name: str
    color: str
    position: int


class ContactAttributeIn(ApiModel):
    key: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=120)
    type: AttributeType = AttributeType.TEXT
    options: list[str] = Field(default=[], max_length=100)
    position: int = Field(default=0, ge=0, le=10_000)


class ContactAttributeOut(ApiModel):
    id: int
    key: str
    label: str
    type: AttributeType
    options: list[str]
    position: int


def _clean_tags(tags: list[str] | None) -> list[str] | None:
    if tags is None:
        return None
    cleaned = [t.strip() for t in tags if t.strip()]
    if any(len(t) > TAG_LENGTH for t in cleaned):
        raise ValueError(f"a tag has at most {TAG_LENGTH} characters")
    return sorted(set(cleaned), key=str.lower)


class ContactFields(ApiModel):
    """What a person may write on a contact; every field optional (PATCH sends only changes)."""

    phone: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, max_length=120)
    email: EmailStr | None = None
    document: str | None = Field(default=None, max_length=64)
    company: str | None = Field(default=None, max_length=120)
    notes: str | None = Field(default=None, max_length=10_000)
    tags: list[str] | None = Field(default=None, max_length=50)
    status_id: int | None = None
    owner_id: int | None = None
    preferred_area_id: int | None = None
    # Custom attributes by key; null removes a value.
    attributes: dict[str, AttributeValue | None] | None = None

    _tags = field_validator("tags")(_clean_tags)


class ContactIn(ContactFields):
    external_id: str | None = Field(default=None, max_length=160)


class ContactPatch(ContactFields):
    pass


class ContactOut(ApiModel):
    id: int
    phone: str | None
    external_id: str | None
    name: str | None
    name_source: str | None
    email: str | None
    document: str | None
    company: str | None
    notes: str | None
    tags: list[str]
    status_id: int | None
    owner_id: int | None
    preferred_area_id: int | None
    attributes: dict[str, AttributeValue]
    last_seen_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactEventOut(ApiModel):
    id: int
    type: str
    actor_user_id: int | None
    changes: dict[str, Any]
    created_at: datetime


class MergeIn(ApiModel):
    other_id: int = Field(description="the contact merged into this one, then deleted")


ContactSort = Literal["name", "-name", "created", "-created", "lastSeen", "-lastSeen"]


class ContactQuery(ApiModel):
    """`q` over name, phone (any format), email and document; `tag`, `statusId`, `ownerId`
    and `attr` (`key=value`, repeatable) filter."""

    q: str | None = Field(default=None, max_length=100)
    tag: str | None = Field(default=None, max_length=TAG_LENGTH)
    status_id: int | None = None
    owner_id: int | None = None
    attr: list[str] = Field(default=[], max_length=10)
    sort: ContactSort = "-created"
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=30, ge=1, le=200)


class ImportRowError(ApiModel):
    row: int  # 1 = the first line after the header
    field: str | None
    message: str


class ContactImportReport(ApiModel):
    total: int
    valid: int
    invalid: int
    errors: list[ImportRowError]
    # How many valid rows create a contact and how many update one (matched by phone).
    created: int
    updated: int
    written: bool


class ErasureOut(ApiModel):
    """What erasing a contact removes (or removed): counts by kind, e.g. conversations,
    messages, mediaFiles, deals."""

    contact_id: int
    name: str | None
    address: str
    counts: dict[str, int]


class EraseIn(ApiModel):
    confirm: str = Field(
        max_length=200, description="the contact's number (or WhatsApp id), typed again"
    )
