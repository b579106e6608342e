"""Every new order and every change of an order goes through here: creation, status, payment, holds, address,
cancellation, mappings.

Each change is checked against what is allowed, refused with a message that says why, and
written to the audit log (who, when, from, to, why); the timeline of an order is read from it.
One order at a time through the ORM, or many at once set-based (create_orders, transition_many,
record_audit_many: the bulk rows are written by the private _writing module, which allocation
shares; what it defines, the import and the other areas take from here). Functions flush and never commit.
"""
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.services import clean_email, record_audit
from app.catalog.models import ChannelSku, Product
from app.database import in_ids, insert_columns, new_ids, utcnow
from app.errors import UserError
from app.extensions import db
from app.inventory.services import StockChange, apply_stock_changes
from app.orders._writing import DEFAULT_TAX_RATE as DEFAULT_TAX_RATE
from app.orders._writing import TRANSITIONS, PlannedOrder, arrival_status, insert_orders, payment_status_for
from app.orders._writing import LineValues as LineValues
from app.orders._writing import record_audit_many as record_audit_many
from app.orders._writing import transition_many as transition_many

# the postal-code look-ups are the orders area's: the shop's checkout asks them here
from app.orders.address import address_problem as address_problem
from app.orders.address import lookup as lookup
from app.orders.address import prefecture_of as prefecture_of
from app.orders.allocation import (
    ELIGIBLE_STATUSES,
    PAYABLE,
    PICK_LIST_PRINTED,
    AllocationResult,
    allocate,
    allocate_arriving,
    put_back_picked,
    release_allocations,
    reserve_arriving,
)
from app.orders.models import (
    CARRIERS,
    CHANNELS,
    HOLD_REASONS,
    NUMBER_PREFIX,
    PAYMENT_METHODS,
    Allocation,
    Order,
    OrderHold,
    OrderLine,
)

# an order's plan (its products, tax, the rules' holds) before create_orders() writes it: the shop plans here too
from app.orders.planning import plan as plan
from app.orders.signals import order_placed
from app.orders.vocabulary import HOLD_LABELS, PAYMENT_LABELS, PAYMENT_STATUS_LABELS, STATUS_LABELS
from importers.base import JST


logger = logging.getLogger(__name__)

BEFORE_PICKING = ('new', 'confirmed', 'backordered', 'allocated')
#: statuses an order leaves no more by a clerk's hand (a shipped order only by its return)
FINISHED = ('shipped', 'returned', 'cancelled')


class NotReserved(UserError):
    """create_orders(reserve='all') found a unit missing: nothing was written."""


@dataclasses.dataclass
class CreatedOrders:
    ids: list[int]
    lines: int
    allocation: AllocationResult


def create_orders(channel: str, planned: list[PlannedOrder], *, actor=None, batch_id: int | None = None,
                  locale: str = 'ja', reserve: str = 'eligible',
                  progress: Callable[[int, int], None] | None = None) -> CreatedOrders:
    """The one way orders come into Kura (a mall import, a shop checkout): written with their lines and holds,
    their stock reserved, announced; flush, never commit.

    The stock is reserved before the orders are written, in the same transaction, so that they are
    written allocated (or backordered) rather than written and then updated; their history says so
    (an order.status event from nothing to the status written, insert_orders()).
    ``order_placed`` is sent once per call: the order confirmations listen.

    :param reserve: 'eligible': those confirmed on arrival and paid (or COD) are allocated by the
        rules, oldest first, as an allocation run would; 'all': every unit of every order is reserved,
        whatever its holds or payment (the shop told the customer the units are theirs), or nothing is
        written and NotReserved is raised
    :param locale: the language the customer used (the shop's checkout), stored on the orders: every mail to
        the customer is written in it; mall orders are written to in Japanese
    """
    connection = db.session.connection()
    ids = new_ids(connection, Order.__table__, len(planned))
    line_ids = new_ids(connection, OrderLine.__table__, sum(len(p.record.lines) for p in planned))
    wanted, line_id = {}, iter(line_ids)
    for order_id, p in zip(ids, planned, strict=True):
        lines = [(next(line_id), product_id, line.quantity) for line, product_id in zip(p.record.lines, p.product_ids)]
        wanted[order_id] = [line for line in lines if line[1] is not None]
    if reserve == 'all':
        reserved = reserve_arriving(ids, wanted, actor=actor)
        if reserved is None:
            raise NotReserved(_l('Not enough stock to reserve every unit of the order.'))
        allocation_columns = reserved
        statuses = {order_id: 'allocated' for order_id, p in zip(ids, planned) if arrival_status(p) == 'confirmed'}
        result = AllocationResult(allocated_orders=len(statuses))
    elif reserve == 'eligible':
        turn = sorted((p.record.ordered_at, order_id, p.record.channel) for order_id, p in zip(ids, planned)
                      if arrival_status(p) == 'confirmed' and payment_status_for(p.record.payment_method) in PAYABLE)
        # priority (0 for every arriving order), then the time ordered, then the id: allocate()'s order
        result, allocation_columns, statuses = allocate_arriving(
            [(order_id, order_channel) for _, order_id, order_channel in turn], wanted, actor=actor)
    else:
        raise ValueError(f'reserve={reserve!r}')
    result.waiting_on_hold = sum(1 for p in planned if p.holds)
    lines = insert_orders(channel, planned, ids=ids, line_ids=line_ids, statuses=statuses, batch_id=batch_id,
                          actor=actor, locale=locale, progress=progress)
    insert_columns(connection, Allocation.__table__, allocation_columns)
    if ids:
        order_placed.send(channel, order_ids=ids, actor=actor, locale=locale)
    return CreatedOrders(ids, lines, result)


