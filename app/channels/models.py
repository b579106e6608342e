"""Listings (a mall's item code for a product, with its quantity rule), stock files made, oversells."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.catalog.models import Product
from app.database import UTCDateTime, utcnow
from app.extensions import db


#: the malls that take a stock file; the shop's own storefront reads free stock directly
STOCK_CHANNELS = ('rakuten', 'yahoo', 'amazon', 'shopify')


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Listing(db.Model):
    """One of our products as a mall sells it: the code its orders carry, and how much of it the mall may show."""

    __tablename__ = 'listings'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    #: the code the mall's orders carry for this item (Rakuten SKU管理番号, Yahoo sub-code or item code,
    #: Amazon SKU, Shopify variant SKU): the order import's item code
    item_code: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False)
    #: the product page's code where the mall's stock file needs it besides (Rakuten 商品管理番号, Yahoo
    #: code when item_code is a sub-code, Shopify handle); empty when item_code is all the mall needs
    page_code: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False, default='', server_default='')
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('products.id'), nullable=False, index=True)
    #: the listing's own rule; None takes the channel's (settings)
    safety_stock: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    share_percent: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    cap: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    floor: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    #: a paused listing is never sent: the mall keeps whatever it shows
    paused: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    #: the quantity the last file for the channel held for it; None until a file has held it
    sent_quantity: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    sent_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)

    product: so.Mapped[Product] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint('channel', 'item_code'),
        sa.CheckConstraint(_in('channel', STOCK_CHANNELS), name='channel_known'),
        sa.CheckConstraint('safety_stock IS NULL OR safety_stock >= 0', name='safety_not_negative'),
        sa.CheckConstraint('share_percent IS NULL OR (share_percent >= 0 AND share_percent <= 100)',
                           name='share_percent_range'),
        sa.CheckConstraint('cap IS NULL OR cap >= 0', name='cap_not_negative'),
        sa.CheckConstraint('floor IS NULL OR floor >= 0', name='floor_not_negative'),
    )

    def __repr__(self):
        return f'<Listing {self.channel}:{self.item_code} -> {self.product_id}>'


class ChannelStockFile(db.Model):
    """A stock file made for a mall: its bytes (to download again) and the quantities that changed in it."""

    __tablename__ = 'channel_stock_files'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    #: every listing of the channel, not only the changed ones
    full: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=False)
    rows: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    changed: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    filename: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False)
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, nullable=False, deferred=True)
    #: [item_code, sku, quantity sent before (None: never), quantity in this file] per row
    changes: so.Mapped[list] = so.mapped_column(sa.JSON, nullable=False, deferred=True)
    made_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: None: the schedule (or a command) made it
    made_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)

    __table_args__ = (
        sa.CheckConstraint(_in('channel', STOCK_CHANNELS), name='channel_known'),
        sa.Index('ix_channel_stock_files_channel_made_at', 'channel', 'made_at'),
    )

    def __repr__(self):
        return f'<ChannelStockFile {self.id} {self.channel} {self.rows} rows>'


class Oversell(db.Model):
    """Demand a mall (or the shop) brought for a product it showed as available, which Kura cannot fill.

    While open, the product is sent as 0 to every mall.
    """

    __tablename__ = 'oversells'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('products.id'), nullable=False, index=True)
    #: the channel whose order revealed it (an order channel: a mall, or the shop)
    channel: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    #: the order that revealed it
    order_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('orders.id', ondelete='SET NULL'), nullable=True)
    #: units wanted and not in stock when it was found
    short: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    detected_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    cleared_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    cleared_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)

    product: so.Mapped[Product] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint('short > 0', name='short_positive'),
        sa.Index('ix_oversells_open', 'cleared_at'),
    )

    def __repr__(self):
        return f'<Oversell {self.id} {self.channel} product {self.product_id} short {self.short}>'
