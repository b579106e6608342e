"""Every change of an order goes through here: status, payment, holds, address, cancellation, mappings.

Each change is checked against what is allowed, refused with a message that says why, and
written to the audit log (who, when, from, to, why); the timeline of an order is read from it.
Functions flush and never commit.
"""
import datetime as dt
import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.services import record_audit
from app.catalog.models import ChannelSku, Product
from app.database import utcnow
from app.errors import UserError
from app.extensions import db
from app.orders.address import address_problem
from app.orders.models import CHANNELS, HOLD_REASONS, Order, OrderHold, OrderLine
from app.orders.vocabulary import HOLD_LABELS, PAYMENT_STATUS_LABELS, STATUS_LABELS


logger = logging.getLogger(__name__)

#: the order status machine: from -> the statuses it may move to
TRANSITIONS = {
    'new': {'confirmed', 'cancelled'},
    'confirmed': {'allocated', 'backordered', 'new', 'cancelled'},
    'backordered': {'allocated', 'new', 'cancelled'},
    'allocated': {'picking', 'confirmed', 'new', 'cancelled'},
    'picking': {'packed', 'allocated', 'cancelled'},
    'packed': {'shipped', 'picking', 'cancelled'},
    'shipped': {'returned'},
    'cancelled': set(),
    'returned': set(),
}
PAYMENT_TRANSITIONS = {
    'unpaid': {'paid'},
    'paid': {'refunded'},
    'cod': {'paid', 'refunded'},
    'refunded': set(),
}
BEFORE_PICKING = ('new', 'confirmed', 'backordered', 'allocated')


def lock_order(order: Order) -> Order:
    """Lock the order's row for this transaction and read its state afresh.

    Every change of an order starts here, so two clerks (or a clerk and the allocation run)
    never change the same order at once on PostgreSQL; SQLite has one writer at a time anyway.
    """
    return db.session.execute(sa.select(Order).where(Order.id == order.id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


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
    from app.orders.allocation import allocate

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
        from app.orders.allocation import release_allocations

        release_allocations(order, actor=actor)
        transition(order, 'new', actor=actor, why=str(_l('held: %(reason)s', reason=HOLD_LABELS[reason])))
    db.session.flush()
    return hold


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
    if amount != order.total:
        note = str(_l('received %(amount)s yen for a total of %(total)s yen', amount=f'{amount:,}',
                      total=f'{order.total:,}'))
    record_audit(actor, 'order.payment', order, before={'payment_status': before},
                 after={'payment_status': 'paid', 'amount': amount, 'paid_on': paid_on.isoformat()}, note=note)
    db.session.flush()
    release_holds(order, 'payment_pending', actor=actor, note=str(_l('paid')))
    if order.status in ('confirmed', 'backordered'):
        _allocate(order, actor)


def cancel(order: Order, *, actor, why: str) -> int:
    """Cancel an order that has not shipped; its reserved stock goes back.  Returns the units released."""
    if not (why or '').strip():
        raise UserError(_l('A cancellation needs a reason.'), field='why')
    lock_order(order)
    if order.status in ('shipped', 'returned', 'cancelled'):
        raise UserError(_l('Order %(number)s is %(status)s: it cannot be cancelled.', number=order.number,
                           status=STATUS_LABELS[order.status]))
    from app.orders.allocation import release_allocations

    units = release_allocations(order, actor=actor)
    transition(order, 'cancelled', actor=actor, why=why)
    return units


def add_note(order: Order, note: str, *, actor) -> None:
    """A clerk's note on the order's timeline."""
    if not (note or '').strip():
        raise UserError(_l('The note is empty.'), field='note')
    record_audit(actor, 'order.note', order, note=note.strip())
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
    problem = address_problem(order.ship_postal_code, order.ship_prefecture)
    open_check = [h for h in order.open_holds if h.reason == 'address_check']
    if problem and not open_check:
        add_hold(order, 'address_check', actor=actor, note=problem)
    elif not problem and open_check:
        release_holds(order, 'address_check', actor=actor, note=str(_l('address corrected')))


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
        .values(product_id=product.id)
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
