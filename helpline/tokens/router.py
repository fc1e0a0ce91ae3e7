from __future__ import annotations

from fastapi import APIRouter

from helpline.auth.deps import AdminUser, SessionDep
from helpline.db import RowId
from helpline.tokens import service
from helpline.tokens.schemas import TokenCreatedOut, TokenIn, TokenOut

router = APIRouter(prefix="/api/tokens", tags=["tokens"])


@router.get("", response_model=list[TokenOut], operation_id="listApiTokens")
async def list_tokens(_: AdminUser, session: SessionDep) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in await service.list_tokens(session)]


@router.post("", response_model=TokenCreatedOut, status_code=201, operation_id="createApiToken")
async def create_token(data: TokenIn, user: AdminUser, session: SessionDep) -> TokenCreatedOut:
    token, secret = await service.create_token(session, user, data)
    await session.commit()
    return TokenCreatedOut(**TokenOut.model_validate(token).model_dump(), secret=secret)


@router.post("/{token_id}/revoke", response_model=TokenOut, operation_id="revokeApiToken")
async def revoke_token(token_id: RowId, _: AdminUser, session: SessionDep) -> TokenOut:
    token = await service.revoke_token(session, token_id)
    await session.commit()
    return TokenOut.model_validate(token)
