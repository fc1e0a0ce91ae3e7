"""What areas tell the layers above them (connected in helpline.wiring)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.hooks import Hook

# These areas' queues may move: members, capacity, opening hours or someone's presence
# changed (routing drains them).
QUEUES_MAY_MOVE: Hook[[AsyncSession, Sequence[int]]] = Hook("areas.queues_may_move")
# The area is about to be deactivated or deleted: raise Conflict to refuse (flows).
AREA_RETIRING: Hook[[AsyncSession, Area]] = Hook("areas.area_retiring")
# The area is about to be deleted: raise Conflict to refuse (conversations keep history).
AREA_DELETING: Hook[[AsyncSession, Area]] = Hook("areas.area_deleting")
