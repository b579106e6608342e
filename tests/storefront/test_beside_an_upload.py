"""A long upload does not delay a shop checkout: the upload is read without SQLite's write lock.

The upload is previewed by another process on the same database file, as by another gunicorn
worker: in one process the two requests would also take turns on Python's interpreter lock,
which is no part of what is measured.
"""
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.orders.models import Order
from tests.conftest import PASSWORD, TEST_DB
from tests.storefront.test_shop import ADDRESS, buy, shop  # noqa: F401 (the fixture)


#: the bound on a checkout's wait beside the upload (docs/operations.md), not a benchmark figure
BOUND = 1.0
ORDERS = 60000

CLERK = textwrap.dedent('''
    import io, sys, time
    from tests.conftest import make_app
    from tests.factories import RAKUTEN_HEADER, order_row, table
    from app.orders import importing

    database_url, instance, email, password, orders = sys.argv[1:]
    app = make_app(database_url, instance, IMPORT_PREVIEW_BACKGROUND_BYTES=10**9)
    real_parse = importing.parse_files

    def parse_files(*args):
        print('reading', flush=True)
        return real_parse(*args)
    importing.parse_files = parse_files
    upload = table(RAKUTEN_HEADER, [order_row(f'U-{n}', **{'SKU管理番号': 'T-1'}) for n in range(int(orders))])
    client = app.test_client()
    with app.app_context():
        assert client.post('/login', data={'email': email, 'password': password}).status_code == 302
    with app.app_context():
        started = time.monotonic()
        response = client.post('/orders/imports/new', data={'files': [(io.BytesIO(upload), 'big.csv')]},
                               content_type='multipart/form-data')
        elapsed = time.monotonic() - started
    shown = f'Import {int(orders):,} orders' in response.text
    print(response.status_code, shown, elapsed, flush=True)
''')


@pytest.mark.skipif(TEST_DB != 'sqlite', reason="SQLite's one write lock")
@pytest.mark.usefixtures('shop')
def test_a_checkout_completes_within_a_second_while_a_long_upload_is_previewed(app, make_user, tmp_path):
    email, url = make_user('clerk').email, str(db.engine.url)
    db.session.commit()   # the test's own transaction (a write one, outside requests) ends before the clerk's
    # the preview in the request, the longest a request can be (by default a large upload goes to the consumer)
    with subprocess.Popen([sys.executable, '-c', CLERK, url, str(tmp_path), email, PASSWORD, str(ORDERS)],
                          stdout=subprocess.PIPE, text=True, cwd=app.root_path + '/..') as uploading:
        assert uploading.stdout.readline().strip() == 'reading'
        shopper = app.test_client()
        started = time.monotonic()
        buy(shopper, 'T-1', 1)
        shopper.post('/shop/checkout', data=ADDRESS)
        confirmed = shopper.post('/shop/checkout/confirm')
        checkout = time.monotonic() - started
        still_uploading = uploading.poll() is None
        status, shown, elapsed = uploading.stdout.readline().split()
    assert confirmed.headers['Location'] == '/shop/thanks'
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.channel == 'store')) == 1
    assert (status, shown) == ('200', 'True')
    # the checkout ran and ended while the upload was being read, and the upload took longer than the bound:
    # had it held the write lock, the checkout would have waited past the bound
    assert still_uploading and float(elapsed) > BOUND, elapsed
    assert checkout < BOUND, checkout
