"""Every change of stock goes through change_stock(): it locks, checks, writes the level and the ledger."""
import dataclasses
import logging
import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import User
from app.catalog.models import Product
from app.catalog.services import find_product_by_code
from app.database import INT_MAX, utcnow
from app.errors import UserError
from app.extensions import db
from app.inventory.models import (
    Location,
    LocationKind,
    MovementReason,
    PutBackLine,
    PutBackTask,
    StockLevel,
    StockMovement,
    Warehouse,
    walking_order_key,
)
from app.inventory.signals import allocations_moving, stock_arrived


logger = logging.getLogger(__name__)

DEFAULT_WAREHOUSE_CODE = 'MAIN'
LOCATION_CODE_RE = re.compile(r'^[A-Z0-9][A-Z0-9-]{0,39}$')


def default_warehouse() -> Warehouse:
    """The warehouse stock goes to when none is named; Kura starts with one."""
    warehouse = db.session.scalar(sa.select(Warehouse).order_by(Warehouse.id).limit(1))
    if warehouse is None:
        warehouse = Warehouse(code=DEFAULT_WAREHOUSE_CODE, name='本社倉庫')
        db.session.add(warehouse)
        db.session.flush()
    return warehouse


def clean_location_code(code: str) -> str:
    code = (code or '').strip().upper()
    if not LOCATION_CODE_RE.match(code):
        raise UserError(_l('Location code "%(code)s" must be letters, digits and hyphens (e.g. A-01-02-1), '
                           'at most 40 characters.', code=code), field='location')
    return code


def find_location(code: str, warehouse: Warehouse | None = None) -> Location | None:
    warehouse = warehouse or default_warehouse()
    return db.session.scalar(sa.select(Location).where(Location.warehouse_id == warehouse.id,
                                                       Location.code == (code or '').strip().upper()))


def get_location(code: str, warehouse: Warehouse | None = None) -> Location:
    """The location with this code, or a UserError naming the unknown code."""
    location = find_location(code, warehouse)
    if location is None:
        raise UserError(_l('There is no location "%(code)s".', code=code), field='location')
    return location


def get_or_create_location(code: str, warehouse: Warehouse | None = None, *,
                           kind: str = LocationKind.storage) -> Location:
    """The location with this code; a new one is made of `kind` (an existing one keeps its own)."""
    code = clean_location_code(code)
    warehouse = warehouse or default_warehouse()
    location = find_location(code, warehouse)
    if location is None:
        location = Location(warehouse=warehouse, code=code, sort_key=walking_order_key(code), kind=kind)
        db.session.add(location)
        db.session.flush()
    return location


@dataclasses.dataclass(frozen=True)
class StockChange:
    """One change to apply: on hand and/or allocated of a product at a location."""

    product_id: int
    location_id: int
    on_hand_delta: int = 0
    allocated_delta: int = 0
    #: a ledger reason, required when on hand changes
    reason: str | None = None
    reference: str = ''
    note: str = ''


def lock_levels(product_ids, *, allocatable_only: bool = False) -> list[StockLevel]:
    """Every stock level of these products, locked for the rest of the transaction, in walking order.

    With `allocatable_only`, just the levels at locations whose stock may be promised (storage, not
    quarantine or put-back): what allocation and the shop's checkout take from.

    PostgreSQL: ``SELECT ... FOR UPDATE`` makes a concurrent change wait for our commit.
    SQLite: ignores FOR UPDATE, but every writing transaction already holds the database's
    single write lock from BEGIN (see app.database.configure_engine).
    """
    product_ids = sorted(set(product_ids))
    levels = []
    for start in range(0, len(product_ids), 2000):
        levels += db.session.scalars(
            sa.select(StockLevel).where(StockLevel.product_id.in_(product_ids[start:start + 2000]))
            .order_by(StockLevel.id).with_for_update().execution_options(populate_existing=True)).all()
    locations = {loc.id: loc for loc in db.session.scalars(
        sa.select(Location).where(Location.id.in_({lv.location_id for lv in levels})))}
    if allocatable_only:
        levels = [lv for lv in levels if locations[lv.location_id].allocatable]
    return sorted(levels, key=lambda lv: (lv.product_id, locations[lv.location_id].sort_key, lv.id))


