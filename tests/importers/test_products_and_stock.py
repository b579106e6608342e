"""Product and stock CSV files: every row checked first, nothing half-written."""
import pytest
import sqlalchemy as sa

from app.catalog.importing import import_products
from app.catalog.models import Product
from app.extensions import db
from app.inventory.importing import import_stock
from app.inventory.models import Location, StockLevel, StockMovement
from importers.base import FileRefused
from importers.products import read_products
from importers.stock import read_stock
from tests.conftest import count


HEADER = 'sku,name,jan,price,tax_rate,weight_g,active'


def csv(*lines, encoding='utf-8', bom=False) -> bytes:
    data = '\r\n'.join(lines).encode(encoding) + b'\r\n'
    return b'\xef\xbb\xbf' + data if bom else data


@pytest.mark.parametrize(('encoding', 'bom'), [('utf-8', False), ('utf-8', True), ('cp932', False)])
def test_products_import_in_every_encoding_keeping_every_character(encoding, bom):
    data = csv(HEADER, '00123,髙橋園の玄米茶 ①,4569951116179,"1,080",8,220,1',
               'W-1,"九谷焼 小皿 5枚組 ～㈱蔵～",,2750,10,,0', encoding=encoding, bom=bom)
    result = import_products(data, 'products.csv')
    assert result.ok
    assert (result.created, result.updated) == (2, 0)
    db.session.commit()
    products = {p.sku: p for p in db.session.scalars(sa.select(Product))}
    tea = products['00123']
    assert (tea.name, tea.jan, tea.price, tea.tax_rate, tea.weight_g, tea.active) == \
        ('髙橋園の玄米茶 ①', '4569951116179', 1080, 8, 220, True)
    dish = products['W-1']
    assert (dish.name, dish.jan, dish.weight_g, dish.active) == ('九谷焼 小皿 5枚組 ～㈱蔵～', None, None, False)


def test_extra_and_reordered_columns_are_fine_and_reimport_updates():
    first = csv('memo,price,sku,name', 'x,100,A-1,最初の名前')
    assert import_products(first, 'a.csv').created == 1
    again = import_products(csv('sku,name,price,memo', 'A-1,新しい名前,100,y', 'A-2,別の商品,200,z'), 'b.csv')
    assert (again.created, again.updated, again.unchanged) == (1, 1, 0)
    assert import_products(csv('sku,name,price', 'A-1,新しい名前,100'), 'c.csv').unchanged == 1


def test_bad_rows_are_reported_with_line_and_field_and_nothing_is_written():
    data = csv(HEADER,
               'A-1,良い商品,,100,10,,1',
               'A-2,"名前に\n改行",4569951116170,100,10,,1',    # a two-line record: the next starts on line 5
               'A-3,価格が変,,abc,10,,1',
               'A-4,税率が変,,100,5,,1',
               'A-1,重複,,100,10,,1',
               'A-6,負の数量,,-1,10,,1')
    result = import_products(data, 'bad.csv')
    problems = [(p.line, p.field, p.value) for p in result.problems]
    assert problems == [(3, 'jan', '4569951116170'), (5, 'price', 'abc'), (6, 'tax_rate', '5'), (7, 'sku', 'A-1'),
                        (8, 'price', '-1')]
    assert 'the last digit should be 9' in result.problems[0].message
    assert str(result.problems[1]) == 'bad.csv, line 5, price (\'abc\'): price must be a whole number, not "abc".'
    assert 'also on line 2' in result.problems[3].message
    assert count(Product) == 0


def test_a_file_without_some_columns_changes_only_the_columns_it_has(make_product):
    make_product('T-1', name='玉露', jan='4569951116179', price=3000, tax_rate=8, weight_g=120)
    result = import_products(csv('sku,price', 'T-1,3240'), 'prices.csv')
    assert result.updated == 1
    product = db.session.scalar(sa.select(Product))
    assert (product.name, product.jan, product.price, product.tax_rate, product.weight_g, product.active) == \
        ('玉露', '4569951116179', 3240, 8, 120, True)


def test_a_new_product_needs_a_price_column():
    result = import_products(csv('sku,name', 'NEW,新商品'), 'names.csv')
    assert [(p.line, p.field) for p in result.problems] == [(2, 'price')]


def test_an_export_with_formula_looking_text_reimports_as_it_was(make_product):
    from app.files import export_products

    make_product('-A1', name='+ギフト =特選', jan='')
    content = export_products().content
    assert b"'-A1,'+" in content
    result = import_products(content, 'products.csv')
    assert (result.created, result.unchanged) == (0, 1)


