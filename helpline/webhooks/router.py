"""`/api/webhooks/whatsapp`: Meta's verification challenge and its notifications.

No login and no CSRF token here: Meta calls it. A POST is trusted only when its
`X-Hub-Signature-256` is the HMAC-SHA256 of the raw body with the app secret of a cloud
channel, checked before anything is parsed.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from helpline.auth.deps import DatabaseDep
from helpline.channels.providers.cloud import signature
from helpline.messages.deps import IngestWriterDep
from helpline.webhooks import service

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


# The challenge is plain text, a refusal the usual JSON (declared by hand: FastAPI would
# give every answer of a plain-text route the text/plain type).
_REFUSED_AS_JSON: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "description": "Refused: `detail` says why",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }
}


@router.get(
    "/whatsapp",
    response_class=PlainTextResponse,
    responses=_REFUSED_AS_JSON,
    operation_id="whatsappWebhookVerify",
)
async def verify(
    db: DatabaseDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str, Query(alias="hub.challenge")] = "",
) -> PlainTextResponse:
    if not signature.verify_challenge(await service.cloud_channels(db), mode, token):
        raise HTTPException(403, "Verification failed")
    return PlainTextResponse(challenge)


@router.post("/whatsapp", operation_id="whatsappWebhook")
async def notify(request: Request, db: DatabaseDep, writer: IngestWriterDep) -> JSONResponse:
    body = await request.body()
    channels = await service.cloud_channels(db)
    try:
        secrets = signature.signed_secrets(
            channels, body, request.headers.get(signature.SIGNATURE_HEADER)
        )
    except signature.BadSignature as exc:
        log.warning("cloud webhook refused: %s", exc.detail)
        raise HTTPException(exc.status_code, exc.detail) from None
    # What cannot be understood is kept as a dead letter and still acknowledged: Meta's
    # retries would bring the same body again, and an admin can re-process it.
    summary = await service.receive(db, writer, channels, secrets, body)
    return JSONResponse(summary.as_dict(with_sessions=False))