def apply_stock_changes(changes: list[StockChange], *, actor: User | None = None) -> dict[tuple[int, int], StockLevel]:
    """The one way stock changes: lock the rows, check every change, write the levels and the ledger.

    Never lets on hand go below zero or below what is allocated, nor allocated below zero,
    whatever the database constraints would do; one refused change refuses them all.  Each
    change of on hand writes one ledger row.
    :return: the changed stock levels by (product id, location id)
    """
    if not changes:
        return {}
    for change in changes:
        if change.on_hand_delta and change.reason not in MovementReason.ALL:
            raise ValueError(f'a change of on-hand stock needs a ledger reason, not {change.reason!r}')
    pairs = {(c.product_id, c.location_id) for c in changes}
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == 'postgresql' else sqlite.insert
    db.session.execute(insert(StockLevel).on_conflict_do_nothing(index_elements=['product_id', 'location_id']),
                       [{'product_id': p, 'location_id': loc, 'on_hand': 0, 'allocated': 0} for p, loc in pairs])
    levels = {(lv.product_id, lv.location_id): lv for lv in lock_levels({p for p, _ in pairs})}
    movements = []
    for change in changes:
        level = levels[(change.product_id, change.location_id)]
        new_on_hand = level.on_hand + change.on_hand_delta
        new_allocated = level.allocated + change.allocated_delta
        if not (0 <= new_allocated <= new_on_hand <= INT_MAX):
            raise _refusal(level, change, new_on_hand, new_allocated)
        level.on_hand, level.allocated = new_on_hand, new_allocated
        if change.on_hand_delta:
            movements.append({'product_id': change.product_id, 'location_id': change.location_id,
                              'delta': change.on_hand_delta, 'on_hand_after': new_on_hand, 'reason': change.reason,
                              'reference': change.reference[:200], 'note': change.note,
                              'user_id': actor.id if actor is not None else None, 'at': utcnow()})
    if movements:
        db.session.execute(sa.insert(StockMovement), movements)
    db.session.flush()
    freed = {c.product_id for c in changes if c.on_hand_delta > 0 or c.allocated_delta < 0}
    if freed:
        stock_arrived.send(None, product_ids=freed)
    return {(c.product_id, c.location_id): levels[(c.product_id, c.location_id)] for c in changes}


def _refusal(level: StockLevel, change: StockChange, new_on_hand: int, new_allocated: int) -> UserError:
    sku = db.session.scalar(sa.select(Product.sku).where(Product.id == level.product_id))
    location = db.session.scalar(sa.select(Location.code).where(Location.id == level.location_id))
    if new_on_hand < 0:
        return UserError(_l('%(sku)s at %(location)s: cannot take %(n)d, only %(on_hand)d on hand.', sku=sku,
                            location=location, n=-change.on_hand_delta, on_hand=level.on_hand), field='quantity')
    if new_on_hand > INT_MAX:
        return UserError(_l('%(sku)s at %(location)s: cannot add %(n)d, at most %(limit)s units can be on hand.',
                            sku=sku, location=location, n=change.on_hand_delta, limit=f'{INT_MAX:,}'),
                         field='quantity')
    if new_allocated < 0:
        return UserError(_l('%(sku)s at %(location)s: cannot release %(n)d, only %(allocated)d allocated.', sku=sku,
                            location=location, n=-change.allocated_delta, allocated=level.allocated),
                         field='quantity')
    return UserError(_l('%(sku)s at %(location)s: only %(available)d available (%(on_hand)d on hand, '
                        '%(allocated)d allocated).', sku=sku, location=location, available=level.available,
                        on_hand=level.on_hand, allocated=level.allocated), field='quantity')


