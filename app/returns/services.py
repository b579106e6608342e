"""Returns: opening one against a shipped order, receiving and grading its units, refunds and exchanges.

Every returned unit moves through the stock ledger (reason ``return``, the grade in the row's note);
the order's status and payment status change through the orders service.  Functions flush, never commit.
"""
import dataclasses
import datetime as dt
import logging
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.services import record_audit
from app.catalog.models import Product
from app.catalog.services import find_product_by_code
from app.database import INT_MAX, utcnow
from app.errors import UserError
from app.extensions import db
from app.fulfilment.models import PackingSession, Shipment
from app.fulfilment.services import shipment_of
from app.inventory.models import Location, LocationKind, MovementReason, StockLevel, StockMovement
from app.inventory.services import (
    StockChange,
    apply_stock_changes,
    default_warehouse,
    get_location,
    get_or_create_location,
)
from app.orders.models import Order, OrderLine
from app.orders.services import (
    PlannedOrder,
    create_orders,
    lock_order,
    record_audit_many,
    release_holds,
    set_payment_refunded,
    transition,
)
from app.orders.services import (
    send_again as send_order_again,
)
from app.returns.models import GRADES, REFUND_METHODS, Refund, Return, ReturnLine, ReturnReason
from app.returns.signals import refund_recorded, return_approved, return_received
from app.returns.vocabulary import GRADE_LABELS, STATE_LABELS
from importers.codes import scanned_tracking_number
from importers.orders.records import LineRecord, OrderRecord


logger = logging.getLogger(__name__)

#: the reasons every shop starts with (the migration writes them too): key, Japanese, English, fault, an
#: exchange ships at once
DEFAULT_REASONS = (
    ('defective', '不良品', 'Defective', 'shop', False),
    ('wrong_item', '誤出荷', 'Wrong item sent', 'shop', True),
    ('damaged', '破損', 'Damaged', 'shop', False),
    ('missing', '欠品', 'Missing item', 'shop', False),
    ('carrier_accident', '配送事故', 'Carrier accident', 'carrier', False),
    ('changed_mind', 'サイズ・イメージ違い', 'Not as expected (size, look)', 'customer', False),
    ('wrong_order', '注文間違い', 'Ordered by mistake', 'customer', False),
    ('refused', '受取拒否', 'Refused by the customer', 'customer', False),
    ('undeliverable', '長期不在・住所不明', 'Undeliverable (not at home, unknown address)', 'customer', False),
)
#: statuses of an order whose units left the warehouse
SHIPPED = ('shipped', 'returned')
#: a return in one of these states no longer expects its units
NOT_COUNTED = ('declined',)
#: reasons of a parcel the carrier brought back: its order may be sent again to a corrected address
SENT_BACK = ('refused', 'undeliverable')
#: the code of the quarantine location made when the warehouse has none
QUARANTINE_CODE = 'Q-RETURNS'


# ---------------------------------------------------------------------------------------------- reasons

def ensure_default_reasons() -> None:
    """Write the default reasons that are missing (a database emptied by hand, a test's fresh tables)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == 'postgresql' else sqlite.insert
    db.session.execute(insert(ReturnReason).on_conflict_do_nothing(index_elements=['key']), [
        {'key': key, 'label_ja': ja, 'label_en': en, 'fault': fault, 'ship_at_once': at_once, 'active': True,
         'position': n} for n, (key, ja, en, fault, at_once) in enumerate(DEFAULT_REASONS)])
    db.session.flush()


def reasons(*, active_only: bool = True) -> list[ReturnReason]:
    query = sa.select(ReturnReason).order_by(ReturnReason.position, ReturnReason.id)
    if active_only:
        query = query.where(ReturnReason.active)
    return list(db.session.scalars(query))


def reason_by_key(key: str) -> ReturnReason:
    key = (key or '').strip()
    reason = db.session.scalar(sa.select(ReturnReason).where(ReturnReason.key == key))
    if reason is None and key in {r[0] for r in DEFAULT_REASONS}:
        ensure_default_reasons()
        reason = db.session.scalar(sa.select(ReturnReason).where(ReturnReason.key == key))
    if reason is None or not reason.active:
        raise UserError(_l('Unknown return reason "%(key)s": see the list of reasons (flask returns reasons).',
                           key=key), field='reason')
    return reason


def change_reason(reason: ReturnReason, *, label_ja: str, label_en: str, ship_at_once: bool, active: bool,
                  actor) -> None:
    """A manager renames a reason, says whether an exchange for it ships before the returned unit arrives, or
    retires it (its key stays: returns that name it keep it)."""
    label_ja, label_en = (label_ja or '').strip(), (label_en or '').strip()
    if not label_ja or not label_en:
        raise UserError(_l('A reason needs a Japanese and an English name.'), field='label_ja')
    before = {'label_ja': reason.label_ja, 'label_en': reason.label_en, 'ship_at_once': reason.ship_at_once,
              'active': reason.active}
    reason.label_ja, reason.label_en = label_ja[:100], label_en[:100]
    reason.ship_at_once, reason.active = bool(ship_at_once), bool(active)
    after = {'label_ja': reason.label_ja, 'label_en': reason.label_en, 'ship_at_once': reason.ship_at_once,
             'active': reason.active}
    record_audit(actor, 'return_reason.changed', reason, before=before, after=after)
    db.session.flush()


# ---------------------------------------------------------------------------------------------- opening

def parcel_of(order: Order) -> Shipment | None:
    """The parcel the order's units left in: its own, or that of the order it was combined into."""
    parcel_order_id = order.combined_into_id or order.id
    return shipment_of(parcel_order_id)


