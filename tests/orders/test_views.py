"""Order screens: upload with preview, background import with progress, history, mapping, list, detail."""
import io
import re
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs.models import Job, UploadedFile
from app.orders.importing import import_order_files
from app.orders.jobs import queue_import, run_import_job, store_upload
from app.orders.models import ImportBatch, Order, OrderHold
from tests.conftest import count
from tests.factories import RAKUTEN_HEADER, order_row, sample_files, table


def upload(client, files, channel='auto'):
    data = {'files': [(io.BytesIO(content), name) for name, content in files], 'channel': channel}
    return client.post('/orders/imports/new', data=data, content_type='multipart/form-data')


def confirm_token(page: str) -> tuple[str, str]:
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    channel = re.search(r'name="channel" type="hidden" value="([^"]+)"', page).group(1)
    return token, channel


@pytest.fixture
def tea(make_product):
    return make_product('00123', jan='4569951116179')


def test_upload_shows_a_preview_and_saves_nothing_until_confirmed(client, login, tea):
    login('clerk')
    files = [('rakuten.csv', table(RAKUTEN_HEADER, [order_row('P-1'), order_row('P-2', **{'SKU管理番号': 'x'}),
                                                    order_row('P-3', **{'個数': 'abc'})]))]
    page = upload(client, files)
    assert page.status_code == 200
    text = page.text
    assert 'Recognised format:' in text and '<strong>Rakuten</strong>' in text
    assert re.search(r'<strong>2</strong><span>new orders', text)
    assert re.search(r'<strong>1</strong><span>will be on hold', text)
    assert re.search(r'<strong>1</strong><span>rejected', text)
    assert 'P-1' in text and 'Unknown item code: x' in text
    assert '個数' in text and '<code>abc</code>' in text
    assert count(Order) == 0
    token, channel = confirm_token(text)
    response = client.post('/orders/imports/confirm', data={'token': token, 'channel': channel})
    batch = db.session.scalar(sa.select(ImportBatch))
    assert response.headers['Location'] == f'/orders/imports/{batch.id}'
    assert count(Order) == 2
    assert count(UploadedFile) == 0
    again = client.post('/orders/imports/confirm', data={'token': token, 'channel': channel})
    assert again.headers['Location'] == '/orders/imports/new'  # confirming twice imports nothing twice
    assert count(Order) == 2


def test_an_unreadable_upload_is_refused_with_the_reason(client, login):
    login('clerk')
    response = upload(client, [('bad.csv', b'\x82\xa0\xff\xfe\r\n')])
    assert response.status_code == 422
    assert 'bad.csv: cannot be decoded' in response.text
    assert count(UploadedFile) == 0


def test_a_clerk_working_in_japanese_reads_the_problems_and_a_refusal_in_japanese(client, login, tea):
    login('clerk', locale='ja')
    files = [('rakuten.csv', table(RAKUTEN_HEADER, [order_row('P-1'), order_row('P-2', **{'個数': 'abc'}),
                                                    order_row('P-3', **{'送付先郵便番号2': '001'})]))]
    page = upload(client, files).text
    assert '数量が整数ではありません' in page
    assert '郵便番号が 7 桁ではなく 6 桁です。表計算ソフトが先頭の 0 を落とした可能性があります' in page
    refused = upload(client, [('bad.csv', b'\x82\xa0\xff\xfe\r\n')])
    assert refused.status_code == 422
    assert 'bad.csv: UTF-8 としても CP932（Shift_JIS）としても読めません' in refused.text


def test_a_background_import_writes_its_problems_in_the_language_of_the_clerk_who_queued_it(make_user):
    clerk = make_user('clerk', locale='ja')
    token = store_upload([('r.csv', table(RAKUTEN_HEADER, [order_row('O-1'), order_row('O-2', **{'個数': '0'})]))],
                         actor=clerk)
    job = queue_import(token, 'rakuten', actor=clerk)
    broken = queue_import(store_upload([('b.csv', b'\xff\xfe\x00\x00')], actor=clerk), 'rakuten', actor=clerk)
    db.session.commit()
    run_import_job(job.id)
    run_import_job(broken.id)
    db.session.expire_all()
    batch = db.session.get(ImportBatch, db.session.get(Job, job.id).result['batch_id'])
    assert [(p['order'], p['message']) for p in batch.problems] == [('O-2', '数量は 1 以上にしてください')]
    assert 'UTF-8 としても CP932（Shift_JIS）としても読めません' in db.session.get(Job, broken.id).error


def test_yahoo_files_are_uploaded_together(client, login):
    login('clerk')
    files = sample_files()['yahoo']
    assert 'refused' in upload(client, files[:1]).text
    page = upload(client, files).text
    assert '<strong>Yahoo! Shopping</strong>' in page


