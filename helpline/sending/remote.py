"""Files the sending API is given by URL: fetched once, before anything is stored, with
the same size limit as an upload (MAX_UPLOAD_MB), refused as soon as they exceed it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from helpline.errors import Unprocessable
from helpline.media.service import limit_bytes, too_big

FETCH_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_REDIRECTS = 3


@dataclass(frozen=True)
class Fetched:
    data: bytes
    filename: str | None  # the URL's last path segment, when it has one


async def fetch(url: str, max_upload_mb: int) -> Fetched:
    """The bytes at `url`; 413 when larger than the limit, 422 when it cannot be fetched."""
    limit = limit_bytes(max_upload_mb)
    try:
        async with (
            httpx.AsyncClient(
                timeout=FETCH_TIMEOUT, follow_redirects=True, max_redirects=MAX_REDIRECTS
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise Unprocessable(f"media.url: fetching it answered HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise too_big(int(declared), max_upload_mb)
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > limit:
                    raise too_big(len(data), max_upload_mb)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        reason = str(exc) or type(exc).__name__
        raise Unprocessable(f"media.url could not be fetched: {reason[:200]}") from None
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    return Fetched(bytes(data), name or None)
