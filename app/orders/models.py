"""Orders, their lines and holds, and the record of each import."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, parse_int, utcnow
from app.extensions import db
from app.orders.search_keys import KEYED_COLUMNS, order_keys


CHANNELS = ('store', 'rakuten', 'amazon', 'yahoo', 'shopify', 'kura', 'manual')
#: the shop's own customers' orders (its checkout, and orders a clerk takes by phone, fax or e-mail): the shop,
#: not a mall, writes to these customers, so their confirmations always go
OWN_CHANNELS = ('store', 'manual')
#: how an order entered by hand reached the shop (a manual order's sub-source)
MANUAL_SOURCES = ('phone', 'fax', 'email')
STATUSES = ('new', 'confirmed', 'allocated', 'backordered', 'picking', 'packed', 'shipped', 'cancelled', 'returned')
PAYMENT_STATUSES = ('unpaid', 'paid', 'cod', 'refunded')
PAYMENT_METHODS = ('card', 'cod', 'bank_transfer', 'convenience_store', 'paypay', 'other')
HOLD_REASONS = ('payment_pending', 'unknown_sku', 'address_check', 'customer_comment', 'delivery_date_far',
                'cod_over_limit', 'out_of_stock', 'manual')

NUMBER_PREFIX = 'K'
#: who may take a parcel (an order may name one; fulfilment prints their labels and files)
CARRIERS = ('yamato', 'sagawa', 'japanpost', 'clickpost')


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ImportBatch(db.Model):
    """One import of one or more files: who, when, what came in, and every problem found."""

    __tablename__ = 'import_batches'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    #: the file names, one per line
    filenames: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False)
    #: SHA-256 of the files' bytes (of each file's hash, in order, when there are several)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), nullable=False, index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    started_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    orders_created: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    lines_created: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    duplicates: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    on_hold: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    rejected: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    #: [{"file", "line", "order", "field", "value", "message"}]
    problems: so.Mapped[list] = so.mapped_column(sa.JSON, nullable=False, default=list)

    user = so.relationship('User')

    def __repr__(self):
        return f'<ImportBatch {self.id} {self.channel} {self.filenames!r}>'


class Order(db.Model):
    __tablename__ = 'orders'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    #: the mall's own order id, as text (leading zeros kept); unique per channel
    external_order_id: so.Mapped[str] = so.mapped_column(sa.String(64), nullable=False)
    ordered_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default='new')
    payment_status: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default='unpaid')
    payment_method: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False)
    # buyer and ship-to are snapshots of what the customer typed, not links to a customer record
    buyer_name: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False, default='')
    buyer_kana: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False, default='')
    buyer_email: so.Mapped[str] = so.mapped_column(sa.String(254), nullable=False, default='')
    buyer_phone: so.Mapped[str] = so.mapped_column(sa.String(30), nullable=False, default='')
    ship_name: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False)
    ship_kana: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False, default='')
    #: 7 digits, shown as 123-4567
    ship_postal_code: so.Mapped[str] = so.mapped_column(sa.String(7), nullable=False)
    ship_prefecture: so.Mapped[str] = so.mapped_column(sa.String(10), nullable=False, default='')
    ship_city: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False, default='')
    ship_address1: so.Mapped[str] = so.mapped_column(sa.String(300), nullable=False, default='')
    ship_address2: so.Mapped[str] = so.mapped_column(sa.String(300), nullable=False, default='')
    ship_phone: so.Mapped[str] = so.mapped_column(sa.String(30), nullable=False, default='')
    #: the language the customer ordered in (the shop's checkout), which every mail to them is written in
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), nullable=False, default='ja', server_default='ja')
    shipping_fee: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    cod_fee: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0)
    #: yen, what the customer pays in all
    total: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    #: yen the customer is billed, as the mall states it: the total less points and coupons (Rakuten 請求金額,
    #: Amazon cod-collectible-amount); what a courier collects on a COD order.  None: the file did not say
    amount_due: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    delivery_date: so.Mapped[dt.date | None] = so.mapped_column(sa.Date, nullable=True)
    delivery_time_slot: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False, default='')
    gift_wrap: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False, default='')
    noshi: so.Mapped[str] = so.mapped_column(sa.String(200), nullable=False, default='')
    customer_comment: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='')
    #: what the shop received and on which day, when a clerk marks a bank or konbini payment paid
    paid_amount: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)
    paid_on: so.Mapped[dt.date | None] = so.mapped_column(sa.Date, nullable=True)
    #: the order whose parcel also carries this one (同梱); None for an order shipped on its own
    combined_into_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('orders.id'), nullable=True)
    #: the order this one was split from, to send part of it first; it keeps the mall's order id
    split_from_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('orders.id'), nullable=True)
    #: the order this one was entered as a copy of (a re-send, an exchange without a return)
    duplicated_from_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('orders.id'), nullable=True)
    #: how a manual order reached the shop (MANUAL_SOURCES); '' for every other channel
    source: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default='', server_default='')
    #: the carrier that takes the parcel; None: the shop's default carrier (shipping settings)
    carrier: so.Mapped[str | None] = so.mapped_column(sa.String(20), nullable=True)
    #: the pick batch the order is being picked in
    pick_batch_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('pick_batches.id'), nullable=True)
    #: raised by a clerk to allocate before older orders
    priority: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=0, server_default='0')
    import_batch_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('import_batches.id'), nullable=True,
                                                             index=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    #: when the buyer's and recipient's personal data were erased (retention or a data-subject request)
    redacted_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    # what the order list's search looks up, written with the columns they are made of (search_keys.py)
    buyer_name_key: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False, default='', server_default='')
    buyer_kana_key: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False, default='', server_default='')
    ship_name_key: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False, default='', server_default='')
    ship_kana_key: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False, default='', server_default='')
    address_key: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False, default='', server_default='')
    order_no_key: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False, default='', server_default='')

    lines: so.Mapped[list['OrderLine']] = so.relationship(back_populates='order', order_by='OrderLine.line_no',
                                                          cascade='all, delete-orphan')
    holds: so.Mapped[list['OrderHold']] = so.relationship(back_populates='order', order_by='OrderHold.id',
                                                          cascade='all, delete-orphan')
    import_batch: so.Mapped[ImportBatch | None] = so.relationship()
    combined_into: so.Mapped['Order | None'] = so.relationship(
        remote_side=[id], primaryjoin='foreign(Order.combined_into_id) == Order.id', viewonly=True)
    split_from: so.Mapped['Order | None'] = so.relationship(
        remote_side=[id], primaryjoin='foreign(Order.split_from_id) == Order.id', viewonly=True)
    duplicated_from: so.Mapped['Order | None'] = so.relationship(
        remote_side=[id], primaryjoin='foreign(Order.duplicated_from_id) == Order.id', viewonly=True)

    __table_args__ = (
        # one order per mall order; the parts split from it share its id
        sa.Index('uq_orders_channel_external_order_id', 'channel', 'external_order_id', unique=True,
                 sqlite_where=sa.text('split_from_id IS NULL'), postgresql_where=sa.text('split_from_id IS NULL')),
        sa.CheckConstraint(_in('channel', CHANNELS), name='channel_known'),
        sa.CheckConstraint(_in('status', STATUSES), name='status_known'),
        sa.CheckConstraint(_in('payment_status', PAYMENT_STATUSES), name='payment_status_known'),
        sa.CheckConstraint(_in('payment_method', PAYMENT_METHODS), name='payment_method_known'),
        sa.CheckConstraint(_in('source', ('', *MANUAL_SOURCES)), name='source_known'),
        sa.Index('ix_orders_ordered_at', 'ordered_at'),
        sa.Index('ix_orders_status_ordered_at', 'status', 'ordered_at'),
        # what the order list filters and searches by, on a million orders
        sa.Index('ix_orders_channel_ordered_at', 'channel', 'ordered_at'),
        sa.Index('ix_orders_payment_status', 'payment_status'),
        sa.Index('ix_orders_delivery_date', 'delivery_date'),
        sa.Index('ix_orders_external_order_id', 'external_order_id'),
        sa.Index('ix_orders_buyer_email', 'buyer_email'),
        sa.Index('ix_orders_ship_phone', 'ship_phone'),
        sa.Index('ix_orders_buyer_phone', 'buyer_phone'),
        # prefix searches (LIKE 'abc%'): PostgreSQL needs the pattern operator class to use an index for them
        *(sa.Index(f'ix_orders_{name}', name, postgresql_ops={name: 'text_pattern_ops'})
          for name in ('ship_name_key', 'buyer_name_key', 'ship_kana_key', 'buyer_kana_key', 'address_key')),
        sa.Index('ix_orders_order_no_key', 'order_no_key'),
        sa.Index('ix_orders_allocation_queue', 'status', 'priority', 'ordered_at'),
        sa.Index('ix_orders_status_channel_ordered_at', 'status', 'channel', 'ordered_at'),
        # the links between orders are set on few rows: partial indexes, so "IS NULL" never picks them
        *(sa.Index(f'ix_orders_{name}', name, sqlite_where=sa.text(f'{name} IS NOT NULL'),
                   postgresql_where=sa.text(f'{name} IS NOT NULL'))
          for name in ('combined_into_id', 'split_from_id', 'pick_batch_id', 'duplicated_from_id')),
    )

    @property
    def number(self) -> str:
        """Kura's own order number, derived from the id: K00000123."""
        return f'{NUMBER_PREFIX}{self.id:08d}'

    @staticmethod
    def id_from_number(number: str) -> int | None:
        text = number.strip().upper()
        text = text[len(NUMBER_PREFIX):] if text.startswith(NUMBER_PREFIX) else text
        try:
            return parse_int(text, low=1)
        except ValueError:
            return None

    @property
    def open_holds(self) -> list['OrderHold']:
        return [h for h in self.holds if h.released_at is None]

    @property
    def billed(self) -> int:
        """What the customer pays the shop: the amount due, or the total where the mall's file did not say."""
        return self.total if self.amount_due is None else self.amount_due

    @property
    def items_total(self) -> int:
        return sum(line.unit_price * line.quantity for line in self.lines)

    def __repr__(self):
        return f'<Order {self.id} {self.channel}:{self.external_order_id}>'


