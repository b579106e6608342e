"""The returns screens: the order's returns panel (open one), a return's page (decide, refund, exchange, close)."""
import sqlalchemy as sa

from app.extensions import db
from app.returns import services
from app.returns.models import Refund, Return
from app.returns.services import AskedLine
from tests.factories import stored_order


def test_the_order_page_loads_its_returns_panel_and_a_clerk_opens_a_return(shipped, client, login):
    login('clerk')
    order = stored_order('F-1')
    page = client.get(f'/orders/{order.id}')
    assert f'/returns/orders/{order.id}' in page.text
    panel = client.get(f'/returns/orders/{order.id}', headers={'HX-Request': 'true'})
    assert panel.status_code == 200 and 'id="order-returns"' in panel.text and '<html' not in panel.text
    line = {line.product.sku: line for line in order.lines}
    too_many = client.post(f'/returns/orders/{order.id}', data={f'qty-{line["T-1"].id}': '3',
                                                                f'reason-{line["T-1"].id}': 'defective'})
    assert too_many.status_code == 422 and '2 not yet returned' in too_many.text
    assert db.session.scalar(sa.select(sa.func.count(Return.id))) == 0
    done = client.post(f'/returns/orders/{order.id}', data={f'qty-{line["T-1"].id}': '1',
                                                            f'reason-{line["T-1"].id}': 'damaged', 'comment': '箱潰れ'})
    assert done.status_code == 303
    ret = db.session.scalar(sa.select(Return))
    panel = client.get(f'/returns/orders/{order.id}')
    assert ret.number in panel.text and 'Damaged' in panel.text and '箱潰れ' in panel.text
    detail = client.get(f'/returns/{ret.id}')
    assert detail.status_code == 200 and ret.number in detail.text and 'Opened' in detail.text


def test_an_exchange_for_another_product_scanned_by_its_jan(shipped, client, login):
    ret = services.open_return(stored_order('F-1'), [AskedLine('T-1', 2, 'changed_mind'),
                                                     AskedLine('W-1', 1, 'defective')], actor=None)
    db.session.commit()
    tea, cup = (line for line in ret.lines)
    login('clerk')
    page = client.get(f'/returns/{ret.id}')
    assert f'name="product-{tea.id}"' in page.text and 'data-no-enter-submit' in page.text
    unknown = client.post(f'/returns/{ret.id}/exchange', data={f'product-{tea.id}': '4999999999999',
                                                               f'quantity-{tea.id}': '2',
                                                               f'product-{cup.id}': 'W-1', f'quantity-{cup.id}': '1'})
    assert unknown.status_code == 422 and 'Replacement line 1: no product has the code' in unknown.text
    assert 'value="4999999999999"' in unknown.text
    bad = client.post(f'/returns/{ret.id}/exchange', data={f'product-{tea.id}': 'T-1', f'quantity-{tea.id}': 'two',
                                                           f'product-{cup.id}': 'W-1', f'quantity-{cup.id}': '1'})
    assert bad.status_code == 422 and 'Replacement line 1: the quantity is 0 to 9999 units' in bad.text
    nothing = client.post(f'/returns/{ret.id}/exchange', data={f'product-{tea.id}': 'T-1', f'quantity-{tea.id}': '0',
                                                               f'product-{cup.id}': 'W-1', f'quantity-{cup.id}': '0'})
    assert nothing.status_code == 422 and 'Give at least one replacement unit' in nothing.text
    db.session.expire_all()
    assert ret.replacement_order_id is None
    # the tea is swapped for the pot, scanned by its JAN (with the scanner's spaces); the cup is not replaced
    done = client.post(f'/returns/{ret.id}/exchange', data={f'product-{tea.id}': ' 4912345000019 ',
                                                            f'quantity-{tea.id}': '1',
                                                            f'product-{cup.id}': 'W-1', f'quantity-{cup.id}': '0'})
    assert done.status_code == 303
    db.session.expire_all()
    replacement = ret.replacement_order
    assert [(line.product.sku, line.quantity, line.unit_price) for line in replacement.lines] == [('W-2', 1, 0)]
    assert replacement.duplicated_from_id == ret.order_id


def test_a_request_is_approved_or_declined_with_a_message(shipped, client, login):
    login('clerk')
    ret = services.open_return(stored_order('F-1'), [AskedLine('T-1', 1, 'changed_mind')], actor=None,
                               state='requested', source='customer')
    db.session.commit()
    refused = client.post(f'/returns/{ret.id}/decide', data={'decision': 'decline', 'message': ''})
    assert refused.status_code == 422 and 'Say why the return is declined' in refused.text
    assert client.post(f'/returns/{ret.id}/decide', data={'decision': 'decline', 'message': '開封済みのため'}) \
        .status_code == 303
    db.session.expire_all()
    assert (ret.state, ret.message) == ('declined', '開封済みのため')