def packing_session_of(shipment: Shipment) -> PackingSession | None:
    """The packing session that packed the parcel (not a later label check)."""
    return db.session.scalar(sa.select(PackingSession).where(
        PackingSession.order_id == shipment.order_id, PackingSession.kind == 'pack',
        PackingSession.status == 'packed').order_by(PackingSession.id.desc()).limit(1))


def _of_the_parcel_out(order: Order):
    """The order's returns of the parcel it is out in now: a parcel that came back and was sent again left in a
    new parcel, whose units may come back in their turn."""
    parcel = parcel_of(order)
    of_order = Return.order_id == order.id
    if parcel is None:
        return of_order
    return sa.and_(of_order, sa.or_(Return.shipment_id.is_(None), Return.shipment_id == parcel.id))


def returned_units(order: Order) -> dict[int, int]:
    """Units of each order line already in a return (asked for, expected or received), by line id."""
    rows = db.session.execute(
        sa.select(ReturnLine.order_line_id, sa.func.sum(ReturnLine.quantity))
        .join(Return, Return.id == ReturnLine.return_id)
        .where(_of_the_parcel_out(order), Return.state.not_in(NOT_COUNTED))
        .group_by(ReturnLine.order_line_id))
    return {line_id: int(units) for line_id, units in rows}


def returnable_units(order: Order) -> dict[int, int]:
    """Units of each order line that may still be returned: what shipped, less what is already in a return."""
    if order.status not in SHIPPED:
        return {}
    taken = returned_units(order)
    return {line.id: line.quantity - taken.get(line.id, 0) for line in order.lines if line.product_id is not None}


@dataclasses.dataclass(frozen=True)
class AskedLine:
    """Units of one product (SKU or JAN as typed or scanned) asked back for one reason."""

    code: str
    quantity: int
    reason: str


def parse_line_spec(spec: str) -> AskedLine:
    """SKU:QTY:REASON as the CLI takes it (a SKU may itself hold a colon: the last two parts are split off)."""
    parts = (spec or '').rsplit(':', 2)
    if len(parts) != 3 or not parts[0].strip():
        raise UserError(_l('"%(spec)s" is not SKU:QUANTITY:REASON.', spec=spec), field='line')
    code, quantity, reason = parts
    if not quantity.strip().isascii() or not quantity.strip().isdigit():
        raise UserError(_l('"%(spec)s": the quantity must be a whole number.', spec=spec), field='line')
    return AskedLine(code.strip(), int(quantity.strip()), reason.strip())


def open_return(order: Order, asked: list[AskedLine], *, actor, source: str = 'clerk', state: str = 'approved',
                comment: str = '') -> Return:
    """Open a return for units of a shipped order; never more of a line than shipped less already returned.

    Each asked product is spread over the order's lines of that product, in line order.  A return for a
    mis-shipment (wrong_item) names who packed the parcel and the packing session.
    """
    lock_order(order)
    if order.status not in SHIPPED:
        raise UserError(_l('Order %(number)s has not shipped: only shipped units can be returned.',
                           number=order.number))
    if not asked:
        raise UserError(_l('Say which units come back: at least one line.'), field='line')
    left = returnable_units(order)
    planned: list[tuple[OrderLine, int, ReturnReason]] = []
    for entry in asked:
        reason = reason_by_key(entry.reason)
        if not 1 <= entry.quantity <= INT_MAX:
            raise UserError(_l('%(code)s: the quantity must be at least 1.', code=entry.code), field='quantity')
        product = find_product_by_code(entry.code)
        lines = [line for line in order.lines if product is not None and line.product_id == product.id]
        if not lines:
            raise UserError(_l('%(code)s is not in order %(number)s.', code=entry.code, number=order.number),
                            field='line')
        available = sum(left.get(line.id, 0) for line in lines)
        if entry.quantity > available:
            shipped = sum(line.quantity for line in lines)
            raise UserError(_l('%(sku)s: %(n)d cannot be returned: %(shipped)d shipped in order %(number)s, '
                               '%(left)d not yet returned.', sku=product.sku, n=entry.quantity, shipped=shipped,
                               number=order.number, left=available), field='quantity')
        wanted = entry.quantity
        for line in lines:
            take = min(wanted, left.get(line.id, 0))
            if take:
                planned.append((line, take, reason))
                left[line.id] -= take
                wanted -= take
    ret = Return(order=order, state=state, source=source, customer_comment=(comment or '').strip(),
                 opened_by=actor, opened_at=utcnow())
    shipment = parcel_of(order)
    if shipment is not None:
        ret.shipment = shipment
        if any(reason.key == 'wrong_item' for _, _, reason in planned):
            ret.packed_by_id = shipment.packed_by_id
            session = packing_session_of(shipment)
            ret.packing_session_id = session.id if session else None
    db.session.add(ret)
    for line, quantity, reason in planned:
        ret.lines.append(ReturnLine(order_line_id=line.id, product_id=line.product_id, reason=reason,
                                    quantity=quantity))
    db.session.flush()
    summary = ', '.join(f'{line.product.sku} x{quantity} ({reason.label_ja})' for line, quantity, reason in planned)
    record_audit(actor, 'return.opened', ret, after={'order': order.number, 'state': state, 'source': source},
                 note=summary)
    record_audit_many(actor, 'order.return_opened', [order.id], after={'return': ret.number, 'state': state},
                      note=summary)
    db.session.flush()
    logger.info('Return %s opened for %s: %s', ret.number, order.number, summary)
    return ret


