"""The daily shipment report: one row per parcel shipped on a JST day; XLSX adds totals by carrier and channel."""
import dataclasses
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence

from exporters.base import ExportResult, csv_safe, write_csv
from importers.base import JST


HEADER = ('shipped_at', 'order_number', 'channel', 'channel_order_id', 'carrier', 'tracking_number',
          'ship_prefecture', 'items', 'quantity', 'amount', 'cod_amount', 'packed_by')


@dataclasses.dataclass(frozen=True)
class ParcelRecord:
    """One parcel shipped; the figures count the orders combined into it (同梱) too."""

    shipped_at: dt.datetime
    #: the order the parcel was packed for
    order_number: str
    channel: str
    channel_order_id: str
    carrier: str
    #: '' when the parcel has none
    tracking_number: str
    ship_prefecture: str
    #: order lines in the parcel
    items: int
    #: units in the parcel
    quantity: int
    #: yen, the orders' totals
    amount: int
    #: yen collected at the door
    cod_amount: int
    #: '' when nobody is recorded
    packed_by: str


def _row(parcel: ParcelRecord) -> tuple:
    return (parcel.shipped_at.astimezone(JST).strftime('%Y-%m-%d %H:%M:%S'), parcel.order_number, parcel.channel,
            parcel.channel_order_id, parcel.carrier, parcel.tracking_number, parcel.ship_prefecture, parcel.items,
            parcel.quantity, parcel.amount, parcel.cod_amount, parcel.packed_by)


def write_daily_shipments(parcels: Sequence[ParcelRecord], *, day: dt.date, format: str = 'csv',
                          encoding: str = 'utf-8') -> ExportResult:
    """The report of the parcels shipped on `day`, in the order given."""
    rows = [_row(p) for p in parcels]
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
    for label in ('carrier', 'channel'):
        grouped = defaultdict(lambda: [0, 0, 0, 0])
        for parcel in parcels:
            g = grouped[getattr(parcel, label)]
            g[0] += 1
            g[1] += parcel.quantity
            g[2] += parcel.amount
            g[3] += parcel.cod_amount
        for key, (count, quantity, amount, cod_amount) in sorted(grouped.items()):
            summary.append((label, key, count, quantity, amount, cod_amount))
    summary.append(('all', '', len(parcels), sum(p.quantity for p in parcels), sum(p.amount for p in parcels),
                    sum(p.cod_amount for p in parcels)))
    buffer = io.BytesIO()
    book.save(buffer)
    return ExportResult(buffer.getvalue(), f'shipments-{day}.xlsx',
                        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
