"""Orders, one row per order line, for spreadsheets and other systems."""
import datetime as dt

import sqlalchemy as sa

from app.catalog.models import Product
from app.extensions import db
from app.orders.models import NUMBER_PREFIX, Order, OrderLine
from exporters.base import ExportResult, write_csv
from importers.base import JST


HEADER = ('channel', 'external_order_id', 'order_number', 'ordered_at', 'status', 'ship_name', 'ship_postal_code',
          'ship_prefecture', 'ship_address', 'ship_phone', 'sku', 'quantity', 'unit_price',
          # beyond the required columns: what a clerk needs to read the row without opening Kura
          'item_code', 'item_name', 'option_text', 'tax_rate', 'payment_method', 'payment_status', 'shipping_fee',
          'cod_fee', 'total', 'delivery_date', 'delivery_time_slot', 'buyer_name', 'buyer_email')


def jst_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=JST)


def export_orders(*, date_from: dt.date | None = None, date_to: dt.date | None = None, order_ids=None,
                  encoding: str = 'utf-8') -> ExportResult:
    """Orders ordered on JST days `date_from` to `date_to` (both included), or the given ids."""
    query = (sa.select(Order, OrderLine, Product.sku)
             .join(OrderLine, OrderLine.order_id == Order.id)
             .outerjoin(Product, Product.id == OrderLine.product_id)
             .order_by(Order.ordered_at, Order.id, OrderLine.line_no))
    if date_from:
        query = query.where(Order.ordered_at >= jst_day_start(date_from))
    if date_to:
        query = query.where(Order.ordered_at < jst_day_start(date_to + dt.timedelta(days=1)))
    if order_ids is not None:
        query = query.where(Order.id.in_(order_ids))

    def rows():
        for order, line, sku in db.session.execute(query).yield_per(2000):
            address = ' '.join(p for p in (order.ship_city, order.ship_address1, order.ship_address2) if p)
            yield (order.channel, order.external_order_id, f'{NUMBER_PREFIX}{order.id:08d}',
                   order.ordered_at.astimezone(JST).isoformat(), order.status, order.ship_name,
                   order.ship_postal_code, order.ship_prefecture, address, order.ship_phone, sku or '',
                   line.quantity, line.unit_price, line.item_code, line.name, line.option_text, line.tax_rate,
                   order.payment_method, order.payment_status, order.shipping_fee, order.cod_fee, order.total,
                   order.delivery_date.isoformat() if order.delivery_date else '', order.delivery_time_slot,
                   order.buyer_name, order.buyer_email)

    name = 'orders.csv'
    if date_from or date_to:
        name = f"orders-{date_from or ''}-{date_to or ''}.csv".replace('--', '-')
    return ExportResult(write_csv(HEADER, rows(), encoding=encoding), name, 'text/csv')