def lock_return(ret: Return) -> Return:
    """Lock the return's row and read it and its lines afresh: two clerks receiving it count each unit once."""
    locked = db.session.execute(sa.select(Return).where(Return.id == ret.id).with_for_update()
                                .execution_options(populate_existing=True)).scalar_one()
    db.session.execute(sa.select(ReturnLine).where(ReturnLine.return_id == ret.id)
                       .execution_options(populate_existing=True)).all()
    return locked


def find_return(number: str) -> Return | None:
    return_id = Return.id_from_number(number)
    return db.session.get(Return, return_id) if return_id else None


def get_return(number: str) -> Return:
    ret = find_return(number)
    if ret is None:
        raise UserError(_l('There is no return "%(number)s".', number=number), field='return')
    return ret


def decide(ret: Return, approve: bool, *, actor, message: str = '') -> None:
    """The clerk approves a customer's request (units are expected back) or declines it, with a message."""
    lock_return(ret)
    if ret.state != 'requested':
        raise UserError(_l('Return %(number)s is %(state)s: only a request can be approved or declined.',
                           number=ret.number, state=ret.state))
    if not approve and not (message or '').strip():
        raise UserError(_l('Say why the return is declined: the customer reads it.'), field='message')
    before = ret.state
    ret.state, ret.message = ('approved' if approve else 'declined'), (message or '').strip()
    record_audit(actor, 'return.state', ret, before={'state': before}, after={'state': ret.state}, note=ret.message)
    action = 'order.return_approved' if approve else 'order.return_declined'
    record_audit_many(actor, action, [ret.order_id], after={'return': ret.number}, note=ret.message)
    db.session.flush()
    if approve:
        return_approved.send(ret, actor=actor)


#: reasons only the shop gives (a parcel the carrier brought back): a customer does not choose them
NOT_FOR_CUSTOMERS = ('refused', 'undeliverable', 'carrier_accident')


def customer_reasons() -> list[ReturnReason]:
    return [reason for reason in reasons() if reason.key not in NOT_FOR_CUSTOMERS]


def request_return(order: Order, asked: list[AskedLine], *, comment: str = '') -> Return:
    """The customer asks, from the shop's order-status page, to send units back; a clerk approves or declines."""
    for entry in asked:
        if entry.reason in NOT_FOR_CUSTOMERS:
            raise UserError(_l('Choose a reason from the list.'), field='reason')
    return open_return(order, asked, actor=None, source='customer', state='requested', comment=comment)


# ---------------------------------------------------------------------------------------------- receiving

@dataclasses.dataclass(frozen=True)
class ReceivedUnit:
    """One unit taken out of the parcel: its code (SKU or JAN), its grade, and where a sellable one goes."""

    code: str
    grade: str
    location: str = ''


def parse_unit_spec(spec: str, location: str = '') -> ReceivedUnit:
    """SKU:GRADE as the CLI takes it."""
    code, _, grade = (spec or '').rpartition(':')
    if not code.strip() or grade.strip() not in GRADES:
        raise UserError(_l('"%(spec)s" is not SKU:GRADE (grades: %(grades)s).', spec=spec, grades=', '.join(GRADES)),
                        field='unit')
    return ReceivedUnit(code.strip(), grade.strip(), location)


def quarantine_location() -> Location:
    """Where kept-apart units go: the warehouse's first quarantine location, made when it has none."""
    warehouse = default_warehouse()
    location = db.session.scalar(sa.select(Location).where(
        Location.warehouse_id == warehouse.id, Location.kind == LocationKind.quarantine, Location.active)
        .order_by(Location.sort_key).limit(1))
    return location or get_or_create_location(QUARANTINE_CODE, warehouse, kind=LocationKind.quarantine)


