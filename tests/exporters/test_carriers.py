"""Carrier label files: each test builds shipments and reads the bytes the carrier's software would import."""
import csv
import dataclasses
import datetime
import io
import zipfile

import pytest

from exporters.base import ExportResult
from exporters.carriers import CARRIER_EXPORTS, CarrierExport, CarrierShipment
from exporters.carriers.addressing import address_line, addressee, honorific
from exporters.carriers.slots import read_window
from exporters.carriers.text import Fields, is_jis_x0208, phone


SHIP_DATE = datetime.date(2026, 9, 8)
COLUMNS = {'yamato': 42, 'sagawa': 74, 'japanpost': 75, 'clickpost': 8}
HAS_HEADER = {'yamato': True, 'sagawa': True, 'japanpost': False, 'clickpost': True}
# names and addresses with the characters CP932 has and Shift_JIS (JIS X 0208) does not
NAME = '髙﨑 ①子'
BUILDING = '㈱髙﨑～ビル ①号室'


@pytest.fixture(autouse=True)
def app_context():
    """Replaces the application context of tests/conftest.py: format code needs no app and no database."""


def shipment(**changes) -> CarrierShipment:
    values = {
        'order_number': 'K00000123', 'ship_date': SHIP_DATE, 'ship_to_postal': '0600001',
        'ship_to_prefecture': '北海道', 'ship_to_city': '札幌市中央区', 'ship_to_address1': '北一条西１丁目２－３',
        'ship_to_address2': '', 'ship_to_name': '山田 花子', 'ship_to_phone': '0312345678', 'sender_postal': '0010010',
        'sender_prefecture': '東京都', 'sender_city': '千代田区', 'sender_address1': '丸の内1-1-1',
        'sender_address2': '', 'sender_name': '蔵ショップ', 'sender_phone': '09001234567', 'item_name': '玄米茶',
        'customer_code': '012345678901', 'freight_code': '01',
        **changes,
    }
    return CarrierShipment(**values)


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode('cp932'), newline='')))


def data_rows(carrier: str, result: CarrierExport) -> list[list[str]]:
    rows = rows_of(result.content)
    return rows[1:] if HAS_HEADER[carrier] else rows


def one_row(carrier: str, **changes) -> tuple[list[str], list[str]]:
    result = CARRIER_EXPORTS[carrier]([shipment(**changes)])
    (row,) = data_rows(carrier, result)
    return row, result.warnings


# ------------------------------------------------------------------------------------------- every format

@pytest.mark.parametrize('carrier', sorted(CARRIER_EXPORTS))
def test_file_is_cp932_with_crlf_and_no_bom(carrier):
    result = CARRIER_EXPORTS[carrier]([shipment(ship_to_name=NAME), shipment(order_number='K00000124')])
    content = result.content
    assert isinstance(result, ExportResult)
    assert result.mimetype == 'text/csv'
    assert result.filename.endswith('-20260908.csv')
    assert not content.startswith(b'\xef\xbb\xbf')
    content.decode('cp932')
    with pytest.raises(UnicodeDecodeError):
        content.decode('utf-8')
    assert content.endswith(b'\r\n')
    assert content.count(b'\n') == content.count(b'\r\n') == (3 if HAS_HEADER[carrier] else 2)


@pytest.mark.parametrize('carrier', sorted(CARRIER_EXPORTS))
def test_every_row_has_the_format_column_count(carrier):
    result = CARRIER_EXPORTS[carrier]([shipment(), shipment(ship_to_address2=BUILDING, time_slot='午前中'),
                                       shipment(item_name='')])
    rows = rows_of(result.content)
    assert len(rows) == (4 if HAS_HEADER[carrier] else 3)
    assert {len(row) for row in rows} == {COLUMNS[carrier]}


