"""The clerk's order screens: queues, filters, actions on many orders, the order page and the rules screen."""
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.orders.models import Order, OrderHold
from tests.factories import kura_orders, stored_order


@pytest.fixture
def orders_in(make_product, stock):
    """Three orders: one allocated, one waiting for money, one with a comment to read."""
    tea = make_product('T-1', jan='')
    stock(tea, 10)
    kura_orders({'order_id': 'OK-1', 'lines': [('T-1', 1)], 'ship_name': '山田 太郎'},
                {'order_id': 'PAY-1', 'lines': [('T-1', 1)], 'payment_method': 'bank_transfer',
                 'delivery_date': '2025-12-24'},
                {'order_id': 'COM-1', 'lines': [('T-1', 1)], 'comment': '熨斗をお願いします'})
    return tea


def table_of(client, query=''):
    return client.get(f'/orders/{query}', headers={'HX-Request': 'true'}, follow_redirects=True).text


def test_queue_tabs_show_live_counts_and_list_their_orders(client, login, orders_in):
    login('clerk')
    fragment = table_of(client)
    assert re.search(r'Payment pending <span class="count">1</span>', fragment)
    assert re.search(r'Customer comment <span class="count">1</span>', fragment)
    queue = table_of(client, '?hold=payment_pending')
    assert 'PAY-1' in queue and 'OK-1' not in queue and 'COM-1' not in queue


@pytest.mark.parametrize(('query', 'shown', 'hidden'), [
    ('?status=allocated', ['OK-1'], ['PAY-1', 'COM-1']),
    ('?payment=unpaid', ['PAY-1'], ['OK-1', 'COM-1']),
    ('?channel=kura', ['OK-1', 'PAY-1', 'COM-1'], []),
    ('?channel=rakuten', [], ['OK-1', 'PAY-1', 'COM-1']),
    ('?delivery_from=2025-12-01&delivery_to=2025-12-31', ['PAY-1'], ['OK-1', 'COM-1']),
    ('?ordered_from=2025-10-07&ordered_to=2025-10-07', ['OK-1', 'PAY-1', 'COM-1'], []),
    ('?ordered_from=2025-10-08', [], ['OK-1', 'PAY-1', 'COM-1']),
    ('?q=山田', ['OK-1'], ['PAY-1', 'COM-1']),
    ('?q=PAY-1', ['PAY-1'], ['OK-1', 'COM-1']),
])
def test_filters_and_search(client, login, orders_in, query, shown, hidden):
    login('clerk')
    fragment = table_of(client, query)
    for external_id in shown:
        assert external_id in fragment, (query, external_id)
    for external_id in hidden:
        assert external_id not in fragment, (query, external_id)


def test_bulk_mark_paid_releases_the_payment_hold_and_allocates(client, login, orders_in):
    login('clerk')
    target = stored_order('PAY-1')
    fragment = client.post('/orders/bulk?hold=payment_pending', data={'action': 'mark_paid', 'ids': [target.id]},
                           headers={'HX-Request': 'true'}, follow_redirects=True).text
    assert 'Mark paid: 1 orders done.' in fragment
    paid = stored_order('PAY-1')
    assert (paid.payment_status, paid.status, paid.paid_amount) == ('paid', 'allocated', paid.total)


def test_bulk_actions_say_which_orders_refused_and_why(client, login, orders_in):
    login('clerk')
    ids = [stored_order(x).id for x in ('OK-1', 'PAY-1', 'COM-1')]
    fragment = client.post('/orders/bulk', data={'action': 'confirm', 'ids': ids},
                           headers={'HX-Request': 'true'}, follow_redirects=True).text
    number = stored_order('OK-1').number
    assert f'{number}: Order {number} is Allocated: only a new order can be confirmed.' in fragment
    assert 'still has holds: Payment pending' in fragment
    assert 'still has holds: Customer comment' in fragment


def test_bulk_release_of_the_queue_reason(client, login, orders_in):
    login('clerk')
    target = stored_order('COM-1')
    client.post('/orders/bulk?hold=customer_comment', data={'action': 'release', 'hold_reason': 'customer_comment',
                                                            'ids': [target.id], 'why': '確認済'})
    released = stored_order('COM-1')
    assert released.open_holds == []
    assert released.status == 'allocated'


def test_bulk_cancel_needs_a_reason_and_gives_stock_back(client, login, orders_in):
    login('clerk')
    target = stored_order('OK-1')
    refused = client.post('/orders/bulk', data={'action': 'cancel', 'ids': [target.id]},
                          headers={'HX-Request': 'true'}, follow_redirects=True).text
    assert 'A cancellation needs a reason.' in refused
    client.post('/orders/bulk', data={'action': 'cancel', 'ids': [target.id], 'why': '重複注文'})
    assert stored_order('OK-1').status == 'cancelled'


