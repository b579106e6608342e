"""The daily shipment report: one row per parcel shipped on a JST day; XLSX adds totals by carrier and channel."""
import datetime as dt
import io
from collections import defaultdict

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.fulfilment.models import Shipment
from app.orders.models import Order, OrderLine
from exporters.base import ExportResult, csv_safe, write_csv
from importers.base import JST


HEADER = ('shipped_at', 'order_number', 'channel', 'channel_order_id', 'carrier', 'tracking_number',
          'ship_prefecture', 'items', 'quantity', 'amount', 'cod_amount', 'packed_by')


def shipment_rows(day: dt.date) -> list[tuple]:
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
    rows = []
    for shipment, order, packer in shipments:
        ids = parcel_ids[order.id]
        rows.append((shipment.shipped_at.astimezone(JST).strftime('%Y-%m-%d %H:%M:%S'), order.number, order.channel,
                     order.external_order_id, shipment.carrier, shipment.tracking_number or '',
                     order.ship_prefecture, sum(lines[i][0] for i in ids), sum(lines[i][1] for i in ids),
                     sum(totals[i] for i in ids), sum(cod[i] for i in ids), packer or ''))
    return rows


def export_daily_shipments(*, day: dt.date, format: str = 'csv', encoding: str = 'utf-8') -> ExportResult:
    rows = shipment_rows(day)
    if format == 'csv':
        return ExportResult(write_csv(HEADER, rows, encoding=encoding), f'shipments-{day}.csv', 'text/csv')
    if format != 'xlsx':
        raise ValueError(f'format must be csv or xlsx, not {format!r}')
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = 'shipments'
    sheet.append(HEADER)
    for row in rows:
        sheet.append([csv_safe(v) if isinstance(v, str) else v for v in row])
    summary = book.create_sheet('totals')
    summary.append(('by', 'key', 'parcels', 'quantity', 'amount', 'cod_amount'))
    for label, index in (('carrier', 4), ('channel', 2)):
        grouped = defaultdict(lambda: [0, 0, 0, 0])
        for row in rows:
            g = grouped[row[index]]
            g[0] += 1
            g[1] += row[8]
            g[2] += row[9]
            g[3] += row[10]
        for key, (parcels, quantity, amount, cod_amount) in sorted(grouped.items()):
            summary.append((label, key, parcels, quantity, amount, cod_amount))
    summary.append(('all', '', len(rows), sum(r[8] for r in rows), sum(r[9] for r in rows),
                    sum(r[10] for r in rows)))
    buffer = io.BytesIO()
    book.save(buffer)
    return ExportResult(buffer.getvalue(), f'shipments-{day}.xlsx',
                        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