def pick_location(product_id: int, order: Order) -> Location:
    """Where a sellable returned unit goes back: the shelf it was shipped from, else the product's fullest shelf."""
    parcel = parcel_of(order)
    reference = (parcel.order.number if parcel is not None else order.number)
    shelves = (sa.select(Location).join(StockMovement, StockMovement.location_id == Location.id)
               .where(StockMovement.product_id == product_id, StockMovement.reason == MovementReason.shipment,
                      StockMovement.reference == reference, Location.kind == LocationKind.storage, Location.active)
               .order_by(StockMovement.id.desc()).limit(1))
    location = db.session.scalar(shelves)
    if location is None:
        location = db.session.scalar(
            sa.select(Location).join(StockLevel, StockLevel.location_id == Location.id)
            .where(StockLevel.product_id == product_id, Location.kind == LocationKind.storage, Location.active)
            .order_by(StockLevel.on_hand.desc(), Location.sort_key).limit(1))
    if location is None:
        sku = db.session.scalar(sa.select(Product.sku).where(Product.id == product_id))
        raise UserError(_l('%(sku)s has no shelf to go back to: name the location.', sku=sku), field='location')
    return location


@dataclasses.dataclass
class Receipt:
    """What receiving did: the units per grade, and whether the return is now complete."""

    ret: Return
    units: dict[str, int]
    complete: bool

    def as_dict(self) -> dict:
        return {'return': self.ret.number, 'state': self.ret.state, 'units': self.units,
                'received': self.ret.units_received, 'expected': self.ret.units}


def receive_units(ret: Return, units: list[ReceivedUnit], *, actor) -> Receipt:
    """Units of a return taken out of its parcel and graded; each moves through the ledger with reason return.

    Sellable units go back on a shelf and are available at once (waiting backorders are filled);
    quarantined ones go to a quarantine location (on hand, never available); scrapped ones and those
    for the supplier come in and are written off, two ledger rows.  A unit that is not (or no longer)
    expected in the return refuses the whole receipt.
    """
    if not units:
        raise UserError(_l('Scan or name at least one unit.'), field='unit')
    lock_order(ret.order)
    ret = lock_return(ret)
    if ret.state not in ('approved', 'receiving'):
        raise UserError(_l('Return %(number)s is %(state)s: it takes no units.', number=ret.number, state=ret.state))
    outstanding = {line.id: line.outstanding for line in ret.lines}
    changes, counted = [], []
    quarantine = None
    for unit in units:
        if unit.grade not in GRADES:
            raise UserError(_l('Unknown grade "%(grade)s" (grades: %(grades)s).', grade=unit.grade,
                               grades=', '.join(GRADES)), field='grade')
        line = unit_line(ret, unit.code, outstanding)
        outstanding[line.id] -= 1
        counted.append((line, unit.grade))
        note = unit.grade
        if unit.grade == 'sellable':
            location = get_location(unit.location) if unit.location else pick_location(line.product_id, ret.order)
            if not location.allocatable:
                raise UserError(_l('%(location)s is not a storage location: a sellable unit goes on a shelf.',
                                   location=location.code), field='location')
            changes.append(StockChange(line.product_id, location.id, 1, reason=MovementReason.return_,
                                       reference=ret.number, note=note))
            continue
        quarantine = quarantine or quarantine_location()
        changes.append(StockChange(line.product_id, quarantine.id, 1, reason=MovementReason.return_,
                                   reference=ret.number, note=note))
        if unit.grade in ('scrap', 'supplier'):
            changes.append(StockChange(line.product_id, quarantine.id, -1, reason=MovementReason.return_,
                                       reference=ret.number, note=f'{note}: written off'))
    apply_stock_changes(changes, actor=actor)
    totals = defaultdict(int)
    for line, grade in counted:
        setattr(line, grade, getattr(line, grade) + 1)
        totals[grade] += 1
    before = ret.state
    complete = all(line.outstanding == 0 for line in ret.lines)
    ret.state = 'received' if complete else 'receiving'
    ret.received_at = utcnow()
    summary = ', '.join(f'{grade} {n}' for grade, n in totals.items())
    record_audit(actor, 'return.received', ret, before={'state': before},
                 after={'state': ret.state, **totals}, note=summary)
    db.session.flush()
    _order_follows(ret, actor=actor, note=summary)
    if complete:
        _release_replacement(ret, actor=actor)
    return_received.send(ret, units=len(counted), complete=complete, actor=actor)
    return Receipt(ret, dict(totals), complete)


