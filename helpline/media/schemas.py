from __future__ import annotations

from helpline.auth.schemas import ApiModel


class MediaOut(ApiModel):
    """A message's file, as `MessageOut.media`."""

    id: int
    kind: str  # image | audio | video | document | sticker
    mime_type: str | None
    size: int | None
    filename: str | None
    voice: bool
    status: str  # pending | ready | failed
    error: str | None  # why it failed (or why the last try did, while pending)
    url: str  # /api/media/{id}: only for logged-in users who may see the conversation
