"""The console's live feed: publish/subscribe of events (new negative posts, notices, incident changes).

Publishers are worker threads (the ingest, the ticker, request handlers); subscribers
are the console's event streams (SSE), each an ``asyncio.Queue`` on the server's loop,
fed with ``call_soon_threadsafe``. A subscriber's queue is bounded: a slow browser
loses the oldest events, it never holds up the engine.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

Event = dict[str, Any]


class Feed:
    def __init__(self, maxsize: int = 500) -> None:
        self._subscribers: dict[asyncio.Queue[Event], asyncio.AbstractEventLoop] = {}
        self._lock = threading.Lock()
        self._maxsize = maxsize

    def subscribe(self) -> asyncio.Queue[Event]:
        """A queue of the events published from now on (call from the event loop)."""
        q: asyncio.Queue[Event] = asyncio.Queue(self._maxsize)
        with self._lock:
            self._subscribers[q] = asyncio.get_running_loop()
        return q

    def unsubscribe(self, q: asyncio.Queue[Event]) -> None:
        with self._lock:
            self._subscribers.pop(q, None)

    def close(self) -> None:
        """Tell every subscriber the server is going away (a ``bye`` event): streams end."""
        self.publish({"type": "bye"})

    def publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers.items())
        for q, loop in subscribers:
            try:
                loop.call_soon_threadsafe(_put, q, event)
            except RuntimeError:  # its loop has closed
                self.unsubscribe(q)


def _put(q: asyncio.Queue[Event], event: Event) -> None:
    if q.full():  # drop the oldest: the newest matters most on a live screen
        q.get_nowait()
    q.put_nowait(event)