def unit_line(ret: Return, code: str, outstanding: dict[int, int] | None = None) -> ReturnLine:
    """The line of the return a scanned unit belongs to, or why it does not belong (a hard stop)."""
    outstanding = outstanding if outstanding is not None else {line.id: line.outstanding for line in ret.lines}
    product = find_product_by_code(code)
    if product is None:
        raise UserError(_l('UNKNOWN CODE: no product has the SKU or JAN "%(code)s".', code=code), field='unit')
    lines = [line for line in ret.lines if line.product_id == product.id]
    if not lines:
        raise UserError(_l('NOT IN THIS RETURN: %(name)s (%(sku)s) is not in return %(number)s.', name=product.name,
                           sku=product.sku, number=ret.number), field='unit')
    for line in lines:
        if outstanding.get(line.id, 0) > 0:
            return line
    raise UserError(_l('ONE TOO MANY: every unit of %(sku)s in return %(number)s is already received.',
                       sku=product.sku, number=ret.number), field='unit')


def _order_follows(ret: Return, *, actor, note: str) -> None:
    """The order is returned once every unit it shipped is back; until then its history says what came back."""
    order = ret.order
    received = dict(db.session.execute(
        sa.select(ReturnLine.order_line_id,
                  sa.func.sum(ReturnLine.sellable + ReturnLine.quarantine + ReturnLine.scrap + ReturnLine.supplier))
        .join(Return, Return.id == ReturnLine.return_id).where(_of_the_parcel_out(order))
        .group_by(ReturnLine.order_line_id)).all())
    fully = all(received.get(line.id, 0) >= line.quantity for line in order.lines if line.product_id is not None)
    record_audit_many(actor, 'order.return_received', [order.id],
                      after={'return': ret.number, 'returned': 'fully' if fully else 'partly'}, note=note)
    if fully and order.status == 'shipped':
        transition(order, 'returned', actor=actor, why=ret.number)


def returned_state(order: Order) -> str:
    """'' (nothing came back), 'partly' or 'fully' returned: what the order page shows beside the status."""
    received = db.session.scalar(
        sa.select(sa.func.sum(ReturnLine.sellable + ReturnLine.quarantine + ReturnLine.scrap + ReturnLine.supplier))
        .join(Return, Return.id == ReturnLine.return_id).where(_of_the_parcel_out(order))) or 0
    if not received:
        return ''
    return 'fully' if order.status == 'returned' else 'partly'


# ---------------------------------------------------------------------------------------------- the station

def returns_for_scan(code: str) -> tuple[Order | None, list[Return]]:
    """A parcel's tracking number or an order barcode: the order and its returns still expecting units."""
    code = (code or '').strip()
    order = None
    label = scanned_tracking_number(code)
    if label:
        shipment = db.session.scalar(sa.select(Shipment).where(Shipment.tracking_number == label))
        order = shipment.order if shipment is not None else None
    if order is None and code[:1] in ('K', 'k'):
        order_id = Order.id_from_number(code)
        order = db.session.get(Order, order_id) if order_id else None
    if order is None and code[:1] in ('R', 'r'):
        ret = find_return(code)
        if ret is not None:
            return ret.order, [ret]
    if order is None:
        return None, []
    open_returns = list(db.session.scalars(sa.select(Return).where(
        Return.order_id == order.id, Return.state.in_(('approved', 'receiving'))).order_by(Return.id)))
    return order, open_returns


def open_unannounced(order: Order, *, actor) -> Return:
    """A parcel came back that nobody announced (refused, undeliverable, sent back unasked): an empty return of
    every unit still returnable, reason undeliverable, to be graded unit by unit at the station."""
    left = returnable_units(order)
    asked = [AskedLine(line.product.sku, left[line.id], 'undeliverable') for line in order.lines
             if left.get(line.id, 0) > 0]
    if not asked:
        raise UserError(_l('Every shipped unit of order %(number)s is already in a return.', number=order.number))
    merged: dict[str, int] = defaultdict(int)
    for entry in asked:
        merged[entry.code] += entry.quantity
    return open_return(order, [AskedLine(code, n, 'undeliverable') for code, n in merged.items()], actor=actor,
                       source='station')


#: codes printed at the returns station: scanning one sets the grade of the units scanned after it
GRADE_CODES = {f'#{grade.upper()}': grade for grade in GRADES}


@dataclasses.dataclass
class StationOutcome:
    """What one scan at the returns station did, and the station's state after it."""

    ok: bool
    message: str
    #: opened (a parcel's return in hand), unit, grade, no_return (scan again to open one), stop, blocked,
    #: acknowledged, unknown
    result: str
    ret: Return | None = None
    grade: str = 'sellable'
    #: an order whose parcel came back unannounced: its code scanned again opens a return
    pending_order_id: int | None = None


