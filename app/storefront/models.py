"""What the shop keeps besides orders: failed order-status look-ups, to slow down guessing."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db


class LookupFailure(db.Model):
    """A wrong order number / e-mail pair typed on the order-status page."""

    __tablename__ = 'storefront_lookup_failures'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the client's address (hashed would hide nothing: the table only lives for minutes)
    client: so.Mapped[str] = so.mapped_column(sa.String(64), nullable=False)
    at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.Index('ix_storefront_lookup_failures_client_at', 'client', 'at'),)
