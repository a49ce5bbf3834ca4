"""Login: the OAuth2 password flow hands out a bearer token."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from yuqing.accounts import authenticate
from yuqing.alerting.permissions import actions_for
from yuqing.clock import SystemClock

from ..deps import CurrentUser, ServicesDep, SessionDep
from ..schemas import TokenOut, UserOut
from ..security import create_token

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/token", response_model=TokenOut)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], services: ServicesDep, session: SessionDep
) -> TokenOut:
    user = authenticate(session, form.username, form.password)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="wrong user name or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    ttl = timedelta(minutes=services.settings.token_ttl_minutes)
    # real time, not the workflow clock: a drill's clock runs ahead, and token expiry is a real-world matter
    token = create_token(services.secret_key, user.username, user.role, SystemClock().now(), ttl)
    return TokenOut(access_token=token)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser, services: ServicesDep) -> UserOut:
    """Who I am, what my role may do (the console shows only those actions), and the
    workflow clock's now (a drill's clock runs ahead of the wall clock)."""
    return UserOut(username=user.username, role=user.role, actions=actions_for(user.role), now=services.clock.now())
