"""Order files into orders: never twice, never half, nothing silently lost.

The format code in importers/orders turns bytes into OrderRecords and problems.  Here the
records become orders in one transaction: orders already in Kura (same channel and channel
order id) are counted as duplicates and left alone, each line's product is resolved, and an
order that cannot go out as it is gets a hold instead of being refused.
"""
import dataclasses
import datetime as dt
import hashlib
import logging
import operator
from collections import defaultdict
from collections.abc import Callable
from itertools import chain, repeat

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.catalog.models import ChannelSku, Product
from app.database import INT_MAX, analyze_after_bulk_load, bulk_work, insert_columns, new_ids, utcnow
from app.extensions import db
from app.orders.address import address_problem, prefectures_of
from app.orders.allocation import PAYABLE, AllocationResult, allocate_arriving, record_allocation_statuses
from app.orders.models import Allocation, ImportBatch, Order, OrderHold, OrderLine
from app.orders.services import auto_combine
from app.orders.signals import order_placed
from app.orders.vocabulary import PAYMENT_LABELS
from app.settings.services import OrderRules, order_rules
from importers.base import JST, RowProblem
from importers.orders import detect, parse_files
from importers.orders.records import LineRecord, OrderRecord, ParseResult


logger = logging.getLogger(__name__)

CHUNK = 2000


#: the rate a line takes when the file gives none and no product was matched (flagged: tax_rate_assumed)
DEFAULT_TAX_RATE = 10


@dataclasses.dataclass(slots=True)
class LineValues:
    """What a line is stored with where the file alone could not say: its rate, and its tax-included price."""

    tax_rate: int
    #: yen per unit, tax included
    unit_price: int
    #: the file gave no rate and no product was matched: DEFAULT_TAX_RATE was taken
    tax_rate_assumed: bool = False
    #: the file's price before tax (Rakuten 税込別 0), which unit_price was made from
    price_excluding_tax: int | None = None


@dataclasses.dataclass
class PlannedOrder:
    record: OrderRecord
    product_ids: list[int | None]
    holds: list[tuple[str, str]]
    #: per line, the rate and price to store; None: as the record's lines state them
    line_values: list[LineValues] | None = None

    def values(self) -> list[LineValues]:
        if self.line_values is None:
            return [LineValues(line.tax_rate if line.tax_rate is not None else DEFAULT_TAX_RATE, line.unit_price)
                    for line in self.record.lines]
        return self.line_values


def price_including_tax(price: int, rate: int) -> int:
    """A unit price before tax made tax-included, rounded down to the yen per unit (切り捨て, as Rakuten and most
    Japanese shops round): 5,000 at 10 % -> 5,500; 1,234 at 8 % -> 1,332 (1,332.72)."""
    return price * (100 + rate) // 100


def line_values(lines: list[LineRecord], product_ids: list[int | None],
                product_rates: dict[int, int]) -> list[LineValues]:
    """Each line's rate (the file's, else its product's, else DEFAULT_TAX_RATE and flagged) and tax-included price."""
    values = []
    for line, product_id in zip(lines, product_ids, strict=True):
        rate, assumed = line.tax_rate, False
        if rate is None:
            rate = product_rates.get(product_id) if product_id is not None else None
            rate, assumed = (DEFAULT_TAX_RATE, True) if rate is None else (rate, False)
        if line.tax_excluded:
            values.append(LineValues(rate, price_including_tax(line.unit_price, rate), assumed, line.unit_price))
        else:
            values.append(LineValues(rate, line.unit_price, assumed))
    return values


