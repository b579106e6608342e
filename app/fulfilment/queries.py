"""Reading the floor's records for reports and the daily shipment report."""
import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from app.accounts.models import User
from app.errors import as_user_errors
from app.extensions import db
from app.fulfilment import services
from app.fulfilment.models import MIS_SCANS, ScanEvent, Shipment
from app.orders.models import Order, OrderLine
from app.orders.queries import TimelineEntry
from app.orders.vocabulary import CARRIER_LABELS, CHANNEL_LABELS
from exporters.base import ExportResult
from exporters.shipments import ParcelRecord, write_daily_shipments
from importers.base import JST


#: scans whose result says all there is (the timeline's line, in the reader's language): their message, written
#: in the packer's language when it was scanned, is not repeated
SAYS_IT_ALL = ('ok', 'order', 'label_ok')


def order_scans(order) -> list[TimelineEntry]:
    """The order's scans at the packing station, as entries of its timeline."""
    return [TimelineEntry(e.at, e.user, 'order.scan', None, {'result': e.result, 'code': e.code, 'station': e.station},
                          '' if e.result in SAYS_IT_ALL else e.message)
            for e in db.session.scalars(sa.select(ScanEvent).where(ScanEvent.order_id == order.id)
                                        .order_by(ScanEvent.id))]


def misscans_by_packer_and_day(days: int = 30) -> list[dict]:
    """For each packer and JST day: scans, mis-scans of each kind, overrides.

    A scan is every code read while a parcel was open or waited for its label; a mis-scan is every one of them
    that was refused, the scans made during a stop included (a packer who scans on through a stop shows here).
    """
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    rows = db.session.execute(sa.select(ScanEvent.at, ScanEvent.result, User.name)
                              .outerjoin(User, User.id == ScanEvent.user_id).where(ScanEvent.at >= since))
    table = defaultdict(lambda: defaultdict(int))
    for at, result, name in rows:
        key = (at.astimezone(JST).date(), name or '—')
        table[key]['scans'] += result in ('ok', 'label_ok', *MIS_SCANS)
        if result in MIS_SCANS:
            table[key]['errors'] += 1
            table[key][result] += 1
        if result == 'override':
            table[key]['overrides'] += 1
    return [{'day': day, 'packer': packer, **counts} for (day, packer), counts in
            sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True)]


def shipped_parcels(day: dt.date) -> list[ParcelRecord]:
    """The parcels shipped on `day` (Japan time), oldest first; combined orders count in their parcel."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=JST)
    shipments = db.session.execute(
        sa.select(Shipment, Order, User.name).join(Order, Order.id == Shipment.order_id)
        .outerjoin(User, User.id == Shipment.packed_by_id)
        .where(Shipment.shipped_at >= start, Shipment.shipped_at < start + dt.timedelta(days=1))
        .order_by(Shipment.shipped_at, Shipment.id)).all()
    parcel_ids = {order.id: [order.id] for _, order, _ in shipments}
    for child_id, carrier_id in db.session.execute(sa.select(Order.id, Order.combined_into_id).where(
            Order.combined_into_id.in_(parcel_ids))):
        parcel_ids[carrier_id].append(child_id)
    all_ids = [i for ids in parcel_ids.values() for i in ids]
    lines = defaultdict(lambda: [0, 0])
    totals, cod = {}, {}
    for order_id, count, units in db.session.execute(
            sa.select(OrderLine.order_id, sa.func.count(OrderLine.id), sa.func.sum(OrderLine.quantity))
            .where(OrderLine.order_id.in_(all_ids)).group_by(OrderLine.order_id)):
        lines[order_id] = [count, units]
    # what was collected at the door: the amount due after points and coupons (the total where the mall's
    # file did not say)
    for order_id, total, due, method in db.session.execute(
            sa.select(Order.id, Order.total, Order.amount_due, Order.payment_method).where(Order.id.in_(all_ids))):
        totals[order_id], cod[order_id] = total, (total if due is None else due) if method == 'cod' else 0
    parcels = []
    for shipment, order, packer in shipments:
        ids = parcel_ids[order.id]
        parcels.append(ParcelRecord(
            shipped_at=shipment.shipped_at, order_number=order.number, channel=order.channel,
            channel_order_id=order.external_order_id, carrier=shipment.carrier,
            tracking_number=shipment.tracking_number or '', ship_prefecture=order.ship_prefecture,
            items=sum(lines[i][0] for i in ids), quantity=sum(lines[i][1] for i in ids),
            amount=sum(totals[i] for i in ids), cod_amount=sum(cod[i] for i in ids), packed_by=packer or ''))
    return parcels


def scan_counts() -> dict[str, int]:
    """Every scan ever made at the packing stations, by result (for monitoring)."""
    return dict(db.session.execute(sa.select(ScanEvent.result, sa.func.count()).group_by(ScanEvent.result)).all())


def mall_confirmations(channel: str, day: dt.date):
    """The mall's shipping-confirmation upload for the orders of that channel shipped on `day` (JST)."""
    from exporters.mall_shipping import MALL_CONFIRMATIONS, MallShipment

    start = dt.datetime.combine(day, dt.time(), tzinfo=JST)
    rows = db.session.execute(
        sa.select(Shipment, Order).join(Order, Order.id == Shipment.order_id)
        .where(Shipment.shipped_at >= start, Shipment.shipped_at < start + dt.timedelta(days=1))
        .order_by(Shipment.shipped_at)).all()
    shipments = []
    for shipment, carrier_order in rows:
        for order in services.parcel_orders(carrier_order):
            if order.channel != channel:
                continue
            items = tuple((line.channel_line_id, line.quantity) for line in order.lines if line.channel_line_id) \
                if channel == 'amazon' else ()
            shipped_on = shipment.shipped_at.astimezone(JST).date()
            shipments.append(MallShipment(channel=channel, external_order_id=order.external_order_id,
                                          order_number=order.number, tracking_number=shipment.tracking_number or '',
                                          carrier=shipment.carrier, shipped_on=shipped_on, items=items))
    with as_user_errors():
        return MALL_CONFIRMATIONS[channel](shipments)


def export_daily_shipments(*, day: dt.date, format: str = 'csv', encoding: str = 'utf-8') -> ExportResult:
    """The parcels shipped on a JST day: CSV, or XLSX with totals by carrier and channel."""
    with as_user_errors():
        return write_daily_shipments(shipped_parcels(day), day=day, format=format, encoding=encoding,
                                     names={'channel': CHANNEL_LABELS, 'carrier': CARRIER_LABELS})
