"""The audit timeline: an append-only record per incident, hash-chained.

``record`` is the only writer. The database refuses UPDATE and DELETE on the
table (triggers made by migration 0003) and no API route changes an entry.
Each entry's ``hash`` covers the previous entry's hash, so ``verify`` finds an
entry that was altered or removed behind the database's back.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.storage.models import TimelineEntry

SYSTEM = "system"
GENESIS = "0" * 64


def entry_hash(prev: str, incident_id: int, at: datetime, actor: str, kind: str, details: dict[str, Any]) -> str:
    body = json.dumps(
        [prev, incident_id, f"{at.timestamp():.6f}", actor, kind, details],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(
    session: Session, incident_id: int, kind: str, at: datetime, actor: str = SYSTEM, **details: Any
) -> TimelineEntry:
    """Append one entry (in the caller's transaction)."""
    session.flush()
    prev = session.scalar(
        select(TimelineEntry.hash)
        .where(TimelineEntry.incident_id == incident_id)
        .order_by(TimelineEntry.id.desc())
        .limit(1)
    )
    details = json.loads(json.dumps(details, ensure_ascii=False, default=str))  # what the JSON column will hold
    entry = TimelineEntry(
        incident_id=incident_id,
        at=at,
        actor=actor,
        kind=kind,
        details=details,
        hash=entry_hash(prev or GENESIS, incident_id, at, actor, kind, details),
    )
    session.add(entry)
    session.flush()
    return entry


def entries(session: Session, incident_id: int) -> list[TimelineEntry]:
    return list(
        session.scalars(
            select(TimelineEntry).where(TimelineEntry.incident_id == incident_id).order_by(TimelineEntry.id)
        )
    )


def verify(items: list[TimelineEntry]) -> int | None:
    """The id of the first entry whose hash does not follow from the chain, or None if intact."""
    prev = GENESIS
    for e in items:
        if entry_hash(prev, e.incident_id, e.at, e.actor, e.kind, e.details) != e.hash:
            return e.id
        prev = e.hash
    return None
