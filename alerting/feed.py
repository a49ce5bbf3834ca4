"""The console's live feed: an in-process publish/subscribe of events (notices, new posts).

The console notifier publishes here; the console's event stream (SSE) subscribes.
Each subscriber has a bounded queue: a slow browser loses old events, never blocks
the engine. Thread-safe, since the ticker and the ingest run in worker threads.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

Event = dict[str, Any]


class Feed:
    def __init__(self, maxsize: int = 1000) -> None:
        self._subscribers: set[queue.Queue[Event]] = set()
        self._lock = threading.Lock()
        self._maxsize = maxsize

    def subscribe(self) -> queue.Queue[Event]:
        q: queue.Queue[Event] = queue.Queue(self._maxsize)
        with self._lock:
            self._subscribers.add(q)
        return q

    def unsubscribe(self, q: queue.Queue[Event]) -> None:
        with self._lock:
            self._subscribers.discard(q)

    def publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for q in subscribers:
            try:
                q.put_nowait(event)
            except queue.Full:  # drop the oldest: the newest matters most on a live screen
                try:
                    q.get_nowait()
                    q.put_nowait(event)
                except (queue.Empty, queue.Full):
                    pass
