"""`/metrics` for Prometheus: readable with the METRICS_TOKEN bearer token, or without one
from the METRICS_ALLOW_IPS addresses."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, HTTPException, Request, Response

from helpline import metrics
from helpline.auth.deps import DatabaseDep, SettingsDep
from helpline.config import Settings

router = APIRouter(tags=["operations"])


def address_allowed(address: str | None, allowed: list[str]) -> bool:
    """`address` is one of `allowed` (addresses or CIDR ranges; "*" is everyone)."""
    if address is None:
        return False
    if "*" in allowed:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def may_read_metrics(request: Request, settings: Settings) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if settings.metrics_token and scheme.lower() == "bearer":
        return hmac.compare_digest(token.strip(), settings.metrics_token)
    client = request.client.host if request.client else None
    return address_allowed(client, settings.metrics_allow_list)


@router.get(
    "/metrics",
    include_in_schema=False,  # Prometheus text, not JSON: not part of the console's API
    response_class=Response,
)
async def read_metrics(request: Request, settings: SettingsDep, db: DatabaseDep) -> Response:
    if not may_read_metrics(request, settings):
        raise HTTPException(
            403,
            "Metrics are readable with the METRICS_TOKEN bearer token "
            "or from the METRICS_ALLOW_IPS addresses",
        )
    await metrics.run_scrape_hooks(db)
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
