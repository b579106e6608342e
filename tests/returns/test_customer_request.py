"""A customer asks for a return from the shop's order-status page; the clerk approves or declines."""
import sqlalchemy as sa

from app.extensions import db
from app.returns.models import Return
from app.storefront.models import LookupFailure
from tests.factories import stored_order


def test_a_customer_asks_for_a_return_and_the_shop_records_the_request(shipped, client):
    order = stored_order('F-1')
    line = {line.product.sku: line for line in order.lines}
    page = client.post('/shop/order-status', data={'number': order.number, 'email': 'ichiko@example.jp'})
    assert page.status_code == 200 and 'id="return-form"' in page.text
    too_many = client.post('/shop/order-status/return', data={
        'number': order.number, 'email': 'ichiko@example.jp', f'qty-{line["T-1"].id}': '5',
        f'reason-{line["T-1"].id}': 'changed_mind'})
    assert too_many.status_code == 422 and db.session.scalar(sa.select(sa.func.count(Return.id))) == 0
    shop_only = client.post('/shop/order-status/return', data={
        'number': order.number, 'email': 'ichiko@example.jp', f'qty-{line["T-1"].id}': '1',
        f'reason-{line["T-1"].id}': 'refused'})
    assert shop_only.status_code == 422
    done = client.post('/shop/order-status/return', data={
        'number': order.number, 'email': 'ichiko@example.jp', f'qty-{line["T-1"].id}': '1',
        f'reason-{line["T-1"].id}': 'changed_mind', 'comment': '色が思っていたのと違いました'})
    assert done.status_code == 200
    ret = db.session.scalar(sa.select(Return))
    assert 'id="return-requested">' in done.text and ret.number in done.text
    assert (ret.state, ret.source, ret.customer_comment, ret.lines[0].quantity) == (
        'requested', 'customer', '色が思っていたのと違いました', 1)


def test_a_wrong_e_mail_is_refused_and_counted_as_a_failed_look_up(shipped, client):
    order = stored_order('F-1')
    line = order.lines[0]
    refused = client.post('/shop/order-status/return', data={
        'number': order.number, 'email': 'someone@else.example', f'qty-{line.id}': '1',
        f'reason-{line.id}': 'changed_mind'})
    assert refused.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Return.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(LookupFailure.id))) == 1


def test_the_customer_asks_in_chromium(live_server, browser, shipped, request):
    order = stored_order('F-1')
    number = order.number
    db.session.commit()
    request.getfixturevalue('reading_only')
    page = browser.new_page()
    page.goto(f'{live_server}/shop/order-status')
    page.fill('#number', number)
    page.fill('#email', 'ichiko@example.jp')
    page.click('button[type=submit]')
    page.wait_for_selector('#return-form')
    page.locator('#return-form input[type=number]').first.fill('1')
    page.locator('#return-form select').first.select_option('defective')
    page.fill('#comment', '割れていました')
    page.click('#return-form button[type=submit]')
    page.wait_for_selector('#return-requested')
    db.session.rollback()
    ret = db.session.scalar(sa.select(Return))
    assert (ret.state, ret.lines[0].reason.key, ret.customer_comment) == ('requested', 'defective', '割れていました')
    page.close()
