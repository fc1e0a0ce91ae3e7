"""Domain errors raised by services; the app turns them into HTTP answers in one place."""


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
