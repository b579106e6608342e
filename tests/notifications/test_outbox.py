"""Writing the outbox: in the caller's transaction, with the order's context, templates and the import hook."""
import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.errors import UserError
from app.extensions import db
from app.notifications import services
from app.notifications.models import EmailMessage, EmailTemplate
from app.notifications.services import MailSettings, queue_email, queue_order_confirmation, save_mail_settings
from app.notifications.templating import default_source, order_totals, sample_orders
from app.orders.models import Order
from tests.conftest import count
from tests.factories import kura_orders, outbox, place_order


def test_the_confirmation_is_written_with_the_order_and_shows_on_its_timeline(client, login, tea):
    order = place_order()

    message = queue_order_confirmation(order)

    assert message.status == 'queued'
    assert (message.kind, message.locale, message.to_address, message.order_id) == \
        ('order_confirmation', 'ja', 'ichiko@example.jp', order.id)
    assert message.subject.endswith(f'ご注文ありがとうございます ({order.number})')
    assert message.message_id.startswith('<') and message.message_id.endswith('>')
    assert '髙﨑 ①子 様' in message.text_body and '<html lang="ja">' in message.html_body
    db.session.commit()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == 'order.email'))
    assert (event.object_type, event.object_id) == ('orders', str(order.id))
    assert event.after == {'kind': 'order_confirmation', 'to': 'ichiko@example.jp', 'message': message.id}
    login('clerk')
    page = client.get(f'/orders/{order.id}').text
    assert 'E-mail queued: Order confirmation to ichiko@example.jp' in page
    assert f'href="/mail/{message.id}"' in page


def test_a_rolled_back_order_leaves_no_message(tea):
    order = place_order()
    queue_order_confirmation(order)
    db.session.rollback()
    assert count(EmailMessage) == 0


@pytest.mark.parametrize('address', ['', '   ', 'not an address', 'a@b'])
def test_no_message_without_a_usable_address(tea, address):
    order = place_order(email='x@example.jp')
    order.buyer_email = address
    assert queue_order_confirmation(order) is None
    assert count(EmailMessage) == 0


def test_queue_email_refuses_a_malformed_address_and_an_unknown_kind(tea):
    with pytest.raises(UserError, match='is not an e-mail address'):
        queue_email('order_confirmation', 'nobody', {})
    with pytest.raises(UserError, match='Unknown message template'):
        queue_email('birthday', 'a@example.jp', {})


def test_english_on_request(tea):
    order = place_order()
    message = queue_order_confirmation(order, locale='en')
    assert message.locale == 'en'
    assert message.subject == f'[茶と器の店 蔵] Thank you for your order ({order.number})'
    assert 'Dear 髙﨑 ①子,' in message.text_body
    assert 'Payment method: Cash on delivery' in message.text_body
    assert 'Total (tax incl.): ¥3,040' in message.text_body


def test_the_tax_is_shown_per_rate_with_fees_at_ten_percent():
    store, mall = sample_orders()
    assert order_totals(store) == {
        'subtotal': 3734, 'shipping_fee': 550, 'cod_fee': 330, 'adjustment': 0, 'total': 4614,
        'taxes': [{'rate': 10, 'amount': 2454, 'tax': 223}, {'rate': 8, 'amount': 2160, 'tax': 160}],
        'has_reduced': True}
    assert order_totals(mall)['adjustment'] == -500   # points taken off by the mall


def test_a_stored_template_that_breaks_on_real_data_falls_back_to_the_default(tea):
    """Saved templates are checked, but an order can still hold what no sample had: the message is never lost."""
    db.session.add(EmailTemplate(kind='order_confirmation', locale='ja', subject='{{ order.number }}',
                                 text_body='{{ 1 // order.ship.address2|length }}\n', html_body=''))
    db.session.commit()
    order = place_order(ship_address2='')
    message = queue_order_confirmation(order)
    assert message.subject.endswith(f'ご注文ありがとうございます ({order.number})')   # the default
    other = place_order('M-2', ship_address2='ビル')
    assert queue_order_confirmation(other).subject == other.number   # the manager's


def mall_orders():
    return kura_orders({'order_id': 'R-1', 'lines': [('T-1', 1)]},
                       {'order_id': 'R-2', 'buyer_email': 'second@example.jp', 'lines': [('T-1', 1)]},
                       {'order_id': 'R-3', 'buyer_email': '', 'lines': [('T-1', 1)]})


