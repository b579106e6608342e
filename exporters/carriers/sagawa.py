"""Sagawa e飛伝III 出荷データ: CP932, CRLF, a header row, 74 positional columns (formats.md §6b).

The header is the 74-column list formats.md quotes [S: R5 and-period/furumaru sagawa.go, citing
contents.raku-uru.jp's e飛伝III page, and 3 more repositories], with 部署ご担当者コード取得区分 as one
column (R5's header splits it into two cells by mistake; its rows have 74 values).  Some shops call
this file "e飛伝Ⅱ"; the older 42-column e飛伝II layout is a different file.

Columns written:

- 3, 18 phones: hyphenated where the split is certain, else digits; 4, 19 postal codes NNN-NNNN.
- 5-7 お届け先住所１-３: 16 full-width characters (32 CP932 bytes) each [S: P-ehiden]; prefecture +
  city + address1 from line 1, wrapping, and address2 on the next free line.  20-21 ご依頼主住所１-２
  the same over two lines.  8-9 お届け先名称１-２ and 22-23 ご依頼主名称１-２: the name over two
  16-character lines.  Whatever does not fit is cut, with a warning.
- 10 お客様管理番号: Kura's order number, so Sagawa's export brings it back (importers.tracking).
- 11 お客様コード: the shop's customer_code.
- 25 品名１: item_name, 32 bytes [I].
- 42 出荷個数: pieces.  44 クール便指定: 001 (normal) [S: R5].
- 45 配達日, 61 出荷日: YYYYMMDD [I: R5 leaves both blank; check with e飛伝III].
- 46 配達指定時間帯 [S: R5 and-period/furumaru sagawa.go; R2's constants 01/14/16/18/19 agree]: 午前中 01,
  12-14 12, 14-16 14, 16-18 16, 18-20 18, 18-21 04, 19-21 19.  The order's window is read by
  exporters.carriers.slots; one that matches none of these is listed in unmatched_windows.
- 48 代引金額, 49 消費税: only when cod_amount > 0 (blank otherwise; R5 writes 0).
- 58 元着区分: 1 (元払) [I: e飛伝II's codes, 1 元払 / 2 着払].
- 62 お問い合せ送り状No.: the tracking number when the shipment already has one, else blank.
"""
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from exporters.carriers.addressing import address_line
from exporters.carriers.records import CarrierExport, CarrierShipment, with_recipient_phone
from exporters.carriers.slots import slot_code
from exporters.carriers.text import Fields, phone, postal, write_rows


_FULL_WIDTH = str.maketrans('0123456789', '０１２３４５６７８９')


def _numbered(name: str, count: int, width: int = 1) -> list[str]:
    return [f'{name}{str(n).zfill(width).translate(_FULL_WIDTH)}' for n in range(1, count + 1)]


HEADER = (
    'お届け先コード取得区分', 'お届け先コード', 'お届け先電話番号', 'お届け先郵便番号', *_numbered('お届け先住所', 3),
    *_numbered('お届け先名称', 2), 'お客様管理番号', 'お客様コード', '部署ご担当者コード取得区分',
    '部署ご担当者コード', '部署ご担当者名称', '荷送人電話番号', 'ご依頼主コード取得区分', 'ご依頼主コード',
    'ご依頼主電話番号', 'ご依頼主郵便番号', *_numbered('ご依頼主住所', 2), *_numbered('ご依頼主名称', 2), '荷姿',
    *_numbered('品名', 5), '荷札荷姿', *_numbered('荷札品名', 11), '出荷個数', 'スピード指定', 'クール便指定',
    '配達日', '配達指定時間帯', '配達指定時間（時分）', '代引金額', '消費税', '決済種別', '保険金額',
    *_numbered('指定シール', 3), '営業所受取', 'SRC区分', '営業所受取営業所コード', '元着区分', 'メールアドレス',
    'ご不在時連絡先', '出荷日', 'お問い合せ送り状No.', '出荷場印字区分', '集約解除指定',
    *_numbered('編集', 10, width=2),
)
assert len(HEADER) == 74, len(HEADER)
TIME_SLOT_CODES = {'': '', '午前中': '01', '12-14': '12', '14-16': '14', '16-18': '16', '18-20': '18', '18-21': '04',
                   '19-21': '19'}