def test_bulk_export_of_the_selected_orders(client, login, orders_in):
    login('clerk')
    response = client.post('/orders/bulk', data={'action': 'export', 'ids': [stored_order('PAY-1').id]})
    text = response.data.decode('utf-8-sig')
    assert 'PAY-1' in text and 'OK-1' not in text


def test_order_page_shows_why_it_waits_and_its_timeline(client, login, orders_in):
    login('clerk')
    page = client.get(f'/orders/{stored_order("PAY-1").id}').text
    assert 'Why this order waits' in page and 'Payment pending' in page
    assert 'Order came in from Kura CSV.' in page
    client.post(f'/orders/{stored_order("PAY-1").id}/notes', data={'note': 'お客様に振込先を再送'})
    client.post(f'/orders/{stored_order("PAY-1").id}/payment', data={'amount': '1000', 'paid_on': '2025-10-09'})
    page = client.get(f'/orders/{stored_order("PAY-1").id}').text
    assert 'お客様に振込先を再送' in page
    assert 'Payment: Unpaid → Paid (1,000 yen on 2025-10-09)' in page
    assert 'Hold released: Payment pending' in page
    assert 'Status: New → Confirmed' in page


def test_editing_the_address_rechecks_it_and_keeps_what_was_typed_on_error(client, login, orders_in):
    login('clerk')
    target = stored_order('OK-1')
    data = {'ship_name': '山田 太郎', 'ship_kana': '', 'ship_postal_code': '12', 'ship_prefecture': '東京都',
            'ship_city': '千代田区', 'ship_address1': '千代田1-1', 'ship_address2': '', 'ship_phone': '0312345678'}
    response = client.post(f'/orders/{target.id}/ship-to', data=data)
    assert response.status_code == 422
    assert 'value="千代田1-1"' in response.text
    data['ship_postal_code'] = '060-0001'   # Hokkaido, not Tokyo
    client.post(f'/orders/{target.id}/ship-to', data=data)
    held = stored_order('OK-1')
    assert [h.reason for h in held.open_holds] == ['address_check']
    assert held.status == 'new'   # its stock went back until the address is right
    data['ship_postal_code'] = '100-0001'
    client.post(f'/orders/{target.id}/ship-to', data=data)
    fixed = stored_order('OK-1')
    assert fixed.open_holds == []
    assert fixed.status == 'allocated'


def test_a_manual_hold_and_a_cancel_from_the_order_page(client, login, orders_in):
    login('clerk')
    target = stored_order('OK-1')
    response = client.post(f'/orders/{target.id}/holds', data={'reason': 'manual', 'note': ''})
    assert 'A manual hold needs a note saying why.' in response.text
    client.post(f'/orders/{target.id}/holds', data={'reason': 'manual', 'note': '住所確認の電話待ち'})
    assert [h.reason for h in stored_order('OK-1').open_holds] == ['manual']
    client.post(f'/orders/{target.id}/cancel', data={'why': 'お客様都合'})
    assert stored_order('OK-1').status == 'cancelled'


def test_priority_raises_from_the_order_page(client, login, orders_in):
    login('clerk')
    target = stored_order('OK-1')
    client.post(f'/orders/{target.id}/actions', data={'action': 'raise'})
    assert stored_order('OK-1').priority == 1


def test_a_backorder_says_what_it_waits_for(client, login, make_product):
    login('clerk')
    make_product('T-9', jan='')
    kura_orders({'order_id': 'BO-1', 'lines': [('T-9', 3)]})
    page = client.get(f'/orders/{stored_order("BO-1").id}').text
    assert 'Waiting for stock' in page
    assert '3 × <code>T-9</code>' in page


def test_managers_edit_the_order_rules_and_clerks_cannot(client, login):
    login('manager')
    page = client.get('/settings/orders')
    assert page.status_code == 200
    response = client.post('/settings/orders', data={'hold_customer_comment': 'y', 'hold_delivery_days': '7',
                                                     'hold_cod_over': '50000',
                                                     'partial_channels': ['rakuten', 'store']})
    assert response.status_code == 302
    from app.settings.services import order_rules

    rules = order_rules()
    assert (rules.hold_payment_pending, rules.hold_delivery_days, rules.hold_cod_over) == (False, 7, 50000)
    assert rules.partial_channels == ('rakuten', 'store')
    bad = client.post('/settings/orders', data={'hold_delivery_days': '-1', 'hold_cod_over': 'x'})
    assert 'Number must be between 0 and 365.' in bad.text
    client.post('/logout')
    login('clerk')
    assert client.get('/settings/orders').status_code == 403


def test_hold_reasons_are_all_counted(client, login, orders_in):
    login('clerk')
    total_holds = db.session.scalar(sa.select(sa.func.count(OrderHold.id)).where(OrderHold.released_at.is_(None)))
    assert total_holds == 2
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 3


