"""Returns (RMA) of shipped orders, their lines, the managed list of reasons, and refunds."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, parse_int, utcnow
from app.extensions import db


NUMBER_PREFIX = 'R'
#: who caused the return: the shop (its packing, its product), the carrier, or the customer
FAULTS = ('shop', 'carrier', 'customer')
#: requested: the customer asked, the shop has not decided; approved: units are expected back (a return a clerk
#: or the station opens starts here); receiving: some units are in; received: every unit is in; declined; closed:
#: nothing more will happen (refunded, exchanged, or settled)
STATES = ('requested', 'approved', 'declined', 'receiving', 'received', 'closed')
#: refund, exchange (a replacement order) or none (a refused parcel re-shipped, a unit kept by the customer)
OUTCOMES = ('', 'refund', 'exchange', 'none')
#: what a received unit is found to be: back on a shelf for sale, kept apart, thrown away, sent to the supplier
GRADES = ('sellable', 'quarantine', 'scrap', 'supplier')
#: how a refund is paid: to the customer's bank account, by the mall in its own screens (cards, points), or the
#: cash on delivery given back
REFUND_METHODS = ('bank_transfer', 'mall', 'cod_refund')
#: where a return was opened
SOURCES = ('clerk', 'station', 'customer', 'cli')


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ReturnReason(db.Model):
    """One reason a unit comes back, from the shop's managed list; scripts use the stable ``key``."""

    __tablename__ = 'return_reasons'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: stable: defective, wrong_item, damaged, missing, carrier_accident, changed_mind, wrong_order, refused,
    #: undeliverable, and those the shop adds
    key: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True, nullable=False)
    label_ja: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False)
    label_en: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False)
    fault: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    #: an exchange for this reason ships the replacement at once, without waiting for the returned unit
    ship_at_once: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=False,
                                                     server_default=sa.false())
    active: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    position: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0, server_default='0')

    __table_args__ = (sa.CheckConstraint(_in('fault', FAULTS), name='fault_known'),)

    def label(self, locale: str = 'ja') -> str:
        return self.label_en if locale == 'en' else self.label_ja

    def __repr__(self):
        return f'<ReturnReason {self.key} {self.fault}>'


class Return(db.Model):
    """Units of one shipped order coming back: what, why, in which state, and what the customer gets."""

    __tablename__ = 'returns'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('orders.id'), nullable=False, index=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default='approved')
    outcome: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default='', server_default='')
    source: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default='clerk')
    #: what the customer wrote when asking (the shop's order-status page)
    customer_comment: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    #: the shop's message to the customer when approving or declining
    message: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    opened_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    opened_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    received_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    closed_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    #: the parcel the units went out in, and for a mis-shipment (誤出荷) who packed it and in which session
    shipment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('shipments.id'), nullable=True)
    packed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    packing_session_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('packing_sessions.id'), nullable=True)
    #: the stop the returns station shows until acknowledged (a unit that does not belong to the return)
    blocked_message: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    #: the exchange's replacement order
    replacement_order_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('orders.id'), nullable=True)

    order = so.relationship('Order', foreign_keys=[order_id])
    replacement_order = so.relationship('Order', foreign_keys=[replacement_order_id])
    opened_by = so.relationship('User', foreign_keys=[opened_by_id])
    packed_by = so.relationship('User', foreign_keys=[packed_by_id])
    shipment = so.relationship('Shipment')
    lines: so.Mapped[list['ReturnLine']] = so.relationship(back_populates='return_', order_by='ReturnLine.id',
                                                           cascade='all, delete-orphan')
    refunds: so.Mapped[list['Refund']] = so.relationship(back_populates='return_', order_by='Refund.id')

    __table_args__ = (
        sa.CheckConstraint(_in('state', STATES), name='state_known'),
        sa.CheckConstraint(_in('outcome', OUTCOMES), name='outcome_known'),
        sa.CheckConstraint(_in('source', SOURCES), name='source_known'),
        sa.Index('ix_returns_opened_at', 'opened_at'),
    )

    @property
    def number(self) -> str:
        """The return's number, derived from the id: R00000012."""
        return f'{NUMBER_PREFIX}{self.id:08d}'

    @staticmethod
    def id_from_number(number: str) -> int | None:
        text = (number or '').strip().upper()
        text = text[len(NUMBER_PREFIX):] if text.startswith(NUMBER_PREFIX) else text
        try:
            return parse_int(text, low=1)
        except ValueError:
            return None

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def units_received(self) -> int:
        return sum(line.received for line in self.lines)

    def __repr__(self):
        return f'<Return {self.id} order={self.order_id} {self.state}>'


class ReturnLine(db.Model):
    """Units of one order line coming back for one reason, and what they were graded when they arrived."""

    __tablename__ = 'return_lines'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    return_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('returns.id', ondelete='CASCADE'), nullable=False,
                                                 index=True)
    order_line_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('order_lines.id'), nullable=False, index=True)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('products.id'), nullable=False)
    reason_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('return_reasons.id'), nullable=False)
    quantity: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    #: units received so far, each counted in exactly one grade
    sellable: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0, server_default='0')
    quarantine: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0, server_default='0')
    scrap: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0, server_default='0')
    supplier: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0, server_default='0')
    #: yen refunded for this line (0 until refunded)
    refunded: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0, server_default='0')

    return_: so.Mapped[Return] = so.relationship(back_populates='lines')
    order_line = so.relationship('OrderLine')
    product = so.relationship('Product')
    reason: so.Mapped[ReturnReason] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint('quantity > 0', name='quantity_positive'),
        sa.CheckConstraint('sellable >= 0 AND quarantine >= 0 AND scrap >= 0 AND supplier >= 0',
                           name='grades_not_negative'),
        # the last line of defence: never more units received than announced
        sa.CheckConstraint('sellable + quarantine + scrap + supplier <= quantity', name='received_within_quantity'),
        sa.CheckConstraint('refunded >= 0', name='refunded_not_negative'),
    )

    @property
    def received(self) -> int:
        return self.sellable + self.quarantine + self.scrap + self.supplier

    @property
    def outstanding(self) -> int:
        return self.quantity - self.received

    def __repr__(self):
        return f'<ReturnLine {self.id} return={self.return_id} line={self.order_line_id} x{self.quantity}>'


class Refund(db.Model):
    """Money given back for a return: how much for the lines and the fees, how, when and by whom."""

    __tablename__ = 'refunds'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    return_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('returns.id'), nullable=False, index=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('orders.id'), nullable=False, index=True)
    #: yen for the returned units
    lines_amount: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    #: yen of shipping and COD fees given back, where the shop decides so
    fees_amount: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    method: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    refunded_on: so.Mapped[dt.date] = so.mapped_column(sa.Date, nullable=False)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    note: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='', server_default='')
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    return_: so.Mapped[Return] = so.relationship(back_populates='refunds')
    user = so.relationship('User')

    __table_args__ = (
        sa.CheckConstraint(_in('method', REFUND_METHODS), name='method_known'),
        sa.CheckConstraint('lines_amount >= 0 AND fees_amount >= 0', name='amounts_not_negative'),
    )

    @property
    def amount(self) -> int:
        return self.lines_amount + self.fees_amount

    def __repr__(self):
        return f'<Refund {self.id} return={self.return_id} {self.amount} {self.method}>'
