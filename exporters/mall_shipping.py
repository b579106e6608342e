"""Shipping confirmations for the malls: which orders shipped, with which carrier and tracking number.

``MALL_CONFIRMATIONS`` names each file by channel; each is ``fn(shipments: Sequence[MallShipment]) ->
CarrierExport``.  A shipment of another channel, or without a tracking number, is left out of the
file with a warning (listed in ``left_out``), never dropped silently.

- **Rakuten 発送情報 CSV** (formats.md §1c [V]): ``注文番号,送付先ID,発送明細ID,お荷物伝票番号,配送会社,発送日``,
  CP932, CRLF, 発送日 yyyy-mm-dd.  配送会社 [V: R7]: 1001 ヤマト運輸, 1002 佐川急便, 1003 日本郵便 (Click Post
  is Japan Post's, so 1003).  送付先ID is the shipment's destination_id (needed for orders with several
  ship-tos); 発送明細ID stays blank (it only updates an earlier report).
- **Amazon shipping confirmation** (formats.md §2 [S]): tab-separated ``order-id, order-item-id,
  quantity, ship-date, carrier-code, carrier-name, tracking-number, ship-method``, CRLF.  One row per
  item when the shipment lists items (order-item-id, quantity), else one row per order with both blank
  (Amazon then confirms the whole order).  Encoding: **CP932**, as Amazon JP's own reports and the one
  JP tool formats.md cites ("CP932, タブ区切り") — only ship-method holds Japanese.  ship-date
  yyyy-mm-dd.  carrier-code [I, unverified: Amazon's list of carrier codes was not in any stored
  source]: Yamato Transport, Sagawa Express, Japan Post; carrier-name repeats it; ship-method is the
  service (宅急便, 飛脚宅配便, ゆうパック, クリックポスト).  Amazon's JP template may have more columns
  (formats.md: "256列固定"); check against the template downloaded from Seller Central.
- **Yahoo! ship-status CSV** (formats.md §3 [S]): ``OrderId,ShipCompanyCode,ShipInvoiceNumber1,
  ShipInvoiceNumber2,ShipDate,ShipStatus``, CP932, CRLF.  ShipCompanyCode [S: the orderShipStatusChange
  API as public integrations call it]: 1001 ヤマト運輸, 1002 佐川急便, 1003 日本郵便 (Click Post 1003).
  ShipStatus 3 = 出荷済み [S: several integrations send 3 when shipped].  ShipDate yyyymmdd [S: the API
  form those integrations send; unverified for the CSV upload].  ShipInvoiceNumber2 stays blank.
"""
import dataclasses
import datetime
from collections.abc import Sequence

from exporters.base import write_csv
from exporters.carriers.records import CarrierExport
from importers.codes import code_text


CARRIERS = ('yamato', 'sagawa', 'japanpost', 'clickpost')
RAKUTEN_HEADER = ('注文番号', '送付先ID', '発送明細ID', 'お荷物伝票番号', '配送会社', '発送日')
RAKUTEN_CARRIERS = {'yamato': '1001', 'sagawa': '1002', 'japanpost': '1003', 'clickpost': '1003'}
AMAZON_HEADER = ('order-id', 'order-item-id', 'quantity', 'ship-date', 'carrier-code', 'carrier-name',
                 'tracking-number', 'ship-method')
AMAZON_CARRIERS = {'yamato': 'Yamato Transport', 'sagawa': 'Sagawa Express', 'japanpost': 'Japan Post',
                   'clickpost': 'Japan Post'}
SHIP_METHODS = {'yamato': '宅急便', 'sagawa': '飛脚宅配便', 'japanpost': 'ゆうパック', 'clickpost': 'クリックポスト'}
YAHOO_HEADER = ('OrderId', 'ShipCompanyCode', 'ShipInvoiceNumber1', 'ShipInvoiceNumber2', 'ShipDate', 'ShipStatus')
YAHOO_CARRIERS = {'yamato': '1001', 'sagawa': '1002', 'japanpost': '1003', 'clickpost': '1003'}
YAHOO_SHIPPED = '3'


