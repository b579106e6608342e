"""Tracking numbers back from the carriers: each file read with its lines, then reconciled with nothing dropped."""
import csv
import datetime
import io

import pytest

from exporters.carriers import CARRIER_EXPORTS, CarrierShipment
from importers.base import FileRefused
from importers.codes import with_tracking_check_digit
from importers.tracking import CHECK_DIGIT, TRACKING_IMPORTS, Reconciliation, TrackingRecord, reconcile


YAMATO, SAGAWA, JAPAN_POST, YUPRI_POC = '444413758703', '512547514334', '405548424886', '193715301010'
# more valid numbers, made with the mod-7 rule
VALID = [with_tracking_check_digit(f'{body:011}') for body in range(44441375871, 44441375876)]
BAD_DIGIT = YAMATO[:11] + '6'


@pytest.fixture(autouse=True)
def app_context():
    """Replaces the application context of tests/conftest.py: format code needs no app and no database."""


def table(rows: list[list[str]], *, encoding: str = 'cp932') -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator='\r\n').writerows(rows)
    return out.getvalue().encode(encoding)


def records(result) -> list[tuple[int, str, str]]:
    return [(r.line, r.order_number, r.tracking_number) for r in result.records]


def problems(result) -> list[tuple[int, str, str]]:
    return [(p.line, p.field, p.value) for p in result.problems]


# ----------------------------------------------------------------------------------------------- Yamato

def b2_issued_data(tracking: dict[str, str]) -> bytes:
    """B2 Cloud's 発行済データ: Kura's own export with column 4 伝票番号 filled, as B2 writes it back."""
    shipments = [CarrierShipment(
        order_number=order, ship_date=datetime.date(2026, 9, 8), ship_to_postal='0600001', ship_to_prefecture='北海道',
        ship_to_city='札幌市', ship_to_address1='北一条西1-2-3', ship_to_address2='', ship_to_name='髙橋 様',
        ship_to_phone='0312345678', sender_postal='1000005', sender_prefecture='東京都', sender_city='千代田区',
        sender_address1='丸の内1-1-1', sender_address2='', sender_name='蔵', sender_phone='0312345678',
        item_name='茶', customer_code='012345678901', freight_code='01') for order in tracking]
    rows = list(csv.reader(io.StringIO(CARRIER_EXPORTS['yamato'](shipments).content.decode('cp932'), newline='')))
    for row in rows[1:]:
        row[3] = tracking[row[0]]
    return table(rows)


def test_yamato_issued_data_brings_back_column_1_and_column_4():
    data = b2_issued_data({'K00000001': YAMATO, 'K00000002': '4444-1375-8711'})
    result = TRACKING_IMPORTS['yamato'](data, 'b2-issued.csv')
    assert (result.carrier, result.filename) == ('yamato', 'b2-issued.csv')
    assert records(result) == [(2, 'K00000001', YAMATO), (3, 'K00000002', '444413758711')]
    assert result.problems == []


def test_yamato_issued_data_without_header_and_with_a_multi_line_cell():
    data = table([['K00000001', '0', '', YAMATO, '2026/09/08'],
                  ['K00000002', '0', '', VALID[0], '2026/09/08', '', '', '', '', '', '', '北海道\n札幌市'],
                  [],
                  ['K00000003', '0', '', VALID[1]]])
    result = TRACKING_IMPORTS['yamato'](data, 'b2.csv')
    assert records(result) == [(1, 'K00000001', YAMATO), (2, 'K00000002', VALID[0]), (5, 'K00000003', VALID[1])]


def test_yamato_issued_data_rows_that_cannot_be_records_are_problems_with_line_and_column():
    data = table([['お客様管理番号', '送り状種別', 'クール区分', '伝票番号'],
                  ['K00000001', '0', '', YAMATO],
                  ['', '0', '', VALID[0]],
                  ['K00000003', '0', '', ''],
                  ['K00000004', '0', '', '4.44414E+11'],
                  ['K00000005', '0', '', '44441375870'],
                  ['K00000006', '0', '', '4444A1375870']])
    result = TRACKING_IMPORTS['yamato'](data, 'b2.csv')
    assert records(result) == [(2, 'K00000001', YAMATO)]
    assert problems(result) == [(3, 'お客様管理番号', ''), (4, '伝票番号', ''), (5, '伝票番号', '4.44414E+11'),
                                (6, '伝票番号', '44441375870'), (7, '伝票番号', '4444A1375870')]
    assert [p.message for p in result.problems] == [
        'no order number: the label was not made from a Kura export',
        'no tracking number (the label may not have been issued)',
        'a spreadsheet turned the number into scientific notation and lost digits; re-export it as text',
        'a tracking number has 12 digits, not 11',
        'a tracking number has digits only',
    ]
    assert [p.key for p in result.problems] == [VALID[0], 'K00000003', 'K00000004', 'K00000005', 'K00000006']
    assert str(result.problems[1]) == ('b2.csv, line 4, 伝票番号: no tracking number '
                                       '(the label may not have been issued)')