def test_a_mall_import_queues_no_confirmation_by_default(tea):
    mall_orders()
    assert count(Order) == 3
    assert count(EmailMessage) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == 'order.email')) == 0


def test_a_mall_import_queues_confirmations_when_the_setting_says_so(tea, make_user):
    manager = make_user('manager')
    save_mail_settings(MailSettings(send_mall_order_confirmation=True), actor=manager)
    db.session.commit()

    mall_orders()

    messages = outbox()
    by_order = {db.session.get(Order, m.order_id).external_order_id: m for m in messages}
    assert sorted(by_order) == ['R-1', 'R-2']   # R-3 has no e-mail address
    assert by_order['R-2'].to_address == 'second@example.jp'
    assert 'モール注文番号：R-1（Kura CSV）' in by_order['R-1'].text_body
    assert len({m.message_id for m in messages}) == 2
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == 'order.email')).all()
    assert sorted(e.after['to'] for e in events) == ['ichiko@example.jp', 'second@example.jp']
    assert {e.after['message'] for e in events} == {m.id for m in messages}


def test_mail_settings_are_checked_and_audited(make_user):
    manager = make_user('manager')
    with pytest.raises(UserError, match='is not an e-mail address'):
        save_mail_settings(MailSettings(reply_to='support'), actor=manager)
    save_mail_settings(MailSettings(reply_to=' support@shop.example ', signature='茶と器の店\n'), actor=manager)
    db.session.commit()
    assert services.mail_settings() == MailSettings(reply_to='support@shop.example', signature='茶と器の店')
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == 'settings.changed')).after[
        'reply_to'] == 'support@shop.example'


def test_reply_to_and_signature_go_into_the_message(tea):
    save_mail_settings(MailSettings(reply_to='support@shop.example', signature='茶と器の店 蔵\nTEL 03-0000-0000'),
                       actor=None)
    message = queue_order_confirmation(place_order())
    assert message.reply_to == 'support@shop.example'
    assert message.text_body.rstrip().endswith('茶と器の店 蔵\nTEL 03-0000-0000')


def test_every_default_template_renders_with_every_sample():
    for locale in ('ja', 'en'):
        rendered = services.check_template('order_confirmation', locale, default_source('order_confirmation', locale))
        assert 'K00000123' in rendered.subject


def shipped(order, tracking_number='123456789012'):
    from app.database import utcnow
    from app.fulfilment.models import Shipment

    shipment = Shipment(order=order, carrier='yamato', service='宅急便', tracking_number=tracking_number,
                        shipped_at=utcnow())
    db.session.add(shipment)
    db.session.flush()
    return shipment


def test_a_shop_order_gets_the_shipping_confirmation_with_its_tracking_number(tea):
    from app.notifications.services import queue_shipping_confirmation

    order = place_order(payment_method='card')
    order.channel = 'store'
    message = queue_shipping_confirmation(shipped(order))
    assert message.kind == 'shipping_confirmation'
    assert message.subject == f'【茶と器の店 蔵】商品を発送いたしました ({order.number})'
    for expected in ('配送業者　　：ヤマト運輸（宅急便）', '伝票番号　　：123456789012',
                     'https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=123456789012',
                     '・髙﨑の緑茶 ① × 2点', '〒060-0001', '■ 返品・交換について'):
        assert expected in message.text_body, expected
    assert '代金引換' not in message.text_body
    assert 'number01=123456789012' in message.html_body
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == 'order.email'))
    assert event.after['kind'] == 'shipping_confirmation'


def test_mall_orders_get_the_shipping_confirmation_only_when_the_setting_says_so(tea):
    from app.notifications.services import queue_shipping_confirmation

    order = place_order()
    assert queue_shipping_confirmation(shipped(order)) is None
    save_mail_settings(MailSettings(send_mall_shipping_confirmation=True), actor=None)
    other = place_order('M-2')
    message = queue_shipping_confirmation(shipped(other, '123456789023'), locale='en')
    assert message.subject == f'[茶と器の店 蔵] Your order has shipped ({other.number})'
    assert 'Cash on delivery: please pay ¥3,040 when the parcel arrives.' in message.text_body
