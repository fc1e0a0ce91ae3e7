"""`/api/dead-letters`: what providers sent that the desk could not understand (admins)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from helpline.auth.deps import AdminUser, DatabaseDep, SessionDep
from helpline.dead_letters import service
from helpline.dead_letters.models import DeadLetter
from helpline.dead_letters.schemas import DeadLetterOut, DeadLetterPage, DeadLetterSummary
from helpline.messages.deps import IngestWriterDep

router = APIRouter(prefix="/api/dead-letters", tags=["dead-letters"])

LetterId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _summary(letter: DeadLetter) -> DeadLetterSummary:
    return DeadLetterSummary.model_validate(letter, from_attributes=True).model_copy(
        update={"size": len(letter.body)}
    )


def _out(letter: DeadLetter) -> DeadLetterOut:
    return DeadLetterOut(**_summary(letter).model_dump(), body=letter.body)


@router.get("", response_model=DeadLetterPage, operation_id="listDeadLetters")
async def list_letters(
    _: AdminUser,
    session: SessionDep,
    status: Literal["pending", "done"] | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200, alias="pageSize")] = 50,
) -> DeadLetterPage:
    """Newest first; `status=pending` for those still not understood."""
    letters, total = await service.list_letters(session, status, page, page_size)
    return DeadLetterPage(
        items=[_summary(x) for x in letters], total=total, page=page, page_size=page_size
    )


@router.get("/{letter_id}", response_model=DeadLetterOut, operation_id="getDeadLetter")
async def get_letter(_: AdminUser, session: SessionDep, letter_id: LetterId) -> DeadLetterOut:
    return _out(await service.get_letter(session, letter_id))


@router.post(
    "/{letter_id}/reprocess", response_model=DeadLetterOut, operation_id="reprocessDeadLetter"
)
async def reprocess(
    _: AdminUser, db: DatabaseDep, writer: IngestWriterDep, letter_id: LetterId
) -> DeadLetterOut:
    """Read the stored body again with this version's parser and store its messages (never
    twice); the letter is `done` when all of it was understood, else `lastError` says why."""
    return _out(await service.reprocess(db, writer, letter_id))
