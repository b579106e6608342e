"""Bad input is refused with a 4xx and a clear message, or reported as a problem; never a server error.

One test per input an audit found answering 500 (issue 14, finding 6), on both databases.
"""
import io
import re

import pytest
import sqlalchemy as sa

from app.catalog.models import Product
from app.extensions import db
from app.orders.importing import import_order_files
from app.orders.models import ImportBatch, Order
from tests.conftest import count
from tests.factories import RAKUTEN_HEADER, order_row, table


NUL = '\x00'
BEYOND_POSTGRESQL = 2 ** 31      # the first id an integer column of PostgreSQL cannot hold
BEYOND_SQLITE = 2 ** 63          # the first id SQLite cannot hold


@pytest.fixture
def tea(make_product):
    return make_product('00123', jan='4569951116179')


def test_an_order_number_in_other_digits_is_simply_not_found(client):
    client.post('/locale/anonymous', data={'locale': 'en'})
    response = client.post('/shop/order-status', data={'number': 'K²', 'email': 'a@example.jp'})
    assert response.status_code == 404
    assert 'No order matches this number and e-mail address.' in response.text


@pytest.mark.parametrize('number', [f'K{BEYOND_POSTGRESQL}', '999999999999'])
def test_an_order_number_beyond_any_id_is_simply_not_found(client, number):
    response = client.post('/shop/order-status', data={'number': number, 'email': 'a@example.jp'})
    assert response.status_code == 404


NUL_MESSAGE = 'The request contains a NUL character'
#: what an anonymous visitor reads (Japanese, the default)
NUL_MESSAGE_JA = 'リクエストに NUL 文字が含まれています'


@pytest.mark.parametrize(('url', 'data'), [
    ('/login', {'email': f'a{NUL}@shop.example', 'password': 'x'}),
    ('/shop/checkout', {'name': f'山田{NUL}', 'kana': 'ヤマダ', 'email': 'a@example.jp'}),
    ('/shop/order-status', {'number': f'K1{NUL}', 'email': 'a@example.jp'}),
])
def test_a_nul_character_in_a_form_is_refused_before_the_view(client, url, data):
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert NUL_MESSAGE_JA in response.text


def test_a_nul_character_in_the_query_or_path_is_refused(client, login):
    login('clerk')
    assert client.get('/orders/?q=a%00b').status_code == 400
    assert NUL_MESSAGE in client.get('/shop/products/a%00b').text


def test_a_login_redirect_to_a_line_break_goes_home(client, make_user):
    user = make_user('clerk')
    response = client.post('/login?next=/%0a/x', data={'email': user.email, 'password': 'correct horse battery'})
    assert response.status_code == 302
    assert response.headers['Location'] == '/'


@pytest.mark.parametrize('url', [
    '/orders/{id}', '/catalog/{id}', '/stock/products/{id}', '/users/{id}', '/mail/{id}', '/pick/{id}',
    '/orders/imports/{id}/problems.csv', '/shipments/{id}/label.pdf', '/orders/{id}/slip.pdf',
])
@pytest.mark.parametrize('big', [BEYOND_POSTGRESQL, BEYOND_SQLITE, 10 ** 30])
def test_an_id_no_database_can_hold_is_not_found(client, login, url, big):
    login('admin')
    assert client.get(url.format(id=big)).status_code == 404


def test_an_id_beyond_the_databases_in_a_form_post_is_not_found(client, login):
    login('admin')
    assert client.post(f'/orders/{BEYOND_SQLITE}/notes', data={'note': 'x'}).status_code == 404


@pytest.mark.parametrize('query', ['batch=²', 'batch=1²', f'batch={BEYOND_SQLITE}', 'ordered_from=0001-01-01',
                                   'ordered_to=9999-12-31', 'delivery_from=0001-01-01', 'page=²',
                                   f'page={10 ** 30}'])
def test_an_order_list_filter_that_means_nothing_is_left_out(client, login, query):
    login('clerk')
    response = client.get(f'/orders/?{query}')
    assert response.status_code == 200


@pytest.mark.parametrize('day', ['0001-01-01', '9999-12-31', 'tomorrow'])
def test_a_report_day_out_of_range_is_refused(client, login, day):
    login('manager')
    response = client.get(f'/reports/?date={day}')
    assert response.status_code == 400
    assert 'Not a date Kura can show' in response.text
    assert client.get(f'/reports/daily-shipments?date={day}').status_code == 400


