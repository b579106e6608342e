"""Orders, one row per order line, for spreadsheets and other systems."""
import dataclasses
import datetime as dt
from collections.abc import Iterable

from exporters.base import ExportResult, write_csv
from importers.base import JST


HEADER = ('channel', 'external_order_id', 'order_number', 'ordered_at', 'status', 'ship_name', 'ship_postal_code',
          'ship_prefecture', 'ship_address', 'ship_phone', 'sku', 'quantity', 'unit_price',
          # beyond the required columns: what a clerk needs to read the row without opening Kura
          'item_code', 'item_name', 'option_text', 'tax_rate', 'payment_method', 'payment_status', 'shipping_fee',
          'cod_fee', 'total', 'delivery_date', 'delivery_time_slot', 'buyer_name', 'buyer_email')


@dataclasses.dataclass(slots=True)
class OrderLineRecord:
    """One order line with the order it belongs to, as the export writes it."""

    channel: str
    external_order_id: str
    order_number: str
    ordered_at: dt.datetime
    status: str
    ship_name: str
    ship_postal_code: str
    ship_prefecture: str
    #: the parts of the address after the prefecture, written as one cell
    ship_city: str
    ship_address1: str
    ship_address2: str
    ship_phone: str
    #: '' while the line's mall code is mapped to no product
    sku: str
    quantity: int
    unit_price: int
    item_code: str
    item_name: str
    option_text: str
    tax_rate: int
    payment_method: str
    payment_status: str
    shipping_fee: int
    cod_fee: int
    total: int
    delivery_date: dt.date | None
    delivery_time_slot: str
    buyer_name: str
    buyer_email: str


def write_orders(lines: Iterable[OrderLineRecord], *, date_from: dt.date | None = None,
                 date_to: dt.date | None = None, encoding: str = 'utf-8') -> ExportResult:
    """The CSV of the lines, which may be a generator: they are written as they come.

    ``date_from`` and ``date_to`` are the JST days the lines were chosen by, named in the file name.
    """
    rows = ((r.channel, r.external_order_id, r.order_number, r.ordered_at.astimezone(JST).isoformat(), r.status,
             r.ship_name, r.ship_postal_code, r.ship_prefecture,
             ' '.join(p for p in (r.ship_city, r.ship_address1, r.ship_address2) if p), r.ship_phone, r.sku,
             r.quantity, r.unit_price, r.item_code, r.item_name, r.option_text, r.tax_rate, r.payment_method,
             r.payment_status, r.shipping_fee, r.cod_fee, r.total,
             r.delivery_date.isoformat() if r.delivery_date else '', r.delivery_time_slot, r.buyer_name,
             r.buyer_email) for r in lines)
    name = 'orders.csv'
    if date_from or date_to:
        name = f"orders-{date_from or ''}-{date_to or ''}.csv".replace('--', '-')
    return ExportResult(write_csv(HEADER, rows, encoding=encoding), name, 'text/csv')
