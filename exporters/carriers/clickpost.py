"""Japan Post クリックポスト まとめ申込: CP932 (MS932), CRLF, an 8-column header (formats.md §6d).

Header and encoding [V: R2 CommonUtil/ClickPostVO; brussliu/smartinfo writes MS932].

- At most 20 rows per file [S: R1 splits its Click Post output so; one other tool uses 40, so 20 is
  safe either way].  Up to 20 shipments give one CSV; more give a ZIP of CSVs of 20 rows each
  (clickpost-YYYYMMDD-01.csv, -02.csv, …), and a warning says so: each CSV is uploaded on its own.
- Click Post cannot collect cash on delivery: a shipment with cod_amount > 0 is left out of the file,
  listed in left_out and warned about.  Nor does it take a delivery date or time slot, or several
  parcels on one label: those are warned about (the label is still written, once).
- The sender is the Click Post account's registered address: the file has no sender columns.
- Widths, in CP932 bytes [S: two tools agree]: お届け先氏名 40 (20 full-width), each of the four address
  lines 40, 内容品 30 (15 full-width).  Address: prefecture + city, address1 and address2 each start a
  line (wrapping onto the next); when four lines are not enough the address is flowed over them and
  the rest cut, with a warning.
- お届け先郵便番号 NNN-NNNN; お届け先敬称 様, or 御中 for a company, or empty when the name already ends with
  one (exporters.carriers.addressing).
"""
import io
import zipfile
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from exporters.carriers.addressing import address_line, honorific
from exporters.carriers.records import CarrierExport, CarrierShipment
from exporters.carriers.text import Fields, postal, write_rows


HEADER = ('お届け先郵便番号', 'お届け先氏名', 'お届け先敬称', 'お届け先住所1行目', 'お届け先住所2行目',
          'お届け先住所3行目', 'お届け先住所4行目', '内容品')
ROWS_PER_FILE = 20
NAME_WIDTH = 40
LINE = 40
ITEM_WIDTH = 30


def export_clickpost(shipments: Sequence[CarrierShipment]) -> CarrierExport:
    """Click Post bulk-application CSV (or a ZIP of them when more than 20 rows), COD shipments left out."""
    warnings: list[str] = []
    left_out: list[str] = []
    rows = []
    for shipment in shipments:
        fields = Fields(shipment.order_number, warnings)
        if shipment.is_cod:
            fields.warn(_l('cash on delivery (%(amount)s yen) is not possible with Click Post: '
                           'left out of the file; ship it with another carrier', amount=shipment.cod_amount))
            left_out.append(shipment.order_number)
            continue
        rows.append(_row(shipment, fields))
    day = min((s.ship_date for s in shipments), default=None)
    stem = f'clickpost-{day:%Y%m%d}' if day else 'clickpost'
    chunks = [rows[i:i + ROWS_PER_FILE] for i in range(0, len(rows), ROWS_PER_FILE)] or [[]]
    if len(chunks) == 1:
        return CarrierExport(write_rows(chunks[0], HEADER), f'{stem}.csv', 'text/csv', warnings, left_out)
    names = [f'{stem}-{number:02d}.csv' for number in range(1, len(chunks) + 1)]
    warnings.append(str(_l('Click Post takes at most %(most)d rows per upload: the %(rows)d rows are split into '
                           '%(files)d CSV files in %(zip)s (%(names)s); upload each one', most=ROWS_PER_FILE,
                           rows=len(rows), files=len(chunks), zip=f'{stem}.zip', names=', '.join(names))))
    buffer = io.BytesIO()
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, chunk in zip(names, chunks, strict=True):
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), write_rows(chunk, HEADER),
                             compress_type=zipfile.ZIP_DEFLATED)
    return CarrierExport(buffer.getvalue(), f'{stem}.zip', 'application/zip', warnings, left_out)


def _row(s: CarrierShipment, fields: Fields) -> list[str]:
    if s.delivery_date or s.time_slot:
        wish = ' '.join(filter(None, [s.delivery_date.isoformat() if s.delivery_date else '', s.time_slot]))
        fields.warn(_l('Click Post has no delivery date or time slot: the requested %(wish)s is not passed on',
                       wish=wish))
    if s.pieces > 1:
        fields.warn(_l('Click Post labels one parcel: the order has %(pieces)d pieces and one label is written; '
                       'make the others by hand', pieces=s.pieces))
    address = fields.lines('お届け先住所', [address_line(s.ship_to_prefecture, s.ship_to_city), s.ship_to_address1,
                                       s.ship_to_address2], (LINE,) * 4)
    return fields.row([
        postal(s.ship_to_postal),
        fields.text('お届け先氏名', s.ship_to_name, NAME_WIDTH),
        honorific(s.ship_to_name),
        *address,
        fields.text('内容品', s.item_name, ITEM_WIDTH),
    ])
