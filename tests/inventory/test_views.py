"""Stock screens: receiving by scan, adjustment, levels, per product and per location."""
import sqlalchemy as sa

from app.extensions import db
from app.inventory.models import StockLevel, StockMovement
from tests.conftest import count
from tests.factories import jan_for


def test_a_packer_receives_by_scanning_a_jan(client, login, make_product, make_location):
    user = login('packer')
    product = make_product('00123', name='宇治抹茶', jan=jan_for(5))
    make_location('A-01-01-1')
    response = client.post('/stock/receive', data={'code': jan_for(5), 'quantity': '24', 'location': 'a-01-01-1',
                                                   'note': '入荷伝票 0042'}, headers={'HX-Request': 'true'})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="receive-panel">')
    assert 'Received 24 × 00123 宇治抹茶 at A-01-01-1 (now 24 on hand).' in response.text
    assert 'value="A-01-01-1"' in response.text  # the location stays for the next scan
    movement = db.session.scalar(sa.select(StockMovement))
    assert (movement.product_id, movement.delta, movement.user_id, movement.reference) == \
        (product.id, 24, user.id, '入荷伝票 0042')


def test_receiving_by_sku_keeps_leading_zeros(client, login, make_product, make_location):
    login('clerk')
    make_product('00123', jan='')
    make_product('123', jan='')
    make_location('A-01-01-1')
    client.post('/stock/receive', data={'code': '00123', 'quantity': '2', 'location': 'A-01-01-1'})
    level = db.session.scalar(sa.select(StockLevel))
    assert level.product.sku == '00123'


def test_an_unknown_code_is_refused_next_to_the_field_and_nothing_moves(client, login, make_location):
    login('packer')
    make_location('A-01-01-1')
    response = client.post('/stock/receive', data={'code': '4900000099999', 'quantity': '1',
                                                   'location': 'A-01-01-1'}, headers={'HX-Request': 'true'})
    assert response.status_code == 422
    assert 'No product has the JAN or SKU &#34;4900000099999&#34;.' in response.text
    assert 'value="4900000099999"' in response.text
    assert count(StockMovement) == 0


def test_an_unknown_location_is_refused(client, login, make_product):
    login('packer')
    product = make_product()
    response = client.post('/stock/receive', data={'code': product.sku, 'quantity': '1', 'location': 'Z-99'})
    assert 'There is no location &#34;Z-99&#34;.' in response.text
    assert count(StockMovement) == 0


def test_a_quantity_that_is_not_a_number_is_refused(client, login, make_product, make_location):
    login('packer')
    product = make_product()
    make_location('A-01-01-1')
    for quantity, message in (('abc', 'Not a valid integer value.'), ('-3', 'Number must be between 1'),
                              ('0', 'Number must be between 1')):
        response = client.post('/stock/receive', data={'code': product.sku, 'quantity': quantity,
                                                       'location': 'A-01-01-1'}, headers={'HX-Request': 'true'})
        assert response.status_code == 422
        assert message in response.text, quantity
    assert count(StockMovement) == 0


def test_a_full_page_receive_shows_its_message_once(client, login, make_product, make_location):
    login('packer')
    product = make_product()
    make_location('A-01-01-1')
    page = client.post('/stock/receive', data={'code': product.sku, 'quantity': '1', 'location': 'A-01-01-1'}).text
    assert page.count('Received 1 ×') == 1


def test_an_adjustment_with_its_reason(client, login, make_product, stock):
    login('clerk')
    product = make_product('T-1')
    stock(product, 10)
    response = client.post('/stock/adjust', data={'code': 'T-1', 'location': 'A-01-01-1', 'quantity': '-3',
                                                  'reason': '破損（輸送中）'}, headers={'HX-Request': 'true'})
    assert 'Adjusted T-1 at A-01-01-1 by -3 (now 7 on hand).' in response.text
    assert '破損（輸送中）' in response.text


def test_an_adjustment_below_zero_is_refused_with_what_is_there(client, login, make_product, stock):
    login('clerk')
    product = make_product('T-1')
    stock(product, 2)
    response = client.post('/stock/adjust', data={'code': 'T-1', 'location': 'A-01-01-1', 'quantity': '-5',
                                                  'reason': '棚卸'}, headers={'HX-Request': 'true'})
    assert response.status_code == 422
    assert 'T-1 at A-01-01-1: cannot take 5, only 2 on hand.' in response.text
    assert db.session.scalar(sa.select(StockLevel.on_hand)) == 2


def test_an_adjustment_without_reason_is_refused(client, login, make_product, stock):
    login('clerk')
    stock(make_product('T-1'), 2)
    response = client.post('/stock/adjust', data={'code': 'T-1', 'location': 'A-01-01-1', 'quantity': '-1',
                                                  'reason': ''})
    assert 'This field is required.' in response.text
    assert count(StockMovement) == 1


def test_stock_levels_show_on_hand_allocated_and_available(client, login, make_product, stock):
    from app.inventory.services import change_stock

    login('clerk')
    product = make_product('T-1', name='玉露')
    level = stock(product, 10, 'B-01-01-1')
    change_stock(product, level.location, allocated_delta=3)
    db.session.commit()
    fragment = client.get('/stock/?q=玉露', headers={'HX-Request': 'true'}).text
    assert fragment.lstrip().startswith('<div id="levels-table">')
    cells = [c.strip() for c in fragment.split('<td class="num')[1:4]]
    assert [c.split('>')[1].split('<')[0] for c in cells] == ['10', '3', '7']


def test_product_stock_page_shows_locations_and_the_ledger(client, login, make_product, stock):
    login('clerk')
    product = make_product('T-1')
    stock(product, 10, 'A-01-01-1')
    stock(product, 4, 'B-01-01-1')
    page = client.get(f'/stock/products/{product.id}').text
    assert 'A-01-01-1' in page and 'B-01-01-1' in page
    assert page.count('Receipt') == 2
    fragment = client.get(f'/stock/products/{product.id}?page=1', headers={'HX-Request': 'true'}).text
    assert fragment.lstrip().startswith('<div id="ledger">')


def test_location_page_lists_what_is_stored_there(client, login, make_product, stock):
    login('clerk')
    level = stock(make_product('T-1', name='煎茶'), 10, 'A-01-01-1')
    page = client.get(f'/stock/locations/{level.location_id}').text
    assert '煎茶' in page
    listing = client.get('/stock/locations', headers={'HX-Request': 'true'}).text
    assert 'A-01-01-1' in listing


def test_export_stock_from_the_screen(client, login, make_product, stock):
    login('clerk')
    stock(make_product('00123'), 5)
    text = client.get('/stock/export.csv').data.decode('utf-8-sig')
    assert text.splitlines() == ['sku,location,on_hand,allocated,available', '00123,A-01-01-1,5,0,5']


def test_a_clerk_adds_a_location_and_a_duplicate_is_refused(client, login):
    from app.inventory.models import Location

    login('clerk')
    response = client.post('/stock/locations', data={'code': 'c-01-01-1'})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Location.code)) == 'C-01-01-1'
    again = client.post('/stock/locations', data={'code': 'C-01-01-1'})
    assert 'Location C-01-01-1 already exists.' in again.text
    bad = client.post('/stock/locations', data={'code': 'C 01'})
    assert 'letters, digits and hyphens' in bad.text
    assert count(Location) == 1