@pytest.mark.parametrize(('carrier', 'postal', 'phone_at', 'order_at'), [
    ('yamato', 10, 8, 0), ('sagawa', 3, 2, 9), ('japanpost', 12, 19, 0), ('clickpost', 0, None, None),
])
def test_leading_zeros_are_kept(carrier, postal, phone_at, order_at):
    row, _ = one_row(carrier, order_number='K00000007', ship_to_postal='0040001', ship_to_phone='0112223333')
    assert row[postal] == '004-0001'
    if phone_at is not None:
        assert row[phone_at] == '0112223333'  # an 011 (Sapporo) number: its split is not certain, digits only
    if order_at is not None:
        assert row[order_at] == 'K00000007'


def test_an_empty_batch_gives_a_header_only_file():
    assert CARRIER_EXPORTS['yamato']([]).content.count(b'\r\n') == 1
    assert CARRIER_EXPORTS['japanpost']([]).content == b''


@pytest.mark.parametrize(('digits', 'shown'), [
    ('09012345678', '090-1234-5678'), ('0312345678', '03-1234-5678'), ('0667778888', '06-6777-8888'),
    ('0120123456', '0120-123-456'), ('05011112222', '050-1111-2222'), ('0452223333', '0452223333'),
])
def test_phones_are_hyphenated_only_where_the_split_is_certain(digits, shown):
    assert phone(digits) == shown


@pytest.mark.parametrize('changes', [
    {'ship_to_postal': '060001'}, {'sender_postal': '060-0001'}, {'ship_to_phone': '03-1234-5678'},
    {'pieces': 0}, {'cod_amount': 100, 'cod_tax': 200}, {'service': 'nekopos'},
])
def test_a_shipment_with_values_no_carrier_takes_is_refused_before_any_file(changes):
    with pytest.raises(ValueError, match='K00000123'):
        shipment(**changes)


@pytest.mark.parametrize(('carrier', 'name'), [('yamato', 'B2 Cloud'), ('sagawa', 'e飛伝III'),
                                              ('japanpost', 'ゆうプリR')])
def test_a_recipient_without_a_phone_is_left_out_and_named_never_given_the_shops_number(carrier, name):
    result = CARRIER_EXPORTS[carrier]([shipment(order_number='K00000001'),
                                       shipment(order_number='K00000002', ship_to_phone='')])

    rows = data_rows(carrier, result)
    assert [row[0] if carrier != 'sagawa' else row[9] for row in rows] == ['K00000001']
    assert 'K00000002' not in result.content.decode('cp932')
    assert result.left_out == ['K00000002']
    assert result.warnings == [f'K00000002: the recipient has no phone number, which {name} requires: left out of '
                               'the file. Add the phone on the order (Ship to, Edit the address) and make the file '
                               'again']


def test_click_post_needs_no_recipient_phone():
    result = CARRIER_EXPORTS['clickpost']([shipment(ship_to_phone='')])
    assert (len(data_rows('clickpost', result)), result.left_out, result.warnings) == (1, [], [])


# ------------------------------------------------------------------------------------------ addressing

@pytest.mark.parametrize(('name', 'mark', 'shown'), [
    ('山田 花子', '様', '山田 花子 様'),
    ('㈱﨑山商店', '御中', '㈱﨑山商店 御中'),
    ('株式会社 﨑山商店', '様', '株式会社 﨑山商店 様'),       # the last word has no company mark: read as a person
    ('（株）蔵', '御中', '（株）蔵 御中'),
    ('㈱﨑山商店 御中', '', '㈱﨑山商店 御中'),                 # never 御中 様
    ('株式会社蔵 総務部御中', '', '株式会社蔵 総務部御中'),
    ('株式会社ABC 山田 太郎', '様', '株式会社ABC 山田 太郎 様'),  # a person at a company
    ('山田 花子様', '', '山田 花子様'),
])
def test_a_company_gets_onchu_and_a_stated_honorific_gets_nothing_more(name, mark, shown):
    assert (honorific(name), addressee(name)) == (mark, shown)


