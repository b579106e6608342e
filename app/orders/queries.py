"""Reading orders, imports and unmapped item codes for screens and exports."""
import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Iterator

import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.catalog.models import Product
from app.database import parse_day, parse_int
from app.errors import as_user_errors
from app.extensions import db
from app.orders.models import Allocation, ImportBatch, Order, OrderHold, OrderLine
from app.orders.search_keys import search_key, split_prefecture
from app.orders.services import BEFORE_PICKING, combine_key
from app.orders.signals import timeline_entries
from exporters.base import ExportResult
from exporters.orders import OrderLineRecord, write_orders
from importers.base import JST
from importers.orders.normalize import phone


ORDER_SORTS = {'number': Order.id, 'ordered_at': Order.ordered_at, 'channel': Order.channel,
               'name': Order.ship_name, 'total': Order.total, 'status': Order.status,
               'delivery': Order.delivery_date, 'priority': Order.priority}
BATCH_SORTS = {'started': ImportBatch.started_at, 'channel': ImportBatch.channel,
               'orders': ImportBatch.orders_created}


#: the hold filter for orders on any hold, whatever its reason
ANY_HOLD = 'any'


@dataclasses.dataclass(frozen=True)
class OrderFilters:
    """What the order list is narrowed to; every field is optional."""

    q: str = ''
    status: str = ''
    hold: str = ''
    channel: str = ''
    payment: str = ''
    ordered_from: dt.date | None = None
    ordered_to: dt.date | None = None
    delivery_from: dt.date | None = None
    delivery_to: dt.date | None = None
    #: the import the orders came in with (the import page links here)
    batch: int | None = None

    @classmethod
    def from_args(cls, args) -> 'OrderFilters':
        def day(name):
            try:
                return parse_day(args.get(name, '')) if args.get(name) else None
            except ValueError:
                return None

        def batch():
            try:
                return parse_int(args.get('batch', ''), low=1)
            except ValueError:
                return None

        return cls(q=args.get('q', '').strip(), status=args.get('status', ''), hold=args.get('hold', ''),
                   channel=args.get('channel', ''), payment=args.get('payment', ''),
                   ordered_from=day('ordered_from'), ordered_to=day('ordered_to'),
                   delivery_from=day('delivery_from'), delivery_to=day('delivery_to'),
                   batch=batch())


def _prefix(key: str) -> str:
    # the whole pattern as one parameter: SQLite uses an index for LIKE only then
    return key.replace('/', '//').replace('%', '/%').replace('_', '/_') + '%'


def _jst_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=JST)


def order_search(filters: OrderFilters) -> sa.Select:
    """Orders matching our number, the channel's order id or the last number of it, a phone, an e-mail, or the
    start of a name, kana or address (from the city on) as people type them: search_keys.py says how."""
    query = sa.select(Order)
    q = filters.q
    if q:
        key = search_key(q)
        conditions = []
        if key:
            conditions += [column.like(_prefix(key), escape='/') for column in (
                Order.ship_name_key, Order.buyer_name_key, Order.ship_kana_key, Order.buyer_kana_key)]
            prefecture, rest = split_prefecture(key)
            address = [Order.ship_prefecture == prefecture] if prefecture else []
            if rest:
                address.append(Order.address_key.like(_prefix(rest), escape='/'))
            if address:
                conditions.append(sa.and_(*address))
        if not key.isascii():
            # a Japanese name, kana or address: phones, e-mails and order numbers are ASCII, so only the keys can
            # match, and the database walks the orders newest first and stops at a page of them
            query = query.where(sa.or_(*conditions) if conditions else sa.false())
        else:
            typed = unicodedata.normalize('NFKC', q)
            digits = phone(typed)
            conditions += [Order.external_order_id == typed, Order.buyer_email == typed]
            if digits and digits == key:
                conditions += [Order.ship_phone == digits, Order.buyer_phone == digits]
            if key.isdigit() and key.lstrip('0'):
                conditions.append(Order.order_no_key == key.lstrip('0'))
            by_number = Order.id_from_number(typed)
            if by_number is not None:
                conditions.append(Order.id == by_number)
            # the few matches first, each through its own index; otherwise SQLite walks the ordered_at index
            # for the ORDER BY ... LIMIT and tests a million rows against the search
            query = query.where(Order.id.in_(sa.select(Order.id).where(sa.or_(*conditions))))
    if filters.status:
        query = query.where(Order.status == filters.status)
    if filters.channel:
        query = query.where(Order.channel == filters.channel)
    if filters.payment:
        query = query.where(Order.payment_status == filters.payment)
    if filters.hold:
        held = sa.select(OrderHold.order_id).where(OrderHold.released_at.is_(None))
        if filters.hold != ANY_HOLD:
            held = held.where(OrderHold.reason == filters.hold)
        query = query.where(Order.id.in_(held))
    if filters.batch:
        query = query.where(Order.import_batch_id == filters.batch)
    if filters.ordered_from:
        query = query.where(Order.ordered_at >= _jst_midnight(filters.ordered_from))
    if filters.ordered_to:
        query = query.where(Order.ordered_at < _jst_midnight(filters.ordered_to + dt.timedelta(days=1)))
    if filters.delivery_from:
        query = query.where(Order.delivery_date >= filters.delivery_from)
    if filters.delivery_to:
        query = query.where(Order.delivery_date <= filters.delivery_to)
    return query


