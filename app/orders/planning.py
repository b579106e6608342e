"""An order's plan before it is written: which orders are new, what each line costs, which need a hold.

The order import, the shop's checkout and manual entry plan their orders here, then hand them
to create_orders(); the services module offers plan() to the other areas.
"""
import dataclasses
import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.catalog.models import ChannelSku, Product
from app.database import INT_MAX
from app.extensions import db
from app.orders._writing import DEFAULT_TAX_RATE, LineValues, PlannedOrder, payment_status_for
from app.orders.address import address_problem, prefectures_of
from app.orders.allocation import AllocationResult
from app.orders.models import Order, OrderLine
from app.orders.vocabulary import PAYMENT_LABELS
from app.settings.services import OrderRules, order_rules
from importers.base import JST, RowProblem
from importers.orders.records import LineRecord, OrderRecord, ParseResult


CHUNK = 2000


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


def plan(channel: str, parsed: ParseResult, *, progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """What importing would do: which orders are new, which are duplicates, which need a hold.

    :param progress: called with (orders checked, orders to check) every CHUNK orders
    """
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
    prefectures_of(r.ship_postal_code for r in new_records)
    messages = {}
    all_product_ids = [[resolver.resolve(line.item_code, line.jan) for line in record.lines] for record in new_records]
    product_rates = _product_rates({pid for record, product_ids in zip(new_records, all_product_ids)
                                    for line, pid in zip(record.lines, product_ids)
                                    if pid is not None and line.tax_rate is None})
    for number, (record, product_ids) in enumerate(zip(new_records, all_product_ids)):
        if progress and number % CHUNK == 0:
            progress(number, len(new_records))
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
        problem = address_problem(record.ship_postal_code, record.ship_prefecture, record.ship_city,
                                  record.ship_address1)
        if problem:
            holds.append(('address_check', problem))
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
