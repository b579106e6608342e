"""The request is the unit of work: its writes are committed once, or not at all, and a GET writes nothing."""
import io

import pytest
import sqlalchemy as sa
from flask import Blueprint

from app.accounts.models import AuditEvent
from app.catalog.models import Product
from app.database import ReadOnlyViolation
from app.errors import UserError
from app.extensions import db
from app.web.unit_of_work import writing
from tests.conftest import PASSWORD, RequestClient, count, make_app
from tests.factories import kura_orders, stored_order


def product_form(**overrides):
    return {'sku': 'X-1', 'name': '新しい湯呑み', 'jan': '', 'price': '1200', 'tax_rate': '10', 'weight_g': '150',
            'active': 'y', **overrides}


def test_a_refusal_after_a_write_saves_nothing_and_shows_on_the_form(client, login):
    """The product is written, then its photo refused: the product is not saved, the message is on the form."""
    login('clerk')
    events = count(AuditEvent)
    response = client.post('/catalog/new', data=product_form(image=(io.BytesIO(b'not a photo'), 'a.txt',
                                                                     'text/plain')))
    assert response.status_code == 200
    assert 'The photo must be a JPEG, PNG or WebP image.' in response.text
    assert 'value="新しい湯呑み"' in response.text   # what was typed stays
    assert count(Product) == 0
    assert count(AuditEvent) == events


def test_a_refusal_without_a_form_is_a_flash_on_the_next_page(client, login, make_product, stock):
    """An order waiting on a hold is not allocated from its page: the page says why, the order stays as it was."""
    login('clerk')
    stock(make_product('T-1', jan=''), 5)
    kura_orders({'order_id': 'COM-1', 'lines': [('T-1', 1)], 'comment': '熨斗をお願いします'})
    held = stored_order('COM-1')
    page = client.post(f'/orders/{held.id}/actions', data={'action': 'allocate'}, follow_redirects=True).text
    assert f'Order {held.number} is not ready to allocate (status New, 1 holds).' in page
    assert stored_order('COM-1').status == 'new'


def test_allocating_one_order_checks_readiness_as_allocating_many(client, login, make_product, stock):
    """The order page's "Allocate now" and the list's bulk action refuse the same order with the same words."""
    login('clerk')
    stock(make_product('T-1', jan=''), 5)
    kura_orders({'order_id': 'COM-1', 'lines': [('T-1', 1)], 'comment': '熨斗をお願いします'})
    held = stored_order('COM-1')
    refusal = f'Order {held.number} is not ready to allocate (status New, 1 holds).'
    single = client.post(f'/orders/{held.id}/actions', data={'action': 'allocate'}, follow_redirects=True).text
    bulk = client.post('/orders/bulk', data={'action': 'allocate', 'ids': [held.id]}, follow_redirects=True).text
    assert refusal in single
    assert f'{held.number}: {refusal}' in bulk
    assert stored_order('COM-1').status == 'new'


# ---------------------------------------------------------------------------------------------- the mechanism


probe = Blueprint('probe', __name__)


@probe.route('/probe/write-then-fail', methods=['POST'])
def write_then_fail():
    with writing():
        db.session.add(AuditEvent(action='probe.written', object_type='probe', object_id='1'))
        db.session.flush()
        raise RuntimeError('a bug after the write')
    return 'unreachable'


@probe.route('/probe/write-then-refuse', methods=['POST'])
def write_then_refuse():
    with writing() as work:
        db.session.add(AuditEvent(action='probe.written', object_type='probe', object_id='1'))
        db.session.flush()
        raise UserError('Refused after writing.')
    return 'saved' if work.ok else 'refused', work.status


@probe.route('/probe/refuse-outside', methods=['POST'])
def refuse_outside():
    """A refusal no view catches (a read that finds the request impossible, say)."""
    raise UserError('Refused before writing.')


