"""Allocation (引当): reserve stock for eligible orders, oldest first, priority before age.

An order is eligible when it is confirmed (or backordered), has no open hold, and is paid or
cash on delivery.  Each channel either allocates line by line and backorders the rest, or
allocates only whole orders (settings).  Stock is reserved at locations in walking order, and
every change goes through the stock service's apply_stock_changes(), which locks the rows.
"""
import dataclasses
import logging
import operator
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.database import in_ids, insert_columns, utcnow, with_defaults
from app.errors import UserError
from app.extensions import db
from app.inventory.services import StockChange, apply_stock_changes, lock_levels, send_to_put_back
from app.orders._writing import transition_many
from app.orders.models import NUMBER_PREFIX, Allocation, Order, OrderHold, OrderLine
from app.settings.services import order_rules


logger = logging.getLogger(__name__)

ELIGIBLE_STATUSES = ('confirmed', 'backordered')
PAYABLE = ('paid', 'cod')
CHUNK = 5000  # ids per statement: SQLite allows 32,766 parameters


@dataclasses.dataclass
class AllocationResult:
    allocated_orders: int = 0
    backordered_orders: int = 0
    waiting_on_hold: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _open_hold_exists():
    return sa.exists().where(OrderHold.order_id == Order.id, OrderHold.released_at.is_(None))


def _scope(order_ids, product_ids) -> list:
    """The orders a run is about: those given, those wanting the given products, or (no conditions) all."""
    conditions = []
    if order_ids is not None:
        conditions.append(in_ids(Order.id, order_ids, db.session.get_bind().dialect))
    if product_ids is not None:
        conditions.append(Order.id.in_(sa.select(OrderLine.order_id).where(OrderLine.product_id.in_(product_ids))))
    return conditions


def eligible_orders(order_ids=None, product_ids=None) -> sa.Select:
    # orders another transaction is changing (a cancellation, a hold) are skipped, not waited for:
    # they are allocated next time, and no two allocations can both reserve for one order
    return (sa.select(Order.id, Order.channel, Order.status)
            .where(Order.status.in_(ELIGIBLE_STATUSES), Order.payment_status.in_(PAYABLE), ~_open_hold_exists(),
                   *_scope(order_ids, product_ids))
            .order_by(Order.priority.desc(), Order.ordered_at, Order.id)
            .with_for_update(skip_locked=True, of=Order))


def allocate(*, order_ids=None, product_ids=None, actor=None) -> AllocationResult:
    """Allocate every eligible order (or those given, or those wanting these products); flush, never commit."""
    result = AllocationResult()
    # of the orders this run is about: an import reports its own orders that wait, not everybody's
    result.waiting_on_hold = db.session.scalar(
        sa.select(sa.func.count()).select_from(Order).where(Order.status.in_(('new', *ELIGIBLE_STATUSES)),
                                                            _open_hold_exists(), *_scope(order_ids, product_ids)))
    orders = db.session.execute(eligible_orders(order_ids, product_ids)).all()
    if not orders:
        return result
    allocation_columns, status_changes = _allocate_in_turn(orders, _outstanding_lines([o.id for o in orders]), result,
                                                           actor)
    insert_columns(db.session.connection(), Allocation.__table__, allocation_columns)
    transition_many(status_changes, actor=actor, note='allocation')
    db.session.flush()
    logger.info('Allocation: %d allocated, %d backordered, %d waiting on a hold', result.allocated_orders,
                result.backordered_orders, result.waiting_on_hold)
    return result


@dataclasses.dataclass(frozen=True)
class AllocationTurn:
    """An order waiting its turn in an allocation run, as eligible_orders() gives its rows."""

    id: int
    channel: str
    status: str


def allocate_arriving(orders: list[tuple[int, str]], wanted: dict[int, list[tuple[int, int, int]]], *,
                      actor=None) -> tuple[AllocationResult, dict[str, list], dict[int, str]]:
    """Reserve stock for orders an import is about to write, so that they are written allocated at once.

    The same rules as allocate(), for orders nobody else can see yet (so none is locked):
    :param orders: (id, channel) of the eligible arriving orders, oldest first
    :param wanted: per order, (line id, product id, units) of its lines with a product
    :return: the counts, the allocation rows to insert once the lines exist (columns, for insert_columns()),
        and each order's new status (create_orders() writes the orders with it)
    """
    result = AllocationResult()
    turn = [AllocationTurn(order_id, channel, 'confirmed') for order_id, channel in orders]
    allocation_columns, status_changes = _allocate_in_turn(turn, wanted, result, actor)
    return result, allocation_columns, {order_id: new for order_id, _, new in status_changes}


