"""The outbox (one row per e-mail) and the templates a manager customised."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db


#: queued: waits to be sent (from next_attempt_at on); sending: a sender has claimed it and talks to the
#: SMTP server; sent: the server accepted it; failed: given up (too many attempts, or refused for good)
STATUSES = ('queued', 'sending', 'sent', 'failed')


class EmailMessage(db.Model):
    """One e-mail in the outbox, written in the same transaction as the event that caused it."""

    __tablename__ = 'email_messages'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the message kind, e.g. 'order_confirmation' (templating.KINDS)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False)
    to_address: so.Mapped[str] = so.mapped_column(sa.String(254), nullable=False)
    to_name: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False, default='')
    #: the display name of the sender (the shop's name when the message was written)
    from_name: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False, default='')
    reply_to: so.Mapped[str] = so.mapped_column(sa.String(254), nullable=False, default='')
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), nullable=False, default='ja')
    subject: so.Mapped[str] = so.mapped_column(sa.String(500), nullable=False)
    text_body: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False)
    html_body: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='')
    status: so.Mapped[str] = so.mapped_column(sa.String(10), nullable=False, default='queued')
    #: delivery attempts made so far (successful or not)
    attempts: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    last_error: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='')
    #: a queued message is due from this time on (retries wait longer and longer)
    next_attempt_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: while `sending`: when and by which sender run the message was claimed (sender.py)
    claimed_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    claim_token: so.Mapped[str | None] = so.mapped_column(sa.String(32), nullable=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    #: the Message-ID header, fixed when the message is written: a message sent again keeps it
    message_id: so.Mapped[str] = so.mapped_column(sa.String(255), nullable=False, unique=True)
    order_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('orders.id', ondelete='SET NULL'),
                                                       nullable=True, index=True)

    order = so.relationship('Order')

    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name='status_known'),
        sa.CheckConstraint('attempts >= 0', name='attempts_not_negative'),
        # the sender's question: which queued messages are due
        sa.Index('ix_email_messages_due', 'status', 'next_attempt_at'),
        sa.Index('ix_email_messages_created_at', 'created_at'),
        sa.Index('ix_email_messages_to_address', 'to_address', postgresql_ops={'to_address': 'text_pattern_ops'}),
    )

    def __repr__(self):
        return f'<EmailMessage {self.id} {self.kind} to={self.to_address!r} {self.status}>'


class EmailTemplate(db.Model):
    """A manager's version of one message kind in one language; without a row the code's default applies."""

    __tablename__ = 'email_templates'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False)
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), nullable=False)
    subject: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False)
    text_body: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False)
    html_body: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='')
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)

    updated_by = so.relationship('User')

    __table_args__ = (sa.UniqueConstraint('kind', 'locale'),)

    def __repr__(self):
        return f'<EmailTemplate {self.id} {self.kind}/{self.locale}>'
