"""Media: what a file really is (by its content, never its name), where it is stored, who
may read it, and the files operators send.

Files live under UPLOAD_DIR as `YYYY-MM/<uuid hex>.<ext>`, the extension from the detected
type. They are never public: GET /api/media/{id} serves them to logged-in users who may
see the conversation."""

from __future__ import annotations

import asyncio
import base64
import binascii
import csv
import io
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import filetype
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import User
from helpline.channels.providers.base import MediaRef
from helpline.clock import utcnow
from helpline.config import Settings
from helpline.conversations import service as conversations
from helpline.conversations.events import announce_message, announce_message_update
from helpline.conversations.models import Conversation
from helpline.errors import Conflict, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMedia
from helpline.media.models import MediaFile, MediaStatus
from helpline.messages.models import Message, Sender
from helpline.messages.service import queue_outbound
from helpline.messages.views import load_views
from helpline.templates.window import ensure_reply_window

log = logging.getLogger(__name__)

MB = 1024 * 1024
OOXML = "application/vnd.openxmlformats-officedocument"
# What the desk accepts, by the type found in the content: (extension, kind).
ALLOWED: dict[str, tuple[str, str]] = {
    "image/jpeg": ("jpg", "image"),
    "image/png": ("png", "image"),
    "image/webp": ("webp", "image"),
    "image/gif": ("gif", "image"),
    "audio/ogg": ("ogg", "audio"),  # WhatsApp voice notes: Opus in Ogg
    "audio/mpeg": ("mp3", "audio"),
    "audio/mp4": ("m4a", "audio"),
    "audio/aac": ("aac", "audio"),
    "audio/amr": ("amr", "audio"),
    "video/mp4": ("mp4", "video"),
    "video/3gpp": ("3gp", "video"),
    "application/pdf": ("pdf", "document"),
    f"{OOXML}.wordprocessingml.document": ("docx", "document"),
    f"{OOXML}.spreadsheetml.sheet": ("xlsx", "document"),
    f"{OOXML}.presentationml.presentation": ("pptx", "document"),
    "application/zip": ("zip", "document"),
    "text/plain": ("txt", "document"),
    "text/csv": ("csv", "document"),
}
ALLOWED_TEXT = (
    "images (JPEG, PNG, WebP, GIF), audio (Ogg/Opus, MP3, M4A, AAC, AMR), video (MP4, 3GP), "
    "PDF, Word, Excel, PowerPoint, ZIP and plain text or CSV"
)
# Kinds a file may be shown as, besides the one its type says.
SHOWN_AS = {("sticker", "image"), ("audio", "video"), ("document", "image")}
SHOWN_AS |= {("document", k) for k in ("audio", "video")}


@dataclass(frozen=True)
class MediaStorage:
    """Where files go and how big they may be (UPLOAD_DIR, MAX_UPLOAD_MB)."""

    upload_dir: Path = Path("./data/uploads")
    max_upload_mb: int = 16

    @classmethod
    def of(cls, settings: Settings) -> MediaStorage:
        return cls(settings.upload_dir, settings.max_upload_mb)


@dataclass(frozen=True)
class Inspected:
    """A file whose type was found in its content and is allowed."""

    data: bytes
    mime_type: str
    extension: str
    kind: str  # as the content says: image | audio | video | document

    @property
    def size(self) -> int:
        return len(self.data)


def limit_bytes(max_upload_mb: int) -> int:
    return max_upload_mb * MB


def too_big(size: int, max_upload_mb: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The file is {size / MB:.1f} MB; the limit is {max_upload_mb} MB (MAX_UPLOAD_MB)"
    )


def inspect(data: bytes, max_upload_mb: int) -> Inspected:
    """Find the file's type in its content. Raises PayloadTooLarge (413),
    UnsupportedMedia (415) or Unprocessable (422, empty)."""
    if not data:
        raise Unprocessable("The file is empty")
    if len(data) > limit_bytes(max_upload_mb):
        raise too_big(len(data), max_upload_mb)
    guess = filetype.guess(data)
    if guess is not None:
        mime = guess.mime
    elif _is_3gpp(data):
        mime = "video/3gpp"
    elif _is_text(data):
        mime = "text/csv" if _looks_like_csv(data) else "text/plain"
    else:
        raise UnsupportedMedia(f"This type of file is not allowed; send {ALLOWED_TEXT}")
    if mime not in ALLOWED:
        raise UnsupportedMedia(f"Files of type {mime} are not allowed; send {ALLOWED_TEXT}")
    extension, kind = ALLOWED[mime]
    return Inspected(data, mime, extension, kind)


def _is_3gpp(data: bytes) -> bool:
    """filetype looks for "ftyp3gp" at the start, where a real 3GP file has its box size
    first: read the ISO-BMFF major brand ourselves."""
    return data[4:8] == b"ftyp" and data[8:11] in (b"3gp", b"3g2")


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def _looks_like_csv(data: bytes) -> bool:
    """Two or more lines that all split into the same number (> 1) of fields, the first
    (a header) with none empty. Only the name of a text file depends on it."""
    lines = [line for line in data.decode("utf-8-sig").splitlines()[:50] if line.strip()]
    if len(lines) < 2:
        return False
    sample = "\n".join(lines)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return False
    rows = list(csv.reader(io.StringIO(sample), dialect))
    widths = {len(row) for row in rows}
    return len(widths) == 1 and widths.pop() > 1 and all(f.strip() for f in rows[0])


def shown_kind(claimed: str | None, inspected: Inspected) -> str:
    """The kind the message shows: the sender's when the content fits it (a sticker is a
    WebP image, a voice note may be an MP4, any file may be sent as a document), else
    what the content is."""
    fits = claimed == inspected.kind or (claimed, inspected.kind) in SHOWN_AS
    if claimed == "sticker":
        fits = inspected.mime_type == "image/webp"
    return claimed if claimed and fits else inspected.kind