def test_import_history_and_the_problems_download(client, login, tea):
    login('clerk')
    files = [('r.csv', table(RAKUTEN_HEADER, [order_row('H-1'), order_row('H-2', **{'個数': '二'})]))]
    import_order_files('rakuten', files)
    db.session.commit()
    batch = db.session.scalar(sa.select(ImportBatch))
    listing = client.get('/orders/imports', headers={'HX-Request': 'true'}).text
    assert listing.lstrip().startswith('<div id="imports-table">')
    assert 'r.csv' in listing
    assert 'r.csv' in client.get('/orders/imports?q=R.CSV').text
    assert 'r.csv' not in client.get('/orders/imports?q=r_csv').text  # _ is a character, not a wildcard
    detail = client.get(f'/orders/imports/{batch.id}').text
    assert batch.sha256 in detail
    batch.lines_created = 52340  # as a big morning file would have
    db.session.commit()
    assert '<strong>52,340</strong>' in client.get(f'/orders/imports/{batch.id}').text
    csv_text = client.get(f'/orders/imports/{batch.id}/problems.csv').data.decode('utf-8-sig')
    header, row = csv_text.splitlines()[:2]
    assert header == 'file,line,order,field,value,message'
    assert row.startswith('r.csv,4,H-2,個数,二,')


def test_the_import_page_leads_to_its_own_orders_and_to_those_of_them_still_on_hold(client, login, tea):
    login('clerk')
    import_order_files('rakuten', [('monday.csv', table(RAKUTEN_HEADER, [order_row('M-1', **{'SKU管理番号': 'zz'})]))])
    import_order_files('rakuten', [('tuesday.csv', table(RAKUTEN_HEADER, [
        order_row('T-1'), order_row('T-2', **{'SKU管理番号': 'zz'}), order_row('T-3', **{'コメント': '置き配希望'})]))])
    db.session.commit()
    tuesday = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.filenames == 'tuesday.csv'))
    detail = client.get(f'/orders/imports/{tuesday.id}').text
    created = re.search(r'<a class="card" href="([^"]+)"><strong>3</strong>', detail).group(1)
    still_held = re.search(r'<a class="card" href="([^"]+)"><strong>2</strong>', detail).group(1).replace('&amp;', '&')

    listed = client.get(created).text
    assert all(number in listed for number in ('T-1', 'T-2', 'T-3')) and 'M-1' not in listed
    assert f'Import {tuesday.id} ✕' in listed       # shown as a filter the clerk can take off
    held = client.get(still_held).text
    assert 'T-2' in held and 'T-3' in held and 'T-1' not in held and 'M-1' not in held
    everywhere = client.get('/orders/?hold=any', headers={'HX-Request': 'true'}).text
    assert re.search(r'On any hold <span class="count">3</span>', everywhere)
    assert 'M-1' in everywhere and 'T-1' not in everywhere
    assert 'value="release"' not in everywhere       # releasing needs one reason, not "any"


def test_mapping_an_unknown_code_on_the_screen_releases_its_orders(client, login, tea, make_product):
    login('clerk')
    make_product('T-9', jan='')
    import_order_files('rakuten', [('r.csv', table(RAKUTEN_HEADER, [order_row('M-1', **{'SKU管理番号': 'mall-7'})]))])
    db.session.commit()
    page = client.get('/orders/unmapped').text
    assert 'mall-7' in page
    fragment = client.post('/orders/unmapped', data={'channel': 'rakuten', 'item_code': 'mall-7',
                                                     'product_code': 'T-9'}, headers={'HX-Request': 'true'}).text
    assert 'mall-7 is now T-9: 1 order lines updated, 1 orders released.' in fragment
    assert 'Every item code is known.' in fragment
    assert db.session.scalar(sa.select(OrderHold.released_at)) is not None
    wrong = client.post('/orders/unmapped', data={'channel': 'rakuten', 'item_code': 'x', 'product_code': 'nope'},
                        headers={'HX-Request': 'true'}).text
    assert 'No product has the JAN or SKU &#34;nope&#34;.' in wrong