@dataclasses.dataclass
class ImportSummary:
    channel: str
    filenames: list[str]
    orders_created: int = 0
    lines_created: int = 0
    duplicates: int = 0
    on_hold: int = 0
    problems: list[RowProblem] = dataclasses.field(default_factory=list)
    #: orders that would be created, for a preview
    planned: list[PlannedOrder] = dataclasses.field(default_factory=list)
    batch_id: int | None = None
    allocation: AllocationResult | None = None

    @property
    def rejected(self) -> int:
        """Orders left out because of a broken row (several problems may name one order)."""
        return len({(p.filename, p.key or p.line) for p in self.problems})

    def as_dict(self) -> dict:
        return {
            'channel': self.channel,
            'orders_created': self.orders_created,
            'lines_created': self.lines_created,
            'duplicates': self.duplicates,
            'on_hold': self.on_hold,
            'rejected': [p.as_dict() for p in self.problems],
            'allocation': self.allocation.as_dict() if self.allocation else None,
        }


def files_sha256(files: list[tuple[str, bytes]]) -> str:
    if len(files) == 1:
        return hashlib.sha256(files[0][1]).hexdigest()
    combined = hashlib.sha256()
    for _name, data in files:
        combined.update(hashlib.sha256(data).digest())
    return combined.hexdigest()


class SkuResolver:
    """A line's product: by SKU, then by JAN, then by the channel's remembered item-code mapping."""

    def __init__(self, channel: str, records: list[OrderRecord]):
        codes = {line.item_code for r in records for line in r.lines if line.item_code}
        jans = {line.jan for r in records for line in r.lines if line.jan} | {c for c in codes if c.isdigit()}
        self.by_sku = self._lookup(sa.select(Product.sku, Product.id), Product.sku, codes)
        self.by_jan = self._lookup(sa.select(Product.jan, Product.id), Product.jan, jans)
        self.by_mapping = self._lookup(sa.select(ChannelSku.item_code, ChannelSku.product_id).where(
            ChannelSku.channel == channel), ChannelSku.item_code, codes)

    @staticmethod
    def _lookup(query, column, keys) -> dict:
        found, keys = {}, list(keys)
        for start in range(0, len(keys), CHUNK):
            found.update(db.session.execute(query.where(column.in_(keys[start:start + CHUNK]))).tuples().all())
        return found

    def resolve(self, item_code: str, jan: str) -> int | None:
        return (self.by_sku.get(item_code) or self.by_jan.get(jan) or self.by_jan.get(item_code)
                or self.by_mapping.get(item_code))


def existing_order_ids(channel: str, external_ids: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(external_ids), CHUNK):
        chunk = external_ids[start:start + CHUNK]
        found.update(db.session.scalars(sa.select(Order.external_order_id).where(
            Order.channel == channel, Order.external_order_id.in_(chunk))))
    return found


def plan(channel: str, parsed: ParseResult) -> ImportSummary:
    """What importing would do: which orders are new, which are duplicates, which need a hold."""
    rules = order_rules()
    today = dt.datetime.now(JST).date()
    summary = ImportSummary(channel, [], problems=list(parsed.problems))
    existing = existing_order_ids(channel, [r.external_order_id for r in parsed.orders])
    new_records = [r for r in parsed.orders if r.external_order_id not in existing]
    summary.duplicates = len(parsed.orders) - len(new_records)
    oversized = oversized_values(new_records)
    for index in sorted(oversized):
        summary.problems += oversized[index]
    new_records = [record for index, record in enumerate(new_records) if index not in oversized]
    resolver = SkuResolver(channel, new_records)
    # looked up together, not one query per order
    prefectures = prefectures_of(r.ship_postal_code for r in new_records)
    messages = {}
    all_product_ids = [[resolver.resolve(line.item_code, line.jan) for line in record.lines] for record in new_records]
    product_rates = _product_rates({pid for record, product_ids in zip(new_records, all_product_ids)
                                    for line, pid in zip(record.lines, product_ids)
                                    if pid is not None and line.tax_rate is None})
    for record, product_ids in zip(new_records, all_product_ids):
        values = None
        if any(line.tax_rate is None or line.tax_excluded for line in record.lines):
            values = line_values(record.lines, product_ids, product_rates)
        holds = []
        if None in product_ids:
            unknown = [line.item_code or line.name for line, pid in zip(record.lines, product_ids) if pid is None]
            if values and any(value.tax_rate_assumed for value in values):
                note = _l('Unknown item code: %(codes)s. The file gives no tax rate: the standard rate is assumed '
                          'until the code is mapped to a product.', codes=', '.join(unknown))
            else:
                note = _l('Unknown item code: %(codes)s', codes=', '.join(unknown))
            holds.append(('unknown_sku', str(note)))
        if prefectures[record.ship_postal_code] != record.ship_prefecture:
            holds.append(('address_check', address_problem(record.ship_postal_code, record.ship_prefecture)))
        holds += rule_holds(record, rules, today, messages)
        summary.planned.append(PlannedOrder(record, product_ids, holds, values))
    summary.on_hold = sum(1 for p in summary.planned if p.holds)
    return summary


