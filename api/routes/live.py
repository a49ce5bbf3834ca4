"""The console's live stream (Server-Sent Events): new negative posts, notices, incident changes.

The browser reads it with ``fetch`` and the bearer token in the header (no token in the
URL, where logs and history would keep it). A notice is streamed only to its roles.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from yuqing.alerting.feed import Event
from yuqing.storage.models import User

from ..deps import ServicesDep, TokenDep
from ..security import read_token

router = APIRouter(tags=["live"])
KEEPALIVE_SECONDS = 15.0


def visible(event: Event, role: str) -> bool:
    roles = event.get("roles")
    return not roles or role in roles or role == "admin"


def frame(event: Event) -> str:
    return f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"


@router.get("/api/stream")
async def stream(request: Request, services: ServicesDep, token: TokenDep) -> StreamingResponse:
    username = read_token(services.secret_key, token)
    with services.sessions() as session:  # a short session: the stream outlives any request scope
        user = session.scalar(select(User).where(User.username == username)) if username else None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or expired token", {"WWW-Authenticate": "Bearer"})
    role = user.role
    queue = services.feed.subscribe()

    async def events() -> AsyncIterator[str]:
        try:
            yield "retry: 3000\n" + frame({"type": "hello", "user": user.username, "role": role})
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if event["type"] == "bye":  # the server is shutting down
                    return
                if visible(event, role):
                    yield frame(event)
        finally:
            services.feed.unsubscribe(queue)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
