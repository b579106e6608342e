"""Yamato B2 Cloud 外部データから発行: CP932, CRLF, one header row, then columns 1-42 (formats.md §6a).

Register the file in B2 Cloud with 取込開始行 = 2 (the first row is the header; B2 ignores its text).

Columns written [V unless marked: R3 labocho/yamato_b2_cloud = R4 = R2 = R1]:

- 1 お客様管理番号: Kura's order number.  B2's 発行済データ export brings it back beside column 4
  伝票番号, which importers.tracking reads.
- 2 送り状種別: chosen from the COD amount: 0 発払, or 2 コレクト when cod_amount > 0; with
  service='compact', 8 宅急便コンパクト or 9 宅急便コンパクトコレクト.
- 4 伝票番号: blank (B2 issues it) unless the shipment already has one.
- 5 出荷予定日, 6 お届け予定日: YYYY/MM/DD.
- 7 配達時間帯: 午前中 0812, 14-16 1416, 16-18 1618, 18-20 1820, 19-21 1921; blank = no slot (R3's
  codes, today's service; the older B2 layout PDF, P-B2, still lists 1214 and 2021, which Yamato
  withdrew in 2017).  The order's window is read by exporters.carriers.slots; one that matches none of
  these (12-14 among them) is listed in unmatched_windows, and the row has no slot.
- 9, 20 phones: hyphenated where the split is certain (exporters.carriers.text.phone), else digits.
- 11, 22 postal codes: NNN-NNNN, leading zeros kept (R3 writes the same).
- 12 住所 = prefecture + city + address1; 13 アパートマンション名 = address2.
- 34 コレクト代金引換額（税込）, 35 コレクト内消費税額等: only on コレクト rows.
- 38 発行枚数: pieces when more than 1 [I: B2 prints that many labels; check with the shop's B2].
- 40 ご請求先顧客コード, 42 運賃管理番号: the shop's customer_code and freight_code (required by B2, R3).

Not verified, chosen here (formats.md: "address limits are unclear"):

- Widths, in CP932 bytes: 住所 64 (32 full-width) and アパートマンション名 32 (16 full-width), from R1
  (messi0416/symfony-rakuten-project), whose B2 export cuts the address at 32 characters, 4 for the
  prefecture + 12 for the city + 16 for the rest (as the research notes, formats.md §6a, record it;
  another repository cuts at 16).  Yamato's own layout PDF (P-B2, new_exchange1.pdf, 送り状発行データ
  レイアウト 入出力用) gives each column's 最大入出力文字数, but the copy found could be read only up to
  column 7; R3 checks no width at all.  お届け先名 and ご依頼主名 32 (16 full-width), 品名１ 50 (25
  full-width), お客様管理番号 20 (P-B2: 半角英数字 20文字).  An address that needs more flows from 住所
  into アパートマンション名, and what still does not fit is cut with a warning.
- 18 敬称: 様, or 御中 for a company, or empty when the name already ends with one (㈱﨑山商店 御中):
  exporters.carriers.addressing.honorific.
- Columns 1-42 only.  Other tools write more: R3 wrote columns up to 42 until v0.1.2 (2019) and up to
  84 since v0.1.3 (2020-04-28, 検索キータイトル/検索キー１-５ at 75-84, lib/yamato_b2_cloud/record.rb);
  R2 and R4 list all 95-97.  Kura fills none of columns 43-97 (e-mail notices, 収納代行, 複数口くくりキー,
  検索キー), all optional, so it ends the row at 42 rather than pad it to a count that differs between
  layout versions (95 in R4's older layout, 97 in R2's).

Characters: B2 Cloud takes only JIS X 0208 (level 1-2) kanji (formats.md, a Yamato FAQ via R3).
Every other character is replaced, each with a warning: a known variant (𠮷→吉, 髙→高, 﨑→崎, as in
exporters.carriers.text.VARIANTS), else its NFKC form (①→1, ㈱→(株)), else 〓.
"""
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from exporters.carriers.addressing import address_line, honorific
from exporters.carriers.records import CarrierExport, CarrierShipment, with_recipient_phone
from exporters.carriers.slots import slot_code
from exporters.carriers.text import Fields, phone, postal, write_rows


HEADER = (
    'お客様管理番号', '送り状種別', 'クール区分', '伝票番号', '出荷予定日', 'お届け予定日', '配達時間帯',
    'お届け先コード', 'お届け先電話番号', 'お届け先電話番号枝番', 'お届け先郵便番号', 'お届け先住所',
    'お届け先アパートマンション名', 'お届け先会社・部門名１', 'お届け先会社・部門名２', 'お届け先名',
    'お届け先名略称カナ', '敬称', 'ご依頼主コード', 'ご依頼主電話番号', 'ご依頼主電話番号枝番', 'ご依頼主郵便番号',
    'ご依頼主住所', 'ご依頼主アパートマンション', 'ご依頼主名', 'ご依頼主略称カナ', '品名コード１', '品名１',
    '品名コード２', '品名２', '荷扱い１', '荷扱い２', '記事', 'コレクト代金引換額（税込）', 'コレクト内消費税額等',
    '営業所止置き', '営業所コード', '発行枚数', '個数口枠の印字', 'ご請求先顧客コード', 'ご請求先分類コード',
    '運賃管理番号',
)
TIME_SLOT_CODES = {'': '', '午前中': '0812', '14-16': '1416', '16-18': '1618', '18-20': '1820', '19-21': '1921'}
#: service -> (送り状種別 without COD, with COD)
INVOICE_TYPES = {'': ('0', '2'), 'compact': ('8', '9')}
ADDRESS_WIDTHS = (64, 32)
NAME_WIDTH = 32
ITEM_WIDTH = 50


