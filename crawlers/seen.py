"""What each source has yielded before, so a later crawl follows only what is
new or changed: a thread whose reply count moved, a post not seen yet.

Spiders ask ``fresh(seen, source, {item_id: version})`` and get back the ids
that are new or whose version differs, then ``remember`` them. The version is
whatever tells a change for that item (a reply count, a last-reply time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.clock import Clock
from yuqing.storage.models import SeenItem


class Seen(Protocol):
    def versions(self, source: str, ids: Iterable[str]) -> dict[str, str]:
        """The remembered version of each id that is known."""
        ...

    def remember(self, source: str, versions: Mapping[str, str]) -> None: ...


def fresh(seen: Seen, source: str, versions: Mapping[str, str]) -> set[str]:
    """The ids that are new, or whose version differs from the remembered one."""
    known = seen.versions(source, versions)
    return {i for i, v in versions.items() if known.get(i) != v}


class MemorySeen:
    """For a bare ``scrapy crawl``: remembers within the run only."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], str] = {}

    def versions(self, source: str, ids: Iterable[str]) -> dict[str, str]:
        return {i: self._items[(source, i)] for i in ids if (source, i) in self._items}

    def remember(self, source: str, versions: Mapping[str, str]) -> None:
        self._items.update({(source, i): v for i, v in versions.items()})


class DatabaseSeen:
    """Kept in the workflow database, so it survives restarts."""

    CHUNK = 500

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def _known(self, session: Session, source: str, ids: list[str]) -> dict[str, SeenItem]:
        known: dict[str, SeenItem] = {}
        for i in range(0, len(ids), self.CHUNK):
            rows = session.scalars(
                select(SeenItem).where(SeenItem.source == source, SeenItem.item_id.in_(ids[i : i + self.CHUNK]))
            )
            known.update({row.item_id: row for row in rows})
        return known

    def versions(self, source: str, ids: Iterable[str]) -> dict[str, str]:
        with self._sessions() as session:
            return {i: row.version for i, row in self._known(session, source, list(ids)).items()}

    def remember(self, source: str, versions: Mapping[str, str]) -> None:
        now: datetime = self._clock.now()
        with self._sessions.begin() as session:
            known = self._known(session, source, list(versions))
            for item_id, version in versions.items():
                row = known.get(item_id)
                if row is None:
                    session.add(
                        SeenItem(
                            source=source, item_id=item_id, version=version[:64], first_seen_at=now, last_seen_at=now
                        )
                    )
                else:
                    row.version = version[:64]
                    row.last_seen_at = now