def test_a_first_row_with_an_order_number_is_data_even_without_a_tracking_number():
    result = TRACKING_IMPORTS['yamato'](table([['K00000001', '0', '', '未発行'], ['K00000002', '0', '', YAMATO]]),
                                        'b2.csv')
    assert problems(result) == [(1, '伝票番号', '未発行')]
    assert records(result) == [(2, 'K00000002', YAMATO)]


@pytest.mark.parametrize('header', [['注文番号', '送り状番号'], None])
def test_yamato_two_column_upload_with_or_without_header(header):
    rows = [['K00000001', YAMATO], ['K00000002', "'" + VALID[0]],
            ['Ｋ０００００００３', '４４４４－１３７５－８７２９']]
    result = TRACKING_IMPORTS['yamato'](table([header, *rows] if header else rows, encoding='utf-8'), 'upload.csv')
    first = 2 if header else 1
    assert records(result) == [(first, 'K00000001', YAMATO), (first + 1, 'K00000002', VALID[0]),
                               (first + 2, 'K00000003', '444413758729')]


def test_a_two_column_upload_with_stray_commas_is_still_two_columns():
    data = table([['注文番号', '送り状番号', '', ''], ['K00000001', YAMATO, '', '']])
    assert records(TRACKING_IMPORTS['yamato'](data, 'upload.csv')) == [(2, 'K00000001', YAMATO)]


def test_two_columns_are_found_by_name_when_the_header_swaps_them():
    result = TRACKING_IMPORTS['yamato'](table([['送り状番号', '注文番号'], [YAMATO, 'K00000001']]), 'upload.csv')
    assert records(result) == [(2, 'K00000001', YAMATO)]


# ----------------------------------------------------------------------------------------------- Sagawa

def test_sagawa_export_is_matched_on_the_customer_management_number():
    header = ['お問合せ送り状No', '出荷日時', '住所録コード', 'お届け先電話番号', 'お届け先名称１', 'お届け先名称２',
              'お客様管理ナンバー', '個数']
    data = table([header,
                  [SAGAWA, '2026/09/08 10:00', '', '0312345678', '髙﨑 ①子', '', 'K00000001', '1'],
                  ['5125-4751-4341', '2026/09/08 10:00', '', '0312345678', '山田', 'K99999999', 'K00000002', '1']])
    result = TRACKING_IMPORTS['sagawa'](data, 'ehiden.csv')
    assert records(result) == [(2, 'K00000001', SAGAWA), (3, 'K00000002', '512547514341')]


def test_sagawa_accepts_the_import_layout_names_too():
    data = table([['お問い合せ送り状No.', 'お客様管理番号'], [SAGAWA, 'K00000001']])
    assert records(TRACKING_IMPORTS['sagawa'](data, 'e.csv')) == [(2, 'K00000001', SAGAWA)]


# -------------------------------------------------------------------------------------------- ゆうプリR

def test_yupri_shipping_history_export():
    data = ('お客様側管理番号,お問い合わせ番号,仮引受確定作業年月日,配送完了作業年月日,配達ステータス集約コード,'
            '配達ステータス明細コード\r\nPOC003,193715301010,,,10,0A\r\nK00000001,405548424886,,,10,0A\r\n')
    result = TRACKING_IMPORTS['japanpost'](data.encode('cp932'), 'shipping_history.csv')
    assert records(result) == [(2, 'POC003', YUPRI_POC), (3, 'K00000001', JAPAN_POST)]


# --------------------------------------------------------------------------------------------- Click Post

def test_clickpost_two_column_csv():
    data = table([['注文番号', 'お問い合わせ番号'], ['K00000001', '1234-5678-9012'], ['K00000002', YUPRI_POC]])
    result = TRACKING_IMPORTS['clickpost'](data, 'clickpost.csv')
    assert result.carrier == 'clickpost'
    assert records(result) == [(2, 'K00000001', '123456789012'), (3, 'K00000002', YUPRI_POC)]


# ------------------------------------------------------------------------------------------------ refused

@pytest.mark.parametrize(('carrier', 'data', 'message'), [
    ('yamato', b'', 'the file is empty'),
    ('yamato', b'\r\n \r\n', 'the file is empty'),
    ('clickpost', '注文番号,お問い合わせ番号\r\n'.encode('cp932'), 'the file has a header but no data rows'),
    ('japanpost', '注文番号,お問い合わせ番号\r\nK1,405548424886\r\n'.encode('cp932'),
     'not the expected export: its first line has no column お客様側管理番号 (the header row is required)'),
    ('sagawa', f'K00000001,{SAGAWA}\r\n'.encode(),
     'not the expected export: its first line has no column お客様管理ナンバー or お問合せ送り状No '
     '(the header row is required)'),
    ('sagawa', 'お問合せ送り状No,お客様管理ナンバー\r\n'.encode('cp932'), 'the file has a header but no data rows'),
    ('japanpost', 'お客様側管理番号,お問い合わせ番号\r\nK1,405548424886,x\r\n'.encode('cp932'),
     'line 2 has 3 fields but the header has 2'),
    ('yamato', b'K00000001,"4444\r\n', 'line 1 is not valid CSV'),
    ('clickpost', '注文番号,お問い合わせ番号\r\n'.encode('utf-16'), 'cannot be decoded as UTF-8 or CP932'),
])
def test_unreadable_files_are_refused_naming_the_file_and_why(carrier, data, message):
    with pytest.raises(FileRefused) as exc:
        TRACKING_IMPORTS[carrier](data, 'upload.csv')
    assert exc.value.filename == 'upload.csv'
    assert message in exc.value.message


