"""The orders service's bulk writes: new orders with their lines and holds, changes of status, their audit rows.

Private to the orders area. The way in is app/orders/services.py (create_orders, transition_many,
record_audit_many); allocation.py calls transition_many here because services.py imports allocation.
The rows go set-based (insert_columns(), one UPDATE per kind of change), their columns taken from
the tables themselves (with_defaults()), every change of status checked, as a set of (from, to)
pairs, against TRANSITIONS, and written to the audit log as it happened.
"""
import dataclasses
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain, repeat

from app.accounts.services import record_audits
from app.database import in_ids, insert_columns, utcnow, with_defaults
from app.extensions import db
from app.orders.models import Order, OrderHold, OrderLine
from app.orders.search_keys import KEY_SOURCES, KEYED_COLUMNS, order_keys
from importers.orders.records import LineRecord, OrderRecord


#: the order status machine: from -> the statuses it may move to
TRANSITIONS = {
    'new': {'confirmed', 'cancelled'},
    'confirmed': {'allocated', 'backordered', 'new', 'cancelled'},
    'backordered': {'allocated', 'confirmed', 'new', 'cancelled'},
    'allocated': {'picking', 'confirmed', 'new', 'cancelled'},
    'picking': {'packed', 'allocated', 'cancelled'},
    'packed': {'shipped', 'picking', 'cancelled'},
    'shipped': {'returned'},
    'cancelled': set(),
    # a parcel that came back refused or undeliverable is sent again (send_again())
    'returned': {'new'},
}

#: orders per INSERT chunk, and ids per status UPDATE (in_ids() makes either one parameter)
CHUNK, UPDATE_CHUNK = 2000, 5000

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
    """An order about to be created: its record, each line's product, the holds it arrives with."""

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


def arrival_status(planned: PlannedOrder) -> str:
    """An order with no hold is confirmed on arrival; one with holds waits, new, until the last is released."""
    return 'new' if planned.holds else 'confirmed'


def payment_status_for(method: str) -> str:
    """Card, PayPay and points are settled by the mall; bank and konbini wait for the money; COD at the door."""
    if method == 'cod':
        return 'cod'
    if method in ('bank_transfer', 'convenience_store'):
        return 'unpaid'
    return 'paid'


def check_transitions(pairs: Iterable[tuple[str, str]]) -> None:
    """Refuse changes of status the machine does not allow, looked at once per distinct (from, to) pair.

    A bulk writer's caller decides the changes by rule, so one outside TRANSITIONS is a mistake in the
    code, not a clerk's: ValueError, and nothing is written.
    """
    wrong = sorted({(old, new) for old, new in pairs if new not in TRANSITIONS.get(old, ())})
    if wrong:
        raise ValueError('order status changes not in TRANSITIONS: ' + ', '.join(f'{a} -> {b}' for a, b in wrong))


def record_audit_many(actor, action: str, order_ids: list[int], *, before=None, after=None, note='',
                      at=None) -> None:
    """The audit event `action` on each of these orders, set-based (record_audit() for many orders).

    `before`, `after` and `note`: one value for every order, or a list with one per order.
    """
    record_audits(actor, action, Order.__tablename__, order_ids, before=before, after=after, note=note, at=at)


def transition_many(changes: list[tuple[int, str, str]], *, actor, note: str = '', at=None) -> None:
    """Move many orders, (order id, from, to) each, set-based, and write an audit row for each.

    The orders must be locked and their statuses read in this transaction (allocation's eligible_orders()
    does both): each UPDATE also asks for the status it moves from, and finding fewer rows is an error.
    """
    if not changes:
        return
    check_transitions((old, new) for _, old, new in changes)
    changed = {order_id for order_id, _, _ in changes}
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Order) and obj.id in changed:
            db.session.expire(obj)  # the set-based update below bypasses the loaded objects
    now = at or utcnow()
    by_change = defaultdict(list)
    for order_id, old, new in changes:
        by_change[old, new].append(order_id)
    # one UPDATE per kind of change (not one per order): each order row is written once, with all its indexes
    table, dialect = Order.__table__, db.session.get_bind().dialect
    for (old, new), ids in by_change.items():
        for start in range(0, len(ids), UPDATE_CHUNK):
            chunk = ids[start:start + UPDATE_CHUNK]
            updated = db.session.execute(table.update().where(in_ids(table.c.id, chunk, dialect),
                                                              table.c.status == old)
                                         .values(status=new, updated_at=now)).rowcount
            if updated != len(chunk):
                raise ValueError(f'{len(chunk) - updated} of {len(chunk)} orders were not {old} any more')
    states = {status: {'status': status} for _, old, new in changes for status in (old, new)}
    record_audit_many(actor, 'order.status', [order_id for order_id, _, _ in changes],
                      before=[states[old] for _, old, _ in changes], after=[states[new] for _, _, new in changes],
                      note=note, at=now)


# the columns a new order, line and hold are written with, as the tables name them: those the records hold
_ORDER_FIELDS = {field.name for field in dataclasses.fields(OrderRecord)}
_RECORD_COLUMNS = tuple(c.name for c in Order.__table__.columns if c.name in _ORDER_FIELDS)
_LINE_FIELDS = {field.name for field in dataclasses.fields(LineRecord)}
# the line columns taken from PlannedOrder.values(): the file's rate and price, or what was made of them
_VALUE_COLUMNS = tuple(c.name for c in OrderLine.__table__.columns
                       if c.name in {field.name for field in dataclasses.fields(LineValues)})
