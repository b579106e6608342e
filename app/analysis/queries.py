"""The rows the figures are computed from, loaded as pandas frames.

The database does the summing where the rows are many (order lines per day, channel, product,
prefecture); pandas gets the sums, and the few row-level sets (parcels for lead times, holds, a
product's days) where percentiles or spreads need every value.  A day is a Japan-time day: the
database turns each time into its JST date (`jst_day`), so 23:59 and 00:01 JST fall on their own days.
"""
import dataclasses
import datetime as dt

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.compiler import compiles

from app.accounts.models import AuditEvent, User
from app.catalog.models import Product
from app.extensions import db
from app.fulfilment.models import MIS_SCANS, PackingSession, ScanEvent, Shipment
from app.inventory.models import StockLevel
from app.orders.models import Order, OrderHold, OrderLine
from app.returns.models import Return, ReturnLine, ReturnReason
from importers.base import JST


BASES = ('ordered', 'shipped')


@dataclasses.dataclass(frozen=True)
class Filters:
    """What a report looks at: JST days `date_from` to `date_to` (both included), by order or ship date."""

    date_from: dt.date
    date_to: dt.date
    basis: str = 'ordered'
    #: '' for every channel
    channel: str = ''

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time(), tzinfo=JST)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(), tzinfo=JST)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> 'Filters':
        """The period of the same length just before this one."""
        return dataclasses.replace(self, date_from=self.date_from - dt.timedelta(days=self.days),
                                   date_to=self.date_from - dt.timedelta(days=1))


class jst_day(sa.sql.functions.GenericFunction):  # noqa: N801 (an SQL function's name)
    """The Japan-time date of a stored (UTC) time, computed by the database."""

    type = sa.Date()
    inherit_cache = True
    name = 'jst_day'


@compiles(jst_day, 'sqlite')
def _jst_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+9 hours')"


@compiles(jst_day, 'postgresql')
def _jst_day_postgresql(element, compiler, **kw):
    return f"(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Tokyo')::date"


def _parcel_join():
    # a combined order (同梱) leaves in the parcel of the order it was combined into; an order sent again after
    # its parcel came back counts once, in its latest parcel
    later = so.aliased(Shipment)
    return sa.and_(Shipment.order_id == sa.func.coalesce(Order.combined_into_id, Order.id),
                   ~sa.exists().where(later.order_id == Shipment.order_id, later.id > Shipment.id))


def _time(f: Filters):
    return Shipment.shipped_at if f.basis == 'shipped' else Order.ordered_at


def _in_scope(query, f: Filters):
    """Orders of the period by the filters' basis and channel, cancelled ones left out; returns (query, time)."""
    if f.basis == 'shipped':
        query = query.join(Shipment, _parcel_join())
        at = Shipment.shipped_at
    else:
        at = Order.ordered_at
    query = query.where(at >= f.start, at < f.end, Order.status != 'cancelled')
    if f.channel:
        query = query.where(Order.channel == f.channel)
    return query, at


#: the columns that hold numbers, typed as such even when no row came back (an empty frame is all text)
NUMERIC = frozenset({'orders', 'units', 'amount', 'picks', 'product_id', 'user_id', 'parcels', 'orders_waited',
                     'units_waited', 'on_hand', 'allocated', 'cost', 'lead_time_days', 'tax_rate'})