@sa.event.listens_for(Order, 'before_insert')
@sa.event.listens_for(Order, 'before_update')
def _write_search_keys(_mapper, _connection, order: Order) -> None:
    """The ORM's writes of an order (a split, a ship-to edit, an order entered by hand) keep its search keys;
    the bulk insert (_writing.insert_orders) and the redaction write them themselves."""
    state = sa.inspect(order)
    if state.persistent and not any(state.attrs[name].history.has_changes() for name in KEYED_COLUMNS):
        return
    for name, key in order_keys({name: getattr(order, name) for name in KEYED_COLUMNS}).items():
        setattr(order, name, key)


class OrderLine(db.Model):
    __tablename__ = 'order_lines'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: no index of its own: the unique (order_id, line_no) index serves every lookup by order
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('orders.id', ondelete='CASCADE'), nullable=False)
    line_no: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    #: the mall's id of this line (商品明細ID, order-item-id, LineId), when it has one
    channel_line_id: so.Mapped[str] = so.mapped_column(sa.String(64), nullable=False, default='')
    #: None while the mall's item code is not mapped to a product (the order is on hold)
    product_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('products.id'), nullable=True, index=True)
    #: the item code as the mall sent it
    item_code: so.Mapped[str] = so.mapped_column(sa.String(100), nullable=False, default='')
    jan: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default='')
    name: so.Mapped[str] = so.mapped_column(sa.String(300), nullable=False)
    option_text: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='')
    quantity: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    #: yen, tax included
    unit_price: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    tax_rate: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False, default=10)
    #: the file gave no rate and no product was matched: the rate is the standard 10 %, a guess to check
    tax_rate_assumed: so.Mapped[bool] = so.mapped_column(sa.Boolean, nullable=False, default=False,
                                                         server_default=sa.false())
    #: yen per unit before tax, when the file gave the price so (Rakuten 税込別 0); unit_price is made from it
    price_excluding_tax: so.Mapped[int | None] = so.mapped_column(sa.Integer, nullable=True)

    order: so.Mapped[Order] = so.relationship(back_populates='lines')
    product = so.relationship('Product')

    __table_args__ = (
        sa.UniqueConstraint('order_id', 'line_no'),
        sa.CheckConstraint('quantity > 0', name='quantity_positive'),
        sa.CheckConstraint('unit_price >= 0', name='unit_price_not_negative'),
        sa.CheckConstraint('tax_rate IN (0, 8, 10)', name='tax_rate_known'),
        sa.Index('ix_order_lines_unmapped', 'item_code', 'product_id'),
    )

    def __repr__(self):
        return f'<OrderLine {self.id} order={self.order_id} {self.item_code} x{self.quantity}>'