_LINE_COLUMNS = tuple(c.name for c in OrderLine.__table__.columns
                      if c.name in _LINE_FIELDS and c.name not in _VALUE_COLUMNS)
_VALUE_DEFAULTS = {field.name: field.default for field in dataclasses.fields(LineValues)
                   if field.default is not dataclasses.MISSING}


def _order_columns(chunk: list[PlannedOrder], ids: list[int], statuses: list[str], channel: str,
                   batch_id: int | None, now, locale: str) -> dict[str, object]:
    """The orders' columns, each a list (or one value for every order), for insert_columns()."""
    records = [p.record for p in chunk]
    columns = {name: list(map(operator.attrgetter(name), records)) for name in _RECORD_COLUMNS}
    keys = [order_keys({name: getattr(record, name) for name in KEYED_COLUMNS}) for record in records]
    columns |= {name: [k[name] for k in keys] for name in KEY_SOURCES}
    return with_defaults(Order.__table__, columns | {
        'id': ids, 'channel': channel, 'import_batch_id': batch_id, 'status': statuses, 'locale': locale,
        'payment_status': list(map(payment_status_for, columns['payment_method'])),
        'created_at': now, 'updated_at': now})


def _line_columns(chunk: list[PlannedOrder], chunk_ids: list[int], line_ids: list[int]) -> dict[str, object]:
    """The lines' columns. Rate and price as the file states them when it states every rate and tax-included
    price (the usual Rakuten download: no object per line), else from PlannedOrder.values()."""
    counts = [len(p.record.lines) for p in chunk]
    record_lines = list(chain.from_iterable(p.record.lines for p in chunk))
    if all(p.line_values is None for p in chunk):
        values = {name: list(map(operator.attrgetter(name), record_lines)) if name in _LINE_FIELDS
                  else _VALUE_DEFAULTS[name] for name in _VALUE_COLUMNS}
    else:
        line_values = list(chain.from_iterable(p.values() for p in chunk))
        values = {name: list(map(operator.attrgetter(name), line_values)) for name in _VALUE_COLUMNS}
    return with_defaults(OrderLine.__table__, {
        'id': line_ids,
        'order_id': list(chain.from_iterable(map(repeat, chunk_ids, counts))),
        'line_no': list(chain.from_iterable(map(range, repeat(1), [count + 1 for count in counts]))),
        'product_id': list(chain.from_iterable(p.product_ids for p in chunk)),
        **{name: list(map(operator.attrgetter(name), record_lines)) for name in _LINE_COLUMNS},
        **values})


def insert_orders(channel: str, planned: list[PlannedOrder], *, ids: list[int], line_ids: list[int],
                  statuses: dict[int, str], batch_id: int | None, actor, note: str = 'allocation',
                  locale: str = 'ja', progress: Callable[[int, int], None] | None = None) -> int:
    """Insert the planned orders with their lines and holds, set-based, in chunks; returns the lines written.

    Each order is written with its arrival status, or with the one `statuses` gives (allocated on
    arrival), which must be a change TRANSITIONS allows from the arrival status; such an order gets
    one audit row: before no status (it did not exist), after the status it was written with.
    """
    arrival = list(map(arrival_status, planned))
    written = [statuses.get(order_id, status) for order_id, status in zip(ids, arrival, strict=True)]
    check_transitions((old, new) for old, new in zip(arrival, written) if old != new)
    connection = db.session.connection()
    now = utcnow()
    actor_id = actor.id if actor is not None else None
    lines_written = 0
    for start in range(0, len(planned), CHUNK):
        chunk, chunk_ids = planned[start:start + CHUNK], ids[start:start + CHUNK]
        # straight to the driver, column by column (the ORM's bulk path drops None values and splits the
        # batch at every change of shape, and ordered RETURNING is one statement per row on SQLite)
        insert_columns(connection, Order.__table__,
                       _order_columns(chunk, chunk_ids, written[start:start + CHUNK], channel, batch_id, now,
                                      locale))
        line_count = sum(len(p.record.lines) for p in chunk)
        insert_columns(connection, OrderLine.__table__,
                       _line_columns(chunk, chunk_ids, line_ids[lines_written:lines_written + line_count]))
        hold_rows = [(order_id, reason, text) for order_id, p in zip(chunk_ids, chunk) for reason, text in p.holds]
        insert_columns(connection, OrderHold.__table__, with_defaults(OrderHold.__table__, {
            'order_id': [row[0] for row in hold_rows], 'reason': [row[1] for row in hold_rows],
            'note': [row[2] for row in hold_rows], 'created_at': now, 'created_by_id': actor_id}))
        lines_written += line_count
        if progress:
            progress(start + len(chunk), len(planned))
    changed = [(order_id, new) for order_id, old, new in zip(ids, arrival, written) if old != new]
    states = {new: {'status': new} for _, new in changed}
    record_audit_many(actor, 'order.status', [order_id for order_id, _ in changed], before={'status': None},
                      after=[states[new] for _, new in changed], note=note, at=now)
    return lines_written
