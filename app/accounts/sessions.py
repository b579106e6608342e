"""Logins as rows: each browser's session cookie carries a token naming one, and an ended row logs it out.

The cookie itself is signed, so it cannot be forged, but it is the browser's: a copy keeps working
wherever it is pasted.  What ends a login is therefore kept here, on the server: logout, a new password,
deactivation, "log out everywhere", or the login's absolute age.  The idle limit needs no row: Flask signs
the time into the cookie and refuses one not sent back within PERMANENT_SESSION_LIFETIME.
"""
import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from app.accounts.models import User, UserSession
from app.database import utcnow
from app.extensions import db


#: the key of the login's token in Flask's session cookie
COOKIE_KEY = 'login'


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, *, user_agent: str = '', address: str = '') -> str:
    """A new login of `user`: its token, for the session cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, token_hash=_hash(token), user_agent=(user_agent or '')[:200],
                               address=(address or '')[:45]))
    db.session.flush()
    return token


def user_of(user_id: int, token: str | None, *, longest: dt.timedelta) -> User | None:
    """The active user whose login this token names, if it has not ended nor outlived `longest`."""
    if not token:
        return None
    return db.session.scalar(
        sa.select(User).join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, User.active.is_(True), UserSession.token_hash == _hash(token),
               UserSession.ended_at.is_(None), UserSession.started_at > utcnow() - longest))


def end(token: str | None, why: str) -> None:
    """The login this token names ends (logout)."""
    if token:
        db.session.execute(sa.update(UserSession).where(UserSession.token_hash == _hash(token),
                                                        UserSession.ended_at.is_(None))
                           .values(ended_at=utcnow(), ended_why=why))


def end_all(user: User, why: str, *, keep: str | None = None) -> int:
    """Every open login of `user` ends, but the one `keep` names (the browser that asked); how many ended."""
    query = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep:
        query = query.where(UserSession.token_hash != _hash(keep))
    return db.session.execute(query.values(ended_at=utcnow(), ended_why=why)).rowcount


def open_logins(user: User, *, longest: dt.timedelta) -> list[UserSession]:
    """The user's logins that still let a browser in, newest first."""
    return list(db.session.scalars(sa.select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None),
        UserSession.started_at > utcnow() - longest).order_by(UserSession.id.desc())))
