"""The sender, against a real SMTP server on loopback: intact Japanese mail, retries, never twice."""
import datetime as dt
import json
import threading
import time

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import AuthResult

from app.database import utcnow
from app.extensions import db
from app.notifications.models import EmailMessage
from app.notifications.sender import CLAIM_TIMEOUT, MAX_ATTEMPTS, backoff, send_due
from app.notifications.services import queue_order_confirmation, requeue
from app.settings.services import ShopSettings, save_shop_settings
from tests.factories import outbox, place_order


NAME = '髙﨑 ①子'  # kura_row's buyer: 髙, 﨑 and ① are CP932 extensions, they must survive


@pytest.fixture
def shop():
    save_shop_settings(ShopSettings(shop_name='茶と器の店'), actor=None)
    db.session.commit()


def queued_confirmation(external_id='M-1', **values) -> EmailMessage:
    message = queue_order_confirmation(place_order(external_id, **values))
    db.session.commit()
    return message


def make_due(*ids):
    db.session.execute(sa.update(EmailMessage).where(EmailMessage.id.in_(ids))
                       .values(next_attempt_at=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()


def test_a_japanese_order_confirmation_arrives_intact(mail_config, smtp_server, shop, tea):
    message = queued_confirmation()
    number = message.order.number

    result = send_due()

    assert (result.sent, result.retrying, result.failed) == (1, 0, 0)
    [envelope] = smtp_server.handler.envelopes
    assert envelope.mail_from == 'shop@kura.example'
    assert envelope.rcpt_tos == ['ichiko@example.jp']
    raw = envelope.original_content
    raw.decode('ascii')  # 7-bit on the wire: encoded headers, base64 bodies
    headers = raw.split(b'\r\n\r\n', 1)[0].decode('ascii')
    assert 'Subject: =?utf-8?' in headers
    [received] = smtp_server.messages
    assert received['Subject'] == f'【茶と器の店】ご注文ありがとうございます ({number})'
    assert received['From'].addresses[0].display_name == '茶と器の店'
    assert received['From'].addresses[0].addr_spec == 'shop@kura.example'
    assert received['To'].addresses[0].display_name == NAME
    assert received['To'].addresses[0].addr_spec == 'ichiko@example.jp'
    assert received['Message-ID'] == message.message_id
    assert received['Date'].datetime.utcoffset() == dt.timedelta(hours=9)
    assert received['Auto-Submitted'] == 'auto-generated'
    assert received.get_content_type() == 'multipart/alternative'
    assert [p.get_content_type() for p in received.iter_parts()] == ['text/plain', 'text/html']
    text, html = received.get_body(('plain',)), received.get_body(('html',))
    assert text.get_content_charset() == html.get_content_charset() == 'utf-8'
    body = text.get_content()
    for expected in (f'{NAME} 様', f'ご注文番号　：{number}', '・髙﨑の緑茶 ①（※）', '内容量:100g',
                     '1,080円 × 2点 = 2,160円', '送料　　　　：550円', '代引き手数料：330円',
                     'ご請求金額　：3,040円（税込）', '（8%対象　2,160円　内消費税 160円）',
                     '（10%対象　880円　内消費税 80円）', '〒060-0001', '北海道札幌市中央区北一条西1-2-3',
                     '㈱髙﨑～ビル ①号室', 'お届け希望日　　：2025年10月10日(金)', 'お届け希望時間帯：14-16',
                     'ギフト包装：ギフト包装', 'のし：御祝', '不在時は, 宅配ボックスへ', 'お支払い方法：代金引換'):
        assert expected in body, expected
    assert '〒060-0001' in html.get_content()
    assert '<td align="right" style="padding:6px;border-bottom:1px solid #e8ebef;">2</td>' in html.get_content()
    db.session.expire_all()
    stored = db.session.get(EmailMessage, message.id)
    assert (stored.status, stored.attempts, stored.last_error, stored.claim_token) == ('sent', 1, '', None)
    assert stored.sent_at is not None
    # a second run finds nothing to send
    assert send_due().sent == 0
    assert len(smtp_server.messages) == 1


def test_smtp_down_keeps_the_message_and_sends_it_once_when_the_server_is_back(mail_config, stopped_smtp_server,
                                                                                tea):
    message = queued_confirmation()
    before = utcnow()

    down = send_due()

    assert (down.sent, down.retrying, down.failed) == (0, 1, 0)
    assert 'refused' in down.stopped.lower()
    [stored] = outbox()
    assert (stored.status, stored.attempts) == ('queued', 1)
    assert 'ConnectionRefusedError' in stored.last_error
    assert stored.next_attempt_at >= before + backoff(1) - dt.timedelta(seconds=1)
    # the server comes back, but the retry is not due yet: nothing is sent before its time
    stopped_smtp_server.start()
    assert send_due().sent == 0
    assert stopped_smtp_server.messages == []
    # time passes
    make_due(message.id)

    back = send_due()

    assert back.sent == 1
    assert [m['Message-ID'] for m in stopped_smtp_server.messages] == [message.message_id]
    [stored] = outbox()
    assert (stored.status, stored.attempts, stored.last_error) == ('sent', 2, '')
    # the sender runs again (a restart, the periodic task): nothing is sent twice
    make_due(message.id)
    assert send_due().sent == 0
    assert len(stopped_smtp_server.messages) == 1


def test_the_wait_between_attempts_doubles_up_to_a_cap():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(30) == dt.timedelta(hours=6)


def test_a_temporary_refusal_is_retried_and_a_permanent_one_fails_at_once(mail_config, smtp_server, tea):
    busy = queued_confirmation('M-1', email='busy@example.jp')
    gone = queued_confirmation('M-2', email='gone@example.jp')
    fine = queued_confirmation('M-3', email='fine@example.jp')
    smtp_server.handler.refuse = {'busy@example.jp': '451 4.3.0 Try again later',
                                  'gone@example.jp': '550 5.1.1 No such user'}

    result = send_due()

    assert (result.sent, result.retrying, result.failed, result.stopped) == (1, 1, 1, '')
    by_id = {m.id: m for m in outbox()}
    assert (by_id[busy.id].status, by_id[busy.id].attempts) == ('queued', 1)
    assert '451' in by_id[busy.id].last_error
    assert by_id[gone.id].status == 'failed'
    assert '550 5.1.1 No such user' in by_id[gone.id].last_error
    assert by_id[fine.id].status == 'sent'
    assert [m['To'].addresses[0].addr_spec for m in smtp_server.messages] == ['fine@example.jp']


def test_after_the_last_attempt_a_message_fails_and_a_manager_can_queue_it_again(mail_config, stopped_smtp_server,
                                                                                   tea, make_user):
    message = queued_confirmation()
    db.session.execute(sa.update(EmailMessage).values(attempts=MAX_ATTEMPTS - 1))
    db.session.commit()

    assert send_due().failed == 1

    [stored] = outbox()
    assert (stored.status, stored.attempts) == ('failed', MAX_ATTEMPTS)
    make_due(message.id)
    assert send_due().sent + send_due().retrying == 0  # failed messages are left alone
    requeue(stored, actor=make_user('manager'))
    db.session.commit()
    stopped_smtp_server.start()
    assert send_due().sent == 1
    [stored] = outbox()
    assert (stored.status, stored.attempts) == ('sent', 1)


def test_without_mail_settings_messages_stay_in_the_outbox(app, monkeypatch, tea):
    monkeypatch.setitem(app.config, 'MAIL_SERVER', '')
    queued_confirmation()

    result = send_due()

    assert result.skipped.startswith('MAIL_SERVER is not set')
    [stored] = outbox()
    assert (stored.status, stored.attempts) == ('queued', 0)


def test_two_senders_at_once_deliver_each_message_once(app, mail_config, smtp_server, tea):
    messages = [queued_confirmation(f'M-{n}', email=f'c{n}@example.jp') for n in range(16)]
    smtp_server.handler.delay = 0.02   # the runs overlap while the server works
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(send_due())
        except Exception as exc:  # noqa: BLE001  reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(r.sent for r in results) == 16
    assert all(r.sent for r in results)   # both runs sent some: they really ran side by side
    received = [m['Message-ID'] for m in smtp_server.messages]
    assert sorted(received) == sorted(m.message_id for m in messages)   # each once
    assert {m.status for m in outbox()} == {'sent'}
    assert {m.attempts for m in outbox()} == {1}


def test_a_message_left_in_sending_by_a_stopped_sender_waits_then_goes_out_again(mail_config, smtp_server, tea):
    crashed = queued_confirmation('M-1')
    busy = queued_confirmation('M-2', email='other@example.jp')
    now = utcnow()
    db.session.execute(sa.update(EmailMessage).where(EmailMessage.id == crashed.id).values(
        status='sending', claim_token='a' * 32, claimed_at=now - CLAIM_TIMEOUT - dt.timedelta(minutes=1)))
    db.session.execute(sa.update(EmailMessage).where(EmailMessage.id == busy.id).values(
        status='sending', claim_token='b' * 32, claimed_at=now - dt.timedelta(minutes=1)))
    db.session.commit()

    result = send_due()

    assert (result.released, result.sent) == (1, 1)
    by_id = {m.id: m for m in outbox()}
    assert (by_id[crashed.id].status, by_id[crashed.id].attempts) == ('sent', 2)
    assert by_id[busy.id].status == 'sending'   # another sender may be sending it right now
    assert [m['Message-ID'] for m in smtp_server.messages] == [crashed.message_id]


def test_a_sender_that_lost_its_claim_does_not_overwrite_the_outcome(mail_config, smtp_server, tea):
    """The result is stored only while the row still holds this run's claim token."""
    from app.notifications.sender import _record, claim_next

    queued_confirmation()
    claim = claim_next(utcnow(), 'shop@kura.example')
    db.session.execute(sa.update(EmailMessage).values(status='sent', claim_token=None))
    db.session.commit()

    _record(claim, utcnow(), error='late failure')

    [stored] = outbox()
    assert (stored.status, stored.last_error) == ('sent', '')


def test_the_sender_logs_in_when_a_user_name_is_set(app, mail_config, monkeypatch, make_smtp_server, tea):
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b'kura', b'secret'), handled=False)

    # no TLS on loopback in a test (MAIL_USE_TLS is off); a real server would insist on it
    server = make_smtp_server(authenticator=authenticate, auth_require_tls=False)
    monkeypatch.setitem(app.config, 'MAIL_USERNAME', 'kura')
    monkeypatch.setitem(app.config, 'MAIL_PASSWORD', 'wrong')
    queued_confirmation()
    refused = send_due()
    assert refused.retrying == 1
    assert '535' in outbox()[0].last_error
    monkeypatch.setitem(app.config, 'MAIL_PASSWORD', 'secret')
    make_due(outbox()[0].id)
    assert send_due().sent == 1
    assert len(server.messages) == 1
    assert {login[1:] for login in logins} == {(b'kura', b'wrong'), (b'kura', b'secret')}
    assert logins[-1][1:] == (b'kura', b'secret')