def _product_rates(product_ids: set[int]) -> dict[int, int]:
    """The tax rate of each product, for the lines whose file gives none."""
    ids, rates = list(product_ids), {}
    for start in range(0, len(ids), CHUNK):
        rates.update(db.session.execute(sa.select(Product.id, Product.tax_rate).where(
            Product.id.in_(ids[start:start + CHUNK]))).tuples().all())
    return rates


def rule_holds(record: OrderRecord, rules: OrderRules, today: dt.date,
               messages: dict | None = None) -> list[tuple[str, str]]:
    """The holds the manager's rules put on an arriving order (settings screen).

    :param messages: hold notes already translated, shared by the orders of one import
    """
    messages = {} if messages is None else messages
    holds = []
    if rules.hold_payment_pending and payment_status_for(record.payment_method) == 'unpaid':
        key = ('payment_pending', record.payment_method)
        if key not in messages:
            messages[key] = str(_l('Waiting for the payment (%(method)s).',
                                   method=PAYMENT_LABELS[record.payment_method]))
        holds.append(('payment_pending', messages[key]))
    if rules.hold_customer_comment and record.customer_comment.strip():
        holds.append(('customer_comment', record.customer_comment.strip()[:200]))
    if (rules.hold_delivery_days and record.delivery_date
            and (record.delivery_date - today).days > rules.hold_delivery_days):
        holds.append(('delivery_date_far', str(_l('Delivery requested for %(date)s, more than %(days)d days ahead.',
                                                   date=record.delivery_date.isoformat(),
                                                   days=rules.hold_delivery_days))))
    # what the courier will collect: the amount due, or the total when the file does not say
    collect = record.total if record.amount_due is None else record.amount_due
    if rules.hold_cod_over and record.payment_method == 'cod' and collect > rules.hold_cod_over:
        holds.append(('cod_over_limit', str(_l('Cash on delivery of %(total)s yen, above %(limit)s yen.',
                                                total=f'{collect:,}', limit=f'{rules.hold_cod_over:,}'))))
    return holds


def _limits(model, record) -> dict[str, int]:
    """The length limits of the model's text columns that the record fills."""
    return {c.name: c.type.length for c in model.__table__.columns
            if isinstance(c.type, sa.String) and c.type.length and c.name in record.__dataclass_fields__}


def _numbers(model, record) -> list[str]:
    """The model's integer columns that the record fills: each holds no more than INT_MAX either way."""
    return [c.name for c in model.__table__.columns
            if isinstance(c.type, sa.Integer) and c.name in record.__dataclass_fields__ and c.name != 'line']


ORDER_LIMITS, LINE_LIMITS = _limits(Order, OrderRecord), _limits(OrderLine, LineRecord)
ORDER_NUMBERS, LINE_NUMBERS = _numbers(Order, OrderRecord), _numbers(OrderLine, LineRecord)