def test_a_refund_from_the_return_page_shows_the_mall_steps_and_sets_the_payment_status(shipped, client, login):
    order = stored_order('F-1')
    order.channel = 'rakuten'
    ret = services.open_return(order, [AskedLine('T-1', 2, 'defective'), AskedLine('W-1', 1, 'defective')],
                               actor=None)
    db.session.commit()
    login('clerk')
    page = client.get(f'/returns/{ret.id}')
    assert 'キャンセル申請' in page.text
    data = {f'amount-{line.id}': str(line.quantity * 1080) for line in ret.lines}
    bad = client.post(f'/returns/{ret.id}/refund', data={**data, 'method': 'mall', 'fees': '99999',
                                                         'refunded_on': '2026-12-01'})
    assert bad.status_code == 422 and 'The fees refunded are 0 to 880 yen' in bad.text
    assert db.session.scalar(sa.select(sa.func.count(Refund.id))) == 0
    done = client.post(f'/returns/{ret.id}/refund', data={**data, 'method': 'mall', 'fees': '880',
                                                          'refunded_on': '2026-12-01'})
    assert done.status_code == 303
    assert stored_order('F-1').payment_status == 'refunded'


def test_an_exchange_from_the_return_page_links_the_replacement(shipped, client, login):
    ret = services.open_return(stored_order('F-1'), [AskedLine('W-1', 1, 'wrong_item')], actor=None)
    db.session.commit()
    login('clerk')
    assert client.post(f'/returns/{ret.id}/exchange').status_code == 303
    db.session.expire_all()
    assert ret.replacement_order is not None and ret.outcome == 'exchange'
    assert ret.replacement_order.number in client.get(f'/returns/{ret.id}').text
    again = client.post(f'/returns/{ret.id}/exchange')
    assert again.status_code == 422 and 'already has its replacement' in again.text
    assert client.post(f'/returns/{ret.id}/close', data={'outcome': 'exchange'}).status_code == 303
    db.session.expire_all()
    assert ret.state == 'closed'


def test_the_station_opens_the_parcel_by_its_label_grades_units_and_stops_on_a_stranger(shipped, client, login):
    login('packer')
    ret = services.open_return(stored_order('F-1'), [AskedLine('T-1', 1, 'defective')], actor=None)
    db.session.commit()
    assert client.get('/returns/station').status_code == 200
    opened = client.post('/returns/station/scan', data={'code': shipped['shipment'].tracking_number},
                         headers={'HX-Request': 'true'})
    assert opened.status_code == 200 and ret.number in opened.text and opened.headers['HX-Trigger'] == 'scanOk'
    assert client.post('/returns/station/scan', data={'code': '#QUARANTINE'}).status_code == 200
    stranger = client.post('/returns/station/scan', data={'code': '4912345000019'})
    assert stranger.status_code == 422 and 'NOT IN THIS RETURN' in stranger.text
    blocked = client.post('/returns/station/scan', data={'code': '4569951116179'})
    assert blocked.status_code == 422 and 'refused' in blocked.text
    client.post('/returns/station/ack')
    unit = client.post('/returns/station/scan', data={'code': '4569951116179'})
    assert unit.status_code == 200 and 'Quarantine' in unit.text
    db.session.expire_all()
    assert (ret.state, ret.lines[0].quarantine) == ('received', 1)


def test_a_manager_renames_a_reason_and_makes_its_exchanges_wait(shipped, client, login):
    login('manager')
    reason = services.reason_by_key('wrong_item')
    db.session.commit()
    page = client.get('/returns/reasons')
    assert page.status_code == 200 and 'wrong_item' in page.text
    prefix = f'r{reason.id}-'
    refused = client.post(f'/returns/reasons/{reason.id}', data={prefix + 'label_ja': '', prefix + 'label_en': 'x',
                                                                  prefix + 'active': 'y'})
    assert refused.status_code == 422
    done = client.post(f'/returns/reasons/{reason.id}', data={
        prefix + 'label_ja': '誤出荷（倉庫）', prefix + 'label_en': 'Wrong item', prefix + 'active': 'y'})
    assert done.status_code == 303
    db.session.expire_all()
    assert (reason.label_ja, reason.ship_at_once, reason.active) == ('誤出荷（倉庫）', False, True)
    ret = services.open_return(stored_order('F-1'), [AskedLine('W-1', 1, 'wrong_item')], actor=None)
    replacement = services.create_exchange(ret, actor=None)
    assert replacement.status == 'new'