def _allocate_in_turn(orders, wanted, result: AllocationResult, actor) -> tuple[dict[str, list], list[tuple]]:
    """Take stock for each order in turn, apply it to the stock levels, and count the outcome in `result`.

    :param orders: rows with id, channel and status, in allocation order
    :return: the allocation rows to insert (column by column, for insert_columns()), and (order id, old
        status, new status) of the orders that change
    """
    products = {product_id for lines in wanted.values() for _, product_id, _ in lines}
    # lock first, then read what is available: nobody can allocate these units meanwhile
    available = defaultdict(list)
    for level in lock_levels(products, allocatable_only=True):
        if level.available > 0:
            available[level.product_id].append([level.location_id, level.available])
    partial, now = set(order_rules().partial_channels), utcnow()
    # units reserved per (product, location), applied to the stock levels once at the end
    reserved, taken_rows, status_changes = defaultdict(int), [], []
    for order in orders:
        lines = wanted.get(order.id, ())
        if order.channel not in partial and not _can_fill_whole(lines, available):
            taken = ()
        else:
            taken = _take(lines, available)
        for line_id, product_id, location_id, quantity in taken:
            reserved[product_id, location_id] += quantity
            taken_rows.append((order.id, line_id, product_id, location_id, quantity))
        if sum(map(_UNITS_WANTED, lines)) == sum(map(_UNITS_TAKEN, taken)):
            new_status = 'allocated'
            result.allocated_orders += 1
        else:
            new_status = 'backordered'
            result.backordered_orders += 1
        if new_status != order.status:
            status_changes.append((order.id, order.status, new_status))
    apply_stock_changes([StockChange(product_id, location_id, allocated_delta=units)
                         for (product_id, location_id), units in reserved.items()], actor=actor)
    return _allocation_columns(taken_rows, now), status_changes


def _allocation_columns(taken_rows: list[tuple[int, int, int, int, int]], now) -> dict[str, object]:
    """(order id, line id, product id, location id, units) rows as the allocations' columns, for insert_columns()."""
    columns = ('order_id', 'order_line_id', 'product_id', 'location_id', 'quantity')
    allocation_columns = {name: list(values) for name, values in zip(columns, zip(*taken_rows))}
    return with_defaults(Allocation.__table__, {**dict.fromkeys(columns, []), **allocation_columns, 'created_at': now})


_UNITS_WANTED, _UNITS_TAKEN = operator.itemgetter(2), operator.itemgetter(3)


def reserve_arriving(order_ids: list[int], wanted: dict[int, list[tuple[int, int, int]]], *,
                     actor=None) -> dict[str, list] | None:
    """Reserve every unit of orders about to be written, whatever their holds or payment: a shop checkout.

    The customer was told the units are theirs; a payment hold then keeps the order from being
    picked, not from keeping its stock.  All or nothing: None when a unit is missing, and nothing is taken.
    :param wanted: per order, (line id, product id, units) of its lines with a product
    :return: the allocation rows to insert once the lines exist (columns, for insert_columns())
    """
    available = defaultdict(list)
    for level in lock_levels({product_id for lines in wanted.values() for _, product_id, _ in lines},
                             allocatable_only=True):
        if level.available > 0:
            available[level.product_id].append([level.location_id, level.available])
    taken_rows = []
    for order_id in order_ids:
        lines = wanted.get(order_id, [])
        if not _can_fill_whole(lines, available):
            return None
        taken_rows += [(order_id, *taken) for taken in _take(lines, available)]
    apply_stock_changes(_merged([StockChange(p, loc, allocated_delta=q) for _, _, p, loc, q in taken_rows]),
                        actor=actor)
    return _allocation_columns(taken_rows, utcnow())


def _outstanding_lines(order_ids: list[int]) -> dict[int, list[tuple[int, int, int]]]:
    """Per order, (line id, product id, units still to allocate) of its lines with a product."""
    wanted = defaultdict(list)
    dialect = db.session.get_bind().dialect
    for start in range(0, len(order_ids), CHUNK):
        chunk = order_ids[start:start + CHUNK]
        # what is already reserved, for these orders only (the table holds every open order's allocations)
        allocated = (sa.select(Allocation.order_line_id, sa.func.sum(Allocation.quantity).label('quantity'))
                     .where(in_ids(Allocation.order_id, chunk, dialect)).group_by(Allocation.order_line_id)
                     .subquery())
        rows = db.session.execute(
            sa.select(OrderLine.order_id, OrderLine.id, OrderLine.product_id,
                      OrderLine.quantity - sa.func.coalesce(allocated.c.quantity, 0))
            .outerjoin(allocated, allocated.c.order_line_id == OrderLine.id)
            .where(in_ids(OrderLine.order_id, chunk, dialect), OrderLine.product_id.is_not(None))
            .order_by(OrderLine.order_id, OrderLine.line_no))
        for order_id, line_id, product_id, outstanding in rows:
            if outstanding > 0:
                wanted[order_id].append((line_id, product_id, outstanding))
    return wanted