def test_order_list_searches_filters_and_order_detail_shows_everything(client, login, tea):
    login('clerk')
    rows = [order_row('L-1'), order_row('L-2', **{'送付先姓': '山田', '送付先名': '花子', 'SKU管理番号': 'zz',
                                                  'コメント': '午前中は不在です, 夕方にお願いします'})]
    import_order_files('rakuten', [('r.csv', table(RAKUTEN_HEADER, rows))])
    db.session.commit()
    orders = {o.external_order_id: o for o in db.session.scalars(sa.select(Order))}
    by_name = client.get('/orders/?q=山田', headers={'HX-Request': 'true'}).text
    assert 'L-2' in by_name and 'L-1' not in by_name
    by_number = client.get(f'/orders/?q={orders["L-1"].number}', headers={'HX-Request': 'true'}).text
    assert 'L-1' in by_number and 'L-2' not in by_number
    by_phone = client.get('/orders/?q=03-1234-5678', headers={'HX-Request': 'true'}).text
    assert 'L-1' in by_phone and 'L-2' in by_phone
    held = client.get('/orders/?hold=unknown_sku', headers={'HX-Request': 'true'}).text
    assert 'L-2' in held and 'L-1' not in held
    detail = client.get(f'/orders/{orders["L-2"].id}').text
    for expected in ('山田 花子 様', '〒060-0001', '午前中は不在です, 夕方にお願いします', '御祝', 'Unknown SKU',
                     'Unknown item code: zz'):
        assert expected in detail, expected


def test_a_clerk_releases_a_hold_on_the_order_page(client, login, tea):
    user = login('clerk')
    import_order_files('rakuten', [('r.csv', table(RAKUTEN_HEADER, [order_row('R-1', **{'SKU管理番号': 'zz'})]))])
    db.session.commit()
    hold = db.session.scalar(sa.select(OrderHold))
    client.post(f'/orders/{hold.order_id}/holds/{hold.id}/release', data={'note': '確認済み'})
    db.session.expire_all()
    hold = db.session.get(OrderHold, hold.id)
    assert (hold.released_by_id, hold.release_note) == (user.id, '確認済み')


def test_export_button_exports_the_current_search(client, login, tea):
    login('clerk')
    import_order_files('rakuten', [('r.csv', table(RAKUTEN_HEADER, [order_row('E-1'), order_row('E-2')]))])
    db.session.commit()
    text = client.get('/orders/export.csv?q=E-2').data.decode('utf-8-sig')
    assert 'E-2' in text and 'E-1' not in text


def test_a_large_file_is_imported_in_the_background_with_progress(app, client, login, tea, consumer, monkeypatch):
    monkeypatch.setitem(app.config, 'IMPORT_BACKGROUND_LINES', 5)
    from app.orders import address

    monkeypatch.setattr(address, '_known', {})  # the worker thread must read the postal data itself
    login('clerk')
    files = [('big.csv', table(RAKUTEN_HEADER, [order_row(f'B-{n}') for n in range(12)]))]
    preview = upload(client, files).text
    assert 'imported in the background' in preview
    token, channel = confirm_token(preview)
    response = client.post('/orders/imports/confirm', data={'token': token, 'channel': channel})
    job = db.session.scalar(sa.select(Job))
    assert response.headers['Location'] == f'/orders/imports/jobs/{job.id}'
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        fragment = client.get(f'/orders/imports/jobs/{job.id}', headers={'HX-Request': 'true'}).text
        if 'Done:' in fragment:
            break
        assert 'hx-trigger="every 1s"' in fragment  # still polling
        time.sleep(0.1)
    assert 'Done: 12 orders imported.' in fragment
    assert 'hx-trigger' not in fragment  # finished: polling stops
    assert count(Order) == 12
    assert count(UploadedFile) == 0
    db.session.expire_all()
    assert db.session.get(Job, job.id).result['orders_created'] == 12


def test_a_job_runs_once_and_a_failing_one_saves_nothing(make_user):
    clerk = make_user('clerk')
    token = store_upload([('r.csv', table(RAKUTEN_HEADER, [order_row('O-1')]))], actor=clerk)
    job = queue_import(token, 'rakuten', actor=clerk)
    db.session.commit()
    run_import_job(job.id)
    run_import_job(job.id)   # a message delivered twice
    assert count(Order) == 1
    broken = store_upload([('r.csv', b'\xff\xfe\x00\x00')], actor=clerk)
    failing = queue_import(broken, 'rakuten', actor=clerk)
    db.session.commit()
    run_import_job(failing.id)
    db.session.expire_all()
    failed = db.session.get(Job, failing.id)
    assert failed.status == 'failed'
    assert 'cannot be decoded' in failed.error
    assert count(Order) == 1