def test_customer_text_is_escaped_in_the_html_part(mail_config, smtp_server, tea):
    queued_confirmation(comment='<script>alert(1)</script> & 宜しく')
    send_due()
    [received] = smtp_server.messages
    html = received.get_body(('html',)).get_content()
    assert '<script>' not in html
    assert '&lt;script&gt;alert(1)&lt;/script&gt; &amp; 宜しく' in html
    assert '<script>alert(1)</script> & 宜しく' in received.get_body(('plain',)).get_content()


def test_flask_mail_send_and_list(runner, mail_config, smtp_server, tea):
    message = queued_confirmation()

    listed = runner.invoke(args=['mail', 'list'])
    assert listed.exit_code == 0
    assert f'{message.id}\t' in listed.output and '\tqueued\t0\tichiko@example.jp\t' in listed.output
    sent = runner.invoke(args=['mail', 'send', '--json'])
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.output) == {'sent': 1, 'retrying': 0, 'failed': 0, 'released': 0, 'skipped': '',
                                       'stopped': '', 'queued': 0}
    assert len(smtp_server.messages) == 1
    assert '\tsent\t1\t' in runner.invoke(args=['mail', 'list', '--status', 'sent']).output
    assert runner.invoke(args=['mail', 'list', '--status', 'failed']).output == ''


def test_flask_mail_send_without_a_server_says_so(app, runner, monkeypatch, tea):
    monkeypatch.setitem(app.config, 'MAIL_SERVER', '')
    queued_confirmation()
    result = runner.invoke(args=['mail', 'send'])
    assert result.exit_code == 0
    assert result.output == 'MAIL_SERVER is not set: messages stay in the outbox. 1 queued.\n'


def test_a_commit_that_queued_mail_wakes_the_sender(mail_config, smtp_server, consumer, tea):
    """No need to wait for the periodic run: the commit enqueues the sender task, the consumer sends at once."""
    message = queued_confirmation()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not smtp_server.messages:
        time.sleep(0.05)
    assert [m['Message-ID'] for m in smtp_server.messages] == [message.message_id]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and outbox()[0].status != 'sent':
        time.sleep(0.05)
    assert outbox()[0].status == 'sent'
