"""Creating and changing staff accounts, checking passwords, and writing the audit log."""
import datetime as dt
import logging
import re

import email_validator
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from app.accounts import sessions
from app.accounts.models import AuditEvent, LoginFailure, PersonalDataAccess, Role, User
from app.database import insert_columns, utcnow, with_defaults
from app.errors import UserError
from app.extensions import db
from app.logs import current_request_id


logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
#: the password of the demo shop's accounts: printed in the README, so refused anywhere else
DEMO_PASSWORD = 'kura-demo-2026'


def _hasher() -> PasswordHasher:
    if current_app.config.get('PASSWORD_HASH_FAST'):
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # argon2id with the library's recommended cost


def record_audit(actor: User | None, action: str, obj, *, before: dict | None = None,
                 after: dict | None = None, note: str = '') -> AuditEvent:
    """Append one audit event: who did `action` to `obj`, with its state before and after.

    The event carries the id of the request or job it was written in, as their log lines do.
    """
    object_id = obj.id if hasattr(obj, 'id') else sa.inspect(obj).identity[0]
    event = AuditEvent(user=actor, action=action, object_type=obj.__tablename__, object_id=str(object_id),
                       before=before, after=after, note=note, request_id=current_request_id())
    db.session.add(event)
    return event


def record_audits(actor: User | None, action: str, object_type: str, object_ids: list, *,
                  before: dict | list | None = None, after: dict | list | None = None, note: str | list = '',
                  at: dt.datetime | None = None) -> None:
    """Append one audit event per object at once, set-based: record_audit() for many records.

    `before`, `after` and `note` are each one value for every event or a list with one per object.
    Loaded AuditEvent objects do not see these rows; nothing reads them back in the same request.
    """
    if not object_ids:
        return
    insert_columns(db.session.connection(), AuditEvent.__table__, with_defaults(AuditEvent.__table__, {
        'at': at or utcnow(), 'user_id': actor.id if actor is not None else None, 'action': action,
        'object_type': object_type, 'object_id': [str(object_id) for object_id in object_ids],
        'before': before, 'after': after, 'note': note, 'request_id': current_request_id()}))


def record_personal_data_access(connection: sa.Connection, user_id: int | None, action: str, what: str,
                                order_id: int | None = None, orders: int = 1) -> None:
    """One row of the access log of personal data, on `connection` (a short transaction of its own).

    :param action: 'view', 'export' or 'print' (ACCESS_ACTIONS)
    :param what: the endpoint that showed or made the data
    :param order_id: the one order concerned, None for a file of several (`orders` says how many)
    """
    connection.execute(sa.insert(PersonalDataAccess).values(
        at=utcnow(), user_id=user_id, action=action, what=what, order_id=order_id, orders=orders))


def clean_email(address: str | None, *, field: str = 'email') -> str:
    """`address` without surrounding spaces, when it has the form of an e-mail address.

    The one check of an address for staff logins, buyers and the shop's Reply-To.  Only the form:
    whether the domain takes mail is not looked up (check_deliverability=False), as warehouses are
    often offline and a look-up would hold the request.

    :raise UserError: naming the address and, in email_validator's words, what is wrong with it
    """
    address = (address or '').strip()
    try:
        email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise UserError(_l('"%(email)s" is not an e-mail address. %(reason)s', email=address, reason=str(exc)),
                        field=field) from None
    return address


