"""Returns, one row per returned line: what came back, why, whose fault, how it was graded and refunded."""
import dataclasses
import datetime as dt
from collections.abc import Iterable

from exporters.base import ExportResult, write_csv
from importers.base import JST


HEADER = ('return_number', 'opened_at', 'state', 'outcome', 'order_number', 'channel', 'external_order_id', 'sku',
          'item_name', 'quantity', 'reason', 'reason_label', 'fault', 'received', 'sellable', 'quarantine', 'scrap',
          'supplier', 'refunded', 'packed_by', 'replacement_order')


@dataclasses.dataclass(slots=True)
class ReturnLineRecord:
    """One line of a return with the return and order it belongs to."""

    return_number: str
    opened_at: dt.datetime
    state: str
    outcome: str
    order_number: str
    channel: str
    external_order_id: str
    sku: str
    item_name: str
    quantity: int
    #: the reason's stable key, and its label in Japanese
    reason: str
    reason_label: str
    fault: str
    sellable: int
    quarantine: int
    scrap: int
    supplier: int
    #: yen refunded for the line
    refunded: int
    #: who packed the original parcel, named only for a mis-shipment (wrong_item)
    packed_by: str
    replacement_order: str

    @property
    def received(self) -> int:
        return self.sellable + self.quarantine + self.scrap + self.supplier


def write_returns(lines: Iterable[ReturnLineRecord], *, date_from: dt.date | None = None,
                  date_to: dt.date | None = None, encoding: str = 'utf-8') -> ExportResult:
    """The CSV of the returned lines; `date_from` and `date_to` (JST days the returns were opened) name the file."""
    rows = ((r.return_number, r.opened_at.astimezone(JST).isoformat(), r.state, r.outcome, r.order_number, r.channel,
             r.external_order_id, r.sku, r.item_name, r.quantity, r.reason, r.reason_label, r.fault, r.received,
             r.sellable, r.quarantine, r.scrap, r.supplier, r.refunded, r.packed_by, r.replacement_order)
            for r in lines)
    days = '-'.join(d.isoformat() for d in (date_from, date_to) if d)
    return ExportResult(write_csv(HEADER, rows, encoding=encoding), f'returns{"-" + days if days else ""}.csv',
                        'text/csv')
