"""Pick batches, packing sessions and their scans, shipments, and the carriers' tracking number ranges."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.orders.models import CARRIERS


class PickBatch(db.Model):
    """Orders picked together from one pick list; each order's units come from the locations it was allocated."""

    __tablename__ = 'pick_batches'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: printed on the pick list and scanned at the packing station, e.g. PB-20261122-0003
    code: so.Mapped[str] = so.mapped_column(sa.String(30), unique=True, nullable=False)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    #: how the batch was chosen, to show on the list: {"carrier": "yamato", "single_item": true, ...}
    filters: so.Mapped[dict] = so.mapped_column(sa.JSON, nullable=False, default=dict)

    created_by = so.relationship('User')

    def __repr__(self):
        return f'<PickBatch {self.code}>'


class PackingSession(db.Model):
    """One order (with the orders combined into its parcel) being packed at one station."""

    __tablename__ = 'packing_sessions'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('orders.id'), nullable=False, index=True)
    station: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    started_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    #: open, packed, reset
    status: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default='open')
    #: the error the packer must acknowledge before the next scan is accepted
    blocked_message: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    #: pack: units are scanned into the box; label: a packed box brought back to check its label (送り状検品)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10), nullable=False, default='pack', server_default='pack')
    #: when the packer confirmed the customer's requests (gift wrapping, のし, comment, delivery date) on screen
    requests_confirmed_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    #: when the packer put the packed box aside to check its label later (the label would not print)
    set_aside_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)

    order = so.relationship('Order')
    user = so.relationship('User')

    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'packed', 'reset')", name='status_known'),
        # two stations can never pack the same order at once
        sa.Index('uq_packing_sessions_open_order', 'order_id', unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
        # every scan reads its station's latest session
        sa.Index('ix_packing_sessions_station_id', 'station', 'id'),
    )


#: scan results that stop the station until the packer presses Esc (or a supervisor overrides)
HARD_STOPS = ('wrong_item', 'other_order', 'too_many', 'unknown_code', 'label_mismatch')
#: every refused scan: the hard stops, a code refused without a stop, and a scan made while stopped
MIS_SCANS = (*HARD_STOPS, 'not_packable', 'label_no_box', 'blocked')


class ScanEvent(db.Model):
    """Every scan at a packing station, right or wrong: who, where, when, what, and what came of it."""

    __tablename__ = 'scan_events'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    station: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False)
    session_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('packing_sessions.id'), nullable=True,
                                                        index=True)
    order_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('orders.id'), nullable=True, index=True)
    order_line_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('order_lines.id'), nullable=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False)
    #: ok, order, wrong_item, other_order, too_many, unknown_code, not_packable, acknowledged, override,
    #: label_ok, label_mismatch, label_no_box, requests_read, blocked
    result: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    message: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='')

    user = so.relationship('User')

    __table_args__ = (sa.Index('ix_scan_events_at_result', 'at', 'result'),)

    @property
    def is_error(self) -> bool:
        return self.result in MIS_SCANS



class Shipment(db.Model):
    """The parcel of a packed order: carrier, tracking number, who packed and shipped it, and when."""

    __tablename__ = 'shipments'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the order whose parcel this is (orders combined into it travel along); an order sent again after its
    #: parcel came back refused or undeliverable has a later one too: the latest is the order's parcel
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('orders.id'), nullable=False, index=True)
    carrier: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    service: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False, default='')
    #: 12 digits with the mod-7 check digit; empty until the carrier's software issues one
    tracking_number: so.Mapped[str | None] = so.mapped_column(sa.String(20), nullable=True, unique=True)
    packed_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    packed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    station: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False, default='')
    #: when the printed label's barcode was scanned on the box (送り状検品)
    label_verified_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    shipped_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True, index=True)
    shipped_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    label_prints: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)

    order = so.relationship('Order')
    packed_by = so.relationship('User', foreign_keys=[packed_by_id])
    shipped_by = so.relationship('User', foreign_keys=[shipped_by_id])

    __table_args__ = (sa.CheckConstraint(f"carrier IN {CARRIERS!r}", name='carrier_known'),)


class TrackingRange(db.Model):
    """A block of tracking numbers a carrier assigned to the shop; numbers are taken in order, atomically."""

    __tablename__ = 'tracking_ranges'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    carrier: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, index=True)
    #: the 11-digit bodies (the check digit is computed): first and last of the range, and the next to use
    first_body: so.Mapped[int] = so.mapped_column(sa.BigInteger, nullable=False)
    last_body: so.Mapped[int] = so.mapped_column(sa.BigInteger, nullable=False)
    next_body: so.Mapped[int] = so.mapped_column(sa.BigInteger, nullable=False)
    #: warn the manager when fewer numbers than this are left
    warn_below: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=500)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.CheckConstraint('first_body <= next_body AND next_body <= last_body + 1',
                                         name='next_within_range'),)

    @property
    def remaining(self) -> int:
        return self.last_body + 1 - self.next_body
