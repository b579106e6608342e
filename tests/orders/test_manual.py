"""Orders a clerk enters by hand (電話・FAX・メール注文) and orders duplicated from another: the screens, the rows
they make through the orders service, and the refusals that write nothing."""
import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.accounts.models import AuditEvent
from app.catalog.models import Product
from app.extensions import db
from app.inventory.models import StockLevel
from app.orders.models import Allocation, Order, OrderLine
from app.orders.services import mark_paid, transition
from importers.base import JST
from tests.factories import kura_orders, outbox, stored_order
from tests.scanner import ScannerRobot


CUSTOMER = {'source': 'phone', 'buyer_name': '山田 花子', 'buyer_kana': 'ヤマダ ハナコ',
            'buyer_email': 'hanako@example.jp', 'buyer_phone': '03-1234-5678', 'ship_name': '', 'ship_kana': '',
            'ship_phone': '', 'ship_postal_code': '100-0001', 'ship_prefecture': '東京都', 'ship_city': '千代田区',
            'ship_address1': '千代田1-1', 'ship_address2': '', 'payment_method': 'cod', 'shipping_fee': '700',
            'cod_fee': '330', 'delivery_date': '', 'delivery_time_slot': '午前中', 'gift_wrap': '', 'noshi': '',
            'comment': ''}


@pytest.fixture
def tea(make_product, stock):
    product = make_product('T-1', name='髙橋園の玄米茶', price=1080, tax_rate=8, jan='4569951116179')
    stock(product, 10)
    return product


def history(order: Order) -> list[tuple]:
    return [(e.action, e.before, e.after, e.note) for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == 'orders', AuditEvent.object_id == str(order.id))
        .order_by(AuditEvent.id))]


def post_order(client, lines, **values):
    data = {**CUSTOMER, **values}
    for name in ('code', 'quantity', 'price', 'reason'):
        data[f'line_{name}'] = [line[name] for line in lines]
    return client.post('/orders/new', data=data)


def line(code, quantity='1', price='', reason=''):
    return {'code': code, 'quantity': quantity, 'price': price, 'reason': reason}


def manual_orders() -> list[Order]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Order).where(Order.channel == 'manual')))


def nothing_entered() -> bool:
    """No manual order yet; the read's transaction is ended, so the live server in its thread may write."""
    found = manual_orders()
    db.session.rollback()
    return found == []


def test_an_order_entered_by_hand_is_allocated_confirmed_by_mail_and_says_who_entered_it(client, login, tea):
    clerk = login('clerk')
    response = post_order(client, [line('T-1', '2', '1000', 'お得意様割引')], ship_name='佐藤 一郎',
                          gift_wrap='あり', noshi='御中元')
    assert response.status_code == 302, response.text
    [order] = manual_orders()
    assert response.headers['Location'] == f'/orders/{order.id}'
    assert (order.source, order.status, order.payment_status) == ('phone', 'allocated', 'cod')
    assert (order.buyer_name, order.ship_name, order.ship_phone) == ('山田 花子', '佐藤 一郎', '')
    assert (order.gift_wrap, order.noshi, order.delivery_time_slot) == ('あり', '御中元', '午前中')
    assert [(li.item_code, li.quantity, li.unit_price, li.tax_rate) for li in order.lines] == [('T-1', 2, 1000, 8)]
    assert order.total == order.amount_due == 2000 + 700 + 330
    assert db.session.scalar(sa.select(sa.func.sum(Allocation.quantity)).where(Allocation.order_id == order.id)) == 2
    assert [(m.kind, m.to_address) for m in outbox() if m.order_id == order.id] == [
        ('order_confirmation', 'hanako@example.jp')]
    assert [(a, b, c, n) for a, b, c, n in history(order) if a != 'order.email'] == [
        ('order.status', {'status': None}, {'status': 'allocated'}, 'allocation'),
        ('order.entered', None, {'source': 'phone'}, ''),
        ('order.price_override', {'line': 1, 'sku': 'T-1', 'unit_price': 1080}, {'unit_price': 1000}, 'お得意様割引')]
    assert db.session.scalar(sa.select(AuditEvent.user_id).where(AuditEvent.action == 'order.entered')) == clerk.id
    page = client.get(f'/orders/{order.id}').text
    assert 'Entered by hand (Phone order)' in page
    assert 'Price of line 1 (T-1): 1,080 → 1,000 yen' in page


