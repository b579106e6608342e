"""The returns' e-mails: approved (where to send), received, refund made; delivered by the real SMTP server."""
import datetime as dt

from app.extensions import db
from app.fulfilment import services as floor_services
from app.notifications.sender import send_due
from app.returns import services
from app.returns.services import AskedLine, ReceivedUnit
from tests.factories import outbox, pack_and_ship, stored_order


def test_a_shop_customer_is_told_of_the_approval_the_arrival_and_the_refund(mail_config, smtp_server, floor):
    services.ensure_default_reasons()
    floor_services.create_pick_batch(actor=None)
    order = stored_order('F-1')
    order.channel = 'store'
    db.session.commit()
    pack_and_ship('F-1', floor['packer'])
    ret = services.open_return(stored_order('F-1'), [AskedLine('T-1', 1, 'defective')], actor=None,
                               state='requested', source='customer')
    db.session.commit()
    assert [m.kind for m in outbox()] == ['shipping_confirmation']
    services.decide(ret, True, actor=floor['manager'], message='着払いでお送りください。')
    services.receive_units(ret, [ReceivedUnit('T-1', 'quarantine')], actor=None)
    line = ret.lines[0]
    services.record_refund(ret, {line.id: 1080}, method='bank_transfer', refunded_on=dt.date(2026, 12, 1),
                           actor=floor['manager'])
    db.session.commit()
    assert [m.kind for m in outbox()] == ['shipping_confirmation', 'return_approved', 'return_received',
                                          'refund_made']
    assert send_due().sent == 4
    subjects = [m['Subject'] for m in smtp_server.messages]
    assert f'返品を承りました ({ret.number})' in subjects[1]
    approved = smtp_server.messages[1].get_body(('plain',)).get_content()
    for expected in ('着払いでお送りください。', '髙﨑の緑茶 ① × 1点（不良品）', '〒100-0001', ret.number):
        assert expected in approved, expected
    refund = smtp_server.messages[3].get_body(('plain',)).get_content()
    assert '返金額　：1,080円' in refund and '返金日　：2026年12月1日' in refund