def check_password_strength(password: str, *, known: tuple[str, ...] = (), demo: bool = False) -> None:
    """Refuse a password that is short, easy to guess, or the public demo password outside the demo.

    zxcvbn estimates how many guesses an attacker needs, knowing common passwords, names, repeats,
    sequences, dates and keyboard walks; `known` adds what the attacker knows of this account (its
    e-mail address and name).  Score 3 needs about 10^8 guesses: safe against online guessing.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(_l('The password must be at least %(n)d characters long.', n=MIN_PASSWORD_LENGTH),
                        field='password')
    if password == DEMO_PASSWORD and not demo:
        raise UserError(_l('This is the demo password, which is published: choose another one.'), field='password')
    words = [part for value in (*known, 'kura') for part in re.split(r'[@.\s_-]+', value.lower()) if part]
    if zxcvbn(password[:100], user_inputs=words)['score'] < 3:
        raise UserError(_l('This password is too easy to guess (a common password, a repeat, a sequence, a date or '
                           'your name). Several unrelated words make a strong password that is easy to remember.'),
                        field='password')


def create_user(email: str, name: str, password: str, role: str, *, actor: User | None = None,
                locale: str = 'ja', demo: bool = False) -> User:
    """Create a staff account; the e-mail address is the login and must be new."""
    email = clean_email(email.lower())
    if role not in Role.__members__:
        raise UserError(_l('Unknown role "%(role)s": use admin, manager, clerk or packer.', role=role), field='role')
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise UserError(_l('A user with the e-mail address %(email)s already exists.', email=email), field='email')
    check_password_strength(password, known=(email, name), demo=demo)
    user = User(email=email, name=name.strip() or email, role=role, locale=locale,
                password_hash=_hasher().hash(password))
    db.session.add(user)
    db.session.flush()
    record_audit(actor, 'user.created', user, after={'email': email, 'role': role})
    logger.info('User %r created by %r', user, actor)
    return user


def update_user(user: User, *, actor: User, name: str, role: str, active: bool, locale: str) -> User:
    if role not in Role.__members__:
        raise UserError(_l('Unknown role "%(role)s": use admin, manager, clerk or packer.', role=role), field='role')
    if user.id == actor.id and (role != user.role or not active):
        raise UserError(_l('You cannot change your own role or deactivate yourself.'), field='role')
    before = {'name': user.name, 'role': user.role, 'active': user.active, 'locale': user.locale}
    user.name, user.role, user.active, user.locale = name.strip() or user.email, role, active, locale
    if before['active'] and not active:
        sessions.end_all(user, 'deactivated')
    after = {'name': user.name, 'role': user.role, 'active': user.active, 'locale': user.locale}
    if before != after:
        record_audit(actor, 'user.updated', user, before=before, after=after)
    db.session.flush()
    return user


def set_password(user: User, password: str, *, actor: User | None, keep_login: str | None = None) -> None:
    """A new password; every login of the account ends but `keep_login` (the browser of the user who set it)."""
    check_password_strength(password, known=(user.email, user.name))
    user.password_hash = _hasher().hash(password)
    ended = sessions.end_all(user, 'password', keep=keep_login)
    record_audit(actor, 'user.password_set', user, note=f'{ended} logins ended' if ended else '')
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config['LANGUAGES']:
        raise UserError(_l('Unknown language "%(locale)s".', locale=locale), field='locale')
    user.locale = locale
    db.session.flush()


#: wrong passwords within LOGIN_WINDOW after which no password is checked: for one account, and from
#: one client address whatever the account (one person trying many accounts)
LOGIN_WINDOW = dt.timedelta(minutes=15)
ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 20


def login_lock(email: str, client: str) -> str | None:
    """Why no password may be tried now for this account or from this address, or None.

    Counting in the database, not in a process, holds for every gunicorn worker and survives a restart.
    """
    since = utcnow() - LOGIN_WINDOW
    email = (email or '').strip().lower()[:254]
    for column, value, limit in ((LoginFailure.email, email, ACCOUNT_LIMIT),
                                 (LoginFailure.client, client[:64], CLIENT_LIMIT)):
        times = db.session.scalars(sa.select(LoginFailure.at).where(column == value, LoginFailure.at >= since)
                                   .order_by(LoginFailure.at.desc()).limit(limit)).all()
        if len(times) >= limit:
            # free again when the oldest of the last `limit` failures leaves the window
            minutes = max(1, -(-int((times[-1] + LOGIN_WINDOW - utcnow()).total_seconds()) // 60))
            return str(_l('Too many wrong passwords: try again in %(minutes)d minutes, or ask an administrator to '
                          'unlock the account.', minutes=minutes))
    return None


def record_login_failure(email: str, client: str, kind: str) -> None:
    """A wrong password was typed; old failures (outside the window) go."""
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.at < utcnow() - LOGIN_WINDOW))
    db.session.add(LoginFailure(email=(email or '').strip().lower()[:254], client=client[:64], kind=kind))
    db.session.flush()


def unlock_login(user: User, *, actor: User | None) -> int:
    """The account's wrong passwords are forgotten (its owner was told of them); how many."""
    removed = db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == user.email)).rowcount
    if removed:
        record_audit(actor, 'user.unlocked', user, note=str(removed))
    db.session.flush()
    return removed


def forget_login_failures(user: User) -> None:
    """The right password: the account's earlier wrong ones no longer count against it."""
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == user.email))


def recent_login_failures(email: str) -> list[LoginFailure]:
    """The wrong passwords of an account still inside the window, newest first (the user page shows them)."""
    return list(db.session.scalars(sa.select(LoginFailure).where(
        LoginFailure.email == email, LoginFailure.at >= utcnow() - LOGIN_WINDOW).order_by(LoginFailure.at.desc())))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail address and password, or None; writes nothing.

    The check is slow on purpose, so it runs before the request's write (record_login), not in it.
    """
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        _hasher().hash(password)  # spend the same time, so timing does not tell which e-mails exist
        return None
    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    return user


def record_login(user: User, password: str) -> None:
    """A sign-in of `user` with its checked `password`: when, and the hash renewed if its parameters are old."""
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    user.last_login_at = utcnow()
    db.session.flush()
