"""CSV exports: the same layout the imports read, safe to open in Excel; the writers take plain records."""
import csv
import datetime as dt
import io

import pytest

from app.catalog.importing import import_products
from app.errors import UserError
from app.files import EXPORTERS, export_products, export_stock
from app.inventory.services import change_stock
from exporters.base import csv_safe, write_csv
from exporters.orders import OrderLineRecord, write_orders
from exporters.shipments import ParcelRecord, write_daily_shipments
from importers.base import FormatError


def test_products_export_reimports_unchanged(make_product):
    make_product('00123', name='髙橋園の玄米茶 ①', jan='4569951116179', price=864, tax_rate=8, weight_g=None)
    make_product('W-1', name='九谷焼 ～小皿～', jan='', active=False)
    for encoding in ('utf-8', 'cp932'):
        result = export_products(encoding=encoding)
        assert result.filename == 'products.csv'
        reimport = import_products(result.content, 'products.csv')
        assert (reimport.created, reimport.updated, reimport.unchanged) == (0, 0, 2)


def test_utf8_export_has_a_bom_and_crlf(make_product):
    make_product('00123', name='抹茶')
    content = export_products().content
    assert content.startswith(b'\xef\xbb\xbfsku,name,jan,price,tax_rate,weight_g,active\r\n')
    assert '00123,抹茶,'.encode() in content


def test_stock_export_has_on_hand_allocated_and_available(make_product, stock):
    product = make_product('00123')
    level = stock(product, 10, 'A-01-10-1')
    stock(product, 1, 'A-01-9-1')
    change_stock(product, level.location, allocated_delta=4)
    lines = export_stock(encoding='cp932').content.decode('cp932').splitlines()
    assert lines == ['sku,location,on_hand,allocated,available', '00123,A-01-9-1,1,0,1', '00123,A-01-10-1,10,4,6']


@pytest.mark.parametrize(('value', 'safe'), [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'), ('+81', "'+81"), ('-1+1', "'-1+1"),
    ('@SUM(A1)', "'@SUM(A1)"),
    (-3, '-3'), (0, '0'), (True, '1'), (None, ''), ('普通の名前', '普通の名前'),
])
def test_cells_that_look_like_formulas_are_defused(value, safe):
    assert csv_safe(value) == safe


def test_cp932_export_refuses_what_cp932_cannot_hold_naming_line_and_column():
    with pytest.raises(FormatError) as exc:
        write_csv(['sku', 'name'], [['A', 'ok'], ['B', '絵文字🍵']], encoding='cp932')
    assert str(exc.value) == 'Line 3, column name: "🍵" cannot be written in CP932; export as UTF-8 instead.'


def test_an_unknown_encoding_is_refused():
    with pytest.raises(FormatError, match='Unknown encoding "latin-1"'):
        write_csv(['a'], [], encoding='latin-1')


def test_an_export_that_cannot_be_written_is_refused_as_a_user_error(make_product):
    make_product('00123', name='絵文字🍵')
    with pytest.raises(UserError) as exc:
        EXPORTERS['products'](encoding='cp932')
    assert (str(exc.value), exc.value.field) == \
        ('Line 2, column name: "🍵" cannot be written in CP932; export as UTF-8 instead.', 'encoding')


def _order_line(sku: str) -> OrderLineRecord:
    return OrderLineRecord(
        channel='rakuten', external_order_id='R-1', order_number='K00000001',
        ordered_at=dt.datetime(2025, 10, 6, 15, 30, tzinfo=dt.UTC), status='new', ship_name='山田 花子',
        ship_postal_code='1000001', ship_prefecture='東京都', ship_city='千代田区', ship_address1='千代田1-1',
        ship_address2='', ship_phone='0312345678', sku=sku, quantity=2, unit_price=540, item_code='tea-1',
        item_name='玄米茶', option_text='', tax_rate=8, payment_method='card', payment_status='paid', shipping_fee=0,
        cod_fee=0, total=1080, delivery_date=None, delivery_time_slot='', buyer_name='山田 花子',
        buyer_email='hanako@example.jp')


def test_the_orders_file_is_written_from_records_in_japan_time():
    lines = (_order_line(sku) for sku in ('00123', ''))   # a generator: written as the rows come
    result = write_orders(lines, date_from=dt.date(2025, 10, 7), encoding='utf-8')
    rows = list(csv.DictReader(io.StringIO(result.content.decode('utf-8-sig'))))
    assert result.filename == 'orders-2025-10-07-.csv'
    assert [r['sku'] for r in rows] == ['00123', '']
    assert rows[0]['ordered_at'] == '2025-10-07T00:30:00+09:00'
    assert rows[0]['ship_address'] == '千代田区 千代田1-1'
    assert rows[0]['delivery_date'] == ''


def test_the_daily_shipments_workbook_totals_its_records_by_carrier_and_channel():
    from openpyxl import load_workbook

    def parcel(carrier, channel, quantity, cod_amount=0):
        return ParcelRecord(shipped_at=dt.datetime(2025, 10, 7, 1, tzinfo=dt.UTC), order_number='K00000001',
                            channel=channel, channel_order_id='X', carrier=carrier, tracking_number='',
                            ship_prefecture='東京都', items=1, quantity=quantity, amount=1000 * quantity,
                            cod_amount=cod_amount, packed_by='')

    parcels = [parcel('yamato', 'rakuten', 1), parcel('sagawa', 'rakuten', 2, 2000), parcel('yamato', 'kura', 3)]
    result = write_daily_shipments(parcels, day=dt.date(2025, 10, 7), format='xlsx',
                                   names={'carrier': {'yamato': 'Yamato Transport'}},
                                   made_at=dt.datetime(2025, 10, 7, 9, 30, tzinfo=dt.UTC))
    assert result.filename == 'shipments-2025-10-07.xlsx'
    book = load_workbook(io.BytesIO(result.content))
    shipments = book['Shipments']
    assert shipments['A1'].value == 'Daily shipments — period: 2025-10-07 — made 2025-10-07 18:30 JST'
    assert [c.value for c in shipments[2]][:3] == ['Shipped at', 'Order number', 'Channel']
    # a real time in Japan time, not text
    assert shipments['A3'].value == dt.datetime(2025, 10, 7, 10, 0)
    assert shipments['A3'].number_format == 'yyyy-mm-dd hh:mm'
    assert shipments['J3'].number_format == '"¥"#,##0'
    assert shipments['E3'].value == 'Yamato Transport'
    assert shipments['E4'].value == 'sagawa'   # a code without a name is shown as it is
    assert shipments.freeze_panes == 'A3'
    assert shipments.auto_filter.ref == 'A2:L5'
    assert list(book['Totals'].iter_rows(min_row=3, values_only=True)) == [
        ('Carrier', 'sagawa', 1, 2, 2000, 2000), ('Carrier', 'Yamato Transport', 2, 4, 4000, 0),
        ('Channel', 'kura', 1, 3, 3000, 0), ('Channel', 'rakuten', 2, 3, 3000, 2000),
        ('All parcels', None, 3, 6, 6000, 2000)]