def _date(value) -> str:
    return value.strftime('%Y/%m/%d') if value else ''


def export_yamato(shipments: Sequence[CarrierShipment]) -> CarrierExport:
    """The B2 Cloud import file for the shipments, one row per shipment."""
    warnings: list[str] = []
    left_out: list[str] = []
    unmatched: list[str] = []
    kept = with_recipient_phone(shipments, 'B2 Cloud', warnings, left_out)
    rows = [_row(shipment, Fields(shipment.order_number, warnings, jis_x0208_only=True), unmatched)
            for shipment in kept]
    first = min((s.ship_date for s in shipments), default=None)
    filename = f'yamato-b2-{first:%Y%m%d}.csv' if first else 'yamato-b2.csv'
    return CarrierExport(write_rows(rows, HEADER), filename, 'text/csv', warnings, left_out, unmatched)


def _row(s: CarrierShipment, fields: Fields, unmatched: list[str]) -> list[str]:
    if not (10 <= len(s.customer_code) <= 12 and s.customer_code.isascii() and s.customer_code.isdigit()):
        fields.warn(_l('%(field)s "%(value)s" is not 10-12 digits: B2 Cloud will refuse the row; '
                       "set the shop's Yamato customer code", field='ご請求先顧客コード', value=s.customer_code))
    if not (len(s.freight_code) == 2 and s.freight_code.isascii() and s.freight_code.isdigit()):
        fields.warn(_l('%(field)s "%(value)s" is not 2 digits: B2 Cloud will refuse the row; '
                       "set the shop's Yamato freight code (e.g. 01)", field='運賃管理番号', value=s.freight_code))
    address, building = fields.lines('お届け先住所', _address(s.ship_to_prefecture, s.ship_to_city,
                                                            s.ship_to_address1, s.ship_to_address2), ADDRESS_WIDTHS)
    sender_address, sender_building = fields.lines('ご依頼主住所', _address(
        s.sender_prefecture, s.sender_city, s.sender_address1, s.sender_address2), ADDRESS_WIDTHS)
    slot = slot_code(s.order_number, s.time_slot, TIME_SLOT_CODES, _l('Yamato Transport'), unmatched)
    cod = s.is_cod
    return fields.row([
        s.order_number,                                      # 1 お客様管理番号
        INVOICE_TYPES[s.service][cod],                       # 2 送り状種別
        '',                                                  # 3 クール区分: normal
        fields.clean('伝票番号', s.tracking_number),           # 4 伝票番号
        _date(s.ship_date),                                  # 5 出荷予定日
        _date(s.delivery_date),                              # 6 お届け予定日
        slot,                                                # 7 配達時間帯
        '',                                                  # 8 お届け先コード
        phone(s.ship_to_phone),                              # 9 お届け先電話番号
        '',                                                  # 10 枝番
        postal(s.ship_to_postal),                            # 11 お届け先郵便番号
        address,                                             # 12 お届け先住所
        building,                                            # 13 お届け先アパートマンション名
        '', '',                                              # 14-15 会社・部門名
        fields.text('お届け先名', s.ship_to_name, NAME_WIDTH),  # 16 お届け先名
        '',                                                  # 17 お届け先名略称カナ
        honorific(s.ship_to_name),                           # 18 敬称
        '',                                                  # 19 ご依頼主コード
        phone(s.sender_phone),                               # 20 ご依頼主電話番号
        '',                                                  # 21 枝番
        postal(s.sender_postal),                             # 22 ご依頼主郵便番号
        sender_address,                                      # 23 ご依頼主住所
        sender_building,                                     # 24 ご依頼主アパートマンション
        fields.text('ご依頼主名', s.sender_name, NAME_WIDTH),  # 25 ご依頼主名
        '',                                                  # 26 ご依頼主略称カナ
        '',                                                  # 27 品名コード１
        fields.text('品名１', s.item_name, ITEM_WIDTH),        # 28 品名１
        '', '', '', '', '',                                  # 29-33 品名コード２, 品名２, 荷扱い１/２, 記事
        str(s.cod_amount) if cod else '',                    # 34 コレクト代金引換額（税込）
        str(s.cod_tax) if cod else '',                       # 35 コレクト内消費税額等
        '', '',                                              # 36-37 営業所止置き, 営業所コード
        str(s.pieces) if s.pieces > 1 else '',               # 38 発行枚数
        '',                                                  # 39 個数口枠の印字
        fields.clean('ご請求先顧客コード', s.customer_code),     # 40 ご請求先顧客コード
        '',                                                  # 41 ご請求先分類コード
        fields.clean('運賃管理番号', s.freight_code),           # 42 運賃管理番号
    ])


def _address(prefecture: str, city: str, address1: str, address2: str) -> list[str]:
    return [address_line(prefecture, city, address1), address2]