def lock_order(order: Order) -> Order:
    """Lock the order's row for this transaction and read its state afresh.

    Every change of an order starts here, so two clerks (or a clerk and the allocation run)
    never change the same order at once on PostgreSQL; SQLite has one writer at a time anyway.
    """
    return locked_order(order.id)


def locked_order(order_id: int) -> Order | None:
    """The order with this id, its row locked for this transaction and read afresh (lock_order() by id).

    For a change that starts from a number typed or scanned: the order is read and locked at once.
    """
    return db.session.execute(sa.select(Order).where(Order.id == order_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one_or_none()


def transition(order: Order, to: str, *, actor, why: str = '') -> None:
    """Move an order to status `to`, or refuse with the reason."""
    lock_order(order)
    if to not in TRANSITIONS[order.status]:
        raise UserError(_l('Order %(number)s is %(status)s: it cannot become %(to)s.', number=order.number,
                           status=STATUS_LABELS[order.status], to=STATUS_LABELS.get(to, to)))
    before = order.status
    order.status = to
    record_audit(actor, 'order.status', order, before={'status': before}, after={'status': to}, note=why)
    db.session.flush()


def confirm(order: Order, *, actor, why: str = '') -> None:
    """A clerk (or the last released hold) clears a new order to be allocated."""
    lock_order(order)
    if order.status != 'new':
        raise UserError(_l('Order %(number)s is %(status)s: only a new order can be confirmed.',
                           number=order.number, status=STATUS_LABELS[order.status]))
    if order.open_holds:
        raise UserError(_l('Order %(number)s still has holds: %(holds)s. Release them first.', number=order.number,
                           holds=', '.join(str(HOLD_LABELS[h.reason]) for h in order.open_holds)))
    transition(order, 'confirmed', actor=actor, why=why)
    _allocate(order, actor)


def _allocate(order: Order, actor) -> None:
    allocate(order_ids=[order.id], actor=actor)


def add_hold(order: Order, reason: str, *, actor, note: str = '') -> OrderHold:
    """Hold an order; stock it had reserved goes back to other orders until the hold is released."""
    if reason not in HOLD_REASONS:
        raise UserError(_l('Unknown hold reason "%(reason)s".', reason=reason), field='reason')
    if reason == 'manual' and not note.strip():
        raise UserError(_l('A manual hold needs a note saying why.'), field='note')
    lock_order(order)
    if order.status not in BEFORE_PICKING:
        raise UserError(_l('Order %(number)s is %(status)s: it can no longer be held.', number=order.number,
                           status=STATUS_LABELS[order.status]))
    hold = OrderHold(order=order, reason=reason, note=note.strip(), created_by=actor)
    db.session.add(hold)
    record_audit(actor, 'order.hold_added', order, after={'hold': reason}, note=note)
    if order.status != 'new':
        release_allocations(order, actor=actor)
        transition(order, 'new', actor=actor, why=str(_l('held: %(reason)s', reason=HOLD_LABELS[reason])))
    db.session.flush()
    return hold


def hold_for_lost_stock(orders: list[Order], losses: list[StockChange], *, actor, note: str) -> None:
    """Stock promised to these orders is not on the shelf (a count found less): hold each as out of stock.

    The orders' units are given back in the same change of stock that takes the lost units out of
    on hand, and the holds are on before it, so the units given back are never promised to another
    order (stock_arrived fills backorders from what that change leaves, not from what it gave back).
    """
    orders = [lock_order(order) for order in sorted(orders, key=lambda o: o.id)]
    for order in orders:
        if order.status not in BEFORE_PICKING:
            raise UserError(_l('Order %(number)s is %(status)s: it can no longer be held.', number=order.number,
                               status=STATUS_LABELS[order.status]))
        db.session.add(OrderHold(order=order, reason='out_of_stock', note=note, created_by=actor))
        record_audit(actor, 'order.hold_added', order, after={'hold': 'out_of_stock'}, note=note)
    db.session.flush()
    ids = [order.id for order in orders]
    rows = db.session.scalars(sa.select(Allocation).where(Allocation.order_id.in_(ids))).all() if ids else []
    totals = {}
    for row in rows:
        totals[(row.product_id, row.location_id)] = totals.get((row.product_id, row.location_id), 0) - row.quantity
    given_back = [StockChange(product, location, allocated_delta=units)
                  for (product, location), units in totals.items()]
    apply_stock_changes(given_back + list(losses), actor=actor)
    if ids:
        db.session.execute(sa.delete(Allocation).where(Allocation.order_id.in_(ids)))
    for order in orders:
        if order.status != 'new':
            transition(order, 'new', actor=actor, why=str(_l('held: %(reason)s', reason=HOLD_LABELS['out_of_stock'])))
    db.session.flush()


def release_hold(hold: OrderHold, *, actor, note: str = '') -> None:
    """Release one hold; when it was the last, a new order is confirmed and allocated by itself."""
    lock_order(hold.order)
    db.session.refresh(hold)
    if hold.released_at is not None:
        raise UserError(_l('This hold was already released.'))
    hold.released_at, hold.released_by, hold.release_note = utcnow(), actor, note
    order = hold.order
    record_audit(actor, 'order.hold_released', order, before={'hold': hold.reason}, note=note)
    db.session.flush()
    if order.status == 'new' and not order.open_holds:
        confirm(order, actor=actor, why=str(_l('last hold released')))


def release_holds(order: Order, reason: str, *, actor, note: str = '') -> int:
    """Release the open holds of one reason (a rule's condition went away)."""
    held = [h for h in order.open_holds if h.reason == reason]
    for hold in held:
        release_hold(hold, actor=actor, note=note)
    return len(held)


def set_amount_due(order: Order, amount: int, *, actor) -> None:
    """Set what the customer owes after points and coupons, as the mall's order screen shows it: what a courier
    collects on cash on delivery when the mall's file did not say."""
    lock_order(order)
    if order.status in FINISHED:
        raise UserError(_l('Order %(number)s is %(status)s: its amount due can no longer be changed.',
                           number=order.number, status=STATUS_LABELS[order.status]))
    if amount is None or amount < 0:
        raise UserError(_l('The amount due is 0 yen or more.'), field='amount_due')
    before = order.amount_due
    order.amount_due = amount
    record_audit(actor, 'order.amount_due', order, before={'amount_due': before}, after={'amount_due': amount})
    db.session.flush()


def mark_paid(order: Order, *, amount: int, paid_on: dt.date, actor) -> None:
    """The money for a bank-transfer or konbini order arrived: record it and release the payment hold."""
    lock_order(order)
    if order.payment_status not in ('unpaid', 'cod'):
        raise UserError(_l('Order %(number)s is %(status)s already.', number=order.number,
                           status=PAYMENT_STATUS_LABELS[order.payment_status]))
    if amount is None or amount <= 0:
        raise UserError(_l('The amount received must be more than 0 yen.'), field='amount')
    before = order.payment_status
    order.payment_status, order.paid_amount, order.paid_on = 'paid', amount, paid_on
    note = ''
    billed = order.billed  # after points and coupons, when the mall's file said
    if amount != billed:
        note = str(_l('received %(amount)s yen for a total of %(total)s yen', amount=f'{amount:,}',
                      total=f'{billed:,}'))
    record_audit(actor, 'order.payment', order, before={'payment_status': before},
                 after={'payment_status': 'paid', 'amount': amount, 'paid_on': paid_on.isoformat()}, note=note)
    db.session.flush()
    release_holds(order, 'payment_pending', actor=actor, note=str(_l('paid')))
    if order.status in ELIGIBLE_STATUSES:
        _allocate(order, actor)


def set_payment_refunded(order: Order, *, amount: int, refunded_total: int, method: str, on: dt.date, actor,
                         note: str = '') -> None:
    """Money went back to the customer (a return's refund); the order is refunded once the whole bill went back."""
    lock_order(order)
    before = order.payment_status
    if refunded_total >= order.billed:
        order.payment_status = 'refunded'
    record_audit(actor, 'order.refund', order, before={'payment_status': before},
                 after={'payment_status': order.payment_status, 'amount': amount, 'refunded': refunded_total,
                        'method': method, 'on': on.isoformat()}, note=note)
    db.session.flush()


def allocate_order(order: Order, *, actor):
    """Allocate one order now (a clerk's "Allocate now"), or refuse with why it is not ready.

    The one check for the order page and the bulk action.  An unpaid order passes it and is left
    as it is by allocate(), as by every allocation run.
    """
    lock_order(order)
    if order.status not in ELIGIBLE_STATUSES or order.open_holds:
        raise UserError(_l('Order %(number)s is not ready to allocate (status %(status)s, %(n)d holds).',
                           number=order.number, status=STATUS_LABELS[order.status], n=len(order.open_holds)))
    return allocate(order_ids=[order.id], actor=actor)


def cancel_puts_back(order: Order) -> bool:
    """Whether cancelling the order now sends its units to the put-back area (its pick list is printed)."""
    return order.status in PICK_LIST_PRINTED


def cancel(order: Order, *, actor, why: str) -> int:
    """Cancel an order that has not shipped; its reserved stock goes back.  Returns the units released.

    Once its pick list is printed the units go back by a put-back task (see put_back_picked): until
    someone scans them onto a shelf they are not available to other orders.
    """
    if not (why or '').strip():
        raise UserError(_l('A cancellation needs a reason.'), field='why')
    lock_order(order)
    if order.status in FINISHED:
        raise UserError(_l('Order %(number)s is %(status)s: it cannot be cancelled.', number=order.number,
                           status=STATUS_LABELS[order.status]))
    if order.status in PICK_LIST_PRINTED:
        units = put_back_picked(order, actor=actor, why=why)
    else:
        units = release_allocations(order, actor=actor)
    # a cancelled order leaves its parcel; the orders it carried go on as parcels of their own
    if order.combined_into_id is not None:
        order.combined_into_id = None
    for carried in combined_orders(order):
        carried.combined_into_id = None
        record_audit(actor, 'order.uncombined', carried, before={'into': order.number}, note=why)
    transition(order, 'cancelled', actor=actor, why=why)
    return units


def add_note(order: Order, note: str, *, actor) -> None:
    """A clerk's note on the order's timeline."""
    if not (note or '').strip():
        raise UserError(_l('The note is empty.'), field='note')
    record_audit(actor, 'order.note', order, note=note.strip())
    db.session.flush()


def set_carrier(order: Order, carrier: str | None, *, actor) -> None:
    """Send this order with another carrier than the shop's default (None: the default again)."""
    lock_order(order)
    if carrier is not None and carrier not in CARRIERS:
        raise UserError(_l('Unknown carrier "%(carrier)s".', carrier=carrier), field='carrier')
    if order.status not in BEFORE_PICKING:
        raise UserError(_l('Order %(number)s is %(status)s: its carrier can no longer change.', number=order.number,
                           status=STATUS_LABELS[order.status]))
    before = order.carrier
    order.carrier = carrier
    record_audit(actor, 'order.carrier', order, before={'carrier': before}, after={'carrier': carrier})
    db.session.flush()


def set_priority(order: Order, priority: int, *, actor) -> None:
    lock_order(order)
    before = order.priority
    order.priority = priority
    record_audit(actor, 'order.priority', order, before={'priority': before}, after={'priority': priority})
    db.session.flush()


SHIP_TO_FIELDS = ('ship_name', 'ship_kana', 'ship_postal_code', 'ship_prefecture', 'ship_city', 'ship_address1',
                  'ship_address2', 'ship_phone')


def update_ship_to(order: Order, values: dict, *, actor) -> None:
    """Correct the address; the postal code is checked again and the address hold follows the result."""
    lock_order(order)
    if order.status not in BEFORE_PICKING:
        raise UserError(_l('Order %(number)s is %(status)s: its address can no longer change.', number=order.number,
                           status=STATUS_LABELS[order.status]))
    from importers.orders.normalize import phone, postal_code

    try:
        values = {**values, 'ship_postal_code': postal_code(values['ship_postal_code']),
                  'ship_phone': phone(values.get('ship_phone', ''))}
    except ValueError as exc:
        raise UserError(str(exc), field='ship_postal_code') from None
    if not values.get('ship_name', '').strip():
        raise UserError(_l('The name is required.'), field='ship_name')
    before = {f: getattr(order, f) for f in SHIP_TO_FIELDS}
    for field in SHIP_TO_FIELDS:
        setattr(order, field, (values.get(field) or '').strip())
    after = {f: getattr(order, f) for f in SHIP_TO_FIELDS}
    changed = [f for f in SHIP_TO_FIELDS if before[f] != after[f]]
    if not changed:
        return
    record_audit(actor, 'order.ship_to', order, before={f: before[f] for f in changed},
                 after={f: after[f] for f in changed})
    db.session.flush()
    problem = address_problem(order.ship_postal_code, order.ship_prefecture, order.ship_city, order.ship_address1)
    open_check = [h for h in order.open_holds if h.reason == 'address_check']
    if problem and not open_check:
        add_hold(order, 'address_check', actor=actor, note=problem)
    elif not problem and open_check:
        release_holds(order, 'address_check', actor=actor, note=str(_l('address corrected')))


def send_again(order: Order, values: dict, *, actor, why: str = '') -> None:
    """The order's parcel came back (refused, undeliverable) and its units are back in stock: the same order goes
    to the corrected address `values` (SHIP_TO_FIELDS) in a new parcel, through allocation, picking and packing.

    It starts again as `new` outside its old pick batch; with its address checked it is confirmed and allocated
    at once, unless a hold (an address still in doubt) keeps it.  The earlier parcel stays as it was."""
    lock_order(order)
    if order.status != 'returned':
        raise UserError(_l('Order %(number)s is %(status)s: only an order whose parcel came back can be sent again.',
                           number=order.number, status=STATUS_LABELS[order.status]))
    if order.payment_status == 'refunded':
        raise UserError(_l('Order %(number)s was refunded: it cannot be sent again.', number=order.number))
    combined = db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.combined_into_id == order.id))
    if order.combined_into_id or combined:
        raise UserError(_l('Order %(number)s left in a combined parcel: send its orders again one by one.',
                           number=order.number))
    batch = order.pick_batch_id
    transition(order, 'new', actor=actor, why=why)
    order.pick_batch_id = None
    record_audit(actor, 'order.sent_again', order, before={'pick_batch_id': batch}, note=why)
    update_ship_to(order, values, actor=actor)
    if not order.open_holds:
        confirm(order, actor=actor, why=why)