@probe.route('/probe/write-on-get')
def write_on_get():
    db.session.add(AuditEvent(action='probe.written', object_type='probe', object_id='1'))
    db.session.flush()
    return 'written'


@probe.route('/probe/write-outside', methods=['POST'])
def write_outside():
    db.session.add(AuditEvent(action='probe.written', object_type='probe', object_id='1'))
    db.session.flush()
    return 'written'


@probe.route('/probe/write-twice', methods=['POST'])
def write_twice():
    with writing():
        db.session.add(AuditEvent(action='probe.first', object_type='probe', object_id='1'))
    with writing():
        db.session.add(AuditEvent(action='probe.second', object_type='probe', object_id='1'))
    return 'written'


@pytest.fixture
def probe_client(database_url, tmp_path, make_user):
    """A client of an application with the probe views above, on the test database (views raise on purpose)."""
    app = make_app(database_url, tmp_path, PROPAGATE_EXCEPTIONS=False, WTF_CSRF_ENABLED=False)
    app.register_blueprint(probe)
    app.test_client_class = RequestClient
    client = app.test_client()
    user = make_user('admin')
    assert client.post('/login', data={'email': user.email, 'password': PASSWORD}).status_code == 302
    return client


def probe_events() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action.like('probe.%')))


def test_an_unexpected_exception_after_a_write_saves_nothing(probe_client):
    response = probe_client.post('/probe/write-then-fail')
    assert response.status_code == 500
    assert 'Nothing was saved.' in response.text
    assert probe_events() == 0


def test_a_user_error_after_a_write_saves_nothing_and_tells_the_view(probe_client):
    response = probe_client.post('/probe/write-then-refuse')
    assert (response.status_code, response.text) == (422, 'refused')
    assert probe_events() == 0


@pytest.mark.parametrize(('method', 'path'), [('get', '/probe/write-on-get'), ('post', '/probe/write-outside')])
def test_writes_outside_the_one_unit_of_work_are_refused(probe_client, method, path):
    """A GET never writes, and a POST writes once, inside writing(): anything else is a bug, and saves nothing."""
    response = getattr(probe_client, method)(path)
    assert response.status_code == 500
    assert probe_events() == 0


def test_a_refusal_no_view_catches_is_a_fragment_for_htmx_and_a_flash_otherwise(probe_client):
    fragment = probe_client.post('/probe/refuse-outside', headers={'HX-Request': 'true'})
    assert fragment.status_code == 422
    assert 'Refused before writing.' in fragment.text and '<nav class="sidenav"' not in fragment.text
    page = probe_client.post('/probe/refuse-outside', headers={'Referer': 'http://localhost/orders/'})
    assert (page.status_code, page.location) == (303, 'http://localhost/orders/')
    assert 'Refused before writing.' in probe_client.get('/orders/').text


def test_a_request_commits_once(probe_client):
    """A second unit of work in one request is a bug: it is refused, and only the first write stands."""
    assert probe_client.post('/probe/write-twice').status_code == 500
    assert db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like('probe.%'))).all() == [
        'probe.first']


def test_a_statement_that_writes_is_refused_where_transactions_are_read_only(app):
    from app.database import read_only_transactions

    db.session.commit()
    with read_only_transactions(), pytest.raises(ReadOnlyViolation):
        db.session.execute(sa.delete(AuditEvent))
    db.session.rollback()


# ---------------------------------------------------------------------------------------------- every GET


#: the declared exception (unit_of_work.write_after): who viewed, exported or printed personal data
ACCESS_LOG = 'personal_data_access'


def snapshot() -> dict[str, list]:
    """Every row of every table but the access log, as the test's own fresh transaction reads them."""
    db.session.rollback()
    return {table.name: sorted(map(repr, db.session.execute(sa.select(table)).all()))
            for table in db.metadata.sorted_tables if table.name != ACCESS_LOG}


