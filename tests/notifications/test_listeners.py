"""Notifications listen, they are not called: every way an order is placed or a parcel leaves writes its e-mail once.

The orders and fulfilment areas only send their signals (app/orders/signals.py,
app/fulfilment/signals.py); these tests go through the real paths a customer, a clerk, an import
and a packer take, so a receiver that is not connected, or connected twice, shows here.
"""
import io
import re

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.errors import UserError
from app.extensions import db
from app.fulfilment import services as floor_services
from app.fulfilment.models import Shipment
from app.notifications.models import EmailMessage
from app.notifications.services import MailSettings, save_mail_settings
from app.orders.importing import import_order_files
from app.orders.models import Order
from tests.conftest import count, make_app
from tests.factories import KURA_HEADER, kura_orders, kura_row, outbox, stored_order, table


def confirmations() -> dict[str, int]:
    """External order id -> how many order confirmations its order has in the outbox."""
    found: dict[str, int] = {}
    for message in outbox():
        if message.kind == 'order_confirmation':
            external = db.session.get(Order, message.order_id).external_order_id
            found[external] = found.get(external, 0) + 1
    return found


def confirm_mall_orders() -> None:
    save_mail_settings(MailSettings(send_mall_order_confirmation=True), actor=None)
    db.session.commit()


@pytest.fixture
def tea(make_product, stock):
    product = make_product('00123', name='髙﨑の緑茶 ①', jan='', price=1080, tax_rate=8)
    product.published = True
    db.session.commit()
    stock(product, 20)
    return product


def test_an_order_placed_in_the_shop_is_confirmed_once(client, tea):
    client.post('/shop/cart/00123', data={'quantity': '2', 'add': '1'})
    client.post('/shop/checkout', data={
        'name': '山田 花子', 'kana': 'ヤマダ ハナコ', 'email': 'hanako@example.jp', 'phone': '03-1234-5678',
        'postal_code': '100-0001', 'prefecture': '東京都', 'city': '千代田区', 'address1': '千代田1-1',
        'address2': '', 'delivery_date': '', 'time_slot': '午前中', 'payment_method': 'cod', 'comment': ''})
    assert client.post('/shop/checkout/confirm').headers['Location'] == '/shop/thanks'

    order = db.session.scalar(sa.select(Order))
    assert confirmations() == {order.external_order_id: 1}   # the shop's own orders: whatever the mall setting
    [message] = outbox()
    assert (message.to_address, message.locale) == ('hanako@example.jp', 'ja')
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == 'order.email')) == 1


def test_a_mall_import_is_confirmed_once_per_order_only_when_the_mail_settings_ask(tea):
    kura_orders({'order_id': 'M-1', 'lines': [('00123', 1)]})
    assert confirmations() == {}   # the malls confirm their own orders
    confirm_mall_orders()

    kura_orders({'order_id': 'M-2', 'lines': [('00123', 1)]}, {'order_id': 'M-3', 'lines': [('00123', 2)]})

    assert confirmations() == {'M-2': 1, 'M-3': 1}


def test_orders_a_clerk_uploads_on_the_import_screen_are_confirmed_once(client, login, tea):
    confirm_mall_orders()
    login('clerk')
    files = {'files': [(io.BytesIO(table(KURA_HEADER, [kura_row('C-1'), kura_row('C-2')], encoding='utf-8')),
                        'kura.csv')], 'channel': 'kura'}
    preview = client.post('/orders/imports/new', data=files, content_type='multipart/form-data').text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview).group(1)

    client.post('/orders/imports/confirm', data={'token': token, 'channel': 'kura'})

    assert confirmations() == {'C-1': 1, 'C-2': 1}


def test_an_order_rolled_back_leaves_no_confirmation(tea):
    """Receivers write in the sender's transaction: no order, no message (and no message without its order)."""
    confirm_mall_orders()
    import_order_files('kura', [('k.csv', table(KURA_HEADER, [kura_row('R-1')], encoding='utf-8'))])
    assert count(EmailMessage) == 1
    db.session.rollback()
    assert (count(Order), count(EmailMessage)) == (0, 0)


def test_a_second_app_in_the_process_does_not_confirm_twice(database_url, tmp_path, tea):
    """Listeners are connected when an app is made; making another (a worker, a test) connects nothing twice."""
    make_app(database_url, tmp_path)
    confirm_mall_orders()
    kura_orders({'order_id': 'D-1', 'lines': [('00123', 1)]})
    assert confirmations() == {'D-1': 1}


def test_a_parcel_that_leaves_writes_its_shipping_confirmation_once(floor):
    save_mail_settings(MailSettings(send_mall_shipping_confirmation=True), actor=None)
    packer = floor['packer']
    floor_services.create_pick_batch(actor=packer)
    db.session.commit()
    for code in (stored_order('F-3').number, '4569951116179'):   # the order, then its one tea: packed
        floor_services.station_scan(code, station='梱包1', actor=packer)
        db.session.commit()
    shipment = db.session.scalar(sa.select(Shipment).where(Shipment.order_id == stored_order('F-3').id))
    assert [m.kind for m in outbox()] == []   # packed is not shipped

    floor_services.dock_scan(shipment.tracking_number, actor=packer)
    db.session.commit()
    with pytest.raises(UserError, match='already shipped'):
        floor_services.dock_scan(shipment.tracking_number, actor=packer)

    [message] = outbox()
    assert (message.kind, message.order_id) == ('shipping_confirmation', stored_order('F-3').id)
    assert shipment.tracking_number in message.text_body