#: the most units one line may ask for: a typo's extra zeros are caught, a real wholesale order is not
MAX_LINE_QUANTITY = 9999


def change_lines(order: Order, quantities: dict[int, int | None], *, add: tuple[Product, int | None] | None = None,
                 actor) -> int:
    """Change an order's lines before it is picked: quantities by line id (0 removes the line), and a product to add.

    The order's reserved stock is given back and reserved again for the lines as they now are, by the
    rules of an allocation run; the total (and the amount due, when known) follows the lines.  Each
    change is on the order's history with its old and new value.  Once picking started, refused: the
    floor has the units in hand (split or cancel the order instead).
    :return: the number of lines changed, added or removed
    """
    lock_order(order)
    if order.status not in BEFORE_PICKING:
        raise UserError(_l('Order %(number)s is %(status)s: its lines can no longer change, the units are being '
                           'picked or have left. Split or cancel the order instead.', number=order.number,
                           status=STATUS_LABELS[order.status]))
    lines = list(order.lines)
    for line in lines:
        quantity = quantities.get(line.id, line.quantity)
        if quantity is None or not 0 <= quantity <= MAX_LINE_QUANTITY:
            raise UserError(_l('Line %(n)d: the quantity must be a whole number from 0 (remove the line) to '
                               '%(most)d.', n=line.line_no, most=MAX_LINE_QUANTITY), field=f'qty-{line.id}')
    if add is not None:
        product, quantity = add
        if not product.active:
            raise UserError(_l('%(sku)s %(name)s is no longer sold.', sku=product.sku, name=product.name),
                            field='add_code')
        if quantity is None or not 1 <= quantity <= MAX_LINE_QUANTITY:
            raise UserError(_l('The quantity to add must be a whole number from 1 to %(most)d.',
                               most=MAX_LINE_QUANTITY), field='add_quantity')
    changed = [(line, quantities[line.id]) for line in lines
               if line.id in quantities and quantities[line.id] != line.quantity]
    if add is None and not changed:
        return 0
    if add is None and all(quantities.get(line.id, line.quantity) == 0 for line in lines):
        raise UserError(_l('Order %(number)s would have no lines left: cancel it instead.', number=order.number))
    release_allocations(order, actor=actor)
    total_before, delta = order.total, 0
    for line, quantity in changed:
        code = line.product.sku if line.product else line.item_code
        delta += (quantity - line.quantity) * line.unit_price
        if quantity == 0:
            record_audit(actor, 'order.line_removed', order,
                         before={'line': line.line_no, 'sku': code, 'quantity': line.quantity})
            order.lines.remove(line)
        else:
            record_audit(actor, 'order.line_quantity', order,
                         before={'line': line.line_no, 'sku': code, 'quantity': line.quantity},
                         after={'quantity': quantity})
            line.quantity = quantity
    if add is not None:
        product, quantity = add
        line_no = max((line.line_no for line in lines), default=0) + 1
        order.lines.append(OrderLine(line_no=line_no, product_id=product.id, item_code=product.sku,
                                     jan=product.jan or '', name=product.name, quantity=quantity,
                                     unit_price=product.price, tax_rate=product.tax_rate))
        record_audit(actor, 'order.line_added', order,
                     after={'line': line_no, 'sku': product.sku, 'quantity': quantity, 'unit_price': product.price})
        delta += quantity * product.price
    if delta:
        order.total += delta
        after = {'total': order.total}
        before = {'total': total_before}
        if order.amount_due is not None:
            before['amount_due'], after['amount_due'] = order.amount_due, order.amount_due + delta
            order.amount_due += delta
        record_audit(actor, 'order.total', order, before=before, after=after)
    db.session.flush()
    db.session.expire(order, ['lines'])
    # the stock follows the lines: the order queues for its units again, as an allocation run would serve it
    if order.status in ('allocated', 'backordered'):
        transition(order, 'confirmed', actor=actor, why=str(_l('lines changed')))
    if order.status in ELIGIBLE_STATUSES and not order.open_holds:
        _allocate(order, actor)
    if not any(line.product_id is None for line in order.lines):
        # the last released hold confirms and allocates the order by itself
        release_holds(order, 'unknown_sku', actor=actor, note=str(_l('lines changed')))
    return len(changed) + (add is not None)