def test_the_recipient_left_blank_is_the_customer(client, login, tea):
    login('clerk')
    assert post_order(client, [line('T-1')]).status_code == 302
    [order] = manual_orders()
    assert (order.ship_name, order.ship_kana, order.ship_phone) == ('山田 花子', 'ヤマダ ハナコ', '0312345678')


def test_a_manual_order_takes_the_same_holds_as_an_imported_one(client, login, tea):
    login('clerk')
    # a postal code of Hokkaido for an address in Tokyo, paid by bank transfer, with a comment: each waits
    assert post_order(client, [line('T-1')], ship_postal_code='060-0001', payment_method='bank_transfer',
                      cod_fee='0', comment='贈り物です').status_code == 302
    [order] = manual_orders()
    assert (order.status, order.customer_comment) == ('new', '贈り物です')
    assert {h.reason for h in order.open_holds} == {'address_check', 'payment_pending', 'customer_comment'}
    assert db.session.scalar(sa.select(sa.func.count(Allocation.id)).where(Allocation.order_id == order.id)) == 0


@pytest.mark.parametrize(('lines', 'message'), [
    ([line('NOPE-9')], 'line 1: no product sold has the SKU or JAN &#34;NOPE-9&#34;'),
    ([line('T-1', 'abc')], 'line 1 (T-1): the quantity must be a whole number from 1 to 9999'),
    ([line('T-1', '0')], 'line 1 (T-1): the quantity must be a whole number from 1 to 9999'),
    ([line('T-1', '1', '900')], 'line 1 (T-1): the price differs from the catalogue&#39;s 1,080 yen: say why'),
    ([], 'The order has no lines'),
], ids=['unknown code', 'quantity not a number', 'quantity zero', 'price without reason', 'no lines'])
def test_a_wrong_line_refuses_the_order_with_what_was_typed_kept(client, login, tea, lines, message):
    login('clerk')
    response = post_order(client, lines)
    assert response.status_code == 422
    assert message in response.text
    assert manual_orders() == []
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.object_type == 'orders')) == 0
    for typed in lines:   # nothing the clerk typed is lost
        assert f'value="{typed["quantity"]}"' in response.text


def test_the_line_field_adds_by_sku_jan_or_name_and_counts_a_second_scan(client, login, tea, make_product):
    login('clerk')
    make_product('C-1', name='湯呑み 青', price=2200)
    make_product('C-2', name='湯呑み 白', price=2200)
    first = client.post('/orders/new/lines', data={'code': '4569951116179'})   # the JAN a scanner reads
    assert re.findall(r'name="line_code" value="([^"]+)"', first.text) == ['T-1']
    again = client.post('/orders/new/lines', data={'code': 'T-1', 'line_code': 'T-1', 'line_quantity': '1',
                                                   'line_price': '1080', 'line_reason': ''})
    assert 'name="line_quantity" value="2"' in again.text
    by_name = client.post('/orders/new/lines', data={'code': '湯呑み'})
    assert 'Several products have that in their name' in by_name.text
    assert 'C-1' in by_name.text and 'C-2' in by_name.text and 'name="line_code"' not in by_name.text
    unknown = client.post('/orders/new/lines', data={'code': 'XYZ-404', 'line_code': 'T-1', 'line_quantity': '3',
                                                     'line_price': '1080', 'line_reason': ''})
    assert 'No product has the SKU or JAN &#34;XYZ-404&#34;' in unknown.text
    assert 'name="line_quantity" value="3"' in unknown.text   # the lines already there stay as they were


def test_a_duplicate_is_prefilled_from_the_original_and_linked_both_ways(client, login, tea):
    login('clerk')
    assert post_order(client, [line('T-1', '2')], source='fax', gift_wrap='あり').status_code == 302
    [original] = manual_orders()
    form = client.get(f'/orders/{original.id}/duplicate')
    assert form.status_code == 200
    assert f'name="duplicate_of" type="hidden" value="{original.id}"' in form.text
    assert 'name="line_quantity" value="2"' in form.text and 'value="山田 花子"' in form.text
    response = post_order(client, [line('T-1', '2')], source='fax', gift_wrap='あり', duplicate_of=str(original.id))
    assert response.status_code == 302
    copy = next(o for o in manual_orders() if o.id != original.id)
    assert copy.duplicated_from_id == original.id
    assert ('order.duplicated', None, {'copy': copy.number}, '') in history(original)
    assert ('order.entered', None, {'source': 'fax', 'from': original.number}, '') in history(copy)
    assert f'Duplicated as {copy.number}' in client.get(f'/orders/{original.id}').text
    page = client.get(f'/orders/{copy.id}').text
    assert f'href="/orders/{original.id}">{original.number}</a>' in page
    assert f'as a copy of {original.number}' in page