def station_scan(code: str, *, current: Return | None, grade: str, actor,
                 pending_order_id: int | None = None) -> StationOutcome:
    """One code scanned at the returns station: a grade card, a parcel (tracking number, order or return
    barcode) or a unit of the return in hand.  A unit that does not belong to the return stops the station
    until the stop is acknowledged (Esc); scans made during a stop are refused."""
    code = (code or '').strip()
    grade = grade if grade in GRADES else 'sellable'
    if current is not None:
        current = lock_return(current)
        if current.blocked_message:
            record_audit(actor, 'return.scan_refused', current, note=code[:100])
            db.session.flush()
            return StationOutcome(False, str(_l('Stopped: scanning does not clear a stop. Press Esc.')), 'blocked',
                                  current, grade)
    if code.upper() in GRADE_CODES:
        grade = GRADE_CODES[code.upper()]
        return StationOutcome(True, str(_l('Units scanned now are graded: %(grade)s.', grade=GRADE_LABELS[grade])),
                              'grade', current, grade)
    order, open_returns = returns_for_scan(code)
    if order is not None:
        if open_returns:
            ret = open_returns[0]
            return StationOutcome(True, str(_l('Return %(number)s of order %(order)s: scan each unit.',
                                               number=ret.number, order=order.number)), 'opened', ret, grade)
        if pending_order_id == order.id:
            ret = open_unannounced(order, actor=actor)
            return StationOutcome(True, str(_l('Unannounced return %(number)s opened for order %(order)s: scan each '
                                               'unit.', number=ret.number, order=order.number)), 'opened', ret, grade)
        if not any(returnable_units(order).values()):
            return StationOutcome(False, str(_l('Order %(order)s has nothing left to return (status %(status)s).',
                                                order=order.number, status=order.status)), 'unknown', current, grade)
        return StationOutcome(False, str(_l('No return is expected for order %(order)s. Scan the same code again to '
                                            'open an unannounced return of it.', order=order.number)),
                              'no_return', current, grade, pending_order_id=order.id)
    if current is None or current.state not in ('approved', 'receiving'):
        return StationOutcome(False, str(_l('Scan the tracking number on the parcel or the order barcode first.')),
                              'unknown', current, grade)
    try:
        line = unit_line(current, code)
    except UserError as exc:
        current.blocked_message = str(exc)
        record_audit(actor, 'return.stop', current, note=f'{code[:100]}: {exc}')
        db.session.flush()
        return StationOutcome(False, str(exc), 'stop', current, grade)
    receipt = receive_units(current, [ReceivedUnit(line.product.sku, grade)], actor=actor)
    message = _l('%(sku)s %(name)s: %(grade)s (%(received)d of %(expected)d units).', sku=line.product.sku,
                 name=line.product.name, grade=GRADE_LABELS[grade], received=current.units_received,
                 expected=current.units)
    if receipt.complete:
        message = _l('%(message)s Every unit of %(number)s is in.', message=message, number=current.number)
    return StationOutcome(True, str(message), 'unit', current, grade)


def acknowledge_stop(ret: Return, *, actor) -> StationOutcome:
    """Esc at the returns station: the stop has been read and the unit put aside."""
    ret = lock_return(ret)
    if ret.blocked_message:
        record_audit(actor, 'return.stop_acknowledged', ret, note=ret.blocked_message)
        ret.blocked_message = ''
        db.session.flush()
    return StationOutcome(True, str(_l('Stop acknowledged: scan the next unit.')), 'acknowledged', ret)


def finish_receiving(ret: Return, *, actor) -> None:
    """The parcel is empty: units announced but not in it are no longer expected (the return is received)."""
    ret = lock_return(ret)
    if ret.state not in ('approved', 'receiving'):
        raise UserError(_l('Return %(number)s is %(state)s.', number=ret.number, state=ret.state))
    if ret.units_received == 0:
        raise UserError(_l('No unit of return %(number)s was received: scan the units first.', number=ret.number))
    missing = []
    for line in ret.lines:
        if line.outstanding:
            missing.append(f'{line.product.sku} x{line.outstanding}')
            line.quantity = line.received
    if any(line.quantity == 0 for line in ret.lines):
        for line in [line for line in ret.lines if line.quantity == 0]:
            ret.lines.remove(line)
    before = ret.state
    ret.state = 'received'
    record_audit(actor, 'return.finished', ret, before={'state': before}, after={'state': 'received'},
                 note=', '.join(missing))
    db.session.flush()
    _order_follows(ret, actor=actor, note=str(_l('not in the parcel: %(units)s', units=', '.join(missing) or '—')))
    _release_replacement(ret, actor=actor)
    return_received.send(ret, units=0, complete=True, actor=actor)


# ---------------------------------------------------------------------------------------------- refunds

#: what the clerk does in each channel's own screens before recording a refund there
MALL_REFUND_STEPS = {
    'rakuten': _l('RMS: 受注管理 → the order → キャンセル申請 (or 金額変更 for part of it); the card refund follows '
                  'from Rakuten. Then record it here.'),
    'amazon': _l('Seller Central: Orders → Manage Orders → the order → Refund order; choose the reason and the '
                 'amounts. Then record it here.'),
    'yahoo': _l('Store Creator Pro: 注文管理 → the order → 返金処理 (or キャンセル); Yahoo refunds the card. Then '
                'record it here.'),
    'shopify': _l('Shopify admin: Orders → the order → Refund; choose the items, the shipping and restock off '
                  '(Kura keeps the stock). Then record it here.'),
}


