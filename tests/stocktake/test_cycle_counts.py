"""Cycle counts proposed by the schedule, on a hand-made warehouse whose due locations are worked out below.

Units shipped in the last 90 days: P-A 80, P-B 15, P-C 5 (100 in all); P-OLD shipped 100 units 200 days
ago and P-Z nothing.  Sorted high to low, the share before P-A is 0 (A), before P-B 0.80 (B), before
P-C 0.95 (C); P-OLD and P-Z are C.  Intervals (the defaults): every location 365 days, A 30, B 60, C 120.

  K-01  P-A          counted 100 and 31 days ago   interval 30    due
  K-02  P-A          counted 29 days ago           interval 30    not due
  K-03  P-B, P-C     counted 61 days ago           interval 60    due
  K-04  P-C          counted 100 days ago          interval 120   not due
  K-05  P-OLD        never counted                 interval 120   due
  K-06  empty        counted 400 days ago          interval 365   due
  K-07  empty        counted 200 days ago          interval 365   not due
  K-08  P-Z          never counted, inactive                      not proposed
  K-09  P-A          waiting in an open count                     not proposed
  K-10  empty        never counted                 interval 365   due

Oldest first, never counted first in walking order: K-05, K-10, K-06, K-03, K-01.
"""
import datetime as dt
import json

import pytest
import sqlalchemy as sa

from app.database import utcnow
from app.errors import UserError
from app.extensions import db
from app.fulfilment.models import Shipment
from app.inventory.services import get_or_create_location
from app.orders.models import Order, OrderLine
from app.stocktake import services
from app.stocktake.models import CountLocation, StockCount
from tests.conftest import count


DUE = ['K-05-01-1', 'K-10-01-1', 'K-06-01-1', 'K-03-01-1', 'K-01-01-1']


def code(n):
    return f'K-{n:02d}-01-1'


@pytest.fixture
def warehouse(make_product, stock):
    now = utcnow()
    days_ago = lambda days: now - dt.timedelta(days=days)  # noqa: E731
    p = {sku: make_product(sku) for sku in ('P-A', 'P-B', 'P-C', 'P-OLD', 'P-Z')}

    def shipped(ref, product, units, at):
        order = Order(channel='rakuten', external_order_id=ref, ordered_at=at - dt.timedelta(hours=5),
                      status='shipped', payment_method='card', ship_name='山田 太郎', ship_postal_code='1000001',
                      ship_prefecture='東京都', total=units * product.price)
        order.lines = [OrderLine(line_no=1, product_id=product.id, name=product.name, quantity=units,
                                 unit_price=product.price, tax_rate=product.tax_rate)]
        db.session.add(order)
        db.session.flush()
        db.session.add(Shipment(order_id=order.id, carrier='yamato', packed_at=at, shipped_at=at))

    shipped('S1', p['P-A'], 50, days_ago(10))
    shipped('S2', p['P-A'], 30, days_ago(80))
    shipped('S3', p['P-B'], 15, days_ago(20))
    shipped('S4', p['P-C'], 5, days_ago(5))
    shipped('S5', p['P-OLD'], 100, days_ago(200))
    for n, skus in ((1, ['P-A']), (2, ['P-A']), (3, ['P-B', 'P-C']), (4, ['P-C']), (5, ['P-OLD']),
                    (8, ['P-Z']), (9, ['P-A'])):
        for sku in skus:
            stock(p[sku], 3, code(n))
    for n in (6, 7, 10):
        get_or_create_location(code(n))
    get_or_create_location(code(8)).active = False

    def counted(state, *pairs):
        stock_count = StockCount(scope='locations', scope_text='', state=state)
        db.session.add(stock_count)
        db.session.flush()
        for n, at in pairs:
            db.session.add(CountLocation(count_id=stock_count.id, location_id=get_or_create_location(code(n)).id,
                                         counted_at=at))

    counted('approved', (1, days_ago(100)), (4, days_ago(100)), (7, days_ago(200)), (6, days_ago(400)))
    counted('approved', (1, days_ago(31)), (2, days_ago(29)), (3, days_ago(61)))
    counted('open', (9, None))
    db.session.commit()
    return now


def test_the_due_locations_are_the_ones_worked_out_by_hand(warehouse):
    due = services.proposed_cycle_counts(warehouse)
    assert [(d.code, d.interval_days, d.classes, d.last_counted is None) for d in due] == [
        ('K-05-01-1', 120, 'C', True), ('K-10-01-1', 365, '', True), ('K-06-01-1', 365, '', False),
        ('K-03-01-1', 60, 'BC', False), ('K-01-01-1', 30, 'A', False)]
    # K-01's last count is the later one
    assert due[-1].last_counted == warehouse - dt.timedelta(days=31)