def _frame(query, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(db.session.execute(query).all(), columns=columns)
    for column in NUMERIC.intersection(columns):
        frame[column] = pd.to_numeric(frame[column]).astype('float64' if frame[column].isna().any() else 'int64')
    return frame


def _days(frame: pd.DataFrame, column: str = 'day') -> pd.DataFrame:
    # SQLite hands the date back as text, PostgreSQL as a date
    frame[column] = pd.to_datetime(frame[column].astype(str))
    return frame


AMOUNT = sa.func.sum(OrderLine.quantity * OrderLine.unit_price)


def sales_by_day(f: Filters) -> pd.DataFrame:
    """Per JST day and channel: orders, units and amount (goods, tax included)."""
    day = jst_day(_time(f))
    query = (sa.select(day.label('day'), Order.channel, sa.func.count(sa.distinct(Order.id)),
                       sa.func.sum(OrderLine.quantity), AMOUNT)
             .select_from(Order).join(OrderLine, OrderLine.order_id == Order.id))
    query, _ = _in_scope(query, f)
    return _days(_frame(query.group_by(day, Order.channel), ['day', 'channel', 'orders', 'units', 'amount']))


def sales_by(f: Filters, column, name: str) -> pd.DataFrame:
    """Orders, units and amount per value of an order or line column (prefecture, tax rate)."""
    query = (sa.select(column, sa.func.count(sa.distinct(Order.id)), sa.func.sum(OrderLine.quantity), AMOUNT)
             .select_from(Order).join(OrderLine, OrderLine.order_id == Order.id))
    query, _ = _in_scope(query, f)
    return _frame(query.group_by(column), [name, 'orders', 'units', 'amount'])


def sales_by_product(f: Filters) -> pd.DataFrame:
    """Per product: orders, order lines (each one pick), units and amount; unmapped lines under no product."""
    query = (sa.select(OrderLine.product_id, sa.func.count(sa.distinct(Order.id)), sa.func.count(OrderLine.id),
                       sa.func.sum(OrderLine.quantity), AMOUNT)
             .select_from(Order).join(OrderLine, OrderLine.order_id == Order.id))
    query, _ = _in_scope(query, f)
    frame = _frame(query.group_by(OrderLine.product_id), ['product_id', 'orders', 'picks', 'units', 'amount'])
    return frame.merge(products(), on='product_id', how='left')


def products() -> pd.DataFrame:
    return _frame(sa.select(Product.id, Product.sku, Product.name, Product.cost, Product.lead_time_days),
                  ['product_id', 'sku', 'name', 'cost', 'lead_time_days'])


def daily_units(f: Filters) -> pd.DataFrame:
    """Units per product and JST day (only days with any)."""
    day = jst_day(_time(f))
    query = (sa.select(OrderLine.product_id, day.label('day'), sa.func.sum(OrderLine.quantity))
             .select_from(Order).join(OrderLine, OrderLine.order_id == Order.id)
             .where(OrderLine.product_id.is_not(None)))
    query, _ = _in_scope(query, f)
    return _days(_frame(query.group_by(OrderLine.product_id, day), ['product_id', 'day', 'units']))


def _was_backordered():
    # the order's history says so: an order allocated later is no longer backordered but did wait
    return sa.cast(Order.id, sa.String(64)).in_(sa.select(AuditEvent.object_id).where(
        AuditEvent.action == 'order.status', AuditEvent.object_type == Order.__tablename__,
        sa.cast(AuditEvent.after, sa.Text).like('%backordered%')))


def waited_for_stock(f: Filters) -> pd.DataFrame:
    """Per product: the orders of the period that were ever backordered (欠品), and their units."""
    query = (sa.select(OrderLine.product_id, sa.func.count(sa.distinct(Order.id)), sa.func.sum(OrderLine.quantity))
             .select_from(Order).join(OrderLine, OrderLine.order_id == Order.id)
             .where(_was_backordered(), OrderLine.product_id.is_not(None)))
    query, _ = _in_scope(query, f)
    return _frame(query.group_by(OrderLine.product_id), ['product_id', 'orders_waited', 'units_waited'])


def orders_waited(f: Filters) -> int:
    """The orders of the period that were ever backordered."""
    query, _ = _in_scope(sa.select(sa.func.count(sa.distinct(Order.id))).select_from(Order)
                         .where(_was_backordered()), f)
    return db.session.scalar(query)


def stock_on_hand() -> pd.DataFrame:
    """Per product with stock rows: on hand and allocated across every location."""
    return _frame(sa.select(StockLevel.product_id, sa.func.sum(StockLevel.on_hand), sa.func.sum(StockLevel.allocated))
                  .group_by(StockLevel.product_id), ['product_id', 'on_hand', 'allocated'])


def parcels(f: Filters) -> pd.DataFrame:
    """Every order of the period with when it was ordered and when its parcel left (NaT while not)."""
    query = sa.select(Order.id, Order.ordered_at, Shipment.shipped_at).select_from(Order)
    if f.basis == 'shipped':
        query, _ = _in_scope(query, f)
    else:
        query = query.outerjoin(Shipment, _parcel_join())
        query, _ = _in_scope(query, f)
    frame = _frame(query, ['order_id', 'ordered_at', 'shipped_at'])
    for column in ('ordered_at', 'shipped_at'):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(JST)
    return frame


def packing(f: Filters) -> pd.DataFrame:
    """Per packer: parcels packed in the period and the hours their packing sessions took."""
    start, end = f.start, f.end
    packed = _frame(sa.select(Shipment.packed_by_id, sa.func.count(Shipment.id))
                    .where(Shipment.packed_at >= start, Shipment.packed_at < end, Shipment.packed_by_id.is_not(None))
                    .group_by(Shipment.packed_by_id), ['user_id', 'parcels'])
    sessions = _frame(sa.select(PackingSession.user_id, PackingSession.started_at, PackingSession.finished_at)
                      .where(PackingSession.started_at >= start, PackingSession.started_at < end,
                             PackingSession.finished_at.is_not(None), PackingSession.kind == 'pack',
                             PackingSession.user_id.is_not(None)), ['user_id', 'started_at', 'finished_at'])
    sessions['hours'] = ((pd.to_datetime(sessions['finished_at'], utc=True)
                          - pd.to_datetime(sessions['started_at'], utc=True)).dt.total_seconds() / 3600)
    hours = sessions.groupby('user_id', as_index=False)['hours'].sum()
    names = _frame(sa.select(User.id, User.name), ['user_id', 'packer'])
    return packed.merge(hours, on='user_id', how='left').merge(names, on='user_id', how='left')


def mis_scans(f: Filters) -> int:
    return db.session.scalar(sa.select(sa.func.count(ScanEvent.id)).where(
        ScanEvent.at >= f.start, ScanEvent.at < f.end, ScanEvent.result.in_(MIS_SCANS)))


def parcels_shipped(f: Filters, *, of_channel: bool = False) -> int:
    """Parcels that left in the period; of the filters' channel only when `of_channel` (a mis-scan has none)."""
    query = sa.select(sa.func.count(Shipment.id)).where(Shipment.shipped_at >= f.start, Shipment.shipped_at < f.end)
    if of_channel and f.channel:
        query = query.join(Order, Order.id == Shipment.order_id).where(Order.channel == f.channel)
    return db.session.scalar(query)


#: the reason of a return caused by a unit packed for the wrong order or of the wrong product (誤出荷)
MIS_SHIP_REASON = 'wrong_item'


def _returns_in(query, f: Filters):
    # a return belongs to the day it was opened, whatever the basis: the parcel that came back may have left in an
    # earlier period
    query = query.where(Return.opened_at >= f.start, Return.opened_at < f.end, Return.state != 'declined')
    if f.channel:
        query = query.where(Order.channel == f.channel)
    return query


def mis_ships(f: Filters) -> int:
    """Returns opened in the period with a unit returned as 誤出荷: each a parcel that went out wrong."""
    query = (sa.select(sa.func.count(sa.distinct(Return.id))).select_from(Return)
             .join(Order, Order.id == Return.order_id)
             .join(ReturnLine, ReturnLine.return_id == Return.id)
             .join(ReturnReason, ReturnReason.id == ReturnLine.reason_id)
             .where(ReturnReason.key == MIS_SHIP_REASON))
    return db.session.scalar(_returns_in(query, f))


def returned_lines(f: Filters) -> pd.DataFrame:
    """Every line of the returns opened in the period (declined ones left out): why, whose fault, what, who packed."""
    query = (sa.select(Return.id, Order.channel, Product.sku, Product.name, ReturnReason.key, ReturnReason.label_ja,
                       ReturnReason.label_en, ReturnReason.fault, ReturnLine.quantity, User.name)
             .select_from(Return)
             .join(Order, Order.id == Return.order_id)
             .join(ReturnLine, ReturnLine.return_id == Return.id)
             .join(Product, Product.id == ReturnLine.product_id)
             .join(ReturnReason, ReturnReason.id == ReturnLine.reason_id)
             .outerjoin(User, User.id == Return.packed_by_id))
    return _frame(_returns_in(query, f), ['return_id', 'channel', 'sku', 'name', 'reason', 'label_ja', 'label_en',
                                          'fault', 'units', 'packer'])


def holds(f: Filters) -> pd.DataFrame:
    """The holds put on in the period (on orders of the channel), with when each was released (NaT: still on)."""
    query = (sa.select(OrderHold.reason, OrderHold.created_at, OrderHold.released_at)
             .join(Order, Order.id == OrderHold.order_id)
             .where(OrderHold.created_at >= f.start, OrderHold.created_at < f.end, Order.status != 'cancelled'))
    if f.channel:
        query = query.where(Order.channel == f.channel)
    frame = _frame(query, ['reason', 'created_at', 'released_at'])
    for column in ('created_at', 'released_at'):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def waiting_beyond_cutoff(cutoff: dt.datetime) -> int:
    """Orders in before `cutoff` that have not left and are not cancelled, on hold or waiting for stock."""
    return db.session.scalar(sa.select(sa.func.count(Order.id)).where(
        Order.ordered_at < cutoff, Order.status.in_(('new', 'confirmed', 'allocated', 'picking', 'packed')),
        Order.combined_into_id.is_(None),
        ~sa.exists().where(OrderHold.order_id == Order.id, OrderHold.released_at.is_(None))))


def backordered_orders() -> int:
    return db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.status == 'backordered'))