@pytest.mark.parametrize(('parts', 'line'), [
    (('北海道', '札幌市中央区', '北一条西1-2-3'), '北海道札幌市中央区北一条西1-2-3'),
    (('東京都', '千代田区', '1-1'), '東京都千代田区1-1'),
    (('北海道', 'Sapporo-shi Chuo-ku', 'Kita 1-jo Nishi 2-3'), '北海道 Sapporo-shi Chuo-ku Kita 1-jo Nishi 2-3'),
    (('東京都', 'Chiyoda-ku', '1-1 Chiyoda'), '東京都 Chiyoda-ku 1-1 Chiyoda'),
    (('東京都', '', 'Ｃｈｉｙｏｄａ'), '東京都 Ｃｈｉｙｏｄａ'),
])
def test_a_romaji_address_keeps_a_space_where_its_parts_meet(parts, line):
    assert address_line(*parts) == line


@pytest.mark.parametrize(('carrier', 'name_at', 'honorific_at'), [('yamato', 15, 17), ('clickpost', 1, 2)])
def test_a_company_recipient_is_not_given_sama_after_onchu(carrier, name_at, honorific_at):
    result = CARRIER_EXPORTS[carrier]([shipment(ship_to_name='山田商店 御中'), shipment(ship_to_name='株式会社蔵')])
    stated, company = data_rows(carrier, result)
    assert (stated[name_at], stated[honorific_at]) == ('山田商店 御中', '')
    assert (company[name_at], company[honorific_at]) == ('株式会社蔵', '御中')
    assert '御中 様' not in result.content.decode('cp932')


@pytest.mark.parametrize(('carrier', 'at', 'line'), [
    ('yamato', 11, '北海道 Sapporo-shi Kita 1-jo'), ('sagawa', 4, '北海道 Sapporo-shi Kita 1-jo'),
    ('japanpost', 13, '北海道 Sapporo-shi Kita 1-jo'),
    ('clickpost', 3, '北海道 Sapporo-shi'),  # Click Post starts the street on a line of its own
])
def test_a_romaji_address_keeps_its_space_between_city_and_street_in_every_file(carrier, at, line):
    row, _ = one_row(carrier, ship_to_city='Sapporo-shi', ship_to_address1='Kita 1-jo')
    assert row[at] == line


# ---------------------------------------------------------------------------------------- delivery windows

@pytest.mark.parametrize(('written', 'window'), [
    ('', ''), ('指定なし', ''), ('お届け時間帯指定なし', ''), ('希望なし', ''), ('-', ''),
    ('午前中', '午前中'), ('午前中希望', '午前中'), ('08:00-12:00', '午前中'), ('午前中(8時～12時)', '午前中'),
    ('14-16', '14-16'), ('14:00-16:00', '14-16'), ('14:00～16:00', '14-16'), ('14：00～16：00', '14-16'),
    ('１４：００〜１６：００', '14-16'), ('14時～16時', '14-16'), ('14時-16時', '14-16'), ('14-16時', '14-16'),
    ('14時から16時', '14-16'), ('午後2時～4時', '14-16'), ('19:00－21:00', '19-21'), ('12:00-14:00', '12-14'),
    ('18時～21時', '18-21'),
    # a date-only promise (Amazon writes the whole day): any slot will do
    ('00:00-23:59', ''), ('08:00-21:00', ''),
    ('14:30-16:00', None), ('夕方', None), ('午前10時まで', None), ('16-14', None),
])
def test_a_window_is_read_however_the_mall_writes_it(written, window):
    assert read_window(written) == window


@pytest.mark.parametrize(('carrier', 'written', 'at', 'code'), [
    ('yamato', '14：00～16：00', 6, '1416'), ('yamato', '08:00-12:00', 6, '0812'), ('yamato', '19時～21時', 6, '1921'),
    ('sagawa', '14:00-16:00', 45, '14'), ('sagawa', '12時～14時', 45, '12'), ('sagawa', '18:00-21:00', 45, '04'),
    ('japanpost', '16時-18時', 65, '54'), ('japanpost', '12:00-14:00', 65, '52'),
])
def test_a_written_window_becomes_the_carriers_code(carrier, written, at, code):
    result = CARRIER_EXPORTS[carrier]([shipment(time_slot=written)])
    (row,) = data_rows(carrier, result)
    assert (row[at], result.unmatched_windows) == (code, [])


