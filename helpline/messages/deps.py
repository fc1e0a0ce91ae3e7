"""FastAPI dependencies of the messages layer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from helpline.messages.ingest import IngestWriter


# Async although it does not await: FastAPI runs plain `def` dependencies in a thread pool.
async def get_ingest_writer(request: Request) -> IngestWriter:
    writer: IngestWriter = request.app.state.ingest
    return writer


IngestWriterDep = Annotated[IngestWriter, Depends(get_ingest_writer)]
