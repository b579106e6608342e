"""Personal data: erased after each channel's retention and on request, every view of it logged, files kept private."""
import datetime as dt
import json
import logging
import os
import stat

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent, PersonalDataAccess
from app.database import utcnow
from app.extensions import db
from app.fulfilment import services as floor
from app.fulfilment.models import PickBatch, Shipment
from app.jobs.models import UploadedFile
from app.jobs.queue import use_app
from app.notifications.models import EmailMessage
from app.operations.tasks import run_privacy
from app.orders.models import Order
from app.orders.services import cancel
from app.settings.services import PrivacySettings, save_privacy_settings
from tests.factories import kura_orders, stored_order


# distinctive enough that finding them anywhere in a dump can only mean they were kept
NAME = '鰐淵 珠緒'
KANA = 'ワニブチ タマオ'
EMAIL = 'tamao.wanibuchi@example.jp'
PHONE = '0987654321'
STREET = '鰐淵町9-8-7'


@pytest.fixture
def shipped(app, client, make_product, stock, make_user, caplog):
    """Two orders of one person shipped through the floor: one imported (Kura's CSV), one bought at the shop
    (its confirmation e-mail written); a third of someone else, imported, shipped too.  What Kura logs
    meanwhile is captured (caplog)."""
    caplog.set_level(logging.DEBUG)
    tea = make_product('T-1', name='髙橋園の玄米茶', jan='4569951116179', price=1080, tax_rate=8)
    tea.published = True
    db.session.commit()
    stock(tea, 20)
    floor.add_tracking_range('yamato', '44441375870', '44441375999', warn_below=10, actor=None)
    db.session.commit()
    person = {'buyer_name': NAME, 'buyer_kana': KANA, 'buyer_email': EMAIL, 'buyer_phone': '098-765-4321',
              'ship_name': NAME, 'ship_kana': KANA, 'ship_address1': STREET, 'ship_address2': '珠緒ハイツ 301',
              'ship_phone': '098-765-4321', 'ship_postal_code': '100-0001', 'ship_prefecture': '東京都',
              'ship_city': '千代田区', 'payment_method': 'cod', 'noshi': '', 'comment': '', 'gift_wrap': '',
              'delivery_date': ''}
    kura_orders({'order_id': 'R-900001', 'lines': [('T-1', 2)], **person}, channel='kura')
    kura_orders({'order_id': 'A-900002', 'lines': [('T-1', 1)], **person, 'buyer_name': '別人 一郎',
                 'ship_name': '別人 一郎', 'buyer_email': 'other@example.jp', 'buyer_phone': '011-111-1111',
                 'ship_phone': '011-111-1111', 'buyer_kana': '', 'ship_kana': '', 'ship_address1': '別町1-1',
                 'ship_address2': ''}, channel='kura')
    client.post('/shop/cart/T-1', data={'quantity': '1', 'add': '1'})
    response = client.post('/shop/checkout', data={
        'name': NAME, 'kana': KANA, 'email': EMAIL, 'phone': '098-765-4321', 'postal_code': '100-0001',
        'prefecture': '東京都', 'city': '千代田区', 'address1': STREET, 'address2': '', 'delivery_date': '',
        'time_slot': '午前中', 'payment_method': 'cod', 'comment': ''})
    assert response.status_code == 302, response.text
    assert client.post('/shop/checkout/confirm').status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailMessage).where(
        EmailMessage.to_address == EMAIL)) == 1
    packer = make_user('packer')
    floor.create_pick_batch(actor=packer)
    db.session.commit()
    for order in db.session.scalars(sa.select(Order).order_by(Order.id)).all():
        session = floor.open_packing(order.number, station='梱包1', actor=packer).session
        for line in order.lines:
            for _ in range(line.quantity):
                floor.scan(session, '4569951116179', actor=packer)
        db.session.commit()
    for batch in db.session.scalars(sa.select(PickBatch)).all():
        floor.ship_batch(batch, actor=packer)
    db.session.commit()
    assert {o.status for o in db.session.scalars(sa.select(Order))} == {'shipped'}
    use_app(app)
    return {'packer': packer}


def nightly(now):
    """The nightly task as the consumer runs it, with the clock at `now` (the test's own transaction ended first)."""
    db.session.commit()
    return run_privacy(now)


def database_text() -> str:
    """Every value of every table, as one text: SQLite's dump, or each PostgreSQL table's rows as JSON."""
    db.session.commit()
    with db.engine.connect() as connection:
        if connection.dialect.name == 'sqlite':
            return '\n'.join(connection.connection.dbapi_connection.iterdump())
        texts = []
        for table in db.metadata.sorted_tables:
            texts += connection.exec_driver_sql(f'SELECT row_to_json(t)::text FROM "{table.name}" t').scalars().all()
        return '\n'.join(texts)