def refund_steps(order: Order) -> str:
    """What the clerk must do outside Kura before a refund of this order is real ('' for the shop's own)."""
    steps = MALL_REFUND_STEPS.get(order.channel)
    return str(steps) if steps else ''


def refund_methods(order: Order) -> tuple[str, ...]:
    """How an order's money can go back: a mall refunds its own payments; COD money back by bank or in cash."""
    if order.channel in MALL_REFUND_STEPS:
        return ('mall',)
    return ('bank_transfer', 'cod_refund') if order.payment_method == 'cod' else ('bank_transfer',)


def record_refund(ret: Return, line_amounts: dict[int, int], *, fees: int = 0, method: str, refunded_on: dt.date,
                  actor, note: str = '') -> Refund:
    """Record money given back for a return: per line, plus fees; the order is refunded when all came back."""
    ret = lock_return(ret)
    order = ret.order
    lock_order(order)
    if ret.state in ('requested', 'declined'):
        raise UserError(_l('Return %(number)s is %(state)s: it cannot be refunded.', number=ret.number,
                           state=ret.state))
    if method not in REFUND_METHODS:
        raise UserError(_l('Choose how the money went back.'), field='method')
    if method not in refund_methods(order):
        raise UserError(_l('Order %(number)s cannot be refunded that way.', number=order.number), field='method')
    lines = {line.id: line for line in ret.lines}
    total = 0
    for line_id, amount in line_amounts.items():
        line = lines.get(line_id)
        if line is None:
            raise UserError(_l('That line is not in return %(number)s.', number=ret.number), field='amount')
        if amount is None or amount < 0:
            raise UserError(_l('%(sku)s: an amount is 0 yen or more.', sku=line.product.sku), field='amount')
        most = line.quantity * line.order_line.unit_price - line.refunded
        if amount > most:
            raise UserError(_l('%(sku)s: at most %(most)s yen can still be refunded.', sku=line.product.sku,
                               most=f'{most:,}'), field='amount')
        total += amount
    if fees is None or fees < 0 or fees > order.shipping_fee + order.cod_fee:
        raise UserError(_l('The fees refunded are 0 to %(most)s yen (shipping and COD fees).',
                        most=f'{order.shipping_fee + order.cod_fee:,}'), field='fees')
    if total + fees <= 0:
        raise UserError(_l('A refund is more than 0 yen.'), field='amount')
    for line_id, amount in line_amounts.items():
        lines[line_id].refunded += amount
    refund = Refund(return_=ret, order_id=order.id, lines_amount=total, fees_amount=fees, method=method,
                    refunded_on=refunded_on, user=actor, note=(note or '').strip())
    db.session.add(refund)
    ret.outcome = 'refund'
    db.session.flush()
    refunded = db.session.scalar(sa.select(sa.func.sum(Refund.lines_amount + Refund.fees_amount))
                                 .where(Refund.order_id == order.id)) or 0
    record_audit(actor, 'return.refunded', ret, after={'amount': refund.amount, 'method': method,
                                                       'on': refunded_on.isoformat()}, note=refund.note)
    set_payment_refunded(order, amount=refund.amount, refunded_total=refunded, method=method, on=refunded_on,
                         actor=actor, note=ret.number)
    db.session.flush()
    refund_recorded.send(refund, actor=actor)
    return refund


# ---------------------------------------------------------------------------------------------- exchanges

def replacement_products(asked: list[tuple[str, int]]) -> list[tuple[Product, int]]:
    """The products and quantities of a replacement from the codes typed or scanned (a JAN or a SKU) with their
    quantities; a line of 0 units is left out, one product asked twice is one line."""
    wanted: dict[int, int] = defaultdict(int)
    products: dict[int, Product] = {}
    for number, (code, quantity) in enumerate(asked, start=1):
        if not quantity:
            continue
        product = find_product_by_code(code)
        if product is None:
            raise UserError(_l('Replacement line %(n)d: no product has the code "%(code)s".', n=number,
                               code=(code or '').strip()), field='product')
        products[product.id] = product
        wanted[product.id] += quantity
    if not wanted:
        raise UserError(_l('Give at least one replacement unit.'), field='quantity')
    return [(products[product_id], n) for product_id, n in wanted.items()]


