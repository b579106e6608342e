"""Japan Post ゆうプリR 外部ファイル取込: CP932, CRLF, NO header row, positional (formats.md §6c).

ゆうプリR only imports a file through a layout (取込レイアウト / フィルタ) registered in it [S:
P-futureshop], and the full standard layout is not verified: one repository lists 117 columns,
another writes 118 (an extra 倉庫数 before 複数個口数, so フリー項目０１ moves from 75 to 76).  So this
file is Kura's own layout, and **the shop registers it in ゆうプリR once**, mapping the columns below:

- Columns 1-71 are the standard layout's first 71 columns, in the same positions: both known
  layouts agree on them, the P-yupuri PDF gives columns 1-33 with the same byte widths, and
  formats.md's numbers (20 電話番号, 54 受注番号, 60 商品サイズ区分, 65 配達指定日／希望日, 66 配達時間帯区分)
  fall on them.  LAYOUT lists every column by name.
- Columns 72-75 are Kura's: 72 複数個口数 (pieces, when more than 1; the 117-column layout has it here
  too), 73 代引金額, 74 代引消費税金額, 75 品名.

Values written [S: P-yupuri; two repositories]:

- 1 お客様側管理番号: Kura's order number (at most 15 bytes), which ゆうプリR's 発送履歴 export brings
  back beside お問い合わせ番号 (importers.tracking); 54 受注番号: the order number again.
- 2 発送予定日, 65 配達指定日／希望日: yyyymmdd.
- 6 郵便種別: 0 ゆうパック.  7 保冷種別: 0 none.  8 元／着払／代引: 0 元払, or 2 代引 when cod_amount > 0.
- 11 送り状種別: the shipment's label_type (a code registered in ゆうプリR), blank by default.
- 13, 30 postal codes: NNN-NNNN (the PDF's XXX-XXXX).  20, 37 phones: hyphenated where certain.
- 14-16 お届け先住所１-３ and 31-33 ご依頼主住所１-３: 50 bytes each (P-yupuri: "バイト区切りで次の項目に
  出力"); 17-18 名称１-２ and 34-35: the name over two 50-byte fields.  A cut is a warning.
- 19 お届け先 敬称区分: 0 [S: two repositories write 0].
- 66 配達時間帯区分 [I: only 00 = none and 52 = 12-14 are confirmed (a vendor page)]: 00 none,
  午前中 51, 12-14 52, 14-16 53, 16-18 54, 18-20 55, 19-21 57.  Check them against the shop's ゆうプリR.
  The order's window is read by exporters.carriers.slots; one that matches none of these is listed.
"""
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from exporters.carriers.addressing import address_line
from exporters.carriers.records import CarrierExport, CarrierShipment, with_recipient_phone
from exporters.carriers.slots import slot_code
from exporters.carriers.text import Fields, phone, postal, write_rows


LAYOUT = (
    'お客様側管理番号', '発送予定日', '発送予定時間区分', '出荷期限日', '到着期限日', '郵便種別', '保冷種別',
    '元／着払／代引', '書留／セキュリティ／特定記録種別', '配達時間帯指定郵便種別', '送り状種別', 'お届け先 コード',
    'お届け先 郵便番号', 'お届け先 住所１', 'お届け先 住所２', 'お届け先 住所３', 'お届け先 名称１',
    'お届け先 名称２', 'お届け先 敬称区分', 'お届け先 電話番号', 'お届け先 メールアドレス１', 'お届け先 局留め区分',
    'お届け先 局留め郵便局名', 'お届け先 局留めメール使用区分', 'お届け先 局留め郵便番号',
    'お届け先 配達予告メール使用区分', 'お届け先 再配達予告メール使用区分', 'ご依頼主 コード',
    'ご依頼主 集荷先と同一区分', 'ご依頼主 郵便番号', 'ご依頼主 住所１', 'ご依頼主 住所２', 'ご依頼主 住所３',
    'ご依頼主 名称１', 'ご依頼主 名称２', 'ご依頼主 敬称', 'ご依頼主 電話番号', 'ご依頼主 メールアドレス１',
    'ご依頼主 荷送人指図区分', 'ご依頼主 お届け通知メール使用区分', 'ご依頼主 お届け通知はがき使用区分',
    '集荷先 コード', '集荷先 連携可否区分', '集荷先 会社コード', '集荷先 依頼先店所コード', '集荷先 郵便番号',
    '集荷先 住所１', '集荷先 住所２', '集荷先 住所３', '集荷先 名称１', '集荷先 名称２', '集荷先 敬称',
    '集荷先 電話番号', '受注番号', 'こわれもの区分', 'なまもの区分', 'ビン類区分', '逆さま厳禁区分', '下積み厳禁区分',
    '商品サイズ区分', '重量合計（ｇ）', '25kg超重量物区分', '損害要償額', '速達・配達日指定種別',
    '配達指定日／希望日', '配達時間帯区分', '差出方法区分', 'ゆうパック複数個割引', 'ゆうパック同一割引',
    'セット商品コード', 'セット品名ラベル印字区分',
    # Kura's columns from here on
    '複数個口数', '代引金額', '代引消費税金額', '品名',
)
assert len(LAYOUT) == 75, len(LAYOUT)
#: position (1-based) of each column Kura fills
COLUMN = {name: number for number, name in enumerate(LAYOUT, start=1)}
TIME_SLOT_CODES = {'': '00', '午前中': '51', '12-14': '52', '14-16': '53', '16-18': '54', '18-20': '55', '19-21': '57'}
YU_PACK = '0'
NOT_COOLED = '0'
PREPAID, COD = '0', '2'
LINE = 50
ITEM_WIDTH = 50
MANAGEMENT_NUMBER_WIDTH = 15


