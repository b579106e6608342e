"""Monitoring: /readyz's checks, /metrics behind its token, and the log's lines with their request ids."""
import datetime as dt
import json
import logging
import time

import flask
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from app.accounts.models import AuditEvent, User
from app.accounts.services import record_audit
from app.database import utcnow
from app.extensions import db
from app.jobs.queue import CONSUMER_HEARTBEAT_KEY, beat, consumer_last_beat, huey, task_app
from app.logs import mask
from app.notifications.models import EmailMessage
from tests.conftest import PASSWORD, RequestClient, make_app


def outbox_mail(age: dt.timedelta, status='queued') -> EmailMessage:
    message = EmailMessage(kind='order_confirmation', to_address='buyer@shop.example', subject='ご注文',
                           text_body='…', status=status, created_at=utcnow() - age,
                           message_id=f'<{time.monotonic_ns()}@kura.test>')
    db.session.add(message)
    db.session.commit()
    return message


@pytest.fixture
def consumer_alive():
    beat()
    yield
    huey.get(CONSUMER_HEARTBEAT_KEY)   # read without peek: removed


# /readyz


def test_ready_when_every_check_is_ok(client, consumer_alive):
    response = client.get('/readyz')
    assert response.status_code == 200
    assert response.json['status'] == 'ok' and response.json['failing'] == []
    checks = response.json['checks']
    assert set(checks) == {'database', 'migrations', 'consumer', 'outbox_backlog', 'outbox_oldest_unsent',
                           'stuck_jobs', 'disk'}
    assert {check['status'] for check in checks.values()} == {'ok'}
    assert checks['outbox_backlog']['value'] == 0 and checks['stuck_jobs']['value'] == 0
    assert checks['disk']['value'] > 0


def test_a_running_consumer_beats_at_once(consumer):
    """A consumer says it is alive as its worker starts, and every minute after that (a periodic task)."""
    deadline = time.monotonic() + 5
    while consumer_last_beat() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert utcnow() - consumer_last_beat() < dt.timedelta(seconds=10)


def test_not_ready_when_the_consumer_has_stopped_beating(client, consumer_alive):
    huey.put(CONSUMER_HEARTBEAT_KEY, time.time() - 3600)   # its last beat, an hour ago: it stopped then
    response = client.get('/readyz')
    assert response.status_code == 503
    assert response.json['status'] == 'failing' and response.json['failing'] == ['consumer']
    assert response.json['checks']['consumer']['status'] == 'failing'
    assert response.json['checks']['consumer']['value'] >= 3600


def test_a_consumer_late_by_some_minutes_is_a_warning(client, consumer_alive):
    huey.put(CONSUMER_HEARTBEAT_KEY, time.time() - 300)
    response = client.get('/readyz')
    assert response.status_code == 200
    assert response.json['status'] == 'warning'
    assert response.json['checks']['consumer']['status'] == 'warning'


def test_not_ready_when_no_consumer_ever_ran(client):
    huey.get(CONSUMER_HEARTBEAT_KEY)
    response = client.get('/readyz')
    assert response.status_code == 503
    assert 'consumer' in response.json['failing']


def test_not_ready_when_a_mail_waits_longer_than_the_limit(client, consumer_alive):
    outbox_mail(dt.timedelta(minutes=5), status='sent')
    outbox_mail(dt.timedelta(hours=2))
    response = client.get('/readyz')
    assert response.status_code == 503
    assert response.json['failing'] == ['outbox_oldest_unsent']
    assert response.json['checks']['outbox_oldest_unsent']['value'] >= 120
    backlog = response.json['checks']['outbox_backlog']
    assert (backlog['status'], backlog['value']) == ('ok', 1)


def test_the_thresholds_come_from_the_settings(app, client, consumer_alive, monkeypatch):
    outbox_mail(dt.timedelta(minutes=1))
    outbox_mail(dt.timedelta(minutes=1))
    monkeypatch.setitem(app.config, 'READY_OUTBOX_WARN', 1)
    monkeypatch.setitem(app.config, 'READY_OUTBOX_FAIL', 2)
    response = client.get('/readyz')
    assert response.status_code == 503 and response.json['failing'] == ['outbox_backlog']
    monkeypatch.setitem(app.config, 'READY_OUTBOX_FAIL', 3)
    assert client.get('/readyz').json['checks']['outbox_backlog']['status'] == 'warning'


def test_not_ready_when_an_import_job_is_stuck(client, consumer_alive):
    from app.jobs.models import Job

    db.session.add(Job(kind='order_import', status='running', started_at=utcnow() - dt.timedelta(minutes=30),
                       params={'upload': 'gone', 'channel': 'rakuten'}))
    db.session.commit()
    response = client.get('/readyz')
    assert response.status_code == 503
    assert response.json['failing'] == ['stuck_jobs'] and response.json['checks']['stuck_jobs']['value'] == 1


