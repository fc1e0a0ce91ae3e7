"""Domain errors raised by services, and the one error body every 4xx/5xx answer has.

The app turns errors into HTTP answers in one place (`helpline.app`): domain errors,
`HTTPException`s and request validation all answer `ErrorOut`, so a client reads
`detail` (one line for a person) whatever went wrong, and `errors` (field by field) when
the request did not validate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field


class DomainError(Exception):
    status_code = 400
    # A machine-readable reason the console can act on (e.g. "window_closed"): sent next to
    # `detail` when set.
    code: str | None = None

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        # More for the client to act on (e.g. the id of the contact a phone belongs to),
        # sent beside `detail` in camelCase as given.
        self.extra = extra


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class Unprocessable(DomainError):
    status_code = 422


class PayloadTooLarge(DomainError):
    status_code = 413


class UnsupportedMedia(DomainError):
    status_code = 415


class BadGateway(DomainError):
    """A remote service (the WhatsApp provider) refused or failed a call made for the user."""

    status_code = 502


# --- the error body -----------------------------------------------------------------------


class FieldError(BaseModel):
    """One problem of a request that did not validate (pydantic's, without the input, which
    may be a password)."""

    loc: list[str | int] = Field(description='where: ["body", "password"], ["path", "conv_id"]')
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every refused request: a one-line message for a person, and for a request that did
    not validate, each problem with its field."""

    detail: str = Field(description="one line, for a person")
    code: str | None = Field(
        default=None, description='a reason the console acts on, e.g. "window_closed"'
    )
    errors: list[FieldError] | None = Field(
        default=None, description="a request that did not validate: each problem"
    )


# Declared on every operation (the app's `responses`): any 4xx answers ErrorOut.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorOut, "description": "Refused: `detail` says why"},
}

_WHERE = frozenset({"body", "query", "path", "header", "cookie"})
_SHOWN = 3


def field_errors(raw: Sequence[Any]) -> list[FieldError]:
    out = []
    for err in raw:
        loc = [p if isinstance(p, int) else str(p) for p in err.get("loc", ())]
        out.append(FieldError(loc=loc, msg=str(err.get("msg", "")), type=str(err.get("type", ""))))
    return out


def validation_message(errors: Sequence[FieldError]) -> str:
    """`field: problem` for the first few, on one line: "password: String should have at
    least 10 characters; role: Input should be 'ADMIN' or ... (and 2 more)"."""
    parts = []
    for err in errors[:_SHOWN]:
        path = [str(p) for p in err.loc if not (isinstance(p, str) and p in _WHERE)]
        msg = err.msg.removeprefix("Value error, ").replace("\n", " ")
        parts.append(f"{'.'.join(path)}: {msg}" if path else msg)
    line = "; ".join(parts) or "The request is not valid"
    if len(errors) > _SHOWN:
        line += f" (and {len(errors) - _SHOWN} more)"
    return line


def error_body(
    detail: Any, code: str | None = None, errors: list[FieldError] | None = None
) -> dict[str, Any]:
    text = detail if isinstance(detail, str) else str(detail)
    body = ErrorOut(detail=" ".join(text.split()) or "Error", code=code, errors=errors)
    return body.model_dump(exclude_none=True)
