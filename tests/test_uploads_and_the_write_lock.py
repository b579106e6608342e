"""An upload is read and checked without SQLite's write lock: other users' writes never wait for it.

Each test looks, from a connection of its own, whether the database's write lock is free at the
moment the file is being read (the real reader, observed as it runs).
"""
import io
import sqlite3

import pytest
import sqlalchemy as sa

from app.catalog import importing as catalog_importing
from app.catalog import views as catalog_views
from app.catalog.models import Product
from app.extensions import db
from app.orders import importing as order_importing
from app.orders import planning as order_planning
from app.orders.models import Order
from tests.conftest import TEST_DB, count
from tests.factories import RAKUTEN_HEADER, order_row, table


pytestmark = pytest.mark.skipif(TEST_DB != 'sqlite', reason="SQLite's one write lock")


def write_lock_free() -> bool:
    """Whether another connection could begin writing now, without waiting."""
    connection = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        connection.execute('BEGIN IMMEDIATE')
        connection.execute('ROLLBACK')
        return True
    except sqlite3.OperationalError as exc:
        if 'locked' not in str(exc):
            raise
        return False
    finally:
        connection.close()


@pytest.fixture
def observe(monkeypatch):
    """Wrap a reader so that each call records whether the write lock was free while it read."""
    seen = []

    def wrap(module, name):
        real = getattr(module, name)

        def reading(*args, **kwargs):
            seen.append(write_lock_free())
            return real(*args, **kwargs)
        monkeypatch.setattr(module, name, reading)
    wrap.seen = seen
    return wrap


def post_orders(client, content: bytes):
    return client.post('/orders/imports/new', data={'files': [(io.BytesIO(content), 'r.csv')], 'channel': 'auto'},
                       content_type='multipart/form-data')


def test_an_order_file_is_previewed_and_imported_without_the_write_lock(client, login, make_product, observe):
    make_product('00123', jan='4569951116179')
    login('clerk')
    # the plan's holds are made once its look-ups (the first statements of a write) have run
    observe(order_importing, 'parse_files')
    observe(order_planning, 'rule_holds')
    preview = post_orders(client, table(RAKUTEN_HEADER, [order_row('L-1'), order_row('L-2')])).text
    assert 'Preview: r.csv' in preview
    token = preview.split('name="token" type="hidden" value="')[1].split('"')[0]
    response = client.post('/orders/imports/confirm', data={'token': token, 'channel': 'rakuten'})
    assert response.status_code == 302 and count(Order) == 2
    # the preview's reading and plan of both orders, then the confirmation's
    assert observe.seen == [True] * 6


def test_an_order_imported_by_someone_else_meanwhile_is_a_duplicate_not_a_second_order(client, login, make_product):
    make_product('00123', jan='4569951116179')
    login('clerk')
    preview = post_orders(client, table(RAKUTEN_HEADER, [order_row('D-1'), order_row('D-2')])).text
    token = preview.split('name="token" type="hidden" value="')[1].split('"')[0]
    # another clerk imports D-2 between this file's reading and its write
    order_importing.import_order_files('rakuten', [('other.csv', table(RAKUTEN_HEADER, [order_row('D-2')]))])
    db.session.commit()
    client.post('/orders/imports/confirm', data={'token': token, 'channel': 'rakuten'})
    assert sorted(db.session.scalars(sa.select(Order.external_order_id))) == ['D-1', 'D-2']


def test_a_product_file_is_read_and_checked_without_the_write_lock(client, login, observe):
    login('clerk')
    observe(catalog_importing, 'read_products')
    observe(catalog_importing, 'check_products')
    csv = 'sku,name,price\nNEW-1,新しい品,500\n'
    response = client.post('/catalog/import', data={'file': (io.BytesIO(csv.encode()), 'p.csv')},
                           content_type='multipart/form-data')
    assert response.status_code == 200 and count(Product) == 1
    # read and checked before the write; checked again in it (against the catalogue as it is then)
    assert observe.seen[:2] == [True, True] and len(observe.seen) == 3


def test_a_product_file_with_a_bad_row_never_takes_the_write_lock(client, login, observe):
    login('clerk')
    observe(catalog_views, 'save_products')
    csv = 'sku,name,price\nNEW-1,新しい品,abc\n'
    page = client.post('/catalog/import', data={'file': (io.BytesIO(csv.encode()), 'p.csv')},
                       content_type='multipart/form-data').text
    assert 'p.csv has 1 problems; nothing was saved.' in page and count(Product) == 0
    assert observe.seen == []
