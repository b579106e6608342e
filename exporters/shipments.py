"""The daily shipment report: one row per parcel shipped on a JST day; XLSX adds totals by carrier and channel."""
import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l

from exporters.base import ExportResult
from exporters.sheets import Column, Sheet, write_report


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


def _columns(names: Mapping[str, Mapping]) -> list[Column]:
    return [Column(_l('Shipped at'), 'datetime'), Column(_l('Order number')),
            Column(_l('Channel'), names=names.get('channel')), Column(_l("Channel's order ID")),
            Column(_l('Carrier'), names=names.get('carrier')), Column(_l('Tracking number')),
            Column(_l('Prefecture')), Column(_l('Lines'), 'int'), Column(_l('Units'), 'int'),
            Column(_l('Amount'), 'yen'), Column(_l('Cash on delivery'), 'yen'), Column(_l('Packed by'))]


def _row(parcel: ParcelRecord) -> tuple:
    return (parcel.shipped_at, parcel.order_number, parcel.channel, parcel.channel_order_id, parcel.carrier,
            parcel.tracking_number, parcel.ship_prefecture, parcel.items, parcel.quantity, parcel.amount,
            parcel.cod_amount, parcel.packed_by)


def write_daily_shipments(parcels: Sequence[ParcelRecord], *, day: dt.date, format: str = 'csv',
                          encoding: str = 'utf-8', names: Mapping[str, Mapping] | None = None,
                          made_at: dt.datetime | None = None) -> ExportResult:
    """The report of the parcels shipped on `day`, in the order given; XLSX adds totals by carrier and channel.

    `names` maps 'channel' and 'carrier' to the names their codes are shown as.
    """
    names = names or {}
    columns = _columns(names)
    sheets = [Sheet(str(_l('Shipments')), columns, [_row(p) for p in parcels])]
    if format == 'xlsx':
        totals = []
        for by, label in (('carrier', _l('Carrier')), ('channel', _l('Channel'))):
            grouped = defaultdict(lambda: [0, 0, 0, 0])
            for parcel in parcels:
                g = grouped[getattr(parcel, by)]
                g[0] += 1
                g[1] += parcel.quantity
                g[2] += parcel.amount
                g[3] += parcel.cod_amount
            for key, figures in sorted(grouped.items()):
                totals.append((str(label), str(names.get(by, {}).get(key, key)), *figures))
        totals.append((str(_l('All parcels')), '', len(parcels), sum(p.quantity for p in parcels),
                       sum(p.amount for p in parcels), sum(p.cod_amount for p in parcels)))
        sheets.append(Sheet(str(_l('Totals')), [
            Column(_l('Totalled by')), Column(_l('Name')), Column(_l('Parcels'), 'int'), Column(_l('Units'), 'int'),
            Column(_l('Amount'), 'yen'), Column(_l('Cash on delivery'), 'yen')], totals))
    return write_report(sheets, format=format, filename=f'shipments-{day}', title=str(_l('Daily shipments')),
                        period=day.isoformat(), made_at=made_at or dt.datetime.now(dt.UTC), encoding=encoding)