# /metrics


def scrape(client, token='s3cret-token') -> dict:
    """The samples of /metrics by (name, labels)."""
    response = client.get('/metrics', headers={'Authorization': f'Bearer {token}'})
    assert response.status_code == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


@pytest.fixture
def metrics_token(app, monkeypatch):
    monkeypatch.setitem(app.config, 'METRICS_TOKEN', 's3cret-token')


def test_no_metrics_without_a_token_configured(client):
    assert client.get('/metrics').status_code == 404
    assert client.get('/metrics', headers={'Authorization': 'Bearer anything'}).status_code == 404


def test_metrics_only_for_the_bearer_of_the_token(client, metrics_token):
    assert client.get('/metrics').status_code == 401
    assert client.get('/metrics', headers={'Authorization': 'Bearer wrong'}).status_code == 401
    assert client.get('/metrics', headers={'Authorization': 's3cret-token'}).status_code == 401
    response = client.get('/metrics', headers={'Authorization': 'Bearer s3cret-token'})
    assert response.status_code == 200
    assert response.content_type.startswith('text/plain')
    for name in ('kura_http_requests_total', 'kura_http_request_duration_seconds_bucket', 'kura_orders',
                 'kura_jobs_stuck', 'kura_outbox_oldest_unsent_seconds'):
        assert name in response.text


def test_a_request_is_counted_and_timed(client, metrics_token):
    key = ('kura_http_requests_total', (('endpoint', 'web.healthz'), ('method', 'GET'), ('status', '200')))
    timed = ('kura_http_request_duration_seconds_count', (('endpoint', 'web.healthz'), ('method', 'GET')))
    before = scrape(client)
    client.get('/healthz')
    after = scrape(client)
    assert after[key] == before.get(key, 0) + 1
    assert after[timed] == before.get(timed, 0) + 1


def test_scans_orders_and_mail_are_counted(client, login, floor, metrics_token):
    from tests.factories import stored_order

    outbox_mail(dt.timedelta(minutes=1))
    before = scrape(client)
    login('packer')
    client.post('/pick/', data={})
    client.post('/pack/', data={'station': '梱包1'})
    client.post('/pack/scan', data={'code': stored_order('F-3').number}, headers={'HX-Request': 'true'})
    client.post('/pack/scan', data={'code': '4912345000019'}, headers={'HX-Request': 'true'})   # not in F-3
    after = scrape(client)
    scans = {labels: n for (name, labels), n in after.items() if name == 'kura_packing_scans_total'}
    scanned_before = sum(n for (name, _), n in before.items() if name == 'kura_packing_scans_total')
    assert sum(scans.values()) == scanned_before + 2
    assert after[('kura_outbox_messages', (('status', 'queued'),))] == 1
    assert after[('kura_orders', (('status', 'picking'),))] >= 1


# the log


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines()]


probe = flask.Blueprint('monitoring_probe', __name__)


@probe.route('/probe/fail')
def fail():
    raise RuntimeError('probe failure')


