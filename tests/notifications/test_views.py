"""Mail screens: the log (with and without HTMX), a message and its requeue, templates, settings, roles."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import EmailMessage, EmailTemplate
from app.notifications.services import mail_settings, queue_order_confirmation
from tests.conftest import count
from tests.factories import outbox, place_order


HX = {'HX-Request': 'true'}


def queued(external_id='M-1', **values) -> EmailMessage:
    message = queue_order_confirmation(place_order(external_id, **values))
    db.session.commit()
    return message


def fail(message):
    db.session.execute(sa.update(EmailMessage).where(EmailMessage.id == message.id).values(
        status='failed', attempts=10, last_error='550 5.1.1 No such user'))
    db.session.commit()


def test_the_log_shows_every_message_as_a_page_or_as_a_fragment(client, login, tea):
    first = queued('M-1')
    second = queued('M-2', email='other@example.jp')
    fail(second)
    login('manager')

    page = client.get('/mail/')
    assert page.status_code == 200
    assert 'HX-Request' in page.headers['Vary']
    assert '<html' in page.text and 'id="mail-table"' in page.text
    assert 'ichiko@example.jp' in page.text and 'other@example.jp' in page.text
    assert 'No SMTP server is configured' in page.text
    fragment = client.get('/mail/?status=failed', headers=HX)
    assert '<html' not in fragment.text and fragment.text.lstrip().startswith('<div id="mail-table">')
    assert 'other@example.jp' in fragment.text and 'ichiko@example.jp' not in fragment.text
    assert '550 5.1.1 No such user' in fragment.text
    by_address = client.get('/mail/?q=ichiko', headers=HX).text
    assert 'ichiko@example.jp' in by_address and 'other@example.jp' not in by_address
    by_number = client.get(f'/mail/?q={second.order.number}', headers=HX).text
    assert 'other@example.jp' in by_number and 'ichiko@example.jp' not in by_number
    by_mall_id = client.get('/mail/?q=M-1', headers=HX).text
    assert 'ichiko@example.jp' in by_mall_id and 'other@example.jp' not in by_mall_id
    by_order = client.get(f'/mail/?order={first.order_id}', headers=HX).text
    assert 'ichiko@example.jp' in by_order and 'other@example.jp' not in by_order
    sorted_page = client.get('/mail/?sort=to&dir=asc', headers=HX).text
    assert sorted_page.index('ichiko@example.jp') < sorted_page.index('other@example.jp')


def test_a_message_page_shows_the_message_and_a_manager_queues_a_failed_one_again(client, login, tea):
    message = queued()
    fail(message)
    login('manager')

    page = client.get(f'/mail/{message.id}').text
    assert message.subject in page
    assert '髙﨑 ①子 様' in page
    assert 'sandbox=""' in page   # the HTML part in a frame that runs nothing
    assert 'Send again' in page

    fragment = client.post(f'/mail/{message.id}/requeue', headers=HX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="message-status">')
    assert 'The message is queued again.' in fragment.text
    [stored] = outbox()
    assert (stored.status, stored.attempts) == ('queued', 0)
    again = client.post(f'/mail/{message.id}/requeue')
    assert again.status_code == 303
    assert 'Only a failed message can be sent again.' in client.get(again.headers['Location']).text


def test_a_clerk_reads_the_log_but_cannot_requeue_and_a_packer_sees_nothing(client, login, tea):
    message = queued()
    fail(message)
    login('clerk')
    assert client.get('/mail/').status_code == 200
    page = client.get(f'/mail/{message.id}').text
    assert 'Send again' not in page
    assert client.post(f'/mail/{message.id}/requeue').status_code == 403
    assert client.get('/mail/templates').status_code == 403
    assert client.get('/mail/settings').status_code == 403
    assert outbox()[0].status == 'failed'


def test_a_packer_cannot_open_the_mail_log(client, login):
    login('packer')
    assert client.get('/mail/').status_code == 403
    assert client.get('/mail/1').status_code == 403
    assert '/mail/' not in client.get('/').text


def test_templates_list_and_edit_page_with_a_preview(client, login):
    login('manager')
    listing = client.get('/mail/templates').text
    assert 'Order confirmation' in listing
    assert '/mail/templates/order_confirmation/ja' in listing and '/mail/templates/order_confirmation/en' in listing
    page = client.get('/mail/templates/order_confirmation/ja').text
    assert 'ご注文ありがとうございます' in page          # the default, in the form
    assert '【茶と器の店 蔵】ご注文ありがとうございます (K00000123)' in page   # the preview
    assert client.get('/mail/templates/birthday/ja').status_code == 404
    assert client.get('/mail/templates/order_confirmation/fr').status_code == 404
    assert '{{ order.number }}' in client.get('/mail/templates/order_confirmation/ja/default').text


def form_data(subject='{{ order.number }} のご注文', text='{{ customer_name }} 様\n{{ order.number }}\n',
              html='<p>{{ customer_name }}</p>'):
    return {'subject': subject, 'text_body': text, 'html_body': html}


def test_a_template_that_does_not_render_is_refused_with_the_error(client, login):
    login('manager')
    misspelt = client.post('/mail/templates/order_confirmation/ja',
                           data=form_data(text='{{ customer_name }} 様\r\n\r\n{{ order.numbr }}\r\n'))
    assert misspelt.status_code == 422
    assert 'Plain text, line 3: UndefinedError' in misspelt.text
    assert 'numbr' in misspelt.text
    unparsable = client.post('/mail/templates/order_confirmation/ja', data=form_data(html='<p>\n{% if %}</p>'))
    assert unparsable.status_code == 422
    assert 'HTML, line 2:' in unparsable.text
    unsafe = client.post('/mail/templates/order_confirmation/ja',
                         data=form_data(subject="{{ ''.__class__.__mro__ }}"))
    assert unsafe.status_code == 422
    assert 'SecurityError' in unsafe.text
    # a branch only some orders take is checked too (the samples fill and empty every optional value)
    in_a_branch = client.post('/mail/templates/order_confirmation/ja',
                              data=form_data(text='{% if order.gift_wrap %}\n{{ order.gift }}\n{% endif %}\n'))
    assert in_a_branch.status_code == 422
    assert count(EmailTemplate) == 0


def test_a_custom_template_is_used_for_the_next_message_until_it_is_reset(client, login, tea):
    login('manager')
    saved = client.post('/mail/templates/order_confirmation/ja', data=form_data())
    assert saved.status_code == 303
    page = client.get(saved.headers['Location']).text
    assert 'The template was saved.' in page and 'Customised version' in page
    row = db.session.scalar(sa.select(EmailTemplate))
    assert row.text_body == '{{ customer_name }} 様\n{{ order.number }}\n'

    message = queued('M-1')
    assert message.subject == f'{message.order.number} のご注文'
    assert message.text_body == f'髙﨑 ①子 様\n{message.order.number}\n'
    assert message.html_body == '<p>髙﨑 ①子</p>'

    reset = client.post('/mail/templates/order_confirmation/ja/reset')
    assert reset.status_code == 303
    assert count(EmailTemplate) == 0
    assert queued('M-2').subject.endswith('ご注文ありがとうございます (' + outbox()[1].order.number + ')')


def test_preview_renders_the_form_or_says_what_is_wrong(client, login):
    login('manager')
    good = client.post('/mail/templates/order_confirmation/en/preview', data=form_data(), headers=HX)
    assert good.status_code == 200
    assert good.text.lstrip().startswith('<div id="template-preview"')
    assert 'K00000123 のご注文' in good.text
    bad = client.post('/mail/templates/order_confirmation/en/preview', data=form_data(text='{{ nope }}'),
                      headers=HX)
    assert bad.status_code == 422
    assert 'Plain text, line 1: UndefinedError' in bad.text
    assert count(EmailTemplate) == 0


def test_mail_settings_screen(client, login):
    login('manager')
    page = client.get('/mail/settings').text
    assert '茶と器の店 蔵' in page and 'none: messages stay in the outbox' in page
    refused = client.post('/mail/settings', data={'reply_to': 'support', 'signature': ''})
    assert refused.status_code == 422
    assert '&#34;support&#34; is not an e-mail address.' in refused.text
    saved = client.post('/mail/settings', data={'reply_to': 'support@shop.example', 'signature': '蔵\r\nTEL',
                                                'send_mall_order_confirmation': 'y'})
    assert saved.status_code == 303
    settings = mail_settings()
    assert (settings.reply_to, settings.signature, settings.send_mall_order_confirmation) == \
        ('support@shop.example', '蔵\nTEL', True)


def test_the_navigation_shows_the_mail_screens_by_role(client, login):
    login('manager')
    page = client.get('/').text
    assert '/mail/templates' in page and '/mail/settings' in page and 'href="/mail/"' in page


def test_the_mail_screens_speak_japanese(client, login, tea):
    message = queued()
    fail(message)
    login('manager', locale='ja')
    assert 'メール送信履歴' in client.get('/mail/').text
    page = client.get(f'/mail/{message.id}').text
    assert '送信失敗' in page and '再送する' in page
    assert 'メールテンプレート' in client.get('/mail/templates').text
    edit = client.get('/mail/templates/order_confirmation/ja').text
    assert 'テンプレートは Jinja 形式です。{{ order.number }} で値を書き出し' in edit.replace('&#39;', "'")
    refused = client.post('/mail/templates/order_confirmation/ja', data=form_data(text='{{ nope }}'))
    assert 'テキスト本文、1行目：UndefinedError' in refused.text
    assert 'メール設定' in client.get('/mail/settings').text
    timeline = client.get(f'/orders/{message.order_id}').text
    assert 'メールを送信待ちに追加：受注確認（宛先 ichiko@example.jp）' in timeline


@pytest.mark.parametrize(('text', 'why'), [
    ('{% for a in range(3000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}', 'steps'),
    ('{% for line in lines %}{% for b in range(99999) %}{{ b }}{% endfor %}{% endfor %}', 'characters'),
    ("{{ 'x' * 1000000000 }}", 'too large'),
    ("{{ 'x'|center(1000000000) }}", 'too large'),
    ("{{ 'x'.ljust(1000000000) }}", 'too large'),
    ('{{ 2 ** 100000000 }}', 'power'),
    ("{% for a in range(150) %}{{ 'あ' * 2000 }}{% endfor %}", 'characters'),
])
def test_a_template_that_would_cost_every_checkout_is_refused_with_why(client, login, text, why):
    """A stored template renders inside a checkout: one that loops or writes without end cannot be saved."""
    login('manager')
    refused = client.post('/mail/templates/order_confirmation/en', data=form_data(text=text + '\r\n'))
    assert refused.status_code == 422
    assert 'Plain text, line ' in refused.text and 'TooCostly' in refused.text and why in refused.text
    assert count(EmailTemplate) == 0


def test_a_template_with_real_amounts_and_loops_is_not_mistaken_for_a_costly_one(client, login):
    login('manager')
    text = ('{% for line in lines %}{{ line.name }} {{ (line.unit_price * 1000)|comma }} '
            "{{ '%d'|format(1000000) }} {{ '{:,}'.format(totals.total * 1000) }}\r\n{% endfor %}"
            "{% for i in range(20) %}{{ '-' * 40 }}{% endfor %}\r\n")
    saved = client.post('/mail/templates/order_confirmation/en', data=form_data(text=text))
    assert saved.status_code == 303, saved.text
    assert count(EmailTemplate) == 1