def test_manual_is_a_channel_of_the_order_list_filter(client, login, tea):
    login('clerk')
    post_order(client, [line('T-1')])
    page = client.get('/orders/?channel=manual')
    assert 'value="manual"' in page.text and 'Entered by hand' in page.text


# ---------------------------------------------------------------------------------------------- in the browser


def test_a_clerk_enters_a_phone_order_with_a_scanner_and_the_enter_key_adds_lines_only(
        signed_in_page, make_user, tea, make_product, stock):
    stock(make_product('C-1', name='湯呑み 青', price=2200, jan=''), 5)
    make_user('clerk', email='clerk@example.jp')
    db.session.commit()
    page = signed_in_page('clerk@example.jp')
    page.goto(page.url.rsplit('/', 1)[0] + '/orders/new')
    page.locator('#code').focus()
    scanner = ScannerRobot(page)
    scanner.scan('4569951116179')            # the tea's JAN, Enter at the end
    scanner.scan('4569951116179')            # a second unit
    scanner.scan('NOPE-1')
    assert 'No product has the SKU or JAN "NOPE-1"' in page.locator('#entry-lines').inner_text()
    scanner.scan('湯呑み')                    # typed, not scanned: a name finds the one product
    rows = page.locator('#entry-lines tbody tr')
    assert [rows.nth(i).get_attribute('data-sku') for i in range(rows.count())] == ['T-1', 'C-1']
    assert page.locator('input[aria-label="Quantity of T-1"]').input_value() == '2'
    assert nothing_entered()                 # no Enter sent the order
    page.fill('#buyer_name', '山田 花子')
    page.fill('#buyer_email', 'hanako@example.jp')
    # the address form of the order page and the shop: the 7th digit fills prefecture, city and town
    assert page.locator('#ship_prefecture option').count() == 48   # the 47 and none chosen
    page.locator('#ship_postal_code').press_sequentially('1000001')
    expect(page.locator('#ship_city')).to_have_value('千代田区')
    assert page.input_value('#ship_prefecture') == '東京都'
    page.locator('#ship_address1').press('End')
    page.locator('#ship_address1').press_sequentially('1-1')
    page.press('#ship_address1', 'Enter')    # Enter in an order field does not send it either
    assert nothing_entered()
    page.click('button:has-text("Enter the order")')
    page.wait_for_url(re.compile(r'/orders/\d+$'))
    [order] = manual_orders()
    assert order.status == 'allocated'
    assert [(li.item_code, li.quantity) for li in order.lines] == [('T-1', 2), ('C-1', 1)]
    assert (order.ship_prefecture, order.ship_city, order.ship_address1) == ('東京都', '千代田区', '千代田1-1')
    assert [m.kind for m in outbox() if m.order_id == order.id] == ['order_confirmation']
    assert 'Entered by hand (Phone order)' in page.content()


def test_a_clerk_changes_the_delivery_wish_payment_and_fee_on_the_order_page(
        signed_in_page, make_user, tea, stock):
    """In Japanese, in Chromium: the form opens from the order page, saves, and the page shows old and new."""
    stock(tea, 5)
    make_user('clerk', email='clerk@example.jp', locale='ja')
    kura_orders({'order_id': 'DP-1', 'lines': [('T-1', 1)], 'shipping_fee': '700'})
    order = stored_order('DP-1')
    order_id, before_total = order.id, order.total
    db.session.commit()   # the server is another thread: no transaction of ours may hold the write lock
    day = (dt.datetime.now(JST).date() + dt.timedelta(days=4)).isoformat()

    page = signed_in_page('clerk@example.jp')
    page.goto(page.url.rsplit('/', 1)[0] + f'/orders/{order_id}')
    page.click('summary:has-text("お届け希望・支払方法・手数料を変更")')
    page.fill('#delivery_date', day)
    page.select_option('#delivery_time_slot', '16-18')
    page.fill('#shipping_fee', '')
    page.locator('#shipping_fee').press_sequentially('900')
    page.click('button:has-text("お届け希望と支払方法を保存")')
    page.wait_for_load_state()

    expect(page.locator('body')).to_contain_text(f'→ {day} 16-18')
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    assert (order.delivery_date.isoformat(), order.delivery_time_slot, order.shipping_fee) == (day, '16-18', 900)
    assert order.total == before_total + 200
    assert ('order.fees', {'shipping_fee': 700, 'cod_fee': order.cod_fee},
            {'shipping_fee': 900, 'cod_fee': order.cod_fee}) in [h[:3] for h in history(order)]


