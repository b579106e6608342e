"""Products."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db


class Product(db.Model):
    __tablename__ = 'products'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: text, never a number: leading zeros are part of the code
    sku: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True, nullable=False)
    name: so.Mapped[str] = so.mapped_column(sa.String(255), nullable=False)
    #: JAN (EAN-13 or JAN-8), check digit verified; empty for products without one
    jan: so.Mapped[str | None] = so.mapped_column(sa.String(13), unique=True, nullable=True)
    #: yen, tax included
    price: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    #: consumption tax in percent: 10 standard, 8 reduced (food)
    tax_rate: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=10)
    weight_g: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    #: yen per unit paid to the supplier, tax excluded; None while unknown (stock value leaves it out)
    cost: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    #: days from ordering from the supplier to the units on the shelf; None: the reorder report's default
    lead_time_days: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    active: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    #: shown in the shop (when also active)
    published: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=False,
                                                  server_default=sa.false())
    description: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    #: the product photo for the shop, kept in the database so every host serves it
    image: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, nullable=True, deferred=True)
    image_type: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False, default='', server_default='')
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint('price >= 0', name='price_not_negative'),
        sa.CheckConstraint('tax_rate IN (8, 10)', name='tax_rate_known'),
        sa.CheckConstraint('weight_g IS NULL OR weight_g >= 0', name='weight_not_negative'),
        sa.Index('ix_products_name', 'name'),
    )

    def __repr__(self):
        return f'<Product {self.id} {self.sku}>'


class ChannelSku(db.Model):
    """A mall's item code mapped to one of our products, remembered for every later file."""

    __tablename__ = 'channel_skus'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    item_code: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('products.id'), nullable=False, index=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)

    product: so.Mapped[Product] = so.relationship()

    __table_args__ = (sa.UniqueConstraint('channel', 'item_code'),)

    def __repr__(self):
        return f'<ChannelSku {self.channel}:{self.item_code} -> {self.product_id}>'
