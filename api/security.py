"""Bearer tokens (JWT, HS256) for the API and the console."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

ALGORITHM = "HS256"


def create_token(secret: str, username: str, role: str, now: datetime, ttl: timedelta) -> str:
    claims = {"sub": username, "role": role, "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp())}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: str) -> str | None:
    """The user name in a valid token, else None (bad signature, expired, malformed)."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else None