# ---------------------------------------------------------------------------------------------- edited before picking


def reserved(order: Order) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(OrderLine.item_code, sa.func.sum(Allocation.quantity))
                              .join(Allocation, Allocation.order_line_id == OrderLine.id)
                              .where(Allocation.order_id == order.id).group_by(OrderLine.item_code))
    return dict(rows.tuples().all())


@pytest.fixture
def entered(client, login, tea, make_product, stock):
    """An allocated manual order of two teas, entered by a clerk who stays logged in."""
    stock(make_product('C-1', name='湯呑み 青', price=2200, jan=''), 5)
    login('clerk')
    assert post_order(client, [line('T-1', '2')]).status_code == 302
    [order] = manual_orders()
    assert (order.status, reserved(order)) == ('allocated', {'T-1': 2})
    return order


def test_lines_changed_before_picking_move_the_reserved_stock_and_the_total_with_old_and_new_in_history(
        client, entered):
    order, tea_line = entered, entered.lines[0]
    response = client.post(f'/orders/{order.id}/lines', data={f'qty-{tea_line.id}': '3', 'add_code': 'C-1',
                                                              'add_quantity': '1'})
    assert response.status_code == 302
    assert reserved(order) == {'T-1': 3, 'C-1': 1}
    order = db.session.get(Order, order.id)
    assert order.status == 'allocated'
    assert order.total == order.amount_due == 3 * 1080 + 2200 + 700 + 330
    changes = [(a, b, c) for a, b, c, _ in history(order)
               if a in ('order.line_quantity', 'order.line_added', 'order.total')]
    assert changes == [
        ('order.line_quantity', {'line': 1, 'sku': 'T-1', 'quantity': 2}, {'quantity': 3}),
        ('order.line_added', None, {'line': 2, 'sku': 'C-1', 'quantity': 1, 'unit_price': 2200}),
        ('order.total', {'total': 3190, 'amount_due': 3190}, {'total': 6470, 'amount_due': 6470})]
    page = client.get(f'/orders/{order.id}').text
    assert 'Quantity of line 1 (T-1): 2 → 3' in page and 'Total: 3,190 → 6,470 yen' in page

    # a line taken out gives its units back
    added = next(li for li in order.lines if li.item_code == 'C-1')
    assert client.post(f'/orders/{order.id}/lines', data={f'qty-{added.id}': '0'}).status_code == 302
    assert reserved(order) == {'T-1': 3}
    assert ('order.line_removed', {'line': 2, 'sku': 'C-1', 'quantity': 1}, None, '') in history(order)
    assert db.session.scalar(sa.select(StockLevel.allocated).join(Product).where(Product.sku == 'C-1')) == 0


def test_a_bad_quantity_or_unknown_code_changes_nothing(client, entered):
    order, tea_line = entered, entered.lines[0]
    for data, message in (({f'qty-{tea_line.id}': 'x'}, 'Line 1: the quantity must be a whole number'),
                          ({'add_code': 'NOPE-1'}, 'No product has the SKU or JAN &#34;NOPE-1&#34;'),
                          ({f'qty-{tea_line.id}': '0'}, 'would have no lines left: cancel it instead')):
        response = client.post(f'/orders/{order.id}/lines', data=data)
        assert response.status_code == 422
        assert message in response.text
    assert reserved(order) == {'T-1': 2}
    assert [e for e in history(order) if e[0].startswith('order.line')] == []


def test_lines_cannot_change_once_picking_started_and_the_clerk_is_told_why(client, entered):
    order = db.session.get(Order, entered.id)
    transition(order, 'picking', actor=None)
    db.session.commit()
    response = client.post(f'/orders/{order.id}/lines', data={f'qty-{order.lines[0].id}': '5'})
    assert response.status_code == 422
    assert 'its lines can no longer change' in response.text and 'Split or cancel the order instead' in response.text
    assert reserved(order) == {'T-1': 2}
    assert 'Change the lines' not in client.get(f'/orders/{order.id}').text


# ------------------------------------------------------------------------- delivery, payment and fees edited by hand


def terms(**values) -> dict:
    """The order page's delivery-and-payment form as the entered order fills it, with some values changed."""
    return {'delivery_date': '', 'delivery_time_slot': '午前中', 'payment_method': 'cod', 'shipping_fee': '700',
            'cod_fee': '330', **values}


