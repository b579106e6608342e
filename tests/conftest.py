"""Test fixtures: one real database per run (SQLite file or a throw-away PostgreSQL server).

``KURA_TEST_DB=sqlite`` (default) or ``postgresql`` picks the database; ``make test`` runs both.
The schema is built by the real migrations, once.  Tests commit for real (views, CLI commands
and threads all see the same data), and every table is emptied after each test.
"""
import atexit
import functools
import itertools
import os
import shutil
import tempfile
import threading
import uuid


# the background-job queue (huey, SQLite storage) is made at import time from this folder
os.environ['KURA_INSTANCE_PATH'] = tempfile.mkdtemp(prefix='kura-test-instance-')
atexit.register(functools.partial(shutil.rmtree, os.environ['KURA_INSTANCE_PATH'], ignore_errors=True))
# the suite runs on its own database, queue and backup settings, whatever the shell has set for a real server
for name in ('DATABASE_URL', 'REDIS_URL', 'SECRET_KEY', 'KURA_BACKUP_AT', 'KURA_PRIVACY_AT', 'KURA_BACKUP_DIR',
             'KURA_BACKUP_KEEP', 'KURA_BACKUP_BEFORE_UPGRADE', 'KURA_PG_BIN'):
    os.environ.pop(name, None)

import flask_migrate  # noqa: E402
import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from tests.factories import jan_for, plain_orders  # noqa: E402


TEST_DB = os.environ.get('KURA_TEST_DB', 'sqlite')
PASSWORD = 'correct horse battery'


_apps = []


@pytest.fixture(scope='session')
def database_url(tmp_path_factory):
    if TEST_DB == 'postgresql':
        from tests.pgserver import postgresql_server

        with postgresql_server() as url:
            yield url
            _close_connections()
    elif TEST_DB == 'sqlite':
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'kura.db'}"
        _close_connections()
    else:
        raise pytest.UsageError(f'KURA_TEST_DB must be sqlite or postgresql, not {TEST_DB!r}')