def traces(text: str) -> list[str]:
    return [value for value in (NAME, NAME.replace(' ', ''), KANA, EMAIL, PHONE, '098-765-4321', STREET, '珠緒ハイツ')
            if value in text]


def test_orders_are_erased_after_their_channels_retention_and_not_before(app, shipped, caplog):
    save_privacy_settings(PrivacySettings(kura_days=10, store_days=20), actor=None)
    db.session.commit()
    assert traces(database_text())   # the person is there to start with
    now = utcnow()

    assert nightly(now + dt.timedelta(days=9)) == (0, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.redacted_at.is_not(None))) == 0

    assert nightly(now + dt.timedelta(days=11))[0] == 2   # the imported orders
    dump = database_text()
    assert '別人 一郎' not in dump and '別町1-1' not in dump
    assert traces(dump)   # the shop's order waits for its own 20 days
    assert nightly(now + dt.timedelta(days=21))[0] == 1
    assert traces(database_text()) == []
    assert 'personal data: 1 orders redacted' in caplog.text and traces(caplog.text) == []
    # what the reports and the accounting records need stays
    db.session.expire_all()
    orders = db.session.scalars(sa.select(Order).order_by(Order.id)).all()
    assert {(o.ship_prefecture, o.ship_city, o.ship_postal_code) for o in orders} == {('東京都', '千代田区', '1000001')}
    assert [o.total for o in orders] == [2160 + 550 + 330, 1080 + 550 + 330, 1080 + 700 + 330]
    assert all(o.lines[0].product.sku == 'T-1' and o.lines[0].unit_price == 1080 for o in orders)
    # idempotent: nothing left to do
    assert nightly(now + dt.timedelta(days=60))[0] == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == 'order.redacted')) == 3


def test_a_redacted_order_says_so_on_its_page(app, client, login, shipped):
    save_privacy_settings(PrivacySettings(kura_days=1), actor=None)
    db.session.commit()
    nightly(utcnow() + dt.timedelta(days=2))
    login('clerk')
    page = client.get(f"/orders/{stored_order('R-900001').id}").text
    assert 'Personal data redacted on' in page and NAME not in page


def test_an_upload_still_kept_that_holds_an_erased_order_is_deleted(app, shipped):
    from app.orders.jobs import store_upload

    store_upload([('failed.csv', f'R-900001,{NAME}'.encode('cp932'))], actor=None)
    store_upload([('other.csv', 'Z-1,別の人'.encode('cp932'))], actor=None)
    save_privacy_settings(PrivacySettings(kura_days=1), actor=None)
    db.session.commit()
    nightly(utcnow() + dt.timedelta(days=2))
    assert db.session.scalars(sa.select(UploadedFile.filename)).all() == ['other.csv']


def test_an_administrator_finds_exports_and_erases_a_person_on_request(app, client, login, shipped):
    admin = login('admin')
    page = client.get('/privacy/requests', query_string={'email': EMAIL.upper()}).text
    assert '2 orders, 2 e-mails' in page   # the shop's order and shipping confirmations
    assert client.get('/privacy/requests', query_string={'phone': '098-765-4321'}).text.count('<code>K') == 2
    refused = client.get('/privacy/requests', query_string={'email': 'not an address'})
    assert refused.status_code == 422 and 'is not an e-mail address' in refused.text

    export = client.post('/privacy/requests', data={'email': EMAIL, 'what': 'export'})
    assert export.status_code == 200 and export.mimetype == 'application/json'
    data = json.loads(export.data)
    assert sorted(o['channel'] for o in data['orders']) == ['kura', 'store']
    assert all(o['buyer_name'] == NAME for o in data['orders']) and data['emails'][0]['to_address'] == EMAIL
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == 'order.data_exported', AuditEvent.user_id == admin.id)) == 2

    unconfirmed = client.post('/privacy/requests', data={'email': EMAIL, 'what': 'redact'})
    assert unconfirmed.status_code == 422 and stored_order('R-900001').buyer_name == NAME
    # a new order of theirs arrives, not yet shipped: its parcel still needs the address
    kura_orders({'order_id': 'R-900003', 'lines': [('T-1', 1)], 'buyer_name': NAME, 'ship_name': NAME,
                 'buyer_email': EMAIL, 'ship_address1': STREET}, channel='kura')
    done = client.post('/privacy/requests', data={'email': EMAIL, 'what': 'redact', 'confirm': 'y'})
    assert done.status_code == 303
    left = client.get('/privacy/requests').text
    assert 'Personal data erased from 2 orders' in left and stored_order('R-900003').number in left
    assert stored_order('R-900003').buyer_name == NAME and stored_order('R-900001').buyer_name == ''
    cancel(stored_order('R-900003'), actor=None, why='the customer asked')
    db.session.commit()
    assert client.post('/privacy/requests', data={'email': EMAIL, 'what': 'redact', 'confirm': 'y'}).status_code == 303
    dump = database_text()
    assert traces(dump) == []
    assert '別人 一郎' in dump   # nobody else's
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == 'order.redacted')).all()
    assert len(events) == 3 and {e.user_id for e in events} == {admin.id}