def _can_fill_whole(lines, available) -> bool:
    if len(lines) == 1:  # most orders: nothing to add up per product
        _, product_id, quantity = lines[0]
        return sum(map(_UNITS_AT, available.get(product_id, ()))) >= quantity
    need = defaultdict(int)
    for _, product_id, quantity in lines:
        need[product_id] += quantity
    return all(sum(a for _, a in available.get(p, ())) >= q for p, q in need.items())


_UNITS_AT = operator.itemgetter(1)


def _take(lines, available) -> list[tuple[int, int, int, int]]:
    """Take what there is for each line, location by location in walking order."""
    taken = []
    for line_id, product_id, quantity in lines:
        for slot in available.get(product_id, ()):
            if quantity == 0:
                break
            units = min(quantity, slot[1])
            if units:
                slot[1] -= units
                quantity -= units
                taken.append((line_id, product_id, slot[0], units))
    return taken


def _merged(changes: list[StockChange]) -> list[StockChange]:
    totals = defaultdict(int)
    for change in changes:
        totals[(change.product_id, change.location_id)] += change.allocated_delta
    return [StockChange(p, loc, allocated_delta=q) for (p, loc), q in totals.items()]


def release_allocations(order: Order, *, actor=None) -> int:
    """Give back the stock reserved for an order; returns the units released."""
    rows = db.session.scalars(sa.select(Allocation).where(Allocation.order_id == order.id)).all()
    if not rows:
        return 0
    apply_stock_changes(_merged([StockChange(a.product_id, a.location_id, allocated_delta=-a.quantity)
                                 for a in rows]), actor=actor)
    db.session.execute(sa.delete(Allocation).where(Allocation.order_id == order.id))
    db.session.flush()
    return sum(a.quantity for a in rows)


def put_back_picked(order: Order, *, actor=None, why: str = '') -> int:
    """The stock of an order whose pick list is printed goes to the put-back area, with a task to shelve it again.

    Its units may be in a tote or a box, not on the shelf the allocation names: they are not available
    to anyone until the put-back task has them scanned back onto a shelf.  Returns the units.
    """
    rows = db.session.scalars(sa.select(Allocation).where(Allocation.order_id == order.id)).all()
    if not rows:
        return 0
    send_to_put_back([(a.product_id, a.location_id, a.quantity) for a in rows], reference=order.number, note=why,
                     actor=actor)
    db.session.execute(sa.delete(Allocation).where(Allocation.order_id == order.id))
    db.session.flush()
    return sum(a.quantity for a in rows)


def fill_backorders(_sender, product_ids) -> None:
    """Stock came in or was freed: give it to the orders waiting for it, oldest first."""
    allocate(product_ids=product_ids)


#: an order whose pick list is printed: its units are taken from the locations printed on it
PICK_LIST_PRINTED = ('picking', 'packed')


def follow_moved_stock(_sender, *, product_id: int, from_location_id: int, to_location_id: int, units: int) -> int:
    """Units promised to orders are being moved to another shelf: their allocations go along.

    The orders last in line give theirs first.  Allocations of an order whose pick list is printed stay
    where the list sends the picker (the units may already be in a tote); an order another transaction
    is changing right now is skipped, not waited for.  Refuses when the units cannot all follow.
    :return: the units whose allocations now point to the new location
    """
    rows = db.session.execute(
        sa.select(Allocation, Order.status, Order.id)
        .join(Order, Order.id == Allocation.order_id)
        .where(Allocation.product_id == product_id, Allocation.location_id == from_location_id)
        .order_by(Order.priority, Order.ordered_at.desc(), Order.id.desc(), Allocation.id)
        .with_for_update(skip_locked=True, of=Order)).all()
    movable = [allocation for allocation, status, _ in rows if status not in PICK_LIST_PRINTED]
    if sum(a.quantity for a in movable) < units:
        printed = [f'{NUMBER_PREFIX}{order_id:08d}' for order_id in
                   sorted({order_id for _, status, order_id in rows if status in PICK_LIST_PRINTED})]
        if not printed:
            return 0   # the rest belong to orders being changed right now: the move says to try again
        raise UserError(_l('%(n)d of these units are promised to orders whose pick list is printed (%(orders)s) '
                           'and stay where the list sends the picker; move fewer units.', n=units,
                           orders=', '.join(printed[:5])), field='quantity')
    left = units
    for allocation in movable:
        if left == 0:
            break
        taken = min(left, allocation.quantity)
        left -= taken
        if taken == allocation.quantity:
            allocation.location_id = to_location_id
        else:
            allocation.quantity -= taken
            db.session.add(Allocation(order_id=allocation.order_id, order_line_id=allocation.order_line_id,
                                      product_id=product_id, location_id=to_location_id, quantity=taken))
    db.session.flush()
    return units