@pytest.fixture
def shop_at_work(runner, make_user):
    """The demo shop with orders in every state the screens show: held, allocated, picked, packed."""
    from app.fulfilment import services as floor

    assert runner.invoke(args=['seed-demo']).exit_code == 0
    floor.add_tracking_range('yamato', '44441375870', '44441375999', warn_below=10, actor=None)
    db.session.commit()
    kura_orders({'order_id': 'G-1', 'lines': [('T-0001', 1)], 'comment': '', 'gift_wrap': '', 'noshi': '',
                 'delivery_date': '', 'delivery_time_slot': ''},
                {'order_id': 'G-2', 'lines': [('T-0002', 2)], 'payment_method': 'bank_transfer'},
                {'order_id': 'G-3', 'lines': [('UNKNOWN-9', 1)]})
    batch = floor.create_pick_batch(carrier=None, channel=None, delivery_date=None, single_item=None, limit=10,
                                    actor=None)
    from app.stocktake import services as stocktake

    count = stocktake.start_count(actor=None)
    db.session.commit()
    return {'order_id': stored_order('G-1').id, 'batch_id': batch.id, 'count_id': count.id}


def path_values(shop: dict) -> dict:
    """A value for each argument of a GET route, from the data the shop has (or an id nothing has: a 404)."""
    from app.accounts.models import User
    from app.channels.models import ChannelStockFile, Listing
    from app.fulfilment.models import Shipment
    from app.inventory.models import Location, PutBackTask
    from app.jobs.models import Job
    from app.notifications.models import EmailMessage
    from app.orders.models import ImportBatch
    from app.returns.models import Return

    def first(model):
        return db.session.scalar(sa.select(model.id).order_by(model.id)) or 999_999

    return {'order_id': shop['order_id'], 'product_id': first(Product), 'location_id': first(Location),
            'message_id': first(EmailMessage), 'user_id': first(User), 'job_id': first(Job),
            'shipment_id': first(Shipment), 'fulfilment.batch_id': shop['batch_id'],
            'orders.batch_id': first(ImportBatch), 'count_id': shop['count_id'],
            'file_id': first(ChannelStockFile), 'listing_id': first(Listing), 'return_id': first(Return),
            'task_id': first(PutBackTask),
            'kind': 'order_confirmation', 'locale': 'ja', 'carrier': 'yamato', 'channel': 'rakuten',
            'sku': db.session.scalar(sa.select(Product.sku).order_by(Product.id)), 'code': '1000001',
            'subject': 'sales', 'file_format': 'xlsx'}


@pytest.mark.parametrize('htmx', [False, True], ids=['page', 'htmx'])
def test_no_get_route_writes(app, client, login, shop_at_work, htmx):
    """Every GET of the URL map, as an admin on the demo shop at work: nothing changes in the database."""
    from app.jobs.queue import beat

    login('admin')
    beat()   # a job consumer is alive, so /readyz answers 200 (it is 503 without one)
    values = path_values(shop_at_work)
    rules = [rule for rule in app.url_map.iter_rules()
             if 'GET' in rule.methods and rule.endpoint not in ('static', 'fulfilment.shipping_label')]
    before = snapshot()
    answered = {}
    for rule in rules:
        args = {name: values.get(f'{rule.endpoint.split(".")[0]}.{name}', values.get(name)) for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **args)
        response = client.get(url, headers={'HX-Request': 'true'} if htmx else {})
        answered[url] = response.status_code
        assert response.status_code < 500, (url, response.text[:500])
    assert snapshot() == before
    # the access log has its rows, written after the answers: the order page, the export and the slip
    assert {what for (what,) in db.session.execute(sa.text(f'SELECT what FROM {ACCESS_LOG}'))} == {
        'orders.order', 'orders.export_orders', 'fulfilment.packing_slip'}
    # the rest redirect (the login page, an empty cart's checkout) or find nothing (no e-mail, job or photo yet)
    assert set(answered.values()) <= {200, 302, 404}
    assert sum(1 for status in answered.values() if status == 200) >= 50

