"""The audit timeline: an append-only record per incident, hash-chained.

``record`` is the only writer. The database refuses UPDATE and DELETE on the
table (triggers made by migration 0003) and no API route changes an entry.
Each entry's ``hash`` covers the previous entry's hash, so ``verify`` finds an
entry that was altered or removed behind the database's back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from yuqing.storage.models import Incident, TimelineEntry

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


def _last_hash(session: Session, incident_id: int) -> str:
    """The chain's current end for this incident, looked up once per transaction.

    The first lookup locks the incident's row (``FOR UPDATE`` where the database has
    it), so two transactions cannot both extend the same end; later appends in the
    same transaction continue from the cache in ``session.info``.
    """
    ends: dict[int, str] = session.info.setdefault("timeline_ends", {})
    if incident_id not in ends:
        session.flush()
        session.execute(select(Incident.id).where(Incident.id == incident_id).with_for_update())
        prev = session.scalar(
            select(TimelineEntry.hash)
            .where(TimelineEntry.incident_id == incident_id)
            .order_by(TimelineEntry.id.desc())
            .limit(1)
        )
        ends[incident_id] = prev or GENESIS
    return ends[incident_id]


def preload(session: Session, incident_ids: Iterable[int]) -> None:
    """Look up (and lock) the chain ends of many incidents at once, before appending to them:
    what the ticker does for a batch of timers instead of one lookup per incident."""
    ends: dict[int, str] = session.info.setdefault("timeline_ends", {})
    missing = sorted({i for i in incident_ids if i not in ends})
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        session.execute(select(Incident.id).where(Incident.id.in_(chunk)).with_for_update())
        last = (
            select(func.max(TimelineEntry.id).label("id"))
            .where(TimelineEntry.incident_id.in_(chunk))
            .group_by(TimelineEntry.incident_id)
            .subquery()
        )
        found = dict(
            session.execute(
                select(TimelineEntry.incident_id, TimelineEntry.hash).join(last, TimelineEntry.id == last.c.id)
            ).all()
        )
        for incident_id in chunk:
            ends[incident_id] = found.get(incident_id, GENESIS)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_ends(session: Session, *_args: object) -> None:
    """What a transaction cached (chain ends, logged notices) is stale once it ends."""
    session.info.pop("timeline_ends", None)
    session.info.pop("nflog_keys", None)


def record(
    session: Session, incident_id: int, kind: str, at: datetime, actor: str = SYSTEM, **details: Any
) -> TimelineEntry:
    """Append one entry (in the caller's transaction)."""
    prev = _last_hash(session, incident_id)
    details = json.loads(json.dumps(details, ensure_ascii=False, default=_json))  # what the JSON column will hold
    entry = TimelineEntry(
        incident_id=incident_id,
        at=at,
        actor=actor,
        kind=kind,
        details=details,
        hash=entry_hash(prev, incident_id, at, actor, kind, details),
    )
    session.add(entry)
    session.info["timeline_ends"][incident_id] = entry.hash
    return entry


def _json(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


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
