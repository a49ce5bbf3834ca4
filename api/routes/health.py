"""Liveness: no auth, no secrets."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from yuqing import __version__

from ..deps import ServicesDep

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health")
def health(services: ServicesDep) -> dict[str, object]:
    with services.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "time": services.clock.now().isoformat()}
