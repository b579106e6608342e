"""Changing orders: holds and item-code mappings (triage and allocation build on these)."""
import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.services import record_audit
from app.catalog.models import ChannelSku, Product
from app.database import utcnow
from app.errors import UserError
from app.extensions import db
from app.orders.models import CHANNELS, Order, OrderHold, OrderLine


logger = logging.getLogger(__name__)


def release_hold(hold: OrderHold, *, actor, note: str = '') -> None:
    """Release one hold; the order waits on its other holds, if any."""
    if hold.released_at is not None:
        raise UserError(_l('This hold was already released.'))
    hold.released_at, hold.released_by, hold.release_note = utcnow(), actor, note
    record_audit(actor, 'order.hold_released', hold.order, before={'hold': hold.reason}, note=note)
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