@pytest.mark.parametrize(('carrier', 'name', 'at', 'none', 'slots'), [
    ('yamato', 'Yamato Transport', 6, '', '午前中, 14-16, 16-18, 18-20, 19-21'),
    ('sagawa', 'Sagawa Express', 45, '', '午前中, 12-14, 14-16, 16-18, 18-20, 18-21, 19-21'),
    ('japanpost', 'Japan Post (Yu-Pack)', 65, '00', '午前中, 12-14, 14-16, 16-18, 18-20, 19-21'),
])
def test_a_window_no_slot_matches_is_listed_with_its_order_not_dropped(carrier, name, at, none, slots):
    result = CARRIER_EXPORTS[carrier]([shipment(order_number='K00000001', time_slot='14-16'),
                                       shipment(order_number='K00000002', time_slot='10:00～12:00')])

    first, second = data_rows(carrier, result)
    assert second[at] == none
    assert result.unmatched_windows == [
        f'K00000002: the delivery window "10:00～12:00" matches no {name} time slot ({slots}): the parcel is in the '
        "file without one. Tell the carrier, or change the order's time slot and make the file again"]
    assert result.warnings == []


def test_yamato_lists_12_to_14_which_it_no_longer_offers():
    result = CARRIER_EXPORTS['yamato']([shipment(time_slot='12:00-14:00')])
    assert data_rows('yamato', result)[0][6] == ''
    (listed,) = result.unmatched_windows
    assert listed.startswith('K00000123: the delivery window "12:00-14:00" matches no Yamato Transport time slot')


# ----------------------------------------------------------------------------------------------- Yamato

def test_yamato_columns_by_position():
    row, warnings = one_row('yamato', ship_to_address2='髙橋ハイツ１０１', delivery_date=datetime.date(2026, 9, 10),
                            time_slot='14-16')
    assert warnings == ['K00000123: お届け先住所: "髙" (U+9AD9) is outside JIS X 0208 (levels 1-2), which B2 Cloud '
                        'requires; written as "高"']
    assert row[:7] == ['K00000123', '0', '', '', '2026/09/08', '2026/09/10', '1416']
    assert row[8:13] == ['03-1234-5678', '', '060-0001', '北海道札幌市中央区北一条西１丁目２－３', '高橋ハイツ１０１']
    assert row[15] == '山田 花子'
    assert row[17] == '様'
    assert row[19] == '090-0123-4567'
    assert row[21:25] == ['001-0010', '東京都千代田区丸の内1-1-1', '', '蔵ショップ']
    assert row[27] == '玄米茶'
    assert row[33:35] == ['', '']
    assert row[39:42] == ['012345678901', '', '01']


def test_yamato_header_is_the_b2_layout_read_from_line_2():
    header = rows_of(CARRIER_EXPORTS['yamato']([shipment()]).content)[0]
    assert header[0] == 'お客様管理番号' and header[3] == '伝票番号' and header[41] == '運賃管理番号'


@pytest.mark.parametrize(('slot', 'code'), [
    ('', ''), ('午前中', '0812'), ('14-16', '1416'), ('16-18', '1618'), ('18-20', '1820'), ('19-21', '1921'),
])
def test_yamato_time_slots(slot, code):
    row, _ = one_row('yamato', time_slot=slot)
    assert row[6] == code


@pytest.mark.parametrize(('service', 'cod', 'invoice_type', 'amounts'), [
    ('', 0, '0', ['', '']), ('', 5400, '2', ['5400', '490']),
    ('compact', 0, '8', ['', '']), ('compact', 5400, '9', ['5400', '490']),
])
def test_yamato_invoice_type_follows_cash_on_delivery(service, cod, invoice_type, amounts):
    row, _ = one_row('yamato', service=service, cod_amount=cod, cod_tax=490 if cod else 0)
    assert row[1] == invoice_type
    assert row[33:35] == amounts