def holds(order: Order) -> list[str]:
    db.session.expire_all()
    return sorted(h.reason for h in db.session.get(Order, order.id).open_holds)


def test_delivery_and_fees_changed_before_picking_move_the_total_with_old_and_new_in_history(client, entered):
    order = entered
    day = (dt.datetime.now(JST).date() + dt.timedelta(days=3)).isoformat()
    response = client.post(f'/orders/{order.id}/delivery-payment',
                           data=terms(delivery_date=day, delivery_time_slot='14-16', shipping_fee='900'))
    assert response.status_code == 302
    order = db.session.get(Order, order.id)
    assert (order.delivery_date.isoformat(), order.delivery_time_slot) == (day, '14-16')
    assert (order.shipping_fee, order.cod_fee) == (900, 330)
    assert order.total == order.amount_due == 2 * 1080 + 900 + 330
    assert (order.status, reserved(order)) == ('allocated', {'T-1': 2})
    changes = [(a, b, c) for a, b, c, _ in history(order) if a in ('order.delivery', 'order.fees', 'order.total')]
    assert changes == [
        ('order.delivery', {'delivery_date': None, 'delivery_time_slot': '午前中'},
         {'delivery_date': day, 'delivery_time_slot': '14-16'}),
        ('order.fees', {'shipping_fee': 700, 'cod_fee': 330}, {'shipping_fee': 900, 'cod_fee': 330}),
        ('order.total', {'total': 3190, 'amount_due': 3190}, {'total': 3390, 'amount_due': 3390})]
    page = client.get(f'/orders/{order.id}').text
    assert f'Delivery wish: 午前中 → {day} 14-16' in page
    assert 'Fees: shipping 700 → 900 yen, COD 330 → 330 yen' in page and 'Total: 3,190 → 3,390 yen' in page

    # the same values again change nothing and write nothing
    before = len(history(order))
    assert client.post(f'/orders/{order.id}/delivery-payment',
                       data=terms(delivery_date=day, delivery_time_slot='14-16', shipping_fee='900')).status_code == 302
    assert len(history(order)) == before


def test_a_payment_method_change_follows_the_import_rules_for_payment_status_and_holds(client, entered):
    order = entered
    assert client.post(f'/orders/{order.id}/delivery-payment',
                       data=terms(payment_method='bank_transfer', cod_fee='0')).status_code == 302
    order = db.session.get(Order, order.id)
    assert (order.payment_status, order.status, order.total) == ('unpaid', 'new', 2 * 1080 + 700)
    assert holds(order) == ['payment_pending'] and reserved(order) == {}
    assert ('order.payment_method', {'payment_method': 'cod', 'payment_status': 'cod'},
            {'payment_method': 'bank_transfer', 'payment_status': 'unpaid'}, '') in history(order)
    assert 'Payment method: Cash on delivery → Bank transfer (Unpaid)' in client.get(f'/orders/{order.id}').text

    # paid by card after all: the payment hold goes and the order takes its stock again
    assert client.post(f'/orders/{order.id}/delivery-payment',
                       data=terms(payment_method='card', cod_fee='0')).status_code == 302
    order = db.session.get(Order, order.id)
    assert (order.payment_status, order.status, holds(order)) == ('paid', 'allocated', [])
    assert reserved(order) == {'T-1': 2}


def test_a_far_delivery_date_or_a_cod_over_the_limit_is_held_as_on_import_and_released_when_it_goes(
        client, entered):
    order = entered
    far = (dt.datetime.now(JST).date() + dt.timedelta(days=30)).isoformat()
    assert client.post(f'/orders/{order.id}/delivery-payment',
                       data=terms(delivery_date=far, shipping_fee='100000')).status_code == 302
    assert holds(order) == ['cod_over_limit', 'delivery_date_far']
    assert reserved(order) == {}
    assert client.post(f'/orders/{order.id}/delivery-payment', data=terms()).status_code == 302
    assert holds(order) == [] and reserved(order) == {'T-1': 2}
    assert db.session.get(Order, order.id).status == 'allocated'


def test_bad_delivery_or_payment_input_changes_nothing(client, entered):
    order = entered
    for data, message in ((terms(delivery_time_slot='真夜中'), 'Choose one of the time slots the shop offers'),
                          (terms(shipping_fee='-1'), 'Number must be between 0 and'),
                          (terms(cod_fee='x'), 'Not a valid integer value')):
        response = client.post(f'/orders/{order.id}/delivery-payment', data=data)
        assert response.status_code == 422
        assert message in response.text
    order = db.session.get(Order, order.id)
    assert (order.delivery_time_slot, order.shipping_fee, order.cod_fee, order.total) == ('午前中', 700, 330, 3190)
    assert [e for e in history(order) if e[0] in ('order.delivery', 'order.fees', 'order.total')] == []