def oversized_values(records: list[OrderRecord]) -> dict[int, list[RowProblem]]:
    """Values longer or larger than Kura keeps, by the record's index: such an order is left out and reported,
    not cut short (and not left for the database to refuse when the import is confirmed).

    Field by field over every record, so that the usual file, where nothing is too long, costs one
    pass in C per field rather than a Python test per value.
    """
    found = defaultdict(list)

    def check(items, owners, field, limit):
        value_of = operator.attrgetter(field)
        if max(map(len, map(value_of, items)), default=0) <= limit:
            return
        for item, index, value in zip(items, owners, map(value_of, items)):
            if len(value) > limit:
                found[index].append(RowProblem(records[index].filename, item.line, field, value[:40],
                                               str(_l('Longer than %(n)d characters.', n=limit)),
                                               key=records[index].external_order_id))

    def check_number(items, owners, field):
        numbers = [value for value in map(operator.attrgetter(field), items) if value is not None]
        if not numbers or (max(numbers) <= INT_MAX and min(numbers) >= -INT_MAX):
            return
        message = str(_l('Beyond the largest number Kura keeps (%(n)s).', n=f'{INT_MAX:,}'))
        for item, index in zip(items, owners):
            value = getattr(item, field)
            if value is not None and abs(value) > INT_MAX:
                found[index].append(RowProblem(records[index].filename, item.line, field, str(value)[:40], message,
                                               key=records[index].external_order_id))

    lines = [line for record in records for line in record.lines]
    owners = [index for index, record in enumerate(records) for _ in record.lines]
    for field, limit in ORDER_LIMITS.items():
        check(records, range(len(records)), field, limit)
    for field, limit in LINE_LIMITS.items():
        check(lines, owners, field, limit)
    for field in ORDER_NUMBERS:
        check_number(records, range(len(records)), field)
    for field in LINE_NUMBERS:
        check_number(lines, owners, field)
    return found


def payment_status_for(method: str) -> str:
    """Card, PayPay and points are settled by the mall; bank and konbini wait for the money; COD at the door."""
    if method == 'cod':
        return 'cod'
    if method in ('bank_transfer', 'convenience_store'):
        return 'unpaid'
    return 'paid'


# the order columns taken as they are from the record
_RECORD_COLUMNS = ('external_order_id', 'ordered_at', 'payment_method', 'buyer_name', 'buyer_kana', 'buyer_email',
                   'buyer_phone', 'ship_name', 'ship_kana', 'ship_postal_code', 'ship_prefecture', 'ship_city',
                   'ship_address1', 'ship_address2', 'ship_phone', 'shipping_fee', 'cod_fee', 'total', 'amount_due',
                   'delivery_date', 'delivery_time_slot', 'gift_wrap', 'noshi', 'customer_comment')
_LINE_COLUMNS = ('channel_line_id', 'item_code', 'jan', 'name', 'option_text', 'quantity')
# the line columns taken from PlannedOrder.values(): the file's rate and price, or what was made of them
_VALUE_COLUMNS = ('tax_rate', 'unit_price', 'tax_rate_assumed', 'price_excluding_tax')


def _arrival_status(planned: PlannedOrder) -> str:
    # an order with no hold is confirmed on arrival; one with holds waits, new, until the last is released
    return 'new' if planned.holds else 'confirmed'


def _order_columns(planned: list[PlannedOrder], ids: list[int], statuses: dict[int, str], channel: str,
                   batch_id: int | None, now) -> dict[str, object]:
    """The orders' columns, each a list (or one value for every order), for insert_columns()."""
    records = [p.record for p in planned]
    columns = {name: list(map(operator.attrgetter(name), records)) for name in _RECORD_COLUMNS}
    return columns | {
        'id': ids, 'channel': channel, 'import_batch_id': batch_id,
        'status': [statuses.get(order_id) or _arrival_status(p) for order_id, p in zip(ids, planned, strict=True)],
        'payment_status': list(map(payment_status_for, columns['payment_method'])),
        'priority': 0, 'created_at': now, 'updated_at': now, 'combined_into_id': None, 'split_from_id': None,
        'paid_amount': None, 'paid_on': None, 'carrier': None, 'pick_batch_id': None,
    }