def test_yamato_replaces_what_is_outside_jis_level_1_and_2_with_one_warning_each():
    row, warnings = one_row('yamato', ship_to_name=NAME, ship_to_address2=BUILDING, sender_name='𠮷田商店🍵')
    assert row[12] == '(株)高崎～ビル 1号室'
    assert row[15] == '高崎 1子'
    assert row[24] == '吉田商店〓'
    assert warnings == [
        'K00000123: お届け先住所: "㈱" (U+3231) is outside JIS X 0208 (levels 1-2), which B2 Cloud requires; '
        'written as "(株)"',
        'K00000123: お届け先住所: "髙" (U+9AD9) is outside JIS X 0208 (levels 1-2), which B2 Cloud requires; '
        'written as "高"',
        'K00000123: お届け先住所: "﨑" (U+FA11) is outside JIS X 0208 (levels 1-2), which B2 Cloud requires; '
        'written as "崎"',
        'K00000123: お届け先住所: "①" (U+2460) is outside JIS X 0208 (levels 1-2), which B2 Cloud requires; '
        'written as "1"',
        'K00000123: お届け先名: "髙" (U+9AD9) is outside JIS X 0208 (levels 1-2), which B2 Cloud requires; '
        'written as "高"',
        'K00000123: お届け先名: "﨑" (U+FA11) is outside JIS X 0208 (levels 1-2), which B2 Cloud requires; '
        'written as "崎"',
        'K00000123: お届け先名: "①" (U+2460) is outside JIS X 0208 (levels 1-2), which B2 Cloud requires; '
        'written as "1"',
        'K00000123: ご依頼主名: "𠮷" (U+20BB7) cannot be written in CP932; written as "吉"',
        'K00000123: ご依頼主名: "🍵" (U+1F375) cannot be written in CP932; written as "〓"',
    ]


def test_yamato_keeps_the_wave_dash_and_half_width_kana():
    row, warnings = one_row('yamato', ship_to_address2='ｶﾅﾋﾞﾙ～〜 3F')
    assert row[12] == 'ｶﾅﾋﾞﾙ～～ 3F'
    assert warnings == []


@pytest.mark.parametrize(('char', 'inside'), [
    ('亜', True), ('熙', True), ('～', True), ('ｱ', True), ('A', True), ('髙', False), ('﨑', False), ('①', False),
    ('㈱', False), ('𠮷', False),
])
def test_jis_x0208_is_told_from_the_cp932_code(char, inside):
    assert is_jis_x0208(char) is inside


def test_yamato_address_is_cut_to_32_and_16_full_width_characters_with_a_warning():
    long_address = '大字' + 'あ' * 40
    row, warnings = one_row('yamato', ship_to_address1=long_address, ship_to_address2='コーポ髙橋')
    assert row[11] == '北海道札幌市中央区大字' + 'あ' * 21
    assert len(row[11]) == 32 and len(row[12]) == 16
    whole = f'北海道札幌市中央区{long_address} コーポ高橋'
    assert row[11] + row[12] == whole.replace(' ', '')[:48]
    assert warnings[-1] == (f'K00000123: お届け先住所 is longer than 64 bytes + 32 bytes and was cut: '
                            f'"{whole[48:]}" left out (whole value: "{whole}")')


def test_yamato_address_overflows_into_the_building_column_before_anything_is_cut():
    address1 = 'い' * 30
    row, warnings = one_row('yamato', ship_to_address1=address1)
    assert row[11] + row[12] == '北海道札幌市中央区' + address1
    assert len(row[11]) == 32
    assert warnings == []


def test_yamato_warns_when_the_shop_customer_code_is_missing():
    _, warnings = one_row('yamato', customer_code='', freight_code='1')
    assert warnings == [
        'K00000123: ご請求先顧客コード "" is not 10-12 digits: B2 Cloud will refuse the row; set the shop\'s Yamato '
        'customer code',
        'K00000123: 運賃管理番号 "1" is not 2 digits: B2 Cloud will refuse the row; set the shop\'s Yamato freight '
        'code (e.g. 01)',
    ]