# ---------------------------------------------------------------------------------------------- reconcile

def test_reconcile_puts_every_row_in_exactly_one_list():
    rows = [
        TrackingRecord(2, 'K00000001', VALID[0]),           # matched
        TrackingRecord(3, 'K99999999', VALID[1]),           # unknown order
        TrackingRecord(4, 'K00000003', BAD_DIGIT),          # bad check digit
        TrackingRecord(5, 'K00000004', VALID[0]),           # the same number as line 2
        TrackingRecord(6, 'K00000005', SAGAWA),             # already another order's number
        TrackingRecord(7, 'K00000006', VALID[2]),           # the order already has another number
        TrackingRecord(8, 'K00000007', JAPAN_POST),         # the order already has this very number
        TrackingRecord(9, 'K00000001', VALID[3]),           # a second number for the order of line 2
        TrackingRecord(10, 'K00000008', VALID[4]),          # matched
    ]
    known = {'K00000001': None, 'K00000003': None, 'K00000004': None, 'K00000005': None,
             'K00000006': '4444-1375-8703', 'K00000007': JAPAN_POST, 'K00000008': ''}
    existing = {'4444-1375-8703', JAPAN_POST, '5125-4751-4334'}
    result = reconcile(rows, known, existing)

    def listed(name):
        return [(r.line, r.order_number, r.tracking_number, r.note) for r in getattr(result, name)]

    assert listed('matched') == [(2, 'K00000001', VALID[0], ''), (10, 'K00000008', VALID[4], '')]
    assert listed('unknown_order') == [(3, 'K99999999', VALID[1], 'no such order')]
    assert listed('bad_check_digit') == [(4, 'K00000003', BAD_DIGIT, 'the last digit should be 3')]
    assert listed('duplicate') == [(5, 'K00000004', VALID[0], 'the same number is on line 2'),
                                   (6, 'K00000005', SAGAWA, 'already the tracking number of another order')]
    assert listed('already_set') == [(7, 'K00000006', VALID[2], 'the order already has 444413758703'),
                                     (9, 'K00000001', VALID[3], f'line 2 already gives this order {VALID[0]}')]
    assert listed('unchanged') == [(8, 'K00000007', JAPAN_POST, 'the order already has this number')]
    assert result.count == len(rows)
    assert sorted(r['line'] for name in Reconciliation.LISTS for r in result.as_dict()[name]) == list(range(2, 11))


def test_a_file_read_twice_changes_nothing_the_second_time():
    first = reconcile([TrackingRecord(2, 'K00000001', YAMATO)], {'K00000001': None}, set())
    again = reconcile([TrackingRecord(2, 'K00000001', YAMATO)], {'K00000001': YAMATO}, {YAMATO})
    assert (len(first.matched), len(again.matched), len(again.unchanged), again.count) == (1, 0, 1, 1)


def test_clickpost_numbers_are_not_held_to_the_mod_7_rule():
    data = table([['注文番号', 'お問い合わせ番号'], ['K00000001', '123456789012'], ['K00000002', YAMATO]])
    parsed = TRACKING_IMPORTS['clickpost'](data, 'clickpost.csv')
    result = parsed.reconcile({'K00000001': None, 'K00000002': None}, set())
    assert CHECK_DIGIT == {'yamato': True, 'sagawa': True, 'japanpost': True, 'clickpost': False}
    assert [r.order_number for r in result.matched] == ['K00000001', 'K00000002']
    yamato = reconcile(parsed.records, {'K00000001': None, 'K00000002': None}, set())
    assert [r.order_number for r in yamato.bad_check_digit] == ['K00000001']


def test_a_whole_file_is_accounted_for_row_by_row():
    data = table([['お客様管理番号', '送り状種別', 'クール区分', '伝票番号'],
                  ['K00000001', '0', '', YAMATO], ['K00000002', '0', '', BAD_DIGIT], ['', '0', '', VALID[0]],
                  ['K00000003', '0', '', YAMATO], ['K00000004', '0', '', 'x']])
    parsed = TRACKING_IMPORTS['yamato'](data, 'b2.csv')
    result = parsed.reconcile({'K00000001': None, 'K00000002': None, 'K00000003': None}, set())
    assert len(parsed.records) + len(parsed.problems) == 5
    assert result.count == len(parsed.records) == 3
    assert [(len(result.matched), len(result.bad_check_digit), len(result.duplicate))] == [(1, 1, 1)]
