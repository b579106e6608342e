"""Where stock is and how it got there."""
import datetime as dt
import re

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db


class Warehouse(db.Model):
    __tablename__ = 'warehouses'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True, nullable=False)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False)

    def __repr__(self):
        return f'<Warehouse {self.id} {self.code}>'


def walking_order_key(code: str) -> str:
    """A sort key that puts location codes in walking order: A-2-10 after A-2-9, not after A-2-1.

    Zone-aisle-bay-level codes are compared part by part, numbers as numbers.
    """
    parts = re.split(r'(\d+)', code.upper())
    return ''.join(p.zfill(8) if p.isdigit() else p for p in parts)


class LocationKind:
    """What a location is for. Only storage locations hold stock that can be promised to orders."""

    storage = 'storage'
    #: returned or damaged units kept apart until someone decides; never allocated
    quarantine = 'quarantine'
    #: units on their way back to a shelf (a cancelled picked order); never allocated until put back
    putback = 'putback'

    ALL = ('storage', 'quarantine', 'putback')
    ALLOCATABLE = ('storage',)


class Location(db.Model):
    __tablename__ = 'locations'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    warehouse_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('warehouses.id'), nullable=False)
    #: zone-aisle-bay-level, e.g. A-01-03-2
    code: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False)
    #: derived from code by walking_order_key(); pick lists sort by it
    sort_key: so.Mapped[str] = so.mapped_column(sa.String(120), nullable=False)
    active: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default=LocationKind.storage,
                                            server_default=LocationKind.storage)

    #: a pick location is replenished when its units fall below this (none: not a pick location)
    minimum: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    #: the units it holds when full: what a replenishment fills it up to
    capacity: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)

    warehouse: so.Mapped[Warehouse] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint('warehouse_id', 'code'),
        sa.Index('ix_locations_walking_order', 'warehouse_id', 'sort_key'),
        sa.CheckConstraint("kind IN ('storage', 'quarantine', 'putback')", name='kind_known'),
        sa.CheckConstraint('minimum >= 0', name='minimum_not_negative'),
        sa.CheckConstraint('capacity > 0 AND capacity >= minimum', name='capacity_above_minimum'),
    )

    @property
    def allocatable(self) -> bool:
        return self.kind in LocationKind.ALLOCATABLE

    def __repr__(self):
        return f'<Location {self.id} {self.code}>'


class StockLevel(db.Model):
    """How many units of one product are at one location, and how many of those are promised."""

    __tablename__ = 'stock_levels'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('products.id'), nullable=False)
    location_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('locations.id'), nullable=False, index=True)
    on_hand: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    #: units reserved for orders; available = on_hand - allocated
    allocated: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)

    product = so.relationship('Product')
    location: so.Mapped[Location] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint('product_id', 'location_id'),
        # the last line of defence; the stock service checks before it writes
        sa.CheckConstraint('on_hand >= 0', name='on_hand_not_negative'),
        sa.CheckConstraint('allocated >= 0', name='allocated_not_negative'),
        sa.CheckConstraint('allocated <= on_hand', name='allocated_within_on_hand'),
    )

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated

    def __repr__(self):
        return f'<StockLevel product={self.product_id} location={self.location_id} {self.on_hand}/{self.allocated}>'


class MovementReason:
    receipt = 'receipt'
    adjustment = 'adjustment'
    shipment = 'shipment'
    return_ = 'return'
    stocktake = 'stocktake'
    transfer = 'transfer'

    ALL = ('receipt', 'adjustment', 'shipment', 'return', 'stocktake', 'transfer')


class StockMovement(db.Model):
    """The append-only ledger: one row for every change of on-hand stock.

    Summing ``delta`` per product and location gives ``on_hand``; rows are never updated or deleted.
    """

    __tablename__ = 'stock_movements'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('products.id'), nullable=False)
    location_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('locations.id'), nullable=False)
    delta: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    #: on hand at this location after the movement, to read the ledger like a bank statement
    on_hand_after: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    reason: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    #: what caused it: a file name, an order number, a receipt note
    reference: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False, default='', server_default='')
    note: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)

    product = so.relationship('Product')
    location: so.Mapped[Location] = so.relationship()
    user = so.relationship('User')

    __table_args__ = (
        sa.CheckConstraint('delta <> 0', name='delta_not_zero'),
        sa.CheckConstraint(
            "reason IN ('receipt', 'adjustment', 'shipment', 'return', 'stocktake', 'transfer')",
            name='reason_known'),
        sa.Index('ix_stock_movements_product_at', 'product_id', 'at'),
        sa.Index('ix_stock_movements_location_at', 'location_id', 'at'),
    )

    def __repr__(self):
        return f'<StockMovement {self.id} product={self.product_id} {self.delta:+d} {self.reason}>'


class PutBackTask(db.Model):
    """Picked units to take back to the shelves (a picked order was cancelled); done when every line is back.

    Until then its units are booked at a put-back location (kind ``putback``), where nothing is promised.
    """

    __tablename__ = 'put_back_tasks'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: what the units were picked for: the cancelled order's number
    reference: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False)
    #: why they come back (the cancellation's reason)
    note: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    done_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    done_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)

    created_by = so.relationship('User', foreign_keys=[created_by_id])
    done_by = so.relationship('User', foreign_keys=[done_by_id])
    lines: so.Mapped[list['PutBackLine']] = so.relationship(back_populates='task', order_by='PutBackLine.id',
                                                            cascade='all, delete-orphan')

    __table_args__ = (sa.Index('ix_put_back_tasks_open', 'done_at', 'id'),)

    def __repr__(self):
        return f'<PutBackTask {self.id} {self.reference}>'


class PutBackLine(db.Model):
    """Units of one product that came off one shelf and go back (to it, or to the shelf scanned instead)."""

    __tablename__ = 'put_back_lines'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    task_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('put_back_tasks.id', ondelete='CASCADE'), nullable=False,
                                               index=True)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('products.id'), nullable=False)
    #: the put-back location the units are booked at until they are back
    holding_location_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('locations.id'), nullable=False)
    #: the shelf they were picked from: where the task sends them
    to_location_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('locations.id'), nullable=False)
    quantity: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    #: the shelf they were scanned onto, and when; empty while they wait
    put_location_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('locations.id'), nullable=True)
    put_back_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    put_back_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)

    task: so.Mapped[PutBackTask] = so.relationship(back_populates='lines')
    product = so.relationship('Product')
    to_location: so.Mapped[Location] = so.relationship(foreign_keys=[to_location_id])
    put_location: so.Mapped[Location | None] = so.relationship(foreign_keys=[put_location_id])

    __table_args__ = (sa.CheckConstraint('quantity > 0', name='quantity_positive'),)

    @property
    def done(self) -> bool:
        return self.put_back_at is not None

    def __repr__(self):
        return f'<PutBackLine task={self.task_id} product={self.product_id} {self.quantity}>'