@pytest.fixture
def fresh_database(database_url, tmp_path):
    """An empty database of the same kind as the suite's."""
    if database_url.startswith('sqlite'):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f'fresh_{uuid.uuid4().hex[:8]}'
    admin = sa.create_engine(database_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE {name}')
    yield database_url.rsplit('/', 1)[0] + '/' + name
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE {name} WITH (FORCE)')
    admin.dispose()


def make_app(database_url: str, instance_path, **overrides):
    """An application on `database_url` with the test settings (and any overrides)."""
    config = type('RunConfig', (TestConfig,), {'SQLALCHEMY_DATABASE_URI': database_url,
                                               'INSTANCE_PATH': instance_path, 'CLI_LOCALE': 'en', **overrides})
    app = create_app(config)
    _apps.append(app)
    return app


def _close_connections():
    """Close every pool before the server goes away (and before garbage collection warns of open ones)."""
    for app in _apps:
        with app.app_context():
            db.engine.dispose()


class RequestClient(FlaskClient):
    """A test client whose every request runs in its own application context, as in production.

    Without this, requests would share the test's application context: its ``g`` (the logged-in
    user, the locale) and its database session would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        # the test's own transaction must not hold locks (SQLite's write lock) that the request waits for
        db.session.commit()
        # read and closed at once, as a server does: what runs at the response's close (the access log) has run
        kwargs.setdefault('buffered', True)
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope='session')
def app(database_url, tmp_path_factory):
    app = make_app(database_url, tmp_path_factory.mktemp('instance'))
    app.test_client_class = RequestClient
    with app.app_context():
        flask_migrate.upgrade()
    return app


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()


def _empty_tables():
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == 'postgresql':
            names = ', '.join(f'"{t.name}"' for t in tables)
            connection.exec_driver_sql(f'TRUNCATE {names} RESTART IDENTITY CASCADE')
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_serial = itertools.count(1)


@pytest.fixture
def make_user():
    """Create (and commit) a staff user; English screens unless `locale` says otherwise."""
    from app.accounts.services import create_user

    def make(role='clerk', *, email=None, name=None, locale='en', password=PASSWORD):
        n = next(_serial)
        user = create_user(email or f'{role}{n}@shop.example', name or f'{role.title()} {n}', password, role,
                           locale=locale)
        db.session.commit()
        return user
    return make


@pytest.fixture
def login(client, make_user):
    """Log the test client in as a new user of `role`; returns the user."""
    def log_in(role='clerk', **kwargs):
        user = make_user(role, **kwargs)
        response = client.post('/login', data={'email': user.email, 'password': PASSWORD})
        assert response.status_code == 302, response.text
        return user
    return log_in


@pytest.fixture
def make_product():
    """Create (and commit) a product; a valid JAN and a unique SKU unless given."""
    from app.catalog.services import ProductData, create_product

    def make(sku=None, *, name=None, jan=None, price=1080, tax_rate=10, weight_g=100, active=True):
        n = next(_serial)
        product = create_product(ProductData(sku=sku or f'SKU-{n:04d}', name=name or f'商品 {n}',
                                             jan=jan_for(n) if jan is None else jan, price=price, tax_rate=tax_rate,
                                             weight_g=weight_g, active=active), actor=None)
        db.session.commit()
        return product
    return make


@pytest.fixture
def make_location():
    from app.inventory.services import get_or_create_location

    def make(code='A-01-01-1'):
        location = get_or_create_location(code)
        db.session.commit()
        return location
    return make


@pytest.fixture
def stock(make_location):
    """Receive `quantity` of `product` at a location (committed); returns the stock level."""
    from app.inventory.services import receive

    def put(product, quantity, location='A-01-01-1'):
        level = receive(product, make_location(location), quantity, actor=None, reference='test')
        db.session.commit()
        return level
    return put


@pytest.fixture
def floor(make_product, stock, make_user):
    """Orders ready for the floor: three products with JANs and stock, a packer, a manager, a tracking range,
    and three allocated orders (F-1 to F-3) asking nothing of the packer."""
    from app.fulfilment.services import add_tracking_range

    tea = make_product('T-1', name='髙橋園の玄米茶', jan='4569951116179', price=864, tax_rate=8)
    cup = make_product('W-1', name='有田焼 湯呑み', jan='4901234567894', price=2750)
    pot = make_product('W-2', name='常滑焼 急須', jan='4912345000019', price=8800)
    stock(tea, 20, 'A-01-01-1')
    stock(cup, 10, 'B-01-01-1')
    stock(pot, 5, 'B-02-01-1')
    add_tracking_range('yamato', '44441375870', '44441375999', warn_below=10, actor=None)
    db.session.commit()
    plain_orders({'order_id': 'F-1', 'ordered_at': '2025-10-01T10:00:00', 'lines': [('T-1', 2), ('W-1', 1)]},
                 {'order_id': 'F-2', 'ordered_at': '2025-10-02T10:00:00', 'lines': [('W-2', 1)],
                  'ship_name': '佐藤 次郎', 'ship_address1': '別の住所 1-1'},
                 {'order_id': 'F-3', 'ordered_at': '2025-10-03T10:00:00', 'lines': [('T-1', 1)],
                  'ship_name': '鈴木 三郎', 'ship_address1': '別の住所 2-2'})
    return {'tea': tea, 'cup': cup, 'pot': pot, 'packer': make_user('packer'), 'manager': make_user('manager')}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def run_together(*calls) -> None:
    """Each call, a function and its arguments, in a thread of its own, all started before any is waited for."""
    threads = [threading.Thread(target=function, args=args) for function, *args in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.fixture
def consumer(app):
    """A real huey consumer on the real queue, in this process (one thread worker), for the test's duration."""
    import signal

    from app.jobs.queue import huey, use_app

    use_app(app)
    huey.flush()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    worker = huey.create_consumer(workers=1, worker_type='thread', periodic=False, initial_delay=0.05,
                                  max_delay=0.2, check_worker_health=False)
    worker.start()
    yield worker
    worker.stop(graceful=True)
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']


@pytest.fixture
def live_server(app):
    """The app served over HTTP on loopback, in a thread of this process (the browser tests' server)."""
    from werkzeug.serving import make_server

    server = make_server('127.0.0.1', 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_port}'
    server.shutdown()
    thread.join()


@pytest.fixture
def browser():
    """Chromium from the system packages (make system-packages), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def signed_in_page(live_server, browser):
    """A new browser page logged in as the user with this e-mail (commit first: the server is another thread).

    Each page has a context of its own (its own cookies: another login); ``page.context.new_page()``
    opens a second tab of the same login.
    """
    refused = []   # what the Content-Security-Policy stopped: every page must work within it

    def sign_in(email: str):
        context = browser.new_context()
        context.on('console', lambda message: refused.append(message.text)
                   if 'Content Security Policy' in message.text else None)
        page = context.new_page()
        page.goto(f'{live_server}/login')
        page.fill('#email', email)
        page.fill('#password', PASSWORD)
        page.click('button[type=submit]')
        page.wait_for_url(lambda url: not url.endswith('/login'))
        return page
    yield sign_in
    assert refused == [], refused