def order_line_records(*, date_from: dt.date | None = None, date_to: dt.date | None = None,
                       order_ids=None) -> Iterator[OrderLineRecord]:
    """The lines of the orders ordered on JST days `date_from` to `date_to` (both included), or of the given ids.

    Oldest order first, its lines in their order.  A generator that reads the rows in chunks as they
    are written, so an export of every order never holds them all.
    :param order_ids: a list of order ids, or a select of them (the order list's current search)
    """
    query = (sa.select(Order, OrderLine, Product.sku)
             .join(OrderLine, OrderLine.order_id == Order.id)
             .outerjoin(Product, Product.id == OrderLine.product_id)
             .order_by(Order.ordered_at, Order.id, OrderLine.line_no))
    if date_from:
        query = query.where(Order.ordered_at >= _jst_midnight(date_from))
    if date_to:
        query = query.where(Order.ordered_at < _jst_midnight(date_to + dt.timedelta(days=1)))
    if order_ids is not None:
        query = query.where(Order.id.in_(order_ids))
    for order, line, sku in db.session.execute(query).yield_per(2000):
        yield OrderLineRecord(
            channel=order.channel, external_order_id=order.external_order_id, order_number=order.number,
            ordered_at=order.ordered_at, status=order.status, ship_name=order.ship_name,
            ship_postal_code=order.ship_postal_code, ship_prefecture=order.ship_prefecture, ship_city=order.ship_city,
            ship_address1=order.ship_address1, ship_address2=order.ship_address2, ship_phone=order.ship_phone,
            sku=sku or '', quantity=line.quantity, unit_price=line.unit_price, item_code=line.item_code,
            item_name=line.name, option_text=line.option_text, tax_rate=line.tax_rate,
            payment_method=order.payment_method, payment_status=order.payment_status,
            shipping_fee=order.shipping_fee, cod_fee=order.cod_fee, total=order.total,
            delivery_date=order.delivery_date, delivery_time_slot=order.delivery_time_slot,
            buyer_name=order.buyer_name, buyer_email=order.buyer_email)


def hold_queue_counts() -> dict[str, int]:
    """How many orders wait in each hold queue, and on any hold (ANY_HOLD; an order with two holds once)."""
    is_open, orders = OrderHold.released_at.is_(None), sa.func.count(sa.distinct(OrderHold.order_id))
    counts = dict(db.session.execute(
        sa.select(OrderHold.reason, orders).where(is_open).group_by(OrderHold.reason)).tuples().all())
    counts[ANY_HOLD] = db.session.scalar(sa.select(orders).where(is_open))
    return counts


def outstanding_by_line(order: Order) -> dict[int, int]:
    """Units of each line still waiting for stock (what a backorder waits for)."""
    allocated = dict(db.session.execute(
        sa.select(Allocation.order_line_id, sa.func.sum(Allocation.quantity))
        .where(Allocation.order_id == order.id).group_by(Allocation.order_line_id)).tuples().all())
    return {line.id: line.quantity - allocated.get(line.id, 0) for line in order.lines}