def test_every_cut_is_listed_with_its_order():
    long_name = '寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末'
    result = CARRIER_EXPORTS['yamato']([shipment(order_number='K00000001', ship_to_name=long_name),
                                        shipment(order_number='K00000002'),
                                        shipment(order_number='K00000003', ship_to_name=long_name)])
    assert [w.split(':')[0] for w in result.warnings] == ['K00000001', 'K00000003']
    assert all('お届け先名 is longer than 32 bytes (16 full-width characters) and was cut' in w
               for w in result.warnings)


# ----------------------------------------------------------------------------------------------- Sagawa

def test_sagawa_header_has_74_columns_with_the_code_column_once():
    header = rows_of(CARRIER_EXPORTS['sagawa']([shipment()]).content)[0]
    assert len(header) == 74
    assert header.count('部署ご担当者コード取得区分') == 1
    assert header[:5] == ['お届け先コード取得区分', 'お届け先コード', 'お届け先電話番号', 'お届け先郵便番号',
                          'お届け先住所１']
    assert header[9] == 'お客様管理番号'
    assert header[40:42] == ['荷札品名１１', '出荷個数']
    assert header[61] == 'お問い合せ送り状No.'
    assert header[64:] == ['編集０１', '編集０２', '編集０３', '編集０４', '編集０５', '編集０６', '編集０７',
                           '編集０８', '編集０９', '編集１０']


def test_sagawa_columns_by_position_keep_cp932_characters():
    row, warnings = one_row('sagawa', ship_to_name=NAME, ship_to_address2=BUILDING, pieces=2,
                            delivery_date=datetime.date(2026, 9, 10), time_slot='午前中')
    assert warnings == []
    assert row[2:10] == ['03-1234-5678', '060-0001', '北海道札幌市中央区北一条西１丁目', '２－３', BUILDING, NAME, '',
                         'K00000123']
    assert row[10] == '012345678901'
    assert row[17:23] == ['090-0123-4567', '001-0010', '東京都千代田区丸の内1-1-1', '', '蔵ショップ', '']
    assert row[24] == '玄米茶'
    assert row[41:46] == ['2', '', '001', '20260910', '01']
    assert row[47:49] == ['', '']
    assert row[57] == '1'
    assert row[60] == '20260908'
    assert '髙﨑'.encode('cp932') in CARRIER_EXPORTS['sagawa']([shipment(ship_to_name=NAME)]).content


@pytest.mark.parametrize(('slot', 'code'), [
    ('', ''), ('午前中', '01'), ('14-16', '14'), ('16-18', '16'), ('18-20', '18'), ('19-21', '19'),
])
def test_sagawa_time_slots(slot, code):
    row, _ = one_row('sagawa', time_slot=slot)
    assert row[45] == code


def test_sagawa_cash_on_delivery_amount_and_tax():
    row, _ = one_row('sagawa', cod_amount=10800, cod_tax=981)
    assert row[47:49] == ['10800', '981']


def test_sagawa_address_lines_hold_16_full_width_characters_and_a_cut_is_a_warning():
    row, warnings = one_row('sagawa', ship_to_address1='う' * 40, ship_to_address2='ビル')
    assert [len(line) for line in row[4:7]] == [16, 16, 16]
    assert row[4] == '北海道札幌市中央区' + 'う' * 7
    whole = '北海道札幌市中央区' + 'う' * 40 + ' ビル'
    assert warnings == [f'K00000123: お届け先住所 is longer than 3 lines of 32 bytes (16 full-width characters) '
                        f'and was cut: "{whole[48:]}" left out (whole value: "{whole}")']


def test_sagawa_name_overflows_into_the_second_name_line():
    row, warnings = one_row('sagawa', ship_to_name='株式会社' + 'え' * 14)
    assert row[7:9] == ['株式会社' + 'え' * 12, 'ええ']
    assert warnings == []


# -------------------------------------------------------------------------------------------- ゆうプリR