class OrderHold(db.Model):
    """A named reason an order waits; open until released by a person or a rule."""

    __tablename__ = 'order_holds'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('orders.id', ondelete='CASCADE'), nullable=False,
                                                index=True)
    reason: so.Mapped[str] = so.mapped_column(sa.String(30), nullable=False)
    note: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='')
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    released_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    released_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    release_note: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='')

    order: so.Mapped[Order] = so.relationship(back_populates='holds')
    created_by = so.relationship('User', foreign_keys=[created_by_id])
    released_by = so.relationship('User', foreign_keys=[released_by_id])

    __table_args__ = (
        sa.CheckConstraint(_in('reason', HOLD_REASONS), name='reason_known'),
        sa.Index('ix_order_holds_open', 'reason', 'released_at'),
        sa.Index('ix_order_holds_open_reason', 'reason', sqlite_where=sa.text('released_at IS NULL'),
                 postgresql_where=sa.text('released_at IS NULL')),
    )

    def __repr__(self):
        return f'<OrderHold {self.id} order={self.order_id} {self.reason}>'


class Allocation(db.Model):
    """Units of one order line reserved at one location: the stock level's ``allocated`` holds the same units."""

    __tablename__ = 'allocations'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('orders.id', ondelete='CASCADE'), nullable=False,
                                                index=True)
    order_line_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('order_lines.id', ondelete='CASCADE'),
                                                     nullable=False, index=True)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('products.id'), nullable=False)
    location_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey('locations.id'), nullable=False)
    quantity: so.Mapped[int] = so.mapped_column(sa.Integer, nullable=False)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.CheckConstraint('quantity > 0', name='quantity_positive'),)

    def __repr__(self):
        return f'<Allocation line={self.order_line_id} {self.quantity} at {self.location_id}>'