@dataclasses.dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to an order, shaped like an audit event."""

    at: dt.datetime
    user: object
    action: str
    before: dict | None
    after: dict | None
    note: str


def timeline(order: Order) -> list:
    """Everything that happened to an order, oldest first: its audit events, the holds it arrived with, and what
    other areas keep about it (timeline_entries: the scans at the packing station)."""
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == 'orders',
                                                            AuditEvent.object_id == str(order.id))).all()
    added = {e.after.get('hold') for e in events if e.action == 'order.hold_added' and e.after}
    arrived_with = [TimelineEntry(h.created_at, h.created_by, 'order.hold_added', None, {'hold': h.reason}, h.note)
                    for h in order.holds if h.reason not in added]
    others = [entry for _receiver, entries in timeline_entries.send(order) for entry in entries]
    return sorted([*events, *arrived_with, *others], key=lambda e: (e.at, getattr(e, 'id', 0) or 0))


def unmapped_item_codes() -> sa.Select:
    """Item codes no product matches yet, per channel, with how many orders and units wait on them."""
    return (sa.select(Order.channel, OrderLine.item_code, sa.func.min(OrderLine.name).label('name'),
                      sa.func.count(sa.distinct(OrderLine.order_id)).label('orders'),
                      sa.func.sum(OrderLine.quantity).label('units'))
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.product_id.is_(None))
            .group_by(Order.channel, OrderLine.item_code)
            .order_by(sa.func.count(sa.distinct(OrderLine.order_id)).desc(), Order.channel, OrderLine.item_code))


def combinable(orders: list[Order]) -> set[int]:
    """Which of these orders have another order for the same buyer and address that could share its parcel."""
    open_orders = [o for o in orders if o.status in BEFORE_PICKING and o.combined_into_id is None
                   and o.channel != 'amazon']
    if not open_orders:
        return set()
    addresses = {(o.ship_postal_code, o.ship_address1, o.ship_name) for o in open_orders}
    peers = db.session.scalars(sa.select(Order).where(
        Order.status.in_(BEFORE_PICKING), Order.combined_into_id.is_(None), Order.channel != 'amazon',
        Order.ship_postal_code.in_({a[0] for a in addresses}),
        sa.tuple_(Order.ship_postal_code, Order.ship_address1, Order.ship_name).in_(addresses))).all()
    counts: dict[tuple, int] = {}
    for peer in peers:
        counts[combine_key(peer)] = counts.get(combine_key(peer), 0) + 1
    return {o.id for o in open_orders if counts.get(combine_key(o), 0) > 1}


def status_counts() -> dict[str, int]:
    """How many orders are in each status (for monitoring)."""
    return dict(db.session.execute(sa.select(Order.status, sa.func.count()).group_by(Order.status)).all())


def stuck_import_jobs(queued_before: dt.datetime) -> int:
    """Import jobs that will not end by themselves: running with a dead worker, or queued since before `queued_before`.

    The minute's sweep (app.orders.jobs.sweep_jobs) marks the first kind failed while the consumer
    runs, so either kind staying says the consumer is not taking work.
    """
    from app.jobs.models import Job
    from app.orders.jobs import stalled

    queued = db.session.scalar(sa.select(sa.func.count(Job.id)).where(
        Job.kind == 'order_import', Job.status == 'queued', Job.created_at < queued_before))
    running = db.session.scalars(sa.select(Job).where(Job.kind == 'order_import', Job.status == 'running'))
    return queued + sum(1 for job in running if stalled(job))


def export_orders(*, date_from: dt.date | None = None, date_to: dt.date | None = None, order_ids=None,
                  encoding: str = 'utf-8') -> ExportResult:
    """Orders ordered on JST days `date_from` to `date_to` (both included), or the given ids, one row per line."""
    lines = order_line_records(date_from=date_from, date_to=date_to, order_ids=order_ids)
    with as_user_errors():
        return write_orders(lines, date_from=date_from, date_to=date_to, encoding=encoding)
