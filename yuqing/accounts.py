"""Users, roles and passwords (argon2)."""

from __future__ import annotations

import re
from typing import get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.clock import Clock
from yuqing.errors import YuqingError
from yuqing.settings import Role
from yuqing.storage.models import User

ROLES: tuple[str, ...] = get_args(Role)

# Who the demo creates, all with the password "demo": never outside demo mode.
DEMO_USERS: dict[str, Role] = {
    "brand": "brand",
    "lead": "brand_lead",
    "legal": "legal",
    "director": "director",
    "admin": "admin",
}
DEMO_PASSWORD = "demo"

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_hasher = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password")


class AccountError(YuqingError):
    pass


def add_user(session: Session, clock: Clock, username: str, role: str, password: str, email: str | None = None) -> User:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError("a user name needs 1 to 64 characters")
    if not password:
        raise AccountError("the password is empty")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AccountError(f"user {username!r} exists already")
    if email is not None and not _EMAIL.fullmatch(email):
        raise AccountError(f"not an e-mail address: {email!r}")
    user = User(username=username, role=role, password_hash=_hasher.hash(password), created_at=clock.now(), email=email)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def ensure_demo_users(session: Session, clock: Clock) -> list[str]:
    """Create the demo users that are missing; returns the names created."""
    created = []
    for username, role in DEMO_USERS.items():
        if session.scalar(select(User).where(User.username == username)) is None:
            add_user(session, clock, username, role, DEMO_PASSWORD)
            created.append(username)
    return created
