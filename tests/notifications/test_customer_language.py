"""A customer who shops in English is not asked for katakana and is written to in English, to the last mail."""
import sqlalchemy as sa

from app.extensions import db
from app.fulfilment import services as floor_services
from app.fulfilment.models import Shipment
from app.notifications.sender import send_due
from app.orders.models import Order
from tests.factories import kura_orders


ENGLISH_ADDRESS = {'name': 'Jane Smith', 'kana': '', 'email': 'jane@example.com', 'phone': '03-1234-5678',
                   'postal_code': '100-0001', 'prefecture': '東京都', 'city': '千代田区', 'address1': '千代田1-1',
                   'address2': '', 'delivery_date': '', 'time_slot': '', 'payment_method': 'cod', 'comment': ''}


def test_an_english_customer_needs_no_katakana_and_gets_every_mail_in_english(
        client, mail_config, smtp_server, make_product, stock, make_user):
    tea = make_product('T-1', name='Genmaicha', jan='4569951116179', price=864, tax_rate=8)
    tea.published = True
    floor_services.add_tracking_range('yamato', '44441375870', '44441375999', warn_below=10, actor=None)
    db.session.commit()
    stock(tea, 20, 'A-01-01-1')
    client.post('/locale/anonymous', data={'locale': 'en', 'next': '/shop/'})
    client.post('/shop/cart/T-1', data={'quantity': '1', 'add': '1'})

    form = client.get('/shop/checkout').text
    assert 'katakana' in form and 'name="kana" required' not in form
    assert client.post('/shop/checkout', data=ENGLISH_ADDRESS).headers['Location'] == '/shop/checkout/confirm'
    assert client.post('/shop/checkout/confirm').headers['Location'] == '/shop/thanks'
    assert 'A confirmation e-mail is on its way to jane@example.com.' in client.get('/shop/thanks').text
    order = db.session.scalar(sa.select(Order))
    assert (order.ship_name, order.ship_kana, order.locale) == ('Jane Smith', '', 'en')

    # the parcel is packed and leaves days later, in a worker that speaks Japanese to the packer
    packer = make_user('packer')
    floor_services.create_pick_batch(actor=packer)
    db.session.commit()
    for code in (order.number, '4569951116179'):
        floor_services.station_scan(code, station='梱包1', actor=packer)
        db.session.commit()
    shipment = db.session.scalar(sa.select(Shipment).where(Shipment.order_id == order.id))
    floor_services.dock_scan(shipment.tracking_number, actor=packer)
    db.session.commit()

    assert send_due().sent == 2
    confirmation, shipped = smtp_server.messages
    assert f'Thank you for your order ({order.number})' in confirmation['Subject']
    assert f'Your order has shipped ({order.number})' in shipped['Subject']
    assert shipped['To'].addresses[0].addr_spec == 'jane@example.com'
    text = shipped.get_body(('plain',)).get_content()
    assert 'Dear Jane Smith' in text and shipment.tracking_number in text


def test_a_customer_shopping_in_japanese_still_writes_the_name_in_katakana(client, make_product, stock):
    tea = make_product('T-1', name='玄米茶', jan='', price=864, tax_rate=8)
    tea.published = True
    db.session.commit()
    stock(tea, 5)
    client.post('/shop/cart/T-1', data={'quantity': '1', 'add': '1'})
    page = client.post('/shop/checkout', data={**ENGLISH_ADDRESS, 'name': '山田 花子'})
    assert page.status_code == 422
    assert 'name="kana" required' in page.text


def test_imported_orders_are_written_to_in_japanese(make_product):
    make_product('00123', jan='')
    kura_orders({'order_id': 'D-1', 'lines': [('00123', 1)]})
    assert db.session.scalar(sa.select(Order.locale)) == 'ja'


def test_the_holds_of_an_english_customers_order_are_noted_in_the_clerks_language(client, make_product, stock):
    """The customer reads English; the clerk who checks the address reads the shop's own language."""
    tea = make_product('T-1', name='Genmaicha', jan='', price=864, tax_rate=8)
    tea.published = True
    db.session.commit()
    stock(tea, 5)
    client.post('/locale/anonymous', data={'locale': 'en', 'next': '/shop/'})
    client.post('/shop/cart/T-1', data={'quantity': '1', 'add': '1'})
    client.post('/shop/checkout', data={**ENGLISH_ADDRESS, 'prefecture': '大阪府', 'city': '大阪市北区'})
    confirm = client.get('/shop/checkout/confirm').text
    assert 'We will check your address before we ship' in confirm
    assert 'Postal code 100-0001 is in 東京都, not 大阪府.' in confirm
    assert client.post('/shop/checkout/confirm').headers['Location'] == '/shop/thanks'
    order = db.session.scalar(sa.select(Order))
    assert [(h.reason, h.note) for h in order.open_holds] == [
        ('address_check', '郵便番号 100-0001 は 大阪府 ではなく 東京都 です。')]