def update_delivery_and_payment(order: Order, *, delivery_date: dt.date | None, delivery_time_slot: str,
                                payment_method: str, shipping_fee: int, cod_fee: int, actor) -> int:
    """Change the delivery wish, the payment method or the fees of an order not yet picked.

    The total (and the amount due, when known) follows the fees; the payment status follows the method as
    on arrival, and the manager's rules put on or take off their holds as they would on an arriving order
    (payment pending, delivery date far ahead, COD over the limit).  Each change is on the order's history
    with its old and new value.  Once picking started, refused: the parcel is being made (split or cancel
    the order instead).
    :return: the number of things changed
    """
    from app.settings.services import order_rules, shop_settings

    lock_order(order)
    if order.status not in BEFORE_PICKING:
        raise UserError(_l('Order %(number)s is %(status)s: its delivery, payment and fees can no longer change, '
                           'the parcel is being made or has left. Split or cancel the order instead.',
                           number=order.number, status=STATUS_LABELS[order.status]))
    if payment_method not in PAYMENT_METHODS:
        raise UserError(_l('Choose a payment method.'), field='payment_method')
    for name, fee in (('shipping_fee', shipping_fee), ('cod_fee', cod_fee)):
        if fee is None or fee < 0:
            raise UserError(_l('A fee is 0 yen or more.'), field=name)
    slot = (delivery_time_slot or '').strip()
    # a mall's own wording of a slot stays as it came; a new one is one the shop offers
    if slot and slot != order.delivery_time_slot and slot not in shop_settings().time_slots:
        raise UserError(_l('Choose one of the time slots the shop offers.'), field='delivery_time_slot')
    if payment_method != order.payment_method and order.paid_on is not None:
        raise UserError(_l('Order %(number)s was paid on %(day)s: its payment method can no longer change.',
                           number=order.number, day=order.paid_on.isoformat()), field='payment_method')
    changes = 0
    delivery_changed = delivery_date != order.delivery_date
    if (delivery_date, slot) != (order.delivery_date, order.delivery_time_slot):
        record_audit(actor, 'order.delivery', order,
                     before={'delivery_date': order.delivery_date and order.delivery_date.isoformat(),
                             'delivery_time_slot': order.delivery_time_slot},
                     after={'delivery_date': delivery_date and delivery_date.isoformat(), 'delivery_time_slot': slot})
        order.delivery_date, order.delivery_time_slot = delivery_date, slot
        changes += 1
    method_changed = payment_method != order.payment_method
    if method_changed:
        status = payment_status_for(payment_method)
        record_audit(actor, 'order.payment_method', order,
                     before={'payment_method': order.payment_method, 'payment_status': order.payment_status},
                     after={'payment_method': payment_method, 'payment_status': status})
        order.payment_method, order.payment_status = payment_method, status
        changes += 1
    fees_changed = (shipping_fee, cod_fee) != (order.shipping_fee, order.cod_fee)
    if fees_changed:
        record_audit(actor, 'order.fees', order,
                     before={'shipping_fee': order.shipping_fee, 'cod_fee': order.cod_fee},
                     after={'shipping_fee': shipping_fee, 'cod_fee': cod_fee})
        delta = shipping_fee + cod_fee - order.shipping_fee - order.cod_fee
        order.shipping_fee, order.cod_fee = shipping_fee, cod_fee
        changes += 1
        if delta:
            before, after = {'total': order.total}, {'total': order.total + delta}
            order.total += delta
            if order.amount_due is not None:
                before['amount_due'], after['amount_due'] = order.amount_due, order.amount_due + delta
                order.amount_due += delta
            record_audit(actor, 'order.total', order, before=before, after=after)
    if not changes:
        return 0
    db.session.flush()
    rules = order_rules()
    wanted = {}
    if method_changed:
        wanted['payment_pending'] = (rules.hold_payment_pending and order.payment_status == 'unpaid' and str(
            _l('Waiting for the payment (%(method)s).', method=PAYMENT_LABELS[order.payment_method])))
    if method_changed or fees_changed:
        collect = order.billed
        wanted['cod_over_limit'] = (rules.hold_cod_over and order.payment_method == 'cod'
                                    and collect > rules.hold_cod_over and str(
            _l('Cash on delivery of %(total)s yen, above %(limit)s yen.', total=f'{collect:,}',
               limit=f'{rules.hold_cod_over:,}')))
    if delivery_changed:
        days, today = rules.hold_delivery_days, dt.datetime.now(JST).date()
        wanted['delivery_date_far'] = (days and delivery_date and (delivery_date - today).days > days
                                       and str(_l('Delivery requested for %(date)s, more than %(days)d days ahead.',
                                                  date=delivery_date.isoformat(), days=days)))
    # holds first: a hold released while another is put on would confirm and allocate the order for nothing
    for reason, note in wanted.items():
        if note and not any(h.reason == reason for h in order.open_holds):
            add_hold(order, reason, actor=actor, note=note)
    for reason, note in wanted.items():
        if not note:
            release_holds(order, reason, actor=actor, note=str(_l('changed by hand')))
    return changes