def create_exchange(ret: Return, replacements: list[tuple[Product, int]] | None = None, *, actor) -> Order:
    """The replacement order of an exchange: the returned units again (or other products), at no charge, to the
    same address.  It waits for the returned units unless every reason ships at once (誤出荷) or they are in."""
    ret = lock_return(ret)
    order = ret.order
    if ret.state in ('requested', 'declined'):
        raise UserError(_l('Return %(number)s is %(state)s: it cannot be exchanged.', number=ret.number,
                           state=ret.state))
    if ret.replacement_order_id is not None:
        raise UserError(_l('Return %(number)s already has its replacement order %(order)s.', number=ret.number,
                           order=ret.replacement_order.number))
    if replacements is None:
        wanted: dict[int, int] = defaultdict(int)
        for line in ret.lines:
            wanted[line.product_id] += line.quantity
        replacements = [(db.session.get(Product, product_id), n) for product_id, n in wanted.items()]
    if not replacements or any(n is None or not 1 <= n <= 9999 for _, n in replacements):
        raise UserError(_l('Each replacement is 1 to 9999 units.'), field='quantity')
    waits = ret.state not in ('received', 'closed') and not all(line.reason.ship_at_once for line in ret.lines)
    now = utcnow()
    lines = [LineRecord(line=0, channel_line_id='', item_code=product.sku, jan=product.jan or '', name=product.name,
                        option_text='', quantity=n, unit_price=0, tax_rate=product.tax_rate)
             for product, n in replacements]
    record = OrderRecord(
        line=0, channel='manual', external_order_id=f'X-{ret.number}', ordered_at=now,
        buyer_name=order.buyer_name, buyer_kana=order.buyer_kana, buyer_email=order.buyer_email,
        buyer_phone=order.buyer_phone, ship_name=order.ship_name, ship_kana=order.ship_kana,
        ship_postal_code=order.ship_postal_code, ship_prefecture=order.ship_prefecture, ship_city=order.ship_city,
        ship_address1=order.ship_address1, ship_address2=order.ship_address2, ship_phone=order.ship_phone,
        payment_method='other', shipping_fee=0, cod_fee=0, total=0, delivery_date=None, delivery_time_slot='',
        gift_wrap='', noshi='', customer_comment='', lines=lines, amount_due=0)
    holds = [('manual', str(_l('exchange: waits for return %(number)s', number=ret.number)))] if waits else []
    created = create_orders('manual', [PlannedOrder(record, [p.id for p, _ in replacements], holds)], actor=actor,
                            locale=order.locale)
    replacement = db.session.get(Order, created.ids[0])
    replacement.duplicated_from_id = order.id
    ret.replacement_order_id = replacement.id
    ret.outcome = 'exchange'
    record_audit(actor, 'return.exchanged', ret, after={'replacement': replacement.number, 'waits': waits})
    record_audit_many(actor, 'order.exchange', [order.id, replacement.id],
                      after=[{'return': ret.number, 'replacement': replacement.number},
                             {'return': ret.number, 'original': order.number}])
    db.session.flush()
    return replacement


def _release_replacement(ret: Return, *, actor) -> None:
    """The returned units are in: a replacement waiting for them goes to the floor."""
    if ret.replacement_order_id is None:
        return
    replacement = db.session.get(Order, ret.replacement_order_id)
    release_holds(replacement, 'manual', actor=actor, note=str(_l('return %(number)s received', number=ret.number)))


def can_send_again(ret: Return) -> bool:
    """Whether the return is a parcel the carrier brought back whose order may leave again (the page's form)."""
    return (ret.state == 'received' and not ret.refunds and ret.replacement_order_id is None
            and ret.order.status == 'returned' and all(line.reason.key in SENT_BACK for line in ret.lines))


def send_again(ret: Return, values: dict, *, actor) -> None:
    """A refused or undeliverable parcel, received back: its order leaves again, without a new order, to the
    corrected address (orders' send_again()); the return is closed, settled without refund or exchange."""
    ret = lock_return(ret)
    if not all(line.reason.key in SENT_BACK for line in ret.lines):
        raise UserError(_l('Return %(number)s is not a parcel the carrier brought back (refused or undeliverable): '
                           'its order cannot be sent again.', number=ret.number))
    if ret.state != 'received':
        raise UserError(_l('Return %(number)s is %(state)s: receive the whole parcel before sending it again.',
                           number=ret.number, state=STATE_LABELS[ret.state]))
    if ret.refunds or ret.replacement_order_id is not None:
        raise UserError(_l('Return %(number)s was refunded or exchanged: its order cannot be sent again.',
                           number=ret.number))
    order = ret.order
    send_order_again(order, values, actor=actor, why=ret.number)
    ret.state, ret.outcome, ret.closed_at = 'closed', 'none', utcnow()
    record_audit(actor, 'return.sent_again', ret, before={'state': 'received'},
                 after={'state': 'closed', 'outcome': 'none', 'order': order.number, 'status': order.status})
    db.session.flush()


def close(ret: Return, *, outcome: str, actor, note: str = '') -> None:
    """Nothing more will happen to the return (refunded, exchanged, or settled without either)."""
    ret = lock_return(ret)
    if outcome not in ('refund', 'exchange', 'none'):
        raise UserError(_l('Choose the outcome: refund, exchange or none.'), field='outcome')
    if ret.state == 'closed':
        raise UserError(_l('Return %(number)s is already closed.', number=ret.number))
    before = ret.state
    ret.state, ret.outcome, ret.closed_at = 'closed', outcome, utcnow()
    record_audit(actor, 'return.state', ret, before={'state': before}, after={'state': 'closed', 'outcome': outcome},
                 note=note)
    db.session.flush()