def test_japanpost_has_no_header_and_the_documented_leading_columns():
    row, warnings = one_row('japanpost', ship_to_name=NAME, ship_to_address2=BUILDING,
                            delivery_date=datetime.date(2026, 9, 10), time_slot='18-20', pieces=3)
    content = CARRIER_EXPORTS['japanpost']([shipment()]).content
    assert content.startswith(b'K00000123,20260908,')
    assert warnings == []
    assert row[:8] == ['K00000123', '20260908', '', '', '', '0', '0', '0']
    assert row[12:20] == ['060-0001', '北海道札幌市中央区北一条西１丁目２－３', BUILDING, '', NAME, '', '0',
                          '03-1234-5678']
    assert row[29:37] == ['001-0010', '東京都千代田区丸の内1-1-1', '', '', '蔵ショップ', '', '', '090-0123-4567']
    assert row[53] == 'K00000123'
    assert row[64:66] == ['20260910', '55']
    assert row[71:] == ['3', '', '', '玄米茶']


@pytest.mark.parametrize(('slot', 'code'), [
    ('', '00'), ('午前中', '51'), ('14-16', '53'), ('16-18', '54'), ('18-20', '55'), ('19-21', '57'),
])
def test_japanpost_time_slots(slot, code):
    row, _ = one_row('japanpost', time_slot=slot)
    assert row[65] == code


def test_japanpost_cash_on_delivery():
    row, _ = one_row('japanpost', cod_amount=3300, cod_tax=300)
    assert row[7] == '2'
    assert row[72:74] == ['3300', '300']


def test_japanpost_address_fields_hold_50_bytes():
    row, warnings = one_row('japanpost', ship_to_address1='お' * 80)
    assert [len(line.encode('cp932')) for line in row[13:16]] == [50, 50, 50]
    assert len(warnings) == 1 and 'お届け先住所 is longer than 3 lines of 50 bytes' in warnings[0]


# --------------------------------------------------------------------------------------------- クリックポスト

def test_clickpost_header_and_row():
    result = CARRIER_EXPORTS['clickpost']([shipment(ship_to_name=NAME, ship_to_address2=BUILDING)])
    rows = rows_of(result.content)
    assert rows == [
        ['お届け先郵便番号', 'お届け先氏名', 'お届け先敬称', 'お届け先住所1行目', 'お届け先住所2行目',
         'お届け先住所3行目', 'お届け先住所4行目', '内容品'],
        ['060-0001', NAME, '様', '北海道札幌市中央区', '北一条西１丁目２－３', BUILDING, '', '玄米茶'],
    ]
    assert result.warnings == []


def test_clickpost_refuses_cash_on_delivery_and_lists_it():
    result = CARRIER_EXPORTS['clickpost']([shipment(order_number='K00000001'),
                                           shipment(order_number='K00000002', cod_amount=3000, cod_tax=272)])
    assert [row[1] for row in rows_of(result.content)[1:]] == ['山田 花子']
    assert result.left_out == ['K00000002']
    assert result.warnings == ['K00000002: cash on delivery (3000 yen) is not possible with Click Post: left out '
                               'of the file; ship it with another carrier']


def test_clickpost_warns_that_a_delivery_wish_is_not_passed_on():
    _, warnings = one_row('clickpost', delivery_date=datetime.date(2026, 9, 10), time_slot='午前中', pieces=2)
    assert warnings == [
        'K00000123: Click Post has no delivery date or time slot: the requested 2026-09-10 午前中 is not passed on',
        'K00000123: Click Post labels one parcel: the order has 2 pieces and one label is written; make the others '
        'by hand',
    ]


def test_clickpost_item_name_holds_15_full_width_characters():
    row, warnings = one_row('clickpost', item_name='静岡県産深蒸し茶ティーバッグ詰め合わせセット')
    assert row[7] == '静岡県産深蒸し茶ティーバッグ詰'
    assert warnings == ['K00000123: 内容品 is longer than 30 bytes (15 full-width characters) and was cut: '
                        '"め合わせセット" left out (whole value: "静岡県産深蒸し茶ティーバッグ詰め合わせセット")']