def test_combine_and_split_from_the_order_page(client, login, make_product, stock):
    login('clerk')
    a = make_product('A', jan='')
    make_product('B', jan='')
    stock(a, 5)
    kura_orders({'order_id': 'C-1', 'ordered_at': '2025-10-01T10:00:00', 'lines': [('A', 1)]},
                {'order_id': 'C-2', 'ordered_at': '2025-10-02T10:00:00', 'lines': [('A', 1), ('B', 2)]})
    listing = client.get('/orders/', headers={'HX-Request': 'true'}).text
    assert listing.count('Can combine') == 2
    first, second = stored_order('C-1'), stored_order('C-2')
    page = client.get(f'/orders/{first.id}').text
    assert 'Can be combined (同梱)' in page and second.number in page
    client.post(f'/orders/{first.id}/combine', data={'ids': [second.id]})
    assert stored_order('C-2').combined_into_id == first.id
    page = client.get(f'/orders/{second.id}').text
    assert 'Ships in the parcel of' in page
    assert f'Combined into the parcel of {first.number}' in page
    client.post(f'/orders/{second.id}/combine', data={'action': 'uncombine'})
    assert stored_order('C-2').combined_into_id is None
    b_line = next(line.id for line in stored_order('C-2').lines if line.item_code == 'B')
    response = client.post(f'/orders/{second.id}/split', data={f'move-{b_line}': '2'})
    part = db.session.scalar(sa.select(Order).where(Order.split_from_id == second.id))
    assert response.headers['Location'] == f'/orders/{part.id}'
    assert stored_order('C-2').status == 'allocated'
    a_line = stored_order('C-2').lines[0].id
    bad = client.post(f'/orders/{second.id}/split', data={f'move-{a_line}': 'x'}, follow_redirects=True)
    assert 'Units to move must be whole numbers.' in bad.text


def test_the_timeline_shows_the_holds_an_order_arrived_with_and_buyer_edits(client, login, orders_in):
    login('clerk')
    target = stored_order('COM-1')
    page = client.get(f'/orders/{target.id}').text
    assert 'Put on hold: Customer comment' in page
    response = client.post(f'/orders/{target.id}/buyer', data={
        'buyer_name': '髙﨑 次郎', 'buyer_kana': 'タカサキ ジロウ', 'buyer_email': 'not-an-address',
        'buyer_phone': '0312345678'})
    assert '&#34;not-an-address&#34; is not an e-mail address.' in response.text
    assert 'value="髙﨑 次郎"' in response.text
    client.post(f'/orders/{target.id}/buyer', data={'buyer_name': '髙﨑 次郎', 'buyer_kana': 'タカサキ ジロウ',
                                                    'buyer_email': 'jiro@example.jp', 'buyer_phone': '090-1234-5678'})
    changed = stored_order('COM-1')
    assert (changed.buyer_name, changed.buyer_phone) == ('髙﨑 次郎', '09012345678')
    assert 'Buyer changed:' in client.get(f'/orders/{target.id}').text


def test_the_comment_queue_shows_each_comment_in_its_row(client, login, make_product, stock):
    login('clerk')
    stock(make_product('T-1', jan=''), 10)
    long_comment = '日曜日の午前中に届けてください。' * 4 + '最後の一文。'
    kura_orders({'order_id': 'COM-1', 'lines': [('T-1', 1)], 'comment': '熨斗をお願いします'},
                {'order_id': 'COM-2', 'lines': [('T-1', 1)], 'comment': long_comment})
    queue = table_of(client, '?hold=customer_comment')
    assert "Customer's comment</th>" in queue
    assert '<span class="prewrap">熨斗をお願いします</span>' in queue
    # a long one shows its start, and the whole on hover and when opened
    assert f'title="{long_comment}"><summary>{long_comment[:40]}…</summary>' in queue
    assert f'<p class="prewrap">{long_comment}</p>' in queue
    assert "Customer's comment</th>" not in table_of(client, '?hold=payment_pending')


def test_combine_candidates_wait_for_the_clerk_to_tick_them(client, login, make_product, stock):
    login('clerk')
    stock(make_product('A', jan=''), 5)
    kura_orders({'order_id': 'C-1', 'ordered_at': '2025-10-01T10:00:00', 'lines': [('A', 1)]},
                {'order_id': 'C-2', 'ordered_at': '2025-10-02T10:00:00', 'lines': [('A', 1)]})
    first, second = stored_order('C-1'), stored_order('C-2')
    page = client.get(f'/orders/{first.id}').text
    box = re.search(rf'<input type="checkbox" name="ids" value="{second.id}"[^>]*>', page).group(0)
    assert 'checked' not in box
    # nothing ticked: nothing is combined, and the clerk is told what to do
    refused = client.post(f'/orders/{first.id}/combine', data={}, follow_redirects=True).text
    assert 'Choose at least two orders to combine.' in refused
    assert stored_order('C-2').combined_into_id is None
