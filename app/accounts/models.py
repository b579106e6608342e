"""Staff users and the audit log."""
import datetime as dt
import enum

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin

from app.database import UTCDateTime, utcnow
from app.extensions import db


class Role(str, enum.Enum):
    """What a member of staff may do; each back-office view names the roles it admits."""

    admin = 'admin'        # everything, including user accounts
    manager = 'manager'    # everything but user accounts; reports and settings
    clerk = 'clerk'        # orders, catalogue, stock
    packer = 'packer'      # picking, packing, receiving


#: the roles as screens name them (the user form's choices, the top bar)
#: what happened to a user account, as its page's history says it (audit actions on users)
USER_EVENT_LABELS = {'user.created': _l('Account created'), 'user.updated': _l('Account changed'),
                     'user.password_set': _l('Password set'), 'user.unlocked': _l('Sign-in unlocked'),
                     'user.logins_ended': _l('Logged out on every device'),
                     'privacy.request': _l('Personal-data request handled')}
ROLE_LABELS = {Role.admin.value: _l('Administrator'), Role.manager.value: _l('Manager'),
               Role.clerk.value: _l('Order clerk'), Role.packer.value: _l('Warehouse staff')}


class User(UserMixin, db.Model):
    __tablename__ = 'users'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: stored lower-case; the login name
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True, nullable=False)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255), nullable=False)
    role: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    #: the language this user's screens are shown in
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), nullable=False, default='ja', server_default='ja')
    active: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'manager', 'clerk', 'packer')", name='role_known'),
    )

    @property
    def is_active(self):
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self):
        return f'<User {self.id} {self.email} {self.role}>'


class AuditEvent(db.Model):
    """Who did what to which record, with what it was before and after; never changed once written."""

    __tablename__ = 'audit_events'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True, index=True)
    #: e.g. 'product.created', 'user.role_changed'
    action: so.Mapped[str] = so.mapped_column(sa.String(60), nullable=False)
    object_type: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False)
    object_id: so.Mapped[str] = so.mapped_column(sa.String(64), nullable=False)
    before: so.Mapped[dict | None] = so.mapped_column(sa.JSON, nullable=True)
    after: so.Mapped[dict | None] = so.mapped_column(sa.JSON, nullable=True)
    note: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    #: the request (or background job) that wrote it, as on its log lines and error page; None from a command
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(100), nullable=True, index=True)

    user: so.Mapped[User | None] = so.relationship()

    __table_args__ = (sa.Index('ix_audit_events_object', 'object_type', 'object_id'),)

    def __repr__(self):
        return f'<AuditEvent {self.id} {self.action} {self.object_type}:{self.object_id}>'


class UserSession(db.Model):
    """One login on one browser: the session cookie carries its token, and ending the row logs that browser out.

    A cookie is the browser's, so a copied one would work until it expires; the row is what logout, a new
    password, deactivation and "log out everywhere" end.  Only a hash of the token is stored.
    """

    __tablename__ = 'user_sessions'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('users.id'), nullable=False, index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), nullable=False, unique=True)
    started_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    ended_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    #: logout, password, deactivated, everywhere, admin
    ended_why: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default='', server_default='')
    #: what the login came from, for the account page's list of sessions
    user_agent: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False, default='', server_default='')
    address: so.Mapped[str] = so.mapped_column(sa.String(45), nullable=False, default='', server_default='')

    user: so.Mapped[User] = so.relationship()

    def __repr__(self):
        return f'<UserSession {self.id} user {self.user_id}{" ended" if self.ended_at else ""}>'


class LoginFailure(db.Model):
    """A wrong password, at the login page or for a supervisor's override at a packing station.

    Kept in the database, not in a process, so every gunicorn worker sees the same count; rows older
    than the throttling window are deleted as new ones come.
    """

    __tablename__ = 'login_failures'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: the e-mail address typed, lower-case (an unknown one counts too: guessing is guessing)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), nullable=False)
    #: the client's address
    client: so.Mapped[str] = so.mapped_column(sa.String(64), nullable=False)
    #: login or override
    kind: so.Mapped[str] = so.mapped_column(sa.String(10), nullable=False)

    __table_args__ = (sa.Index('ix_login_failures_email_at', 'email', 'at'),
                      sa.Index('ix_login_failures_client_at', 'client', 'at'))


#: what was done with an order's personal data: its page seen, a file of it downloaded, a label or slip printed
ACCESS_ACTIONS = ('view', 'export', 'print')


class PersonalDataAccess(db.Model):
    """Who viewed, exported or printed customers' personal data, and when (the access log).

    Written after the answer in a short transaction of its own (app.web.unit_of_work.write_after), one
    INSERT per request; rows older than the privacy settings' ``access_log_days`` are pruned nightly.
    """

    __tablename__ = 'personal_data_access'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(10), nullable=False)
    #: the endpoint that showed or made the data, e.g. 'orders.order', 'fulfilment.shipping_label'
    what: so.Mapped[str] = so.mapped_column(sa.String(60), nullable=False)
    #: the order concerned; None for a file of many orders (an export)
    order_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('orders.id'), nullable=True)
    #: how many orders the file held (1 for a page or a label)
    orders: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=1)

    user: so.Mapped[User | None] = so.relationship()
    order = so.relationship('Order')

    __table_args__ = (
        sa.CheckConstraint("action IN ('view', 'export', 'print')", name='action_known'),
        sa.Index('ix_personal_data_access_at', 'at'),
        sa.Index('ix_personal_data_access_user_at', 'user_id', 'at'),
        sa.Index('ix_personal_data_access_order_at', 'order_id', 'at'),
    )

    def __repr__(self):
        return f'<PersonalDataAccess {self.id} {self.action} {self.what} order={self.order_id}>'