def _date(value) -> str:
    return value.strftime('%Y%m%d') if value else ''


def export_japanpost(shipments: Sequence[CarrierShipment]) -> CarrierExport:
    """The ゆうプリR import file (Kura's layout, no header) for the shipments, one row per shipment."""
    warnings: list[str] = []
    left_out: list[str] = []
    unmatched: list[str] = []
    kept = with_recipient_phone(shipments, 'ゆうプリR', warnings, left_out)
    rows = [_row(shipment, Fields(shipment.order_number, warnings), unmatched) for shipment in kept]
    first = min((s.ship_date for s in shipments), default=None)
    filename = f'yupri-r-{first:%Y%m%d}.csv' if first else 'yupri-r.csv'
    return CarrierExport(write_rows(rows), filename, 'text/csv', warnings, left_out, unmatched)


def _row(s: CarrierShipment, fields: Fields, unmatched: list[str]) -> list[str]:
    if len(s.order_number) > MANAGEMENT_NUMBER_WIDTH:
        raise ValueError(f'{s.order_number}: お客様側管理番号 holds {MANAGEMENT_NUMBER_WIDTH} characters')
    values = {
        'お客様側管理番号': s.order_number,
        '発送予定日': _date(s.ship_date),
        '郵便種別': YU_PACK,
        '保冷種別': NOT_COOLED,
        '元／着払／代引': COD if s.is_cod else PREPAID,
        '送り状種別': fields.clean('送り状種別', s.label_type),
        'お届け先 郵便番号': postal(s.ship_to_postal),
        'お届け先 敬称区分': '0',
        'お届け先 電話番号': phone(s.ship_to_phone),
        'ご依頼主 郵便番号': postal(s.sender_postal),
        'ご依頼主 電話番号': phone(s.sender_phone),
        '受注番号': s.order_number,
        '配達指定日／希望日': _date(s.delivery_date),
        '配達時間帯区分': slot_code(s.order_number, s.time_slot, TIME_SLOT_CODES, _l('Japan Post (Yu-Pack)'),
                             unmatched),
        '複数個口数': str(s.pieces) if s.pieces > 1 else '',
        '代引金額': str(s.cod_amount) if s.is_cod else '',
        '代引消費税金額': str(s.cod_tax) if s.is_cod else '',
        '品名': fields.text('品名', s.item_name, ITEM_WIDTH),
    }
    _spread(values, 'お届け先 住所', fields.lines('お届け先住所', [
        address_line(s.ship_to_prefecture, s.ship_to_city, s.ship_to_address1), s.ship_to_address2], (LINE,) * 3))
    _spread(values, 'お届け先 名称', fields.lines('お届け先名称', [s.ship_to_name], (LINE,) * 2))
    _spread(values, 'ご依頼主 住所', fields.lines('ご依頼主住所', [
        address_line(s.sender_prefecture, s.sender_city, s.sender_address1), s.sender_address2], (LINE,) * 3))
    _spread(values, 'ご依頼主 名称', fields.lines('ご依頼主名称', [s.sender_name], (LINE,) * 2))
    row = [''] * len(LAYOUT)
    for name, value in values.items():
        row[COLUMN[name] - 1] = value
    return fields.row(row)


def _spread(values: dict[str, str], column: str, lines: list[str]) -> None:
    for number, line in enumerate(lines, start=1):
        values[f'{column}{str(number).translate(str.maketrans("123", "１２３"))}'] = line