def test_a_jan_taken_by_another_product_rolls_back_the_whole_file(make_product):
    make_product('OLD', jan='4569951116179')
    result = import_products(csv(HEADER, 'NEW-1,新1,,100,10,,1', 'NEW-2,新2,4569951116179,100,10,,1'), 'x.csv')
    assert [(p.line, p.field) for p in result.problems] == [(3, 'jan')]
    db.session.commit()
    assert count(Product) == 1


@pytest.mark.parametrize(('data', 'message'), [
    (b'', 'the file is empty'),
    (b'\r\n  \r\n', 'the file is empty'),
    (HEADER.encode() + b'\r\n', 'the file has a header but no data rows'),
    (b'name,price\r\nx,1\r\n', 'required column missing from the header: sku'),
    (b'sku,name,price\r\nA-1,\x82\xa0\xff\xfe,100\r\n', 'the bytes ff fe 2c 31 at byte offset 22 (line 2)'),
    (b'sku,name,price\r\nA-1,\x82,100\r\n', 'cannot be decoded as UTF-8 or CP932'),  # a lead byte alone
    (b'\xff\xfes\x00k\x00u\x00', 'cannot be decoded'),   # UTF-16, as Excel's "Unicode text" saves
    (b'sku,name,price\r\nA-1,"unclosed,100\r\n', 'line 2 is not valid CSV'),
])
def test_unreadable_files_are_refused_whole_with_the_reason(data, message):
    with pytest.raises(FileRefused) as exc:
        import_products(data, 'in.csv')
    assert message in str(exc.value)
    assert str(exc.value).startswith('in.csv: ')
    assert count(Product) == 0


def test_stock_import_receives_into_locations_creating_new_ones(make_product, make_location):
    make_product('00123')
    make_product('W-1')
    make_location('A-01-01-1')
    result = import_stock(csv('sku,location,quantity', '00123,A-01-01-1,10', 'W-1,b-09-01-1,3', '00123,A-01-01-1,2'),
                          'stock.csv')
    assert result.ok
    assert result.created == 3
    db.session.commit()
    assert count(Location) == 2
    levels = {(lv.product.sku, lv.location.code): lv.on_hand for lv in db.session.scalars(sa.select(StockLevel))}
    assert levels == {('00123', 'A-01-01-1'): 12, ('W-1', 'B-09-01-1'): 3}
    references = db.session.scalars(sa.select(StockMovement.reference).order_by(StockMovement.id)).all()
    assert references == ['import stock.csv:2', 'import stock.csv:3', 'import stock.csv:4']


def test_stock_import_with_a_bad_row_receives_nothing(make_product):
    make_product('00123')
    data = csv('sku,location,quantity', '00123,A-01-01-1,10', '123,A-01-01-1,1', '00123,A 1,1',
               '00123,A-01-01-1,-2', '00123,A-01-01-1,二')
    result = import_stock(data, 'stock.csv')
    assert [(p.line, p.field) for p in result.problems] == [(3, 'sku'), (4, 'location'), (5, 'quantity'),
                                                            (6, 'quantity')]
    assert result.problems[0].message == 'Unknown SKU "123".'
    assert count(StockMovement) == 0
    assert count(Location) == 0


def test_reading_a_product_file_gives_each_row_the_fields_its_file_has():
    products = read_products(csv('sku,price,tax_rate,active,memo', "'-A1,\"1,080\",,", 'B-2,abc,8,0'), 'p.csv')
    assert products.columns == {'sku', 'price', 'tax_rate', 'active'}
    first, second = products.rows
    # an empty tax_rate or active cell is left out, so the product keeps what it has
    assert (first.line, first.sku, first.values, first.problem) == (2, '-A1', {'price': 1080}, None)
    assert (second.line, second.sku, second.values) == (3, 'B-2', {})
    assert (second.problem.line, second.problem.field, second.problem.value) == (3, 'price', 'abc')


def test_reading_a_stock_file_parses_quantities_and_reports_the_unreadable_ones():
    rows = read_stock(csv('sku,location,quantity', ' 00123 ,a-01-01-1,"1,000"', 'W-1,B-1,0'), 's.csv')
    assert [(r.line, r.sku, r.location, r.quantity) for r in rows] == [(2, '00123', 'a-01-01-1', 1000),
                                                                       (3, 'W-1', 'B-1', None)]
    assert str(rows[1].problem) == "s.csv, line 3, quantity ('0'): quantity must be 1 or more, not 0."