def test_a_manager_changes_the_intervals(warehouse, make_user):
    manager = make_user('manager')
    services.save_stocktake_settings(services.StocktakeSettings(cycle_days=300, cycle_a_days=40, cycle_b_days=70,
                                                                cycle_c_days=90), actor=manager)
    db.session.commit()
    # K-01 (31 days, A now 40) and K-03 (61 days, B now 70) wait; K-04 (100 days, C now 90) is due;
    # K-06 (400 days) is still past every location's 300, K-07 (200 days) still not
    assert [d.code for d in services.proposed_cycle_counts(warehouse)] == \
        ['K-05-01-1', 'K-10-01-1', 'K-06-01-1', 'K-04-01-1']
    with pytest.raises(UserError) as exc:
        services.save_stocktake_settings(services.StocktakeSettings(cycle_a_days=0), actor=manager)
    assert exc.value.field == 'cycle_a_days'


def test_a_count_of_the_first_due_locations_takes_them_off_the_list(warehouse, make_user):
    manager = make_user('manager')
    started = services.start_cycle_count(limit=2, actor=manager)
    db.session.commit()
    assert started.scope == 'locations' and started.blind
    assert sorted(loc.location.code for loc in started.locations) == ['K-05-01-1', 'K-10-01-1']
    assert [d.code for d in services.proposed_cycle_counts()] == DUE[2:]
    ticked = services.start_cycle_count(location_ids=[get_or_create_location('K-03-01-1').id], actor=manager)
    db.session.commit()
    assert [loc.location.code for loc in ticked.locations] == ['K-03-01-1']


def test_a_location_not_due_cannot_be_ticked(warehouse, make_user):
    with pytest.raises(UserError) as exc:
        services.start_cycle_count(location_ids=[get_or_create_location('K-02-01-1').id], actor=make_user('manager'))
    assert exc.value.field == 'limit'
    with pytest.raises(UserError):
        services.start_cycle_count(actor=None)
    db.session.rollback()
    assert count(StockCount) == 3


def test_the_counts_page_proposes_and_starts_a_cycle_count(warehouse, client, login):
    login('manager')
    page = client.get('/stocktake/').text
    section = page[page.index('id="proposed-cycle-counts"'):page.index('</section>')]
    assert [c for c in DUE if c in section] == DUE and 'K-02-01-1' not in section
    assert section.index('K-05-01-1') < section.index('K-10-01-1') < section.index('K-06-01-1') \
        < section.index('K-03-01-1') < section.index('K-01-01-1')
    response = client.post('/stocktake/cycle', data={'cycle-limit': ''})
    assert response.status_code == 422
    assert 'Tick the locations to count, or say how many of the first due ones.' in response.text
    response = client.post('/stocktake/cycle', data={'cycle-limit': '3', 'cycle-blind': 'y'})
    assert response.status_code == 302
    started = db.session.scalar(sa.select(StockCount).order_by(StockCount.id.desc()))
    assert sorted(loc.location.code for loc in started.locations) == sorted(DUE[:3])
    ticked = get_or_create_location('K-01-01-1').id
    response = client.post('/stocktake/cycle', data={'cycle-limit': '1', 'location': [str(ticked)]})
    assert response.status_code == 302
    started = db.session.scalar(sa.select(StockCount).order_by(StockCount.id.desc()))
    assert [loc.location.code for loc in started.locations] == ['K-01-01-1'] and not started.blind


def test_the_settings_page_saves_the_intervals(client, login):
    login('manager')
    data = {'recount_units': '0', 'recount_percent': '0', 'recount_yen': '0', 'cycle_days': '200',
            'cycle_a_days': '14', 'cycle_b_days': '60', 'cycle_c_days': '0'}
    assert client.post('/stocktake/settings', data=data).status_code == 422
    assert services.stocktake_settings().cycle_a_days == 30
    assert client.post('/stocktake/settings', data={**data, 'cycle_c_days': '90'}).status_code == 302
    assert services.stocktake_settings() == services.StocktakeSettings(cycle_days=200, cycle_a_days=14,
                                                                        cycle_c_days=90)


def test_flask_stocktake_propose(warehouse, runner):
    result = runner.invoke(args=['stocktake', 'propose', '--limit', '2', '--json'])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer['due'] == 5 and [d['location'] for d in answer['locations']] == DUE[:2]
    assert answer['locations'][0] == {'location': 'K-05-01-1', 'last_counted': None, 'interval_days': 120,
                                      'classes': 'C'}
    result = runner.invoke(args=['stocktake', 'propose', '--limit', '1', '--start', '--json'])
    assert result.exit_code == 0, result.output
    started = services.get_count(json.loads(result.output)['count'])
    assert [loc.location.code for loc in started.locations] == ['K-05-01-1']