def _value_columns(chunk: list[PlannedOrder], record_lines: list[LineRecord]) -> dict[str, object]:
    """The lines' rate and price columns: as the file states them when it states every rate and tax-included
    price (the usual Rakuten download: no object per line), else from PlannedOrder.values()."""
    if all(p.line_values is None for p in chunk):
        return {'tax_rate': list(map(operator.attrgetter('tax_rate'), record_lines)),
                'unit_price': list(map(operator.attrgetter('unit_price'), record_lines)),
                'tax_rate_assumed': False, 'price_excluding_tax': None}
    values = list(chain.from_iterable(p.values() for p in chunk))
    return {name: list(map(operator.attrgetter(name), values)) for name in _VALUE_COLUMNS}


def write_orders(channel: str, planned: list[PlannedOrder], *, batch_id: int | None, actor=None,
                 progress: Callable[[int, int], None] | None = None, ids: list[int] | None = None,
                 line_ids: list[int] | None = None, statuses: dict[int, str] | None = None,
                 locale: str = 'ja') -> tuple[list[int], int]:
    """Insert the planned orders with their lines and holds, set-based, in chunks; flush, never commit.

    Every new order comes in here, so here they are announced (``order_placed``, once per call).

    :param locale: the language the customer used (the shop's checkout); mall orders are written to in Japanese
    :param ids: the orders' ids, and `line_ids` their lines' in order, when taken beforehand (new_ids())
    :param statuses: the status of orders that arrive other than confirmed or new (allocated on arrival)
    :return: (ids of the orders created, lines created)
    """
    connection = db.session.connection()
    ids = ids if ids is not None else new_ids(connection, Order.__table__, len(planned))
    line_count = sum(len(p.record.lines) for p in planned)
    line_ids = line_ids if line_ids is not None else new_ids(connection, OrderLine.__table__, line_count)
    statuses = statuses or {}
    now = utcnow()
    actor_id = actor.id if actor is not None else None
    lines_created = 0
    orders, lines, holds = Order.__table__, OrderLine.__table__, OrderHold.__table__
    for start in range(0, len(planned), CHUNK):
        chunk, chunk_ids = planned[start:start + CHUNK], ids[start:start + CHUNK]
        # straight to the driver, column by column (the ORM's bulk path drops None values and splits the
        # batch at every change of shape, and ordered RETURNING is one statement per row on SQLite)
        insert_columns(connection, orders, _order_columns(chunk, chunk_ids, statuses, channel, batch_id, now))
        counts = [len(p.record.lines) for p in chunk]
        record_lines = list(chain.from_iterable(p.record.lines for p in chunk))
        values = _value_columns(chunk, record_lines)
        insert_columns(connection, lines, {
            'id': line_ids[lines_created:lines_created + len(record_lines)],
            'order_id': list(chain.from_iterable(map(repeat, chunk_ids, counts))),
            'line_no': list(chain.from_iterable(map(range, repeat(1), [count + 1 for count in counts]))),
            'product_id': list(chain.from_iterable(p.product_ids for p in chunk)),
            **{name: list(map(operator.attrgetter(name), record_lines)) for name in _LINE_COLUMNS},
            **values})
        hold_rows = [(order_id, reason, note) for order_id, p in zip(chunk_ids, chunk) for reason, note in p.holds]
        insert_columns(connection, holds, {
            'order_id': [row[0] for row in hold_rows], 'reason': [row[1] for row in hold_rows],
            'note': [row[2] for row in hold_rows], 'created_at': now, 'created_by_id': actor_id,
            'released_at': None, 'released_by_id': None, 'release_note': ''})
        lines_created += len(record_lines)
        if progress:
            progress(start + len(chunk), len(planned))
    if ids:
        order_placed.send(channel, order_ids=ids, actor=actor, locale=locale)
    return ids, lines_created