@pytest.mark.parametrize('query', [f'copies={10 ** 30}', 'copies=²'])
def test_a_jan_sheet_with_a_strange_number_of_copies_is_still_a_sheet(client, login, make_product, query):
    login('clerk')
    product = make_product(jan='4569951116179')
    assert client.get(f'/catalog/{product.id}/jan-labels.pdf?{query}').status_code == 200


def test_problems_in_an_unknown_encoding_are_refused(client, login, tea):
    login('clerk')
    import_order_files('rakuten', [('r.csv', table(RAKUTEN_HEADER, [order_row('H-2', **{'個数': '二'})]))])
    db.session.commit()
    batch = db.session.scalar(sa.select(ImportBatch))
    response = client.get(f'/orders/imports/{batch.id}/problems.csv?encoding=bogus',
                          headers={'Referer': f'/orders/imports/{batch.id}'})
    assert response.status_code in (303, 400)
    follow = client.get(f'/orders/imports/{batch.id}')
    assert response.status_code == 400 or 'bogus' in follow.text


@pytest.mark.parametrize(('field', 'value', 'message'), [
    ('price', 10 ** 30, 'Number must be between 0 and 2147483647.'),
    ('price', 2 ** 31, 'Number must be between 0 and 2147483647.'),
    ('weight_g', 10 ** 30, 'Number must be between 0 and 2147483647.'),
])
def test_a_price_or_weight_beyond_the_column_is_refused_on_the_form(client, login, field, value, message):
    login('clerk')
    data = {'sku': 'BIG-1', 'name': '大きな数', 'price': 100, 'tax_rate': 10, field: value}
    response = client.post('/catalog/new', data=data)
    assert response.status_code == 200
    assert message in response.text
    assert count(Product) == 0


@pytest.mark.parametrize(('column', 'value'), [('price', 10 ** 30), ('price', 2 ** 63), ('weight_g', 2 ** 31)])
def test_a_product_file_with_a_number_beyond_the_column_reports_the_row(client, login, column, value):
    login('clerk')
    big = {'price': 100, 'weight_g': 100, column: value}
    csv = f'sku,name,price,weight_g\r\nBIG-1,大きな数,100,100\r\nBIG-2,大きな数,{big["price"]},{big["weight_g"]}\r\n'
    response = client.post('/catalog/import', data={'file': (io.BytesIO(csv.encode()), 'big.csv')},
                           content_type='multipart/form-data')
    assert response.status_code < 500
    assert 'big.csv has 1 problems; nothing was saved.' in response.text
    assert 'at most 2,147,483,647' in response.text
    assert count(Product) == 0


@pytest.mark.parametrize('quantity', [10 ** 30, 2 ** 31])
def test_a_stock_file_with_a_quantity_beyond_the_column_reports_the_row(tea, quantity):
    from app.inventory.importing import import_stock

    csv = f'sku,location,quantity\r\n00123,A-01-01-1,5\r\n00123,A-01-01-2,{quantity}\r\n'
    result = import_stock(csv.encode(), 'stock.csv')
    assert [(p.line, p.field) for p in result.problems] == [(3, 'quantity')]
    assert 'at most 2,147,483,647' in result.problems[0].message
    assert result.created == 0


def _preview(client, rows):
    data = {'files': [(io.BytesIO(table(RAKUTEN_HEADER, rows)), 'r.csv')], 'channel': 'auto'}
    return client.post('/orders/imports/new', data=data, content_type='multipart/form-data')


BEYOND = 'Beyond the largest number Kura keeps (2,147,483,647).'


@pytest.mark.parametrize(('column', 'value', 'message'), [
    ('個数', 10 ** 30, BEYOND), ('個数', 2 ** 31, BEYOND), ('単価', 2 ** 63, BEYOND), ('合計金額', 2 ** 31, BEYOND),
    ('送料合計', 10 ** 30, BEYOND), ('注文日時', '0001-01-01 00:00:00', 'not a date and time Kura keeps'),
    ('お届け日指定', '0001/01/01', 'not a date Kura keeps'),
])
def test_an_order_file_with_a_value_beyond_the_columns_is_a_problem_in_the_preview(client, login, tea,
                                                                                  column, value, message):
    login('clerk')
    page = _preview(client, [order_row('OK-1'), order_row('BIG-1', **{column: str(value)})])
    assert page.status_code == 200
    assert message in page.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    channel = re.search(r'name="channel" type="hidden" value="([^"]+)"', page.text).group(1)
    confirmed = client.post('/orders/imports/confirm', data={'token': token, 'channel': channel})
    assert confirmed.status_code == 302
    assert db.session.scalars(sa.select(Order.external_order_id)).all() == ['OK-1']
