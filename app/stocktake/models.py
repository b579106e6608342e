"""A count (棚卸し), the locations it covers and what was found at each."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db


SCOPES = ('all', 'locations', 'products')
STATES = ('open', 'counted', 'approved')


class StockCount(db.Model):
    """One stocktake: a full count, or a cycle count of some locations or products."""

    __tablename__ = 'stock_counts'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: all, locations (a prefix or a list, in scope_text) or products (SKUs, in scope_text)
    scope: so.Mapped[str] = so.mapped_column(sa.String(10), nullable=False)
    scope_text: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    #: the counter never sees what the book expects
    blind: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    #: open until every location is counted, counted until every line is approved
    state: so.Mapped[str] = so.mapped_column(sa.String(10), nullable=False, default='open', server_default='open')
    started_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    started_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    approved_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)

    started_by = so.relationship('User')
    locations: so.Mapped[list['CountLocation']] = so.relationship(back_populates='count',
                                                                  order_by='CountLocation.id')

    __table_args__ = (
        sa.CheckConstraint("scope IN ('all', 'locations', 'products')", name='scope_known'),
        sa.CheckConstraint("state IN ('open', 'counted', 'approved')", name='state_known'),
    )

    @property
    def number(self) -> str:
        return f'C{self.id:06d}'

    @staticmethod
    def id_from_number(number: str) -> int | None:
        """The id in a count number (C000012, or 12); None when it is none."""
        text = (number or '').strip().upper().removeprefix('C')
        return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2 ** 31 else None

    def __repr__(self):
        return f'<StockCount {self.id} {self.scope} {self.state}>'


class CountLocation(db.Model):
    """A location of a count, and when it was counted: the moment its book quantities are read."""

    __tablename__ = 'count_locations'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    count_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('stock_counts.id', ondelete='CASCADE'), nullable=False)
    location_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('locations.id'), nullable=False)
    counted_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    counted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)

    count: so.Mapped[StockCount] = so.relationship(back_populates='locations')
    location = so.relationship('Location')
    counted_by = so.relationship('User')

    __table_args__ = (sa.UniqueConstraint('count_id', 'location_id'),)

    def __repr__(self):
        return f'<CountLocation count={self.count_id} location={self.location_id}>'


class CountLine(db.Model):
    """One product at one location of a count: what the book said, what was found, and what was approved.

    The variance compares the count with the book at the moment the location was counted, less the
    units picked for orders but not shipped yet (off the shelf, still on hand in the book).
    """

    __tablename__ = 'count_lines'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    count_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('stock_counts.id', ondelete='CASCADE'), nullable=False)
    location_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('locations.id'), nullable=False)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('products.id'), nullable=False)
    #: on hand when the count started (0 for a product found where the book had none)
    snapshot: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    counted: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    #: on hand when the location was counted: the snapshot plus every movement posted there since
    book: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    #: units of picked, unshipped orders at that moment: in the book, not on the shelf
    picked: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    counted_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    counted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    #: the variance was over the recount threshold: another person counts again before approval
    needs_recount: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=False,
                                                      server_default=sa.false())
    recounted: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    recount_book: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    recount_picked: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    recounted_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    recounted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    approved_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    approved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    approval_reason: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    #: the change of on hand the approval wrote to the ledger (0: the shelf matched)
    applied: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)

    product = so.relationship('Product')
    location = so.relationship('Location')
    counted_by = so.relationship('User', foreign_keys=[counted_by_id])
    recounted_by = so.relationship('User', foreign_keys=[recounted_by_id])
    approved_by = so.relationship('User', foreign_keys=[approved_by_id])

    __table_args__ = (
        sa.UniqueConstraint('count_id', 'location_id', 'product_id'),
        sa.CheckConstraint('counted IS NULL OR counted >= 0', name='counted_not_negative'),
        sa.CheckConstraint('recounted IS NULL OR recounted >= 0', name='recounted_not_negative'),
    )

    @property
    def final(self) -> int | None:
        """What the shelf holds by the last count (the recount when there is one)."""
        return self.recounted if self.recounted is not None else self.counted

    @property
    def expected(self) -> int | None:
        """What the shelf should have held when it was (re)counted: book less picked units."""
        if self.recounted is not None:
            return self.recount_book - self.recount_picked
        return None if self.book is None else self.book - self.picked

    @property
    def movements_since(self) -> int | None:
        """Ledger movements at this level between the count's start and the moment it was counted."""
        book = self.recount_book if self.recounted is not None else self.book
        return None if book is None else book - self.snapshot

    @property
    def variance(self) -> int | None:
        final, expected = self.final, self.expected
        return None if final is None or expected is None else final - expected

    @property
    def awaiting_recount(self) -> bool:
        return self.needs_recount and self.recounted is None

    def __repr__(self):
        return f'<CountLine count={self.count_id} location={self.location_id} product={self.product_id}>'