def test_clickpost_20_rows_make_one_csv():
    result = CARRIER_EXPORTS['clickpost']([shipment(order_number=f'K{n:08d}') for n in range(20)])
    assert result.filename == 'clickpost-20260908.csv'
    assert len(rows_of(result.content)) == 21
    assert result.warnings == []


def test_clickpost_more_than_20_rows_make_a_zip_of_csvs_of_20():
    shipments = [shipment(order_number=f'K{n:08d}', ship_to_name=f'客{n}') for n in range(45)]
    shipments.insert(3, shipment(order_number='K99999999', cod_amount=1000, cod_tax=90))
    result = CARRIER_EXPORTS['clickpost'](shipments)
    assert (result.filename, result.mimetype) == ('clickpost-20260908.zip', 'application/zip')
    with zipfile.ZipFile(io.BytesIO(result.content)) as archive:
        names = archive.namelist()
        files = [rows_of(archive.read(name)) for name in names]
    assert names == ['clickpost-20260908-01.csv', 'clickpost-20260908-02.csv', 'clickpost-20260908-03.csv']
    assert [len(rows) - 1 for rows in files] == [20, 20, 5]
    assert all(rows[0][0] == 'お届け先郵便番号' for rows in files)
    assert [row[1] for rows in files for row in rows[1:]] == [f'客{n}' for n in range(45)]
    assert result.left_out == ['K99999999']
    assert result.warnings[-1] == ('Click Post takes at most 20 rows per upload: the 45 rows are split into 3 CSV '
                                   'files in clickpost-20260908.zip (clickpost-20260908-01.csv, '
                                   'clickpost-20260908-02.csv, clickpost-20260908-03.csv); upload each one')
    again = CARRIER_EXPORTS['clickpost'](shipments)
    assert again.content == result.content  # the same batch gives the same bytes


# ------------------------------------------------------------------------------------------ text helpers

def test_line_breaks_inside_a_value_become_spaces():
    warnings = []
    assert Fields('K1', warnings).clean('x', ' 丸の内\r\n1-1\t ビル\u00a0 ') == '丸の内 1-1 ビル'
    assert warnings == []


def test_a_control_character_is_never_written_silently():
    warnings = []
    assert Fields('K1', warnings).clean('お届け先名', '山田\x1b花子') == '山田〓花子'
    assert warnings == ['K1: お届け先名: "\\x1b" (U+001B) is a control character, which no label prints; '
                        'written as "〓"']


def test_a_variation_selector_is_dropped_for_the_base_character():
    warnings = []
    assert Fields('K1', warnings).clean('お届け先名', '葛\U000e0100城') == '葛城'
    assert warnings == []


def test_carrier_export_is_an_export_result_with_warnings():
    result = CarrierExport(b'', 'a.csv', 'text/csv')
    assert dataclasses.asdict(result) == {'content': b'', 'filename': 'a.csv', 'mimetype': 'text/csv',
                                          'warnings': [], 'left_out': [], 'unmatched_windows': []}


@pytest.mark.parametrize('carrier', sorted(CARRIER_EXPORTS))
@pytest.mark.parametrize('value', ['=HYPERLINK("http://evil.example","クリック")', '@SUM(A1)', '+1+1', '-2+3*cmd'])
def test_a_value_a_spreadsheet_would_run_is_kept_for_the_carrier_and_warned_about(carrier, value):
    """The carrier's software needs the bytes as they are; the person making the file is told not to open it."""
    row, warnings = one_row(carrier, item_name=value)
    assert any(cell.startswith(value[:8]) for cell in row)
    assert any('begins like a spreadsheet formula' in w and w.startswith('K00000123: ') for w in warnings), warnings


@pytest.mark.parametrize('value', ['-101', '+81 90 1234 5678', '１０１号室', '＝ビル'])
def test_a_number_or_a_full_width_sign_is_no_formula(value):
    _, warnings = one_row('yamato', item_name=value)
    assert not any('formula' in w for w in warnings), warnings
