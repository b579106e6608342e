"""The stocktake screens: a blind count never shows what the book expects; managers start, approve, set thresholds."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.inventory.models import StockLevel
from app.stocktake import services
from app.stocktake.models import CountLine, StockCount


#: a quantity found nowhere else on the pages: if it shows, the book was shown
BOOKED = 7919
HX = {'HX-Request': 'true'}


@pytest.fixture
def shelf(make_product, stock):
    jar = make_product('JAR-7', name='信楽焼 壺', jan='4912345000026')
    stock(jar, BOOKED, 'E-01-01-1')
    stock(make_product('LID-7', name='蓋'), 3, 'E-01-02-1')
    return jar


def start(blind=True):
    count = services.start_count(prefix='E-01', blind=blind, actor=None)
    db.session.commit()
    return count


def test_a_blind_count_never_shows_the_counter_the_book(client, login, shelf):
    count = start()
    login('packer')
    pages = [client.get('/stocktake/count').text, client.get(f'/stocktake/{count.id}/counting').text]
    for code in ('E-01-01-1', shelf.jan, 'JAR-7', '12', 'E-01-02-1', 'E-01-02-1'):
        response = client.post(f'/stocktake/{count.id}/scan', data={'code': code}, headers=HX)
        assert response.status_code == 200, response.text
        pages.append(response.text)
    assert all(str(BOOKED) not in page and f'{BOOKED:,}' not in page for page in pages)
    assert 'JAR-7: 12 counted' in pages[5]
    assert 'E-01-02-1 recorded' in pages[-1]
    db.session.expire_all()
    jar_line = db.session.scalar(sa.select(CountLine).where(CountLine.product_id == shelf.id))
    assert (jar_line.counted, jar_line.variance) == (12, 12 - BOOKED)


def test_a_count_that_is_not_blind_shows_the_book(client, login, shelf):
    count = start(blind=False)
    login('packer')
    page = client.post(f'/stocktake/{count.id}/scan', data={'code': 'E-01-01-1'}, headers=HX).text
    assert str(BOOKED) in page


def test_the_manager_page_shows_the_book_only_once_a_location_is_counted(client, login, shelf):
    count = start()
    login('manager')
    assert str(BOOKED) not in client.get(f'/stocktake/{count.id}').text
    services.record_location(count, 'E-01-01-1', {shelf.id: BOOKED - 1}, actor=None)
    db.session.commit()
    page = client.get(f'/stocktake/{count.id}').text
    assert str(BOOKED) in page and '-1' in page


@pytest.mark.parametrize(('first', 'code', 'message'), [
    (None, 'JAR-7', 'Scan a location label first'),
    (None, '12', 'Scan a location label first'),
    ('E-01-01-1', 'Z-99-99', 'is no product and no location'),
    ('E-01-01-1', '12', 'Scan the product first'),
])
def test_a_scan_before_a_location_or_of_an_unknown_code_is_refused(client, login, shelf, first, code, message):
    count = start()
    login('packer')
    if first:
        client.post(f'/stocktake/{count.id}/scan', data={'code': first}, headers=HX)
    response = client.post(f'/stocktake/{count.id}/scan', data={'code': code}, headers=HX)
    assert response.status_code == 422 and message in response.text
    assert response.headers['HX-Trigger'] == 'scanError'


def test_a_location_outside_the_count_is_refused(client, login, shelf, make_location):
    make_location('F-01-01-1')
    count = start()
    login('packer')
    response = client.post(f'/stocktake/{count.id}/scan', data={'code': 'F-01-01-1'}, headers=HX)
    assert response.status_code == 422 and 'not part of count' in response.text


def test_a_manager_starts_and_approves_a_count_with_a_reason(client, login, shelf):
    login('manager')
    response = client.post('/stocktake/', data={'scope': 'prefix', 'text': 'E-01', 'blind': 'y'})
    assert response.status_code == 302
    count = db.session.scalar(sa.select(StockCount))
    services.record_location(count, 'E-01-01-1', {shelf.id: BOOKED + 2}, actor=None)
    services.record_location(count, 'E-01-02-1', {}, actor=None)
    db.session.commit()
    response = client.post(f'/stocktake/{count.id}/approve', data={'reason': '', 'only': 'all'})
    assert response.status_code == 422
    response = client.post(f'/stocktake/{count.id}/approve', data={'reason': '月次棚卸し', 'only': 'all'})
    assert response.status_code == 302
    db.session.expire_all()
    on_hand = dict(db.session.execute(sa.select(StockLevel.product_id, StockLevel.on_hand)).all())
    assert on_hand[shelf.id] == BOOKED + 2
    assert db.session.get(StockCount, count.id).state == 'approved'
    listing = client.get('/stocktake/').text
    assert count.number in listing and '+2 / −3' in listing   # 2 jars found, the 3 lids gone


def test_starting_a_count_of_nothing_says_why(client, login, shelf):
    login('manager')
    response = client.post('/stocktake/', data={'scope': 'prefix', 'text': 'Q-'})
    assert response.status_code == 422 and 'Nothing to count' in response.text


def test_the_recount_thresholds_are_a_manager_s_setting(client, login):
    login('manager')
    assert services.stocktake_settings() == services.StocktakeSettings()
    # the page posts the cycle-count intervals too (test_cycle_counts.py)
    cycle = {'cycle_days': '365', 'cycle_a_days': '30', 'cycle_b_days': '60', 'cycle_c_days': '120'}
    response = client.post('/stocktake/settings', data={'recount_units': '5', 'recount_percent': '0',
                                                        'recount_yen': '10000', **cycle})
    assert response.status_code == 302
    assert services.stocktake_settings() == services.StocktakeSettings(5, 0, 10000)
    response = client.post('/stocktake/settings', data={'recount_units': '-1', 'recount_percent': '0',
                                                        'recount_yen': '0', **cycle})
    assert response.status_code == 422