def decode_base64(text: str, max_upload_mb: int) -> bytes:
    if len(text) * 3 // 4 > limit_bytes(max_upload_mb) + 3:  # before decoding it all
        raise too_big(len(text) * 3 // 4, max_upload_mb)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Unprocessable("media.dataBase64 is not valid base64") from None


def display_name(name: str | None) -> str | None:
    """The sender's file name without any path or control characters."""
    if not name:
        return None
    base = PurePosixPath(name.replace("\\", "/")).name
    clean = "".join(ch for ch in base if ch.isprintable()).strip()
    return clean[:255] or None


def download_name(media: MediaFile) -> str:
    """The name offered on download: the sender's, with the extension of what it is."""
    ext = PurePosixPath(media.stored_path or "").suffix
    stem = PurePosixPath(media.filename).stem if media.filename else f"{media.kind}-{media.id}"
    return f"{stem or media.kind}{ext}"


# --- files on disk --------------------------------------------------------------------


async def write_file(upload_dir: Path, inspected: Inspected) -> str:
    """Store the bytes; returns the path relative to UPLOAD_DIR."""
    relative = f"{utcnow():%Y-%m}/{uuid.uuid4().hex}.{inspected.extension}"
    await asyncio.to_thread(_write, upload_dir / relative, inspected.data)
    return relative


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)  # readers never see half a file


def remove_files(upload_dir: Path, relative_paths: list[str]) -> None:
    """Files written for a transaction that did not commit."""
    for relative in relative_paths:
        try:
            (upload_dir / relative).unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove %s", relative, exc_info=True)


def file_path(upload_dir: Path, media: MediaFile) -> Path:
    if not media.stored_path:
        raise NotFound(f"Media {media.id} is not stored")
    return upload_dir / media.stored_path


# --- rows -----------------------------------------------------------------------------


def ready(media: MediaFile, inspected: Inspected, stored_path: str, claimed: str | None) -> None:
    media.kind = shown_kind(claimed, inspected)
    media.mime_type = inspected.mime_type
    media.size = inspected.size
    media.stored_path = stored_path
    media.status = MediaStatus.READY.value
    media.error = None
    media.next_attempt_at = None


def failed(media: MediaFile, reason: str) -> None:
    media.status = MediaStatus.FAILED.value
    media.error = reason[:500]
    media.next_attempt_at = None


def inbound_media(channel_id: int, ref: MediaRef) -> MediaFile:
    """A row for what a message brought: still to be downloaded (or refused) by default."""
    return MediaFile(
        channel_id=channel_id,
        kind=ref.kind,
        mime_type=ref.mime_type,
        filename=display_name(ref.filename),
        voice=ref.voice,
        status=MediaStatus.PENDING.value,
        source_media_id=ref.media_id,
        source_url=ref.url,
        attempts=0,
        next_attempt_at=utcnow(),
        created_at=utcnow(),
    )


async def access_media(session: AsyncSession, user: User, media_id: int) -> MediaFile:
    """A media file of a conversation the user may see; others do not exist for them."""
    media = await session.get(MediaFile, media_id)
    if media is not None:
        msg = await session.get(Message, media.message_id)
        if msg is not None:
            try:
                await conversations.access_conversation(session, user, msg.conversation_id)
            except NotFound:
                pass
            else:
                return media
    raise NotFound(f"Media {media_id} not found")


async def retry(session: AsyncSession, user: User, media_id: int) -> Message:
    """Download a file that failed again, from the start (the caller commits, then wakes
    the fetcher)."""
    media = await access_media(session, user, media_id)
    if media.status == MediaStatus.READY:
        raise Conflict("This file is already downloaded")
    if not (media.source_media_id or media.source_url):
        raise Conflict("There is nothing to download this file from")
    media.status = MediaStatus.PENDING.value
    media.error = None
    media.attempts = 0
    media.next_attempt_at = utcnow()
    msg = await session.get(Message, media.message_id)
    assert msg is not None  # the foreign key
    conv = await session.get(Conversation, msg.conversation_id)
    assert conv is not None
    msg.media = media
    await load_views(session, [msg])
    announce_message_update(session, msg, conv)
    return msg


@dataclass
class SentFile:
    message: Message
    stored_path: str


async def send_file(
    session: AsyncSession,
    user: User,
    conv_id: int,
    inspected: Inspected,
    upload_dir: Path,
    filename: str | None,
    caption: str,
    quoted_id: int | None,
) -> SentFile:
    """An operator sends a file: the same rules as a text reply, then the file is stored
    and the message queued. The caller commits, or removes the file if that fails."""
    conv = await conversations.start_reply(session, user, conv_id)
    await ensure_reply_window(session, conv)  # a file is a free-form send, like a text
    quoted = await conversations.quotable(session, conv, quoted_id)
    stored_path = await write_file(upload_dir, inspected)
    try:
        msg = await queue_outbound(
            session, conv, caption, Sender.OPERATOR, user, type_=inspected.kind, quoted=quoted
        )
        media = MediaFile(
            message_id=msg.id,
            channel_id=conv.channel_id,
            filename=display_name(filename),
            voice=False,
            attempts=0,
            created_at=utcnow(),
        )
        ready(media, inspected, stored_path, claimed=None)
        session.add(media)
        await session.flush()
    except BaseException:
        remove_files(upload_dir, [stored_path])
        raise
    msg.media = media
    announce_message(session, msg, conv)
    return SentFile(msg, stored_path)