@pytest.fixture
def logged(database_url, tmp_path):
    """A client of an application writing its JSON log to a file (returned too), with a route that fails."""
    root = logging.getLogger()
    level = root.level
    log = tmp_path / 'logs' / 'kura.log'
    app = make_app(database_url, tmp_path, LOG_FILE=str(log), PROPAGATE_EXCEPTIONS=False)
    app.register_blueprint(probe)
    app.test_client_class = RequestClient
    yield app.test_client(), log
    for handler in [h for h in root.handlers if getattr(h, 'kura', False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def test_each_request_writes_one_json_line_with_its_request_id(logged):
    client, log = logged
    response = client.get('/healthz')
    request_id = response.headers['X-Request-ID']
    assert len(request_id) >= 16
    [line] = [line for line in lines(log) if line['message'] == 'request']
    assert line['request_id'] == request_id
    assert (line['method'], line['path'], line['status'], line['endpoint']) == ('GET', '/healthz', 200, 'web.healthz')
    assert line['duration_ms'] >= 0 and line['level'] == 'INFO'
    ready = client.get('/readyz').headers['X-Request-ID']
    assert [line['message'] for line in lines(log) if line['request_id'] == ready] == ['request']


def test_a_sane_request_id_from_the_proxy_is_kept_and_another_is_replaced(logged):
    client, _log = logged
    assert client.get('/healthz', headers={'X-Request-ID': 'proxy-1234abcd'}).headers['X-Request-ID'] == \
        'proxy-1234abcd'
    replaced = client.get('/healthz', headers={'X-Request-ID': '<script>x</script> 1234'}).headers['X-Request-ID']
    assert replaced != '<script>x</script> 1234' and '<' not in replaced


def test_personal_data_in_a_query_or_a_form_stays_out_of_the_log(logged, make_user):
    client, log = logged
    make_user('clerk', email='hanako.yamada@shop.example', name='山田 花子')
    client.get('/shop/', query_string={'q': '山田 花子', 'tel': '090-1234-5678', 'page': '2'})
    client.post('/login', data={'email': 'hanako.yamada@shop.example', 'password': 'wrong password 0312345678'})
    text = log.read_text(encoding='utf-8')
    for secret in ('山田', '花子', 'hanako', 'yamada', '090-1234-5678', '0312345678', 'wrong password'):
        assert secret not in text
    shop = next(line for line in lines(log) if line.get('path') == '/shop/')
    assert shop['query'] == 'q=***&tel=***&page=2'


def test_the_error_page_shows_the_request_id_of_its_log_lines(logged, make_user):
    client, log = logged
    admin = make_user('admin')
    client.post('/login', data={'email': admin.email, 'password': PASSWORD})
    response = client.get('/probe/fail')
    assert response.status_code == 500
    request_id = response.headers['X-Request-ID']
    assert f'Request id: {request_id}' in response.text
    written = [line for line in lines(log) if line['request_id'] == request_id]
    assert any(line['level'] == 'ERROR' and 'probe failure' in line.get('exception', '') for line in written)
    assert any(line['message'] == 'request' and line['status'] == 500 and line['user_id'] == str(admin.id)
               for line in written)


def test_a_not_found_page_shows_its_request_id_too(client):
    response = client.get('/no-such-page')   # an anonymous visitor: the Japanese page
    assert response.status_code == 404
    assert f'リクエストID: {response.headers["X-Request-ID"]}' in response.text


def test_an_audit_event_written_in_a_request_carries_its_request_id(client, make_user):
    admin = make_user('admin')
    client.post('/login', data={'email': admin.email, 'password': PASSWORD})
    response = client.post('/users/new', headers={'X-Request-ID': 'req-new-user-0001'},
                           data={'email': 'new.packer@shop.example', 'name': '出荷 三郎', 'role': 'packer',
                                 'locale': 'ja', 'active': 'y', 'password': 'a long password'})
    assert response.status_code == 302
    created = db.session.scalar(sa.select(User).where(User.email == 'new.packer@shop.example'))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == 'user.created',
                                                          AuditEvent.object_id == str(created.id)))
    assert event.request_id == 'req-new-user-0001'


@huey.task(name='monitoring_probe_task')
def audited_task(user_id):
    with task_app().app_context():
        record_audit(None, 'probe.job', db.session.get(User, user_id))
        db.session.commit()
    return 'done'   # huey keeps no None result to wait for


def test_a_job_writes_one_line_and_its_audit_events_carry_its_id(logged, consumer, make_user):
    _client, log = logged
    user_id = make_user('admin').id
    db.session.commit()   # the task writes: this test's session must not hold SQLite's write lock
    result = audited_task(user_id)
    result.get(blocking=True, timeout=10)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == 'probe.job'))
    assert event.request_id == result.id
    [line] = [line for line in lines(log) if line['message'] == 'job']
    assert (line['request_id'], line['task'], line['outcome']) == (result.id, 'monitoring_probe_task', 'done')


@pytest.mark.parametrize(('text', 'masked'), [
    ('mail to taro.yamada+shop@example.co.jp now', 'mail to [email] now'),
    ('tel 03-1234-5678, 090 1234 5678, 09012345678, +81-90-1234-5678',
     'tel [phone], [phone], [phone], [phone]'),
    ('電話 ０９０－１２３４－５６７８ 090 1234 5678 12', '電話 [phone] [phone] 12'),
    ('order 000123, tracking 444413758701, JAN 4569951116179, 2026-12-07 0.0123456789',
     'order 000123, tracking 444413758701, JAN 4569951116179, 2026-12-07 0.0123456789'),
])
def test_mask(text, masked):
    assert mask(text) == masked


def test_gunicorn_starts_with_fresh_counters_and_leaves_other_files_alone(tmp_path, monkeypatch):
    import runpy
    from pathlib import Path

    monkeypatch.setenv('PROMETHEUS_MULTIPROC_DIR', str(tmp_path))
    (tmp_path / 'counter_123.db').write_bytes(b'old')
    (tmp_path / 'histogram_123.db').write_bytes(b'old')
    (tmp_path / 'kura.db').write_bytes(b'not ours')
    settings = runpy.run_path(str(Path(__file__).resolve().parents[2] / 'gunicorn.conf.py'))
    settings['on_starting'](None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['kura.db']
