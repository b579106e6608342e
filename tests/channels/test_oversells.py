"""Oversells: found on import and on checkout, forced to 0 in every mall's file, cleared by a manager."""
import datetime as dt

import pytest
import sqlalchemy as sa

from app.channels.models import Oversell
from app.channels.services import ListingValues, clear_oversell, make_stock_file, next_file, save_listing
from app.extensions import db
from app.orders.models import OrderHold
from app.storefront.services import Checkout, place_order
from tests.channels.helpers import rakuten_order
from tests.factories import outbox, plain_orders, stored_order


@pytest.fixture
def cup(make_product, stock):
    product = make_product('W-1', name='有田焼 湯呑み')
    stock(product, 10)
    return product


@pytest.fixture
def shown_everywhere(cup):
    """The cup listed on every mall, each sent its 10."""
    for channel, code in (('rakuten', 'cup-r'), ('yahoo', 'cup-y'), ('amazon', 'cup-a'), ('shopify', 'cup-s')):
        save_listing(ListingValues(channel, code, 'W-1'), actor=None)
        make_stock_file(channel)
    db.session.commit()
    return cup


def open_oversells():
    db.session.expire_all()
    return db.session.scalars(sa.select(Oversell).where(Oversell.cleared_at.is_(None))).all()


def test_an_import_for_more_than_is_free_is_an_oversell_forced_to_0_everywhere_and_cleared(shown_everywhere,
                                                                                          make_user):
    manager = make_user('manager', email='boss@shop.example')
    rakuten_order('R-1', 'cup-r', 8)
    assert open_oversells() == []
    rakuten_order('R-2', 'cup-r', 4)
    [oversell] = open_oversells()
    assert (oversell.channel, oversell.product_id, oversell.short) == ('rakuten', shown_everywhere.id, 2)
    assert oversell.order_id == stored_order('R-2').id
    # every mall's next file sends 0, the one whose order found it and the others
    for channel in ('rakuten', 'yahoo', 'amazon', 'shopify'):
        [line] = next_file(channel).lines
        assert (line.quantity, line.oversold) == (0, True)
    # the order waits in the out-of-stock queue of the order list
    holds = db.session.scalars(sa.select(OrderHold).where(OrderHold.order_id == oversell.order_id)).all()
    assert [h.reason for h in holds] == ['out_of_stock']
    # the manager is written to
    [message] = [m for m in outbox() if m.kind == 'oversell_alert']
    assert message.to_address == 'boss@shop.example'
    assert 'W-1' in message.text_body
    # a second order for the same product adds no second open oversell for the channel
    rakuten_order('R-3', 'cup-r', 1)
    assert len(open_oversells()) == 1
    make_stock_file('rakuten')
    clear_oversell(open_oversells()[0], actor=manager)
    db.session.commit()
    assert open_oversells() == []
    # cleared: the rule again (1 free after R-1's 8 and R-3's 1; R-2 waits, held)
    assert [line.quantity for line in next_file('rakuten').lines] == [1]


def test_a_listing_never_sent_above_0_cannot_be_oversold(cup):
    save_listing(ListingValues('rakuten', 'cup-r', 'W-1'), actor=None)
    db.session.commit()
    rakuten_order('R-1', 'cup-r', 12)
    assert open_oversells() == []


def test_a_checkout_that_leaves_earlier_orders_short_is_an_oversell_of_the_shop(cup):
    cup.published = True
    db.session.commit()
    # a phone order the shop cannot fill waits, backordered: the shop still shows the free stock
    plain_orders({'order_id': 'M-1', 'lines': [('W-1', 14)]})
    assert stored_order('M-1').status == 'backordered'
    assert open_oversells() == []
    checkout = Checkout(name='山田 花子', kana='ヤマダ ハナコ', email='hanako@example.jp', phone='0312345678',
                        postal_code='1000001', prefecture='東京都', city='千代田区', address1='千代田1-1', address2='',
                        delivery_date=None, time_slot='', payment_method='cod')
    order = place_order(checkout, [(cup.id, 1)])
    db.session.commit()
    [oversell] = open_oversells()
    assert (oversell.channel, oversell.short, oversell.order_id) == ('store', 14 - 9, order.id)


def test_the_oversell_screens_the_dashboard_and_clearing(client, login, shown_everywhere, make_user):
    rakuten_order('R-1', 'cup-r', 11)
    [oversell] = open_oversells()
    login('clerk')
    page = client.get('/channels/oversells')
    assert 'W-1' in page.text and 'open-oversells' in page.text
    assert client.post(f'/channels/oversells/{oversell.id}/clear').status_code == 403
    client.post('/logout')
    login('manager')
    assert 'oversell-alert' in client.get('/reports/').text
    assert client.post(f'/channels/oversells/{oversell.id}/clear').status_code == 302
    assert open_oversells() == []
    assert 'oversell-alert' not in client.get('/reports/').text
    # the report keeps it, by product and channel
    report = client.get('/channels/oversells').text
    assert 'oversell-report' in report and 'W-1' in report


def test_the_oversell_alert_renders_in_both_languages():
    from app.notifications.services import check_template
    from app.notifications.templating import default_source

    for locale in ('ja', 'en'):
        rendered = check_template('oversell_alert', locale, default_source('oversell_alert', locale))
        assert 'T-100' in rendered.text_body


def test_the_oversells_are_reported_over_time(shown_everywhere):
    rakuten_order('R-1', 'cup-r', 11)
    [first] = open_oversells()
    first.detected_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    clear_oversell(first, actor=None)
    db.session.commit()
    rakuten_order('R-2', 'cup-r', 3)
    from app.channels.queries import oversell_report

    [row] = db.session.execute(oversell_report()).all()
    assert (row.sku, row.channel, row.times, row.still_open) == ('W-1', 'rakuten', 2, 1)
