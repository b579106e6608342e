"""Product and stock exports: the same layout the imports read, safe to open in Excel."""
import pytest

from app.catalog.importing import import_products
from app.errors import UserError
from app.inventory.services import change_stock
from exporters.base import csv_safe, write_csv
from exporters.products import export_products
from exporters.stock import export_stock


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
    with pytest.raises(UserError) as exc:
        write_csv(['sku', 'name'], [['A', 'ok'], ['B', '絵文字🍵']], encoding='cp932')
    assert str(exc.value) == 'Line 3, column name: "🍵" cannot be written in CP932; export as UTF-8 instead.'


def test_an_unknown_encoding_is_refused():
    with pytest.raises(UserError, match='Unknown encoding "latin-1"'):
        write_csv(['a'], [], encoding='latin-1')