def test_views_exports_and_prints_of_personal_data_are_logged(app, client, login, make_user, shipped):
    manager = login('manager')
    order = stored_order('R-900001')
    assert client.get(f'/orders/{order.id}').status_code == 200
    assert client.get('/orders/export.csv').status_code == 200
    shipment = db.session.scalar(sa.select(Shipment).where(Shipment.order_id == order.id))
    assert client.get(f'/shipments/{shipment.id}/label.pdf').status_code == 200
    assert client.get(f'/orders/{order.id}/slip.pdf').status_code == 200
    assert client.get(f'/shipments/{shipment.id}/label.pdf?layout=bogus').status_code == 400   # nothing shown
    rows = db.session.execute(sa.select(PersonalDataAccess.user_id, PersonalDataAccess.action, PersonalDataAccess.what,
                                        PersonalDataAccess.order_id, PersonalDataAccess.orders)
                              .order_by(PersonalDataAccess.id)).all()
    assert [tuple(r) for r in rows] == [
        (manager.id, 'view', 'orders.order', order.id, 1),
        (manager.id, 'export', 'orders.export_orders', None, 3),
        (manager.id, 'print', 'fulfilment.shipping_label', order.id, 1),
        (manager.id, 'print', 'fulfilment.packing_slip', order.id, 1)]

    client.post('/logout')
    login('admin')
    page = client.get('/privacy/access-log', query_string={'order': order.number}).text
    assert page.count(f'<code>{order.number}</code>') == 3
    assert 'orders.export_orders' not in page
    everyone = client.get('/privacy/access-log', query_string={'user': manager.id}).text
    assert 'orders.export_orders' in everyone

    # kept for the set time, then pruned by the nightly task
    save_privacy_settings(PrivacySettings(access_log_days=30), actor=None)
    db.session.commit()
    assert nightly(utcnow() + dt.timedelta(days=29))[1] == 0
    assert nightly(utcnow() + dt.timedelta(days=31))[1] >= 4


def test_an_administrator_sets_the_retention_per_channel(client, login):
    login('admin')
    form = {'store_days': '0', 'rakuten_days': '90', 'amazon_days': '30', 'yahoo_days': '0', 'shopify_days': '0',
            'kura_days': '0', 'manual_days': '0', 'access_log_days': '365'}
    assert client.post('/settings/privacy', data=form).status_code == 302
    from app.settings.services import privacy_settings

    assert privacy_settings().retention_days('rakuten') == 90
    refused = client.post('/settings/privacy', data={**form, 'amazon_days': '-1'})
    assert refused.status_code == 200 and privacy_settings().amazon_days == 30


def test_the_database_and_the_instance_folder_are_for_their_owner_only(app, tmp_path):
    from tests.conftest import make_app

    instance = tmp_path / 'instance'
    database = tmp_path / 'owner.db'
    fresh = make_app(f'sqlite:///{database}', instance)
    with fresh.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql('CREATE TABLE t (x INTEGER)')
            connection.exec_driver_sql('INSERT INTO t VALUES (1)')
            assert stat.S_IMODE(os.stat(database).st_mode) == 0o600
            for suffix in ('-wal', '-shm'):
                assert stat.S_IMODE(os.stat(f'{database}{suffix}').st_mode) == 0o600
        db.engine.dispose()
    assert stat.S_IMODE(os.stat(instance).st_mode) == 0o700


def test_the_nightly_task_is_scheduled_at_a_time_in_japan_or_off():
    from app.operations.tasks import PRIVACY_SCHEDULE, backup_schedule, nightly_privacy

    assert nightly_privacy.name == 'nightly_privacy' and PRIVACY_SCHEDULE is not None
    assert backup_schedule('02:30', 'KURA_PRIVACY_AT') is not None and backup_schedule('off') is None
    with pytest.raises(RuntimeError, match='KURA_PRIVACY_AT must be a time'):
        backup_schedule('nightly', 'KURA_PRIVACY_AT')


def test_flask_redact_erases_what_is_due_now(app, runner, shipped):
    save_privacy_settings(PrivacySettings(kura_days=1, store_days=1), actor=None)
    db.session.commit()
    result = runner.invoke(args=['redact'])
    assert (result.exit_code, result.output) == (0, '0 orders redacted, 0 access log rows pruned\n')
    db.session.execute(sa.update(Order).values(updated_at=utcnow() - dt.timedelta(days=2)))
    db.session.commit()
    assert runner.invoke(args=['redact']).output == '3 orders redacted, 0 access log rows pruned\n'
    assert traces(database_text()) == []
