"""Reading orders, imports and unmapped item codes for screens and exports."""
import sqlalchemy as sa

from app.orders.models import ImportBatch, Order, OrderHold, OrderLine


ORDER_SORTS = {'number': Order.id, 'ordered_at': Order.ordered_at, 'channel': Order.channel,
               'name': Order.ship_name, 'total': Order.total, 'status': Order.status}
BATCH_SORTS = {'started': ImportBatch.started_at, 'channel': ImportBatch.channel,
               'orders': ImportBatch.orders_created}


def order_search(q: str = '', *, channel: str = '', hold: str = '') -> sa.Select:
    """Orders matching our number, the channel's order id, a name, kana, phone or e-mail."""
    query = sa.select(Order)
    if q:
        by_number = Order.id_from_number(q)
        like = f'%{q}%'
        conditions = [Order.external_order_id == q, Order.ship_name.like(like), Order.buyer_name.like(like),
                      Order.ship_kana.like(like), Order.buyer_kana.like(like), Order.buyer_email.ilike(like),
                      Order.ship_phone == q.replace('-', ''), Order.buyer_phone == q.replace('-', '')]
        if by_number is not None:
            conditions.append(Order.id == by_number)
        query = query.where(sa.or_(*conditions))
    if channel:
        query = query.where(Order.channel == channel)
    if hold:
        query = query.where(Order.id.in_(sa.select(OrderHold.order_id).where(
            OrderHold.reason == hold, OrderHold.released_at.is_(None))))
    return query


def unmapped_item_codes() -> sa.Select:
    """Item codes no product matches yet, per channel, with how many orders and units wait on them."""
    return (sa.select(Order.channel, OrderLine.item_code, sa.func.min(OrderLine.name).label('name'),
                      sa.func.count(sa.distinct(OrderLine.order_id)).label('orders'),
                      sa.func.sum(OrderLine.quantity).label('units'))
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.product_id.is_(None))
            .group_by(Order.channel, OrderLine.item_code)
            .order_by(sa.func.count(sa.distinct(OrderLine.order_id)).desc(), Order.channel, OrderLine.item_code))
