"""Dependencies shared by the routes: services, database session, current user."""

from __future__ import annotations

from typing import Annotated, Any, Iterator

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerting.permissions import allowed
from yuqing.services import Services
from yuqing.storage.models import User

from .security import read_token

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token")


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    with services.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
TokenDep = Annotated[str, Depends(oauth2_scheme)]


def get_current_user(services: ServicesDep, session: SessionDep, token: TokenDep) -> User:
    username = read_token(services.secret_key, token)
    user = session.scalar(select(User).where(User.username == username)) if username else None
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="invalid or expired token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require(action: str) -> Any:
    """A dependency that lets through only the roles ``alerting.permissions`` allows ``action``."""

    def check(user: CurrentUser) -> User:
        if not allowed(user.role, action):
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN, detail=f"your role ({user.role}) may not {action}"
            )
        return user

    return Depends(check)


def require_roles(*roles: str) -> Any:
    """A dependency for routes outside the workflow table (admin pages): these roles only."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="not allowed for your role")
        return user

    return Depends(check)
