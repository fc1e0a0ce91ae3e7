"""What the fakes of the two HTTP bridges (tests/gateway/) share: a QR code and a PNG."""

from __future__ import annotations

import base64

QR_TEXT = "2@R8mV0xKq3r8Yk,fake-ref,Zm9vYmFy,c2VjcmV0"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