def test_a_paid_order_keeps_its_payment_method(client, entered):
    order = db.session.get(Order, entered.id)
    order.payment_method, order.payment_status = 'bank_transfer', 'unpaid'
    mark_paid(order, amount=order.billed, paid_on=dt.date(2026, 12, 1), actor=None)
    db.session.commit()
    response = client.post(f'/orders/{order.id}/delivery-payment', data=terms(payment_method='card'))
    assert response.status_code == 422
    assert 'was paid on 2026-12-01: its payment method can no longer change' in response.text
    assert db.session.get(Order, order.id).payment_method == 'bank_transfer'


def test_delivery_payment_and_fees_cannot_change_once_picking_started_and_the_clerk_is_told_why(client, entered):
    order = db.session.get(Order, entered.id)
    transition(order, 'picking', actor=None)
    db.session.commit()
    response = client.post(f'/orders/{order.id}/delivery-payment', data=terms(shipping_fee='0'))
    assert response.status_code == 422
    assert 'its delivery, payment and fees can no longer change' in response.text
    assert 'Split or cancel the order instead' in response.text
    order = db.session.get(Order, order.id)
    assert (order.shipping_fee, order.total) == (700, 3190)
    page = client.get(f'/orders/{order.id}').text
    assert 'Edit delivery, payment and fees' not in page
    assert 'Delivery, payment and fees can no longer change' in page


# ------------------------------------------------------------------------------------- 複数送付先: split by ship-to


GRANDMOTHER = {'part-ship_name': '山田 トメ', 'part-ship_kana': 'ヤマダ トメ', 'part-ship_postal_code': '060-0001',
               'part-ship_prefecture': '北海道', 'part-ship_city': '札幌市中央区', 'part-ship_address1': '北一条西1-1',
               'part-ship_address2': '', 'part-ship_phone': '011-222-3333'}


def test_an_order_to_two_addresses_becomes_one_order_per_ship_to(client, entered):
    order, tea_line = entered, entered.lines[0]
    response = client.post(f'/orders/{order.id}/split-ship-to', data={f'part-move-{tea_line.id}': '1', **GRANDMOTHER})
    assert response.status_code == 302
    db.session.expire_all()
    first = db.session.get(Order, order.id)
    [part] = db.session.scalars(sa.select(Order).where(Order.split_from_id == order.id))
    assert (first.ship_name, first.ship_postal_code) == ('山田 花子', '1000001')
    assert [li.quantity for li in first.lines] == [1]
    assert (part.ship_name, part.ship_postal_code, part.ship_city) == ('山田 トメ', '0600001', '札幌市中央区')
    assert [(li.item_code, li.quantity) for li in part.lines] == [('T-1', 1)]
    # the fees stay with the first order; each total is its own goods and fees
    assert (first.total, part.total) == (1080 + 700 + 330, 1080)
    assert reserved(first) == {'T-1': 1} and reserved(part) == {'T-1': 1}
    assert ('order.split', {'from': first.number}, None, '') in history(part)
    assert any(a == 'order.ship_to' and c['ship_name'] == '山田 トメ' for a, b, c, _ in history(part))
    assert response.headers['Location'].endswith(f'/orders/{part.id}')


def test_a_split_by_ship_to_with_a_bad_address_or_no_units_changes_nothing_and_keeps_what_was_typed(client, entered):
    order, tea_line = entered, entered.lines[0]
    for data, message in (({f'part-move-{tea_line.id}': '1', **GRANDMOTHER, 'part-ship_postal_code': '12'},
                           'not a 7-digit postal code'),
                          ({**GRANDMOTHER}, 'Move some of the units, not none and not all of them.'),
                          ({f'part-move-{tea_line.id}': 'x', **GRANDMOTHER}, 'Units to move must be whole numbers.')):
        response = client.post(f'/orders/{order.id}/split-ship-to', data=data)
        assert response.status_code == 422
        assert message in response.text and '北一条西1-1' in response.text
    db.session.expire_all()
    assert db.session.scalars(sa.select(Order).where(Order.split_from_id == order.id)).all() == []
    assert reserved(order) == {'T-1': 2}