BUYER_FIELDS = ('buyer_name', 'buyer_kana', 'buyer_email', 'buyer_phone')


def update_buyer(order: Order, values: dict, *, actor) -> None:
    """Correct the buyer's name, kana, e-mail or phone (what the e-mails and the 同梱 check use)."""
    from importers.orders.normalize import phone

    lock_order(order)
    email = (values.get('buyer_email') or '').strip()
    if email:
        clean_email(email, field='buyer_email')
    try:
        values = {**values, 'buyer_email': email, 'buyer_phone': phone(values.get('buyer_phone') or '')}
    except ValueError as exc:
        raise UserError(str(exc), field='buyer_phone') from None
    before = {f: getattr(order, f) for f in BUYER_FIELDS}
    for field in BUYER_FIELDS:
        setattr(order, field, (values.get(field) or '').strip())
    changed = [f for f in BUYER_FIELDS if before[f] != getattr(order, f)]
    if changed:
        record_audit(actor, 'order.buyer', order, before={f: before[f] for f in changed},
                     after={f: getattr(order, f) for f in changed})
    db.session.flush()


def map_item_code(channel: str, item_code: str, product: Product, *, actor) -> tuple[int, int]:
    """Remember that `channel`'s `item_code` is `product`, and fix every order waiting on it.

    Lines with that code get the product; an order whose lines are then all known has its
    unknown-SKU hold released.
    :return: (lines updated, orders released)
    """
    if channel not in CHANNELS:
        raise UserError(_l('Unknown channel "%(channel)s".', channel=channel), field='channel')
    item_code = item_code.strip()
    if not item_code:
        raise UserError(_l('The item code is required.'), field='item_code')
    mapping = db.session.scalar(sa.select(ChannelSku).where(ChannelSku.channel == channel,
                                                            ChannelSku.item_code == item_code))
    if mapping is None:
        mapping = ChannelSku(channel=channel, item_code=item_code, product=product, created_by_id=actor and actor.id)
        db.session.add(mapping)
    else:
        mapping.product = product
    waiting_orders = sa.select(Order.id).where(Order.channel == channel)
    lines = db.session.execute(
        sa.update(OrderLine)
        .where(OrderLine.item_code == item_code, OrderLine.product_id.is_(None),
               OrderLine.order_id.in_(waiting_orders))
        .values(product_id=product.id,
                # a line that had no rate in its file was taxed at the standard rate as a guess: now the product's
                tax_rate=sa.case((OrderLine.tax_rate_assumed, product.tax_rate), else_=OrderLine.tax_rate),
                unit_price=sa.case(
                    (OrderLine.tax_rate_assumed & OrderLine.price_excluding_tax.is_not(None),
                     OrderLine.price_excluding_tax * (100 + product.tax_rate) // 100),
                    else_=OrderLine.unit_price),
                tax_rate_assumed=False)
        .returning(OrderLine.order_id)).scalars().all()
    released = 0
    note = str(_l('%(channel)s item code %(code)s is mapped to SKU %(sku)s.', channel=channel, code=item_code,
                  sku=product.sku))
    for hold in db.session.scalars(
            sa.select(OrderHold).where(OrderHold.order_id.in_(set(lines)), OrderHold.reason == 'unknown_sku',
                                       OrderHold.released_at.is_(None))):
        still_unknown = db.session.scalar(sa.select(sa.func.count(OrderLine.id)).where(
            OrderLine.order_id == hold.order_id, OrderLine.product_id.is_(None)))
        if still_unknown == 0:
            release_hold(hold, actor=actor, note=note)
            released += 1
    db.session.flush()
    logger.info('%s item code %r mapped to %s by %r: %d lines, %d orders released', channel, item_code,
                product.sku, actor, len(lines), released)
    return len(lines), released


# ---------------------------------------------------------------------------------------------- 同梱 and split


def combine_key(order: Order) -> tuple:
    """Orders with the same key go to the same person at the same address, bought by the same buyer."""
    buyer = order.buyer_email.lower() if order.buyer_email else f'{order.buyer_name}|{order.buyer_phone}'
    return (order.channel != 'amazon', buyer, order.ship_postal_code, order.ship_prefecture, order.ship_city,
            order.ship_address1, order.ship_address2, order.ship_name)


def combine_candidates(order: Order) -> list[Order]:
    """Other orders that could travel in this order's parcel: same buyer, same ship-to, not yet picking."""
    if order.status not in BEFORE_PICKING or order.combined_into_id is not None:
        return []
    same = db.session.scalars(sa.select(Order).where(
        Order.id != order.id, Order.status.in_(BEFORE_PICKING), Order.combined_into_id.is_(None),
        Order.ship_postal_code == order.ship_postal_code, Order.ship_address1 == order.ship_address1,
        Order.ship_name == order.ship_name).order_by(Order.ordered_at, Order.id)).all()
    key = combine_key(order)
    return [o for o in same if combine_key(o) == key]


def combined_orders(order: Order) -> list[Order]:
    """The orders travelling in this order's parcel."""
    return db.session.scalars(sa.select(Order).where(Order.combined_into_id == order.id).order_by(Order.id)).all()


def combine(orders: list[Order], *, actor) -> Order:
    """Send several orders of one buyer to one address in one parcel; the oldest carries the others.

    Amazon orders are never combined: Amazon wants each of its orders confirmed with its own parcel.
    """
    orders = sorted({o.id: o for o in orders}.values(), key=lambda o: (o.ordered_at, o.id))
    if len(orders) < 2:
        raise UserError(_l('Choose at least two orders to combine.'))
    for order in orders:
        lock_order(order)
        if order.status not in BEFORE_PICKING:
            raise UserError(_l('Order %(number)s is %(status)s: it can no longer be combined.', number=order.number,
                               status=STATUS_LABELS[order.status]))
        if order.combined_into_id is not None:
            raise UserError(_l('Order %(number)s is already combined into another order.', number=order.number))
        if order.channel == 'amazon':
            raise UserError(_l('Order %(number)s is an Amazon order: Amazon orders ship on their own.',
                               number=order.number))
    keys = {combine_key(o) for o in orders}
    if len(keys) > 1:
        raise UserError(_l('These orders do not go from the same buyer to the same address.'))
    carrier, others = orders[0], orders[1:]
    for order in others:
        for child in combined_orders(order):  # a parcel that already carried orders joins as a whole
            child.combined_into_id = carrier.id
        order.combined_into_id = carrier.id
        record_audit(actor, 'order.combined', order, after={'into': carrier.number})
    record_audit(actor, 'order.combined', carrier, after={'carries': [o.number for o in others]})
    db.session.flush()
    return carrier


def uncombine(order: Order, *, actor) -> None:
    """Take an order out of the parcel it travels in (or empty the parcel it carries)."""
    lock_order(order)
    if order.status not in BEFORE_PICKING:
        raise UserError(_l('Order %(number)s is %(status)s: its parcel can no longer change.', number=order.number,
                           status=STATUS_LABELS[order.status]))
    leaving = [order] if order.combined_into_id is not None else combined_orders(order)
    if not leaving:
        raise UserError(_l('Order %(number)s is not combined with another order.', number=order.number))
    for child in leaving:
        carrier_id = child.combined_into_id
        child.combined_into_id = None
        record_audit(actor, 'order.uncombined', child, before={'into': f'{NUMBER_PREFIX}{carrier_id:08d}'})
    db.session.flush()


def auto_combine(order_ids: list[int], *, actor=None) -> int:
    """The setting's automatic 同梱: each new order joins the parcel of an earlier one for the same person."""
    combined = 0
    for order in db.session.scalars(sa.select(Order).where(in_ids(Order.id, order_ids, db.session.get_bind().dialect))
                                    .order_by(Order.id)):
        if order.combined_into_id is not None or order.channel == 'amazon':
            continue
        candidates = [c for c in combine_candidates(order) if c.channel != 'amazon']
        if candidates:
            combine([order, *candidates], actor=actor)
            combined += 1
    return combined


def split(order: Order, moves: dict[int, int], *, actor) -> Order:
    """Move units of some lines to a second shipment, to send what is in stock now and the rest later.

    :param moves: order line id -> units to move to the new shipment
    :return: the new order; it keeps the mall's order id and points back to this one
    """
    lock_order(order)
    if order.status not in BEFORE_PICKING:
        raise UserError(_l('Order %(number)s is %(status)s: it can no longer be split.', number=order.number,
                           status=STATUS_LABELS[order.status]))
    lines = {line.id: line for line in order.lines}
    moves = {line_id: units for line_id, units in moves.items() if units}
    for line_id, units in moves.items():
        if line_id not in lines or not 0 < units <= lines[line_id].quantity:
            raise UserError(_l('Move between 1 and the ordered quantity of a line of this order.'), field='moves')
    if not moves or sum(moves.values()) == sum(line.quantity for line in order.lines):
        raise UserError(_l('Move some of the units, not none and not all of them.'), field='moves')
    release_allocations(order, actor=actor)
    if order.status in ('allocated', 'backordered'):
        transition(order, 'confirmed', actor=actor, why=str(_l('split')))
    copied = {c.name: getattr(order, c.name) for c in Order.__table__.columns
              if c.name not in ('id', 'created_at', 'updated_at', 'combined_into_id', 'paid_amount', 'paid_on')}
    part = Order(**{**copied, 'split_from_id': order.split_from_id or order.id, 'shipping_fee': 0, 'cod_fee': 0,
                    'total': 0})
    db.session.add(part)
    db.session.flush()
    for number, (line_id, units) in enumerate(sorted(moves.items()), start=1):
        line = lines[line_id]
        part.lines.append(OrderLine(line_no=number, channel_line_id=line.channel_line_id, product_id=line.product_id,
                                    item_code=line.item_code, jan=line.jan, name=line.name,
                                    option_text=line.option_text, quantity=units, unit_price=line.unit_price,
                                    tax_rate=line.tax_rate, tax_rate_assumed=line.tax_rate_assumed,
                                    price_excluding_tax=line.price_excluding_tax))
        if units == line.quantity:
            db.session.delete(line)
        else:
            line.quantity -= units
    moved = sum(lines[i].unit_price * u for i, u in moves.items())
    # the fees stay with the first shipment; each part's total is what its own goods cost
    part.total, order.total = moved, order.total - moved
    if order.amount_due is not None:
        # so do the points and coupons: the part collects its goods, the first shipment the rest of the bill
        part.amount_due = min(moved, order.amount_due)
        order.amount_due -= part.amount_due
    else:
        part.amount_due = None
    for hold in order.open_holds:
        part.holds.append(OrderHold(reason=hold.reason, note=hold.note, created_by=actor))
    db.session.flush()
    db.session.expire(order, ['lines'])
    record_audit(actor, 'order.split', order, after={'part': part.number, 'units': sum(moves.values())})
    record_audit(actor, 'order.split', part, before={'from': order.number})
    allocate(order_ids=[order.id, part.id], actor=actor)
    return part


def split_to_ship_to(order: Order, moves: dict[int, int], values: dict, *, actor) -> Order:
    """Send units of some lines to another address (複数送付先): they become an order of their own to `values`.

    A split (see split()) whose part gets the address, checked as an address edit is; an order to three
    addresses is split twice.  The fees stay with this order: the part's are changed on its own page.
    :param values: the part's SHIP_TO_FIELDS
    :return: the new order
    """
    part = split(order, moves, actor=actor)
    update_ship_to(part, values, actor=actor)
    return part


# ------------------------------------------------------------------------------------------- what may be done


@dataclasses.dataclass(frozen=True)
class OrderActions:
    """What the order page offers for an order as it stands; the functions above refuse the rest anyway."""

    confirm: bool
    allocate: bool
    #: carrier, hold, combine, split: the parcel is not being picked yet
    change_parcel: bool
    #: lines added, removed, their quantities changed; delivery wish, payment method and fees: before picking
    change_lines: bool
    split: bool
    record_payment: bool
    amount_due: bool
    cancel: bool


def order_actions(order: Order) -> OrderActions:
    unfinished = order.status not in FINISHED
    before_picking = order.status in BEFORE_PICKING
    return OrderActions(
        confirm=order.status == 'new' and not order.open_holds,
        allocate=order.status in ELIGIBLE_STATUSES and not order.open_holds,
        change_parcel=before_picking,
        change_lines=before_picking,
        split=before_picking and sum(line.quantity for line in order.lines) > 1,
        record_payment=order.payment_status == 'unpaid',
        amount_due=order.payment_method == 'cod' and unfinished,
        cancel=unfinished)


BULK_ACTIONS = ('confirm', 'release', 'mark_paid', 'allocate', 'cancel')


def apply_to_orders(action: str, order_ids: list[int], *, actor, paid_on: dt.date, hold_reason: str = '',
                    why: str = '') -> tuple[int, list[tuple[str, str]]]:
    """One of BULK_ACTIONS on many orders, each in its own savepoint: one refusal does not undo the others.

    :param paid_on: the day a 'mark_paid' records (the amount is what each order bills)
    :param hold_reason: the holds a 'release' releases
    :return: how many orders it was done to, and (number, why) for each that refused
    """
    if action not in BULK_ACTIONS:
        raise ValueError(f'unknown bulk action {action!r}')
    done, refused = 0, []
    for order in db.session.scalars(sa.select(Order).where(Order.id.in_(order_ids)).order_by(Order.id)):
        savepoint = db.session.begin_nested()
        try:
            if action == 'confirm':
                confirm(order, actor=actor)
            elif action == 'release':
                if not release_holds(order, hold_reason, actor=actor, note=why):
                    raise UserError(_l('has no open hold of that kind.'))
            elif action == 'mark_paid':
                mark_paid(order, amount=order.billed, paid_on=paid_on, actor=actor)
            elif action == 'allocate':
                allocate_order(order, actor=actor)
            elif action == 'cancel':
                cancel(order, actor=actor, why=why)
        except UserError as exc:
            savepoint.rollback()
            refused.append((order.number, str(exc)))
        else:
            savepoint.commit()
            done += 1
    return done, refused
