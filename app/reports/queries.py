"""The figures of one JST day."""
import datetime as dt

import sqlalchemy as sa

from app.extensions import db
from app.fulfilment.models import MIS_SCANS, ScanEvent, Shipment
from app.orders.models import Order, OrderHold
from importers.base import JST


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=JST)
    return start, start + dt.timedelta(days=1)


def the_day(day: dt.date) -> dict:
    start, end = day_bounds(day)
    orders_in = dict(db.session.execute(sa.select(Order.channel, sa.func.count(Order.id)).where(
        Order.ordered_at >= start, Order.ordered_at < end).group_by(Order.channel)).tuples().all())
    statuses = dict(db.session.execute(sa.select(Order.status, sa.func.count(Order.id)).where(
        Order.status.in_(('new', 'confirmed', 'allocated', 'backordered', 'picking', 'packed')))
        .group_by(Order.status)).tuples().all())
    holds = dict(db.session.execute(sa.select(OrderHold.reason, sa.func.count(sa.distinct(OrderHold.order_id)))
                                    .where(OrderHold.released_at.is_(None)).group_by(OrderHold.reason)).tuples().all())
    held_orders = db.session.scalar(sa.select(sa.func.count(sa.distinct(OrderHold.order_id))).where(
        OrderHold.released_at.is_(None)))
    shipped = dict(db.session.execute(sa.select(Shipment.carrier, sa.func.count(Shipment.id)).where(
        Shipment.shipped_at >= start, Shipment.shipped_at < end).group_by(Shipment.carrier)).tuples().all())
    packed = db.session.scalar(sa.select(sa.func.count(Shipment.id)).where(
        Shipment.packed_at >= start, Shipment.packed_at < end))
    misscans = db.session.scalar(sa.select(sa.func.count(ScanEvent.id)).where(
        ScanEvent.at >= start, ScanEvent.at < end,
        ScanEvent.result.in_(MIS_SCANS)))
    return {'orders_in': orders_in, 'statuses': statuses, 'holds': holds, 'held_orders': held_orders,
            'shipped': shipped, 'packed': packed, 'misscans': misscans}
