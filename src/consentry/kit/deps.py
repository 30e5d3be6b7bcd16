"""HTTP request dependencies: the transaction-owning session, the clock and the settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from consentry.kit.clock import Clock
from consentry.kit.db import Database
from consentry.kit.settings import Settings

__all__ = ["ClockDep", "SessionDep", "SettingsDep", "get_session"]


def get_session(request: Request) -> Iterator[Session]:
    """A session for this request: committed when the endpoint returns, rolled back on error."""
    db: Database = request.app.state.db
    with db.transaction() as session:
        yield session


def get_clock(request: Request) -> Clock:
    """The application's clock."""
    clock: Clock = request.app.state.clock
    return clock


def get_app_settings(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


# scope="function": commit before the response is sent, so a 2xx always means committed.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