@dataclasses.dataclass(frozen=True)
class MallShipment:
    """One shipped order as the mall knows it."""

    #: 'rakuten', 'amazon' or 'yahoo'
    channel: str
    #: the mall's order number (Rakuten 注文番号, Amazon order-id, Yahoo OrderId)
    external_order_id: str
    #: Kura's order number, named in warnings
    order_number: str
    tracking_number: str
    #: Kura's carrier code, one of CARRIERS
    carrier: str
    shipped_on: datetime.date
    #: (channel_line_id, quantity) per item shipped: Amazon order-item-id; empty confirms the whole order
    items: tuple[tuple[str, int], ...] = ()
    #: Rakuten 送付先ID, for an order with several ship-tos
    destination_id: str = ''

    def __post_init__(self):
        if self.carrier not in CARRIERS:
            raise ValueError(f'{self.order_number}: carrier must be one of {CARRIERS}, not {self.carrier!r}')


def _usable(shipments: Sequence[MallShipment], channel: str) -> tuple[list[MallShipment], list[str], list[str]]:
    kept, warnings, left_out = [], [], []
    for shipment in shipments:
        if shipment.channel != channel:
            warnings.append(f'{shipment.order_number}: a {shipment.channel} order, not {channel}: left out of the '
                            f'{channel} file')
        elif not shipment.tracking_number.strip():
            warnings.append(f'{shipment.order_number}: no tracking number yet: left out of the {channel} file')
        else:
            kept.append(shipment)
            continue
        left_out.append(shipment.order_number)
    return kept, warnings, left_out


def _filename(stem: str, shipments: Sequence[MallShipment], extension: str) -> str:
    last = max((s.shipped_on for s in shipments), default=None)
    return f'{stem}-{last:%Y%m%d}.{extension}' if last else f'{stem}.{extension}'


def rakuten_confirmation(shipments: Sequence[MallShipment]) -> CarrierExport:
    """Rakuten RMS 発送情報 upload: one row per shipment."""
    kept, warnings, left_out = _usable(shipments, 'rakuten')
    rows = [(s.external_order_id, s.destination_id, '', code_text(s.tracking_number), RAKUTEN_CARRIERS[s.carrier],
             s.shipped_on.isoformat()) for s in kept]
    content = write_csv(RAKUTEN_HEADER, rows, encoding='cp932')
    return CarrierExport(content, _filename('rakuten-shipping', kept, 'csv'), 'text/csv', warnings, left_out)


def amazon_confirmation(shipments: Sequence[MallShipment]) -> CarrierExport:
    """Amazon shipping confirmation flat file: one row per item, or per order when no items are given."""
    kept, warnings, left_out = _usable(shipments, 'amazon')
    lines = ['\t'.join(AMAZON_HEADER)]
    for s in kept:
        carrier = AMAZON_CARRIERS[s.carrier]
        for item_id, quantity in s.items or [('', '')]:
            cells = (s.external_order_id, item_id, quantity, s.shipped_on.isoformat(), carrier, carrier,
                     code_text(s.tracking_number), SHIP_METHODS[s.carrier])
            lines.append('\t'.join(_tsv(cell) for cell in cells))
    content = ''.join(line + '\r\n' for line in lines).encode('cp932')
    return CarrierExport(content, _filename('amazon-shipping-confirmation', kept, 'txt'),
                         'text/tab-separated-values', warnings, left_out)


def _tsv(value) -> str:
    """A cell of a tab-separated file, which has no quoting: tabs and line breaks become spaces."""
    return ' '.join(str(value).split()) if any(c in str(value) for c in '\t\r\n') else str(value)


def yahoo_confirmation(shipments: Sequence[MallShipment]) -> CarrierExport:
    """Yahoo! Shopping ship-status upload: one row per shipment, ShipStatus 3 (shipped)."""
    kept, warnings, left_out = _usable(shipments, 'yahoo')
    rows = [(s.external_order_id, YAHOO_CARRIERS[s.carrier], code_text(s.tracking_number), '',
             s.shipped_on.strftime('%Y%m%d'), YAHOO_SHIPPED) for s in kept]
    content = write_csv(YAHOO_HEADER, rows, encoding='cp932')
    return CarrierExport(content, _filename('yahoo-ship-status', kept, 'csv'), 'text/csv', warnings, left_out)


MALL_CONFIRMATIONS = {
    'rakuten': rakuten_confirmation,
    'amazon': amazon_confirmation,
    'yahoo': yahoo_confirmation,
}