def _allocate_planned(planned: list[PlannedOrder], ids: list[int], line_ids: list[int], actor):
    """allocate_arriving() for the planned orders, whose ids and line ids are taken beforehand.

    Those confirmed on arrival and paid (or COD) take their turn, oldest first.
    """
    wanted, turn, line_id = {}, [], iter(line_ids)
    for order_id, p in zip(ids, planned, strict=True):
        lines = [(next(line_id), product_id, line.quantity) for line, product_id in zip(p.record.lines, p.product_ids)]
        wanted[order_id] = [line for line in lines if line[1] is not None]
        if _arrival_status(p) == 'confirmed' and payment_status_for(p.record.payment_method) in PAYABLE:
            turn.append((p.record.ordered_at, order_id, p.record.channel))
    turn.sort()  # priority (0 for every arriving order), then the time ordered, then the id: allocate()'s order
    result, allocation_columns, statuses = allocate_arriving(
        [(order_id, channel) for _, order_id, channel in turn], wanted, actor=actor)
    result.waiting_on_hold = sum(1 for p in planned if p.holds)
    return result, allocation_columns, statuses


@bulk_work()
def import_order_files(channel: str, files: list[tuple[str, bytes]], *, actor=None, dry_run: bool = False,
                       progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Read, check and (unless `dry_run`) import order files; the caller commits once.

    :param channel: a format name, or 'auto' to recognise it from the header
    :raise FileRefused: a file cannot be read as its format; nothing was written
    """
    if channel == 'auto':
        channel = detect(files)
    parsed = parse_files(channel, files)
    summary = plan(channel, parsed)
    summary.filenames = [name for name, _ in files]
    if dry_run:
        return summary
    batch = ImportBatch(channel=channel, filenames='\n'.join(summary.filenames), sha256=files_sha256(files),
                        user=actor, problems=[p.as_dict() for p in summary.problems])
    db.session.add(batch)
    db.session.flush()
    # the orders that come in confirmed reserve their stock at once, in the same transaction, before they are
    # written: so they are written allocated (or backordered), not written and then updated
    connection = db.session.connection()
    ids = new_ids(connection, Order.__table__, len(summary.planned))
    line_ids = new_ids(connection, OrderLine.__table__, sum(len(p.record.lines) for p in summary.planned))
    summary.allocation, allocation_columns, statuses = _allocate_planned(summary.planned, ids, line_ids, actor)
    order_ids, summary.lines_created = write_orders(channel, summary.planned, batch_id=batch.id, actor=actor,
                                                    progress=progress, ids=ids, line_ids=line_ids,
                                                    statuses=statuses)
    insert_columns(connection, Allocation.__table__, allocation_columns)
    record_allocation_statuses([(order_id, 'confirmed', status) for order_id, status in statuses.items()], actor)
    analyze_after_bulk_load(db.session.connection(), [Order.__table__, OrderLine.__table__, OrderHold.__table__],
                            len(order_ids))
    summary.orders_created = len(order_ids)
    # written: the records go now, while the cycle collector is paused, rather than be walked by it afterwards
    summary.planned, parsed = [], None
    if order_rules().auto_combine:
        auto_combine(order_ids, actor=actor)
    batch.orders_created, batch.lines_created = summary.orders_created, summary.lines_created
    batch.duplicates, batch.on_hold, batch.rejected = summary.duplicates, summary.on_hold, summary.rejected
    batch.finished_at = utcnow()
    summary.batch_id = batch.id
    db.session.flush()
    logger.info('Import %d (%s, %s): %d orders, %d lines, %d duplicates, %d on hold, %d rejected', batch.id,
                channel, ', '.join(summary.filenames), summary.orders_created, summary.lines_created,
                summary.duplicates, summary.on_hold, summary.rejected)
    return summary