def change_stock(product: Product, location: Location, *, on_hand_delta: int = 0, allocated_delta: int = 0,
                 reason: str | None = None, reference: str = '', note: str = '',
                 actor: User | None = None) -> StockLevel:
    """Change on-hand and/or allocated stock of one product at one location (see apply_stock_changes)."""
    change = StockChange(product.id, location.id, on_hand_delta, allocated_delta, reason, reference, note)
    return apply_stock_changes([change], actor=actor)[(product.id, location.id)]


def clean_quantity(quantity) -> int:
    """A quantity received: a whole number from 1 up to what a stock level can hold."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise UserError(_l('The quantity must be a whole number greater than 0.'), field='quantity')
    if quantity > INT_MAX:
        raise UserError(_l('The quantity must be at most %(n)s.', n=f'{INT_MAX:,}'), field='quantity')
    return quantity


def receive(product: Product, location: Location, quantity: int, *, actor: User | None,
            reference: str = '', note: str = '') -> StockLevel:
    """Goods arrived: put `quantity` units on hand at `location`."""
    quantity = clean_quantity(quantity)
    level = change_stock(product, location, on_hand_delta=quantity, reason=MovementReason.receipt,
                         reference=reference, note=note, actor=actor)
    logger.info('Received %d x %s at %s by %r', quantity, product.sku, location.code, actor)
    return level


def adjust(product: Product, location: Location, delta: int, *, reason: str, actor: User | None) -> StockLevel:
    """Correct on-hand stock by `delta` (damaged, found, miscounted), with the reason written to the ledger."""
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        raise UserError(_l('The adjustment must be a whole number other than 0.'), field='quantity')
    reason = (reason or '').strip()
    if not reason:
        raise UserError(_l('An adjustment needs a reason.'), field='reason')
    return change_stock(product, location, on_hand_delta=delta, reason=MovementReason.adjustment,
                        note=reason, actor=actor)


@dataclasses.dataclass(frozen=True)
class Move:
    """A move done: how many units went where, and how many of them were promised to orders and went along."""

    sku: str
    from_code: str
    to_code: str
    quantity: int
    allocated: int


def move_stock(product: Product, from_location: Location, to_location: Location, quantity: int, *,
               actor: User | None, note: str = '') -> Move:
    """Move units of a product from one shelf to another (棚移動): one ledger pair with the reason ``transfer``.

    Free units move first; when more are moved than are free, the allocations of the rest follow them
    (the orders area moves its allocation rows, see the ``allocations_moving`` signal).  A put-back
    location is emptied by its put-back task, not by a move; promised units never go where nothing is
    promised from (quarantine).
    """
    quantity = clean_quantity(quantity)
    if from_location.id == to_location.id:
        raise UserError(_l('%(location)s is where the units are: scan another location to move them to.',
                           location=to_location.code), field='to_location')
    for location, field in ((from_location, 'from_location'), (to_location, 'to_location')):
        if location.kind == LocationKind.putback:
            raise UserError(_l('%(location)s is a put-back location: its units go back with their put-back task.',
                               location=location.code), field=field)
    level = next((lv for lv in lock_levels([product.id]) if lv.location_id == from_location.id), None)
    on_hand = level.on_hand if level else 0
    if quantity > on_hand:
        raise UserError(_l('%(sku)s at %(location)s: cannot move %(n)d, only %(on_hand)d on hand.', sku=product.sku,
                           location=from_location.code, n=quantity, on_hand=on_hand), field='quantity')
    following = max(0, quantity - level.available)
    if following and not to_location.allocatable:
        raise UserError(_l('%(sku)s at %(location)s: %(n)d of these units are promised to orders and cannot go to '
                           '%(to)s, where nothing is promised from; move at most %(free)d.', sku=product.sku,
                           location=from_location.code, n=following, to=to_location.code, free=level.available),
                        field='quantity')
    if following:
        moved = sum(result or 0 for _, result in allocations_moving.send(
            None, product_id=product.id, from_location_id=from_location.id, to_location_id=to_location.id,
            units=following))
        if moved != following:
            raise UserError(_l('%(sku)s at %(location)s: the allocations of %(n)d units could not follow; try again.',
                               sku=product.sku, location=from_location.code, n=following - moved), field='quantity')
    reference = f'{from_location.code} → {to_location.code}'
    apply_stock_changes([
        StockChange(product.id, from_location.id, -quantity, -following, MovementReason.transfer, reference, note),
        StockChange(product.id, to_location.id, quantity, following, MovementReason.transfer, reference, note),
    ], actor=actor)
    logger.info('Moved %d x %s from %s to %s (%d allocated) by %r', quantity, product.sku, from_location.code,
                to_location.code, following, actor)
    return Move(product.sku, from_location.code, to_location.code, quantity, following)


# ------------------------------------------------------------------------------------------ the move screen


@dataclasses.dataclass(frozen=True)
class MoveState:
    """How far a move on the scanning screen has come: the shelf the units come from, the product, how many."""

    from_code: str = ''
    product_id: int | None = None
    quantity: int = 0

    @property
    def step(self) -> str:
        """What the next scan is asked to be: ``from``, ``product``, or ``to`` (or a quantity)."""
        if not self.from_code:
            return 'from'
        return 'product' if self.product_id is None else 'to'


@dataclasses.dataclass(frozen=True)
class MoveScan:
    """What one scan on the move screen did, and the state the next scan starts from."""

    ok: bool
    message: str
    state: MoveState
    move: Move | None = None


#: a typed quantity on the move screen: up to five digits (a JAN has 8 or 13, so it is never one)
QUANTITY_RE = re.compile(r'^\d{1,5}$')


def move_scan(state: MoveState, code: str, *, actor: User | None) -> MoveScan:
    """One scan (or typed entry) on the move screen: from-location, product (again for each unit), to-location.

    After the product, a scan of the same product counts one more unit, a number of up to five digits
    sets the quantity, and a location moves the units there; the from-location stays for the next product.
    A location scanned before any product changes the from-location.
    """
    code = (code or '').strip()
    if state.step == 'from':
        location = find_location(code)
        if location is None:
            return MoveScan(False, str(_l('"%(code)s" is not a location: scan the label of the shelf the units come '
                                         'from.', code=code)), state)
        return MoveScan(True, str(_l('From %(location)s: scan the product.', location=location.code)),
                        MoveState(from_code=location.code))
    if state.step == 'product':
        product = find_product_by_code(code)
        if product is not None:
            return MoveScan(True, str(_l('%(sku)s × 1: scan it again for each unit, type a quantity, or scan the '
                                         'location it goes to.', sku=product.sku)),
                            dataclasses.replace(state, product_id=product.id, quantity=1))
        location = find_location(code)
        if location is not None:
            return MoveScan(True, str(_l('From %(location)s: scan the product.', location=location.code)),
                            MoveState(from_code=location.code))
        return MoveScan(False, str(_l('No product has the JAN or SKU "%(code)s".', code=code)), state)
    product = db.session.get(Product, state.product_id)
    if product is None:   # gone since it was scanned: start the product again
        return MoveScan(False, str(_l('Scan the product (JAN or SKU)')), MoveState(from_code=state.from_code))
    if code in (product.jan, product.sku):
        return MoveScan(True, str(_l('%(sku)s × %(n)d', sku=product.sku, n=state.quantity + 1)),
                        dataclasses.replace(state, quantity=state.quantity + 1))
    if QUANTITY_RE.match(code):
        if int(code) < 1:
            return MoveScan(False, str(_l('The quantity must be a whole number greater than 0.')), state)
        return MoveScan(True, str(_l('%(sku)s × %(n)d', sku=product.sku, n=int(code))),
                        dataclasses.replace(state, quantity=int(code)))
    to_location = find_location(code)
    if to_location is None:
        other = find_product_by_code(code)
        if other is not None:
            return MoveScan(False, str(_l('%(code)s is another product (%(sku)s): move %(moving)s first, by scanning '
                                         'the location it goes to.', code=code, sku=other.sku,
                                         moving=product.sku)), state)
        return MoveScan(False, str(_l('"%(code)s" is not a location: scan the label of the shelf the units go to.',
                                     code=code)), state)
    done = move_stock(product, get_location(state.from_code), to_location, state.quantity, actor=actor)
    return MoveScan(True, str(_l('Moved %(n)d × %(sku)s from %(from)s to %(to)s.', n=done.quantity, sku=done.sku,
                                 **{'from': done.from_code, 'to': done.to_code})),
                    MoveState(from_code=state.from_code), done)


# ------------------------------------------------------------------------------------------------ put-back

PUTBACK_CODE = 'PUTBACK'


def putback_location(warehouse: Warehouse | None = None) -> Location:
    """Where picked units coming back are booked until they are on a shelf again: the first put-back location.

    Made the first time it is needed (``PUTBACK``, or ``PUTBACK-2``... when a shelf already has that code).
    """
    warehouse = warehouse or default_warehouse()
    location = db.session.scalar(sa.select(Location).where(Location.warehouse_id == warehouse.id,
                                                           Location.kind == LocationKind.putback)
                                 .order_by(Location.id).limit(1))
    if location is not None:
        return location
    code, n = PUTBACK_CODE, 1
    while find_location(code, warehouse) is not None:
        n += 1
        code = f'{PUTBACK_CODE}-{n}'
    location = Location(warehouse=warehouse, code=code, sort_key=walking_order_key(code), kind=LocationKind.putback)
    db.session.add(location)
    db.session.flush()
    return location


def send_to_put_back(units: list[tuple[int, int, int]], *, reference: str, note: str = '',
                     actor: User | None) -> PutBackTask | None:
    """Picked units promised to an order that no longer wants them: into the put-back area, and a task to return them.

    Each unit leaves its shelf's book (on hand and allocated, ledger reason ``transfer``) for the put-back
    location, where it is not available, until the task puts it back on a shelf.
    :param units: (product id, shelf location id, units) as they were allocated
    :return: the task, or None when there was nothing
    """
    merged: dict[tuple[int, int], int] = {}
    for product_id, location_id, quantity in units:
        merged[product_id, location_id] = merged.get((product_id, location_id), 0) + quantity
    merged = {key: quantity for key, quantity in merged.items() if quantity > 0}
    if not merged:
        return None
    holding = putback_location()
    booked = f'{reference} put-back'
    changes = []
    for (product_id, location_id), quantity in sorted(merged.items()):
        changes += [StockChange(product_id, location_id, -quantity, -quantity, MovementReason.transfer, booked, note),
                    StockChange(product_id, holding.id, quantity, 0, MovementReason.transfer, booked, note)]
    apply_stock_changes(changes, actor=actor)
    task = PutBackTask(reference=reference, note=note, created_by=actor)
    for (product_id, location_id), quantity in sorted(merged.items()):
        task.lines.append(PutBackLine(product_id=product_id, holding_location_id=holding.id,
                                      to_location_id=location_id, quantity=quantity))
    db.session.add(task)
    db.session.flush()
    logger.info('Put-back task %d for %s: %d units', task.id, task.reference, sum(merged.values()))
    return task


@dataclasses.dataclass(frozen=True)
class PutBackScan:
    """What one scan on a put-back task did, and the shelf the next product scan puts units on."""

    ok: bool
    message: str
    location_code: str = ''
    units: int = 0


def lock_put_back_task(task_id: int) -> PutBackTask | None:
    """The task, locked: two handhelds never put the same units back twice."""
    return db.session.scalar(sa.select(PutBackTask).where(PutBackTask.id == task_id).with_for_update()
                             .execution_options(populate_existing=True))


def put_back_scan(task: PutBackTask, location_code: str, code: str, *, actor: User | None) -> PutBackScan:
    """A scan on a put-back task: a shelf's label chooses where the next products go; a product puts every unit
    of it that the task still carries onto that shelf (one ledger pair each), and they are available again.
    """
    code = (code or '').strip()
    task = lock_put_back_task(task.id)
    if task.done_at is not None:
        return PutBackScan(False, str(_l('This put-back task is done.')), location_code)
    location = find_location(code)
    if location is not None:
        if location.kind == LocationKind.putback:
            return PutBackScan(False, str(_l('%(location)s is the put-back area: scan the shelf the units go to.',
                                             location=location.code)), location_code)
        return PutBackScan(True, str(_l('At %(location)s: scan each product that goes here.',
                                        location=location.code)), location.code)
    product = find_product_by_code(code)
    if product is None:
        return PutBackScan(False, str(_l('"%(code)s" is neither a location nor a product.', code=code)), location_code)
    shelf = find_location(location_code) if location_code else None
    if shelf is None:
        return PutBackScan(False, str(_l('Scan the shelf first, then the product.')), location_code)
    lines = [line for line in task.lines if line.product_id == product.id and not line.done]
    if not lines:
        return PutBackScan(False, str(_l('%(sku)s is not waiting in this task.', sku=product.sku)), location_code)
    reference = f'{task.reference} put-back'
    apply_stock_changes([change for line in lines for change in (
        StockChange(product.id, line.holding_location_id, -line.quantity, 0, MovementReason.transfer, reference),
        StockChange(product.id, shelf.id, line.quantity, 0, MovementReason.transfer, reference))], actor=actor)
    now = utcnow()
    for line in lines:
        line.put_location_id, line.put_back_at, line.put_back_by_id = shelf.id, now, actor.id if actor else None
    units = sum(line.quantity for line in lines)
    if all(line.done for line in task.lines):
        task.done_at, task.done_by_id = now, actor.id if actor else None
    db.session.flush()
    logger.info('Put back %d x %s at %s (task %d) by %r', units, product.sku, shelf.code, task.id, actor)
    message = _l('%(n)d × %(sku)s back on %(location)s.', n=units, sku=product.sku, location=shelf.code)
    if task.done_at is not None:
        message = _l('%(n)d × %(sku)s back on %(location)s. Every unit of %(reference)s is back: task done.',
                     n=units, sku=product.sku, location=shelf.code, reference=task.reference)
    return PutBackScan(True, str(message), shelf.code, units)


def set_location_limits(location: Location, *, minimum: int | None, capacity: int | None,
                        actor: User | None) -> Location:
    """Make a location a pick location (a minimum, and the capacity it is refilled up to), or no longer one."""
    if minimum is not None and not 0 <= minimum <= INT_MAX:
        raise UserError(_l('The minimum must be a whole number from 0 up.'), field='minimum')
    if capacity is not None and not 0 < capacity <= INT_MAX:
        raise UserError(_l('The capacity must be a whole number greater than 0.'), field='capacity')
    if minimum is not None and capacity is not None and capacity < minimum:
        raise UserError(_l('The capacity (%(capacity)d) must be at least the minimum (%(minimum)d).',
                           capacity=capacity, minimum=minimum), field='capacity')
    if minimum is not None and not location.allocatable:
        raise UserError(_l('%(location)s is not a storage location: nothing is picked from it.',
                           location=location.code), field='minimum')
    location.minimum, location.capacity = minimum, capacity
    db.session.flush()
    logger.info('Location %s: minimum %s, capacity %s, by %r', location.code, minimum, capacity, actor)
    return location