LINE = 32
ITEM_WIDTH = 32
COOL_NORMAL = '001'
PREPAID = '1'


def _date(value) -> str:
    return value.strftime('%Y%m%d') if value else ''


def export_sagawa(shipments: Sequence[CarrierShipment]) -> CarrierExport:
    """The e飛伝III import file for the shipments, one row per shipment."""
    warnings: list[str] = []
    left_out: list[str] = []
    unmatched: list[str] = []
    kept = with_recipient_phone(shipments, 'e飛伝III', warnings, left_out)
    rows = [_row(shipment, Fields(shipment.order_number, warnings), unmatched) for shipment in kept]
    first = min((s.ship_date for s in shipments), default=None)
    filename = f'sagawa-ehiden3-{first:%Y%m%d}.csv' if first else 'sagawa-ehiden3.csv'
    return CarrierExport(write_rows(rows, HEADER), filename, 'text/csv', warnings, left_out, unmatched)


def _row(s: CarrierShipment, fields: Fields, unmatched: list[str]) -> list[str]:
    address = fields.lines('お届け先住所', [address_line(s.ship_to_prefecture, s.ship_to_city, s.ship_to_address1),
                                       s.ship_to_address2], (LINE,) * 3)
    name = fields.lines('お届け先名称', [s.ship_to_name], (LINE,) * 2)
    sender_address = fields.lines('ご依頼主住所', [address_line(s.sender_prefecture, s.sender_city, s.sender_address1),
                                             s.sender_address2], (LINE,) * 2)
    sender_name = fields.lines('ご依頼主名称', [s.sender_name], (LINE,) * 2)
    slot = slot_code(s.order_number, s.time_slot, TIME_SLOT_CODES, _l('Sagawa Express'), unmatched)
    cod = s.is_cod
    row = [
        '', '',                                              # 1-2 お届け先コード取得区分, お届け先コード
        phone(s.ship_to_phone),                              # 3 お届け先電話番号
        postal(s.ship_to_postal),                            # 4 お届け先郵便番号
        *address,                                            # 5-7 お届け先住所１-３
        *name,                                               # 8-9 お届け先名称１-２
        s.order_number,                                      # 10 お客様管理番号
        fields.clean('お客様コード', s.customer_code),         # 11 お客様コード
        '', '', '', '',                                      # 12-15 部署ご担当者…, 荷送人電話番号
        '', '',                                              # 16-17 ご依頼主コード取得区分, ご依頼主コード
        phone(s.sender_phone),                               # 18 ご依頼主電話番号
        postal(s.sender_postal),                             # 19 ご依頼主郵便番号
        *sender_address,                                     # 20-21 ご依頼主住所１-２
        *sender_name,                                        # 22-23 ご依頼主名称１-２
        '',                                                  # 24 荷姿
        fields.text('品名１', s.item_name, ITEM_WIDTH),        # 25 品名１
        '', '', '', '',                                      # 26-29 品名２-５
        '', *[''] * 11,                                      # 30-41 荷札荷姿, 荷札品名１-１１
        str(s.pieces),                                       # 42 出荷個数
        '',                                                  # 43 スピード指定
        COOL_NORMAL,                                         # 44 クール便指定
        _date(s.delivery_date),                              # 45 配達日
        slot,                                                # 46 配達指定時間帯
        '',                                                  # 47 配達指定時間（時分）
        str(s.cod_amount) if cod else '',                    # 48 代引金額
        str(s.cod_tax) if cod else '',                       # 49 消費税
        '', '',                                              # 50-51 決済種別, 保険金額
        '', '', '',                                          # 52-54 指定シール１-３
        '', '', '',                                          # 55-57 営業所受取, SRC区分, 営業所受取営業所コード
        PREPAID,                                             # 58 元着区分
        '', '',                                              # 59-60 メールアドレス, ご不在時連絡先
        _date(s.ship_date),                                  # 61 出荷日
        fields.clean('お問い合せ送り状No.', s.tracking_number),  # 62 お問い合せ送り状No.
        '', '',                                              # 63-64 出荷場印字区分, 集約解除指定
        *[''] * 10,                                          # 65-74 編集０１-１０
    ]
    assert len(row) == len(HEADER), len(row)
    return fields.row(row)