def test_an_import_whose_worker_was_killed_is_shown_failed_and_can_be_retried(client, login, make_user):
    """kill -9 of the consumer mid-import: the job stops beating, is seen as stalled, and runs again on its files."""
    import datetime as dt

    from app.database import utcnow
    from app.orders import jobs

    clerk = login('clerk')
    token = store_upload([('r.csv', table(RAKUTEN_HEADER, [order_row('K-1'), order_row('K-2')]))], actor=clerk)
    killed = queue_import(token, 'rakuten', actor=clerk)
    killed.status, killed.started_at = 'running', utcnow() - dt.timedelta(minutes=5)   # its worker died then
    alive = queue_import(token, 'rakuten', actor=clerk)
    alive.status, alive.started_at = 'running', utcnow() - dt.timedelta(minutes=5)
    db.session.commit()
    with jobs.Heartbeat(alive.id):   # a worker that still beats
        assert not jobs.stalled(alive)
        page = client.get(f'/orders/imports/jobs/{killed.id}', headers={'HX-Request': 'true'}).text
        assert 'The background worker stopped while this import ran' in page and 'hx-trigger' not in page
        assert 'Retry the import' in page
        assert jobs.fail_stalled_jobs() == 1   # the sweep, as the consumer runs it every minute
    db.session.commit()
    db.session.expire_all()
    assert (db.session.get(Job, killed.id).status, db.session.get(Job, alive.id).status) == ('failed', 'running')
    retried = client.post(f'/orders/imports/jobs/{killed.id}/retry')
    again = db.session.scalar(sa.select(Job).order_by(Job.id.desc()))
    assert retried.headers['Location'] == f'/orders/imports/jobs/{again.id}' and again.status == 'queued'
    run_import_job(again.id)
    assert count(Order) == 2


def test_an_upload_no_job_needs_is_deleted_after_a_week(make_user):
    import datetime as dt

    from app.database import utcnow
    from app.orders import jobs

    clerk = make_user('clerk')
    old = store_upload([('old.csv', b'x')], actor=clerk)
    waiting = store_upload([('waiting.csv', b'x')], actor=clerk)
    queue_import(waiting, 'rakuten', actor=clerk)
    db.session.execute(sa.update(UploadedFile).values(created_at=utcnow() - dt.timedelta(days=8)))
    db.session.commit()
    jobs.fail_stalled_jobs()
    db.session.commit()
    assert [f.token for f in db.session.scalars(sa.select(UploadedFile))] == [waiting]
    assert old != waiting


def test_a_large_upload_is_previewed_in_the_background_then_shown_as_the_preview(app, client, login, tea, consumer,
                                                                                   monkeypatch):
    monkeypatch.setitem(app.config, 'IMPORT_PREVIEW_BACKGROUND_BYTES', 1000)
    from app.orders import address

    monkeypatch.setattr(address, '_known', {})  # the worker thread must read the postal data itself
    login('clerk')
    files = [('big.csv', table(RAKUTEN_HEADER, [order_row(f'P-{n}') for n in range(25)]))]
    assert len(files[0][1]) > 1000
    response = upload(client, files)
    job = db.session.scalar(sa.select(Job))
    assert response.status_code == 303 and response.headers['Location'] == f'/orders/imports/jobs/{job.id}'
    assert job.kind == 'order_preview' and count(UploadedFile) == 1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        polled = client.get(f'/orders/imports/jobs/{job.id}', headers={'HX-Request': 'true'})
        if polled.headers.get('HX-Refresh') == 'true':
            break
        assert 'hx-trigger="every 1s"' in polled.text  # still reading: the fragment polls itself
        time.sleep(0.1)
    assert polled.headers.get('HX-Refresh') == 'true'   # done: the browser loads the page, now the preview
    preview = client.get(f'/orders/imports/jobs/{job.id}').text
    assert 'Preview: big.csv' in preview and 'Import 25 orders' in preview
    assert preview.count('<code>P-') == 20   # the first orders, as on a preview made in the request
    assert count(Order) == 0
    token, channel = confirm_token(preview)
    assert channel == 'rakuten'
    client.post('/orders/imports/confirm', data={'token': token, 'channel': channel})
    assert count(Order) == 25


def test_a_background_preview_of_a_file_that_cannot_be_read_says_why(app, client, login, consumer, monkeypatch):
    monkeypatch.setitem(app.config, 'IMPORT_PREVIEW_BACKGROUND_BYTES', 10)
    login('clerk')
    response = upload(client, [('broken.csv', b'not,an,order,file\n' * 10)])
    job_url = response.headers['Location']
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and 'hx-trigger' in (page := client.get(job_url).text):
        time.sleep(0.1)
    assert 'The files could not be read; nothing was saved.' in page
    assert 'Retry the preview' in page
    assert count(Order) == 0


def test_a_kept_preview_goes_with_its_upload(app, make_user):
    from app.database import utcnow
    from app.orders.jobs import PREVIEW, UPLOADS_KEPT, fail_stalled_jobs, queue_job

    clerk = make_user('clerk')
    job = queue_job(PREVIEW, store_upload([('r.csv', b'x')], actor=clerk), 'rakuten', actor=clerk)
    job.status, job.finished_at, job.result = 'done', utcnow() - UPLOADS_KEPT - UPLOADS_KEPT, {'shown': ['names']}
    db.session.commit()
    fail_stalled_jobs()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Job, job.id).result is None
