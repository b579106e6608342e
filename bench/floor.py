"""Warehouse floor: the pick list and shipping label PDFs, and packing-station scans under gunicorn, against floors.

Per database (a SQLite file; a throw-away PostgreSQL server from tests/pgserver.py, fsync off), a template is
made with Kura's own commands: ``flask db upgrade``, ``import-products`` (the 500 products of
bench/order_import.py, with JANs), ``import-stock`` (200 units each), ``import-orders --channel kura`` of 1,000
orders of exactly 3 lines (3,000 lines; card or cash on delivery, real postal codes, no comment, so the import
allocates every one), ``tracking add-range`` (Yamato) and ``pick create`` (one batch of the 1,000 orders); then
20 packers are created.  A second template has every order of the batch packed by scanning, in this process,
through ``open_packing()`` and ``scan()`` (1,000 shipments with tracking numbers).

- pick list: ``documents.pick_list_pdf(batch)`` of the 1,000-order batch, in-process, against a floor: plain
  reportlab drawing the same strings and Code128 barcodes (``reportlab.graphics.barcode``) on the same A4 pages
  from the already-built records, no database.  Also timed apart: ``pick_list_data()`` (the queries) and
  ``labels.pick_list()`` (the drawing).
- labels: ``documents.shipping_labels_pdf(shipments)`` of the 1,000 packed shipments (4x6 inch, one a page), in
  a fresh session, against the floor: plain reportlab drawing the same strings, NW-7 and Code128 (reportlab's
  ``Codabar`` and ``Code128``) on the same pages, from the records, no database.  Also apart:
  ``shipping_labels_data()`` of the 1,000 and ``labels.shipping_labels()`` of the records.
- scans: ``gunicorn -w 4 -k sync`` serving the application (CSRF off) on a fresh copy of the first template;
  20 clients, each logged in as its own packer at its own station (``POST /pack/`` with the station), scan
  their own orders as a station does (``POST /pack/scan`` with the order number, then each unit's JAN,
  ``HX-Request: true``), whole orders until at least 50 scans each, all at the same time.  Twice: at a
  packer's pace (a random 0.5 to 1.5 s between a station's answer and its next scan: a scan a second at every
  station, a fast packer; each station starts at a random moment of the first 1.5 s) and flat out (no pause,
  all starting together: the server saturated).  Before them, after a warm-up (every station scans 10 codes),
  one station alone scans 50 codes without a pause: the cost of a scan without contention.  Every answer must
  be a 200 with ``HX-Trigger: scanOk``; afterwards the database must hold exactly the scans sent, no error
  scans, a shipment (with its own tracking number) for every order whose units were all scanned.  Floor: the
  same 20 clients, same barrier and pace,
  ``GET /static/shop.css`` (gunicorn and Flask, no database); ``GET /healthz`` flat out for reference.

Goals (the issue): labels at most 2x the floor; pick list under 5 seconds; scan p99 under 50 ms.
"""
import contextlib
import csv
import datetime
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

from bench import DOCS, ROOT
from bench.order_import import (
    GIVEN_NAMES,
    SURNAMES,
    addresses,
    code_version,
    connect,
    dbapi_url,
    flask,
    products,
    server_version,
)
from bench.shop import Browser, gunicorn, machine, percentiles, write_section


TITLE = 'Warehouse floor'
FULL = {'orders': 1000, 'stations': 20, 'scans': 50}
QUICK = {'orders': 120, 'stations': 4, 'scans': 10}
LINES_PER_ORDER = 3
SCAN_WORKERS = 4
PACE = (0.5, 1.5)  # seconds between a station's answer and its next scan: a fast packer, a scan a second
TIME_LIMIT = 180.0  # seconds, for any one load loop; reaching it fails the run
SEED = 20251123
PASSWORD = 'kura-bench-packer-2026'
TRACKING = ('44441375870', '44441475869')  # 100,000 Yamato numbers
GOALS = {'labels_ratio': 2.0, 'pick_list_seconds': 5.0, 'scan_p99_ms': 50.0}
KURA_HEADER = ['order_id', 'ordered_at', 'buyer_name', 'buyer_kana', 'buyer_email', 'buyer_phone', 'ship_name',
               'ship_kana', 'ship_postal_code', 'ship_prefecture', 'ship_city', 'ship_address1', 'ship_address2',
               'ship_phone', 'payment_method', 'shipping_fee', 'cod_fee', 'delivery_date', 'delivery_time_slot',
               'gift_wrap', 'noshi', 'comment', 'sku', 'jan', 'item_name', 'option_text', 'quantity', 'unit_price',
               'tax_rate']


# ---------------------------------------------------------------------------------------------- the data

def order_rows(orders: int) -> list[dict]:
    """Kura order CSV rows: `orders` orders of exactly 3 different products, from a fixed seed."""
    rng = random.Random(SEED)
    catalogue, places = products(), addresses()
    buildings = ['', '', 'コーポ髙橋 203', '㈱﨑山商事ビル 3F', 'グランメゾン②-101']
    rows = []
    for n in range(1, orders + 1):
        (sei, sei_kana), (mei, mei_kana) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        code, prefecture, city, town = rng.choice(places)
        cod = rng.random() < 0.3
        phone = f'090-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}'
        order = {'order_id': f'FL-{n:06d}', 'ordered_at': f'2026-11-{1 + n * 20 // orders:02d}T10:{n % 60:02d}:00',
                 'buyer_name': f'{sei} {mei}', 'buyer_kana': f'{sei_kana} {mei_kana}',
                 'buyer_email': f'floor{n}@example.jp', 'buyer_phone': phone, 'ship_name': f'{sei} {mei}',
                 'ship_kana': f'{sei_kana} {mei_kana}', 'ship_postal_code': code, 'ship_prefecture': prefecture,
                 'ship_city': city, 'ship_address1': f'{town}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}－'
                                                     f'{rng.randint(1, 20)}',
                 'ship_address2': rng.choice(buildings), 'ship_phone': phone,
                 'payment_method': 'cod' if cod else 'card',
                 'shipping_fee': '550', 'cod_fee': '330' if cod else '0', 'delivery_date': '',
                 'delivery_time_slot': rng.choice(['', '午前中', '14-16', '18-20']), 'gift_wrap': '', 'noshi': '',
                 'comment': ''}
        for product in rng.sample(catalogue, LINES_PER_ORDER):
            rows.append(order | {'sku': product['sku'], 'jan': product['jan'], 'item_name': product['name'],
                                 'option_text': '', 'quantity': str(rng.choices([1, 2, 3], weights=[75, 20, 5])[0]),
                                 'unit_price': str(product['price']), 'tax_rate': str(product['tax_rate'])})
    return rows


def write_csv(path: Path, rows: list[dict], fieldnames=None) -> Path:
    with path.open('w', encoding='utf-8', newline='') as out:
        writer = csv.DictWriter(out, fieldnames=fieldnames or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def bench_app(url: str):
    """The application on `url`, in this process (KURA_INSTANCE_PATH is set by the caller)."""
    from app import create_app
    from app.config import database_url

    return create_app({'SQLALCHEMY_DATABASE_URI': database_url(url), 'CLI_LOCALE': 'ja', 'WTF_CSRF_ENABLED': False})


def dispose(app) -> None:
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def prepare(url: str, workdir: Path, size: dict) -> dict:
    """The first template: products, stock, 1,000 allocated orders in one pick batch, a tracking range, packers."""
    catalogue = products()
    stock = [{'sku': p['sku'], 'location': f'A-{i // 100 + 1:02d}-{i % 100 // 10 + 1:02d}-{i % 10 + 1}',
              'quantity': 200} for i, p in enumerate(catalogue)]
    flask('db', 'upgrade', url=url, instance=workdir)
    flask('import-products', str(write_csv(workdir / 'products.csv', catalogue)), url=url, instance=workdir)
    flask('import-stock', str(write_csv(workdir / 'stock.csv', stock)), url=url, instance=workdir)
    orders = write_csv(workdir / 'orders.csv', order_rows(size['orders']), KURA_HEADER)
    imported = json.loads(flask('import-orders', '--channel', 'kura', str(orders), '--json', url=url,
                                instance=workdir).strip().splitlines()[-1])
    flask('tracking', 'add-range', '--carrier', 'yamato', *TRACKING, url=url, instance=workdir)
    batch = json.loads(flask('pick', 'create', '--json', url=url, instance=workdir).strip().splitlines()[-1])
    wanted = {'orders': size['orders'], 'lines': size['orders'] * LINES_PER_ORDER}
    if (batch['orders'], batch['lines']) != (wanted['orders'], wanted['lines']):
        raise RuntimeError(f'the pick batch has {batch}, expected {wanted}; the import said {imported}')
    app = bench_app(url)
    try:
        from app.accounts.services import create_user
        from app.extensions import db

        with app.app_context():
            for n in range(1, size['stations'] + 1):
                create_user(f'packer{n}@kura.example', f'梱包係 {n}', PASSWORD, 'packer', locale='ja')
            db.session.commit()
    finally:
        dispose(app)
    return {'batch': batch['batch'], **wanted}


def pack_everything(url: str) -> dict:
    """Pack every order of the batch by scanning, in this process: (orders packed, scans, seconds)."""
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.extensions import db
    from app.fulfilment import services
    from app.orders.models import Order

    app = bench_app(url)
    try:
        with app.app_context():
            packer = db.session.scalar(sa.select(User).where(User.email == 'packer1@kura.example'))
            orders = db.session.scalars(sa.select(Order).where(Order.status == 'picking').order_by(Order.id)).all()
            plan = [(o.number, [line.product.jan for line in o.lines for _ in range(line.quantity)]) for o in orders]
            db.session.commit()
            scans, started = 0, time.perf_counter()
            for number, jans in plan:
                outcome = services.open_packing(number, station='bench', actor=packer)
                for jan in jans:
                    outcome = services.scan(outcome.session, jan, actor=packer)
                    if not outcome.ok:
                        raise RuntimeError(f'{number}: {outcome.message}')
                scans += 1 + len(jans)
                if outcome.shipment is None:
                    raise RuntimeError(f'{number} was not packed after its {len(jans)} units')
                db.session.commit()
            return {'orders': len(plan), 'scans': scans, 'seconds': time.perf_counter() - started}
    finally:
        dispose(app)


@contextlib.contextmanager
def sqlite_databases(workdir: Path, size: dict):
    """Yield (meta, fresh): fresh('picking' or 'packed') gives the URL of a new copy of that template."""
    templates = {name: workdir / f'{name}.db' for name in ('picking', 'packed')}
    meta = prepare(f'sqlite:///{templates["picking"]}', workdir, size)
    checkpoint(templates['picking'])
    shutil.copyfile(templates['picking'], templates['packed'])
    meta['packing'] = pack_everything(f'sqlite:///{templates["packed"]}')
    checkpoint(templates['packed'])

    @contextlib.contextmanager
    def fresh(name: str):
        path = workdir / 'run.db'
        shutil.copyfile(templates[name], path)
        try:
            yield f'sqlite:///{path}'
        finally:
            for leftover in workdir.glob('run.db*'):
                leftover.unlink()
    yield meta, fresh


def checkpoint(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute('PRAGMA wal_checkpoint(TRUNCATE)')


@contextlib.contextmanager
def postgresql_databases(workdir: Path, size: dict):
    import psycopg

    from tests.pgserver import postgresql_server

    with postgresql_server() as url:
        base, picking = url.rsplit('/', 1)
        meta = prepare(url, workdir, size)

        def copy(template: str, name: str) -> None:
            with psycopg.connect(dbapi_url(f'{base}/postgres'), autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE {name} TEMPLATE {template}')

        copy(picking, 'bench_packed')
        meta['packing'] = pack_everything(f'{base}/bench_packed')
        templates = {'picking': picking, 'packed': 'bench_packed'}

        @contextlib.contextmanager
        def fresh(name: str):
            copy(templates[name], 'bench_run')
            try:
                yield f'{base}/bench_run'
            finally:
                with psycopg.connect(dbapi_url(f'{base}/postgres'), autocommit=True) as admin:
                    admin.execute('DROP DATABASE bench_run')
        yield meta, fresh


DATABASES = {'SQLite': sqlite_databases, 'PostgreSQL': postgresql_databases}


# ---------------------------------------------------------------------------------------------- floors

@contextlib.contextmanager
def plain_canvas(pagesize):
    """A reportlab canvas as the documents make theirs (invariant, compressed, no ASCII85), and its buffer."""
    from reportlab import rl_config
    from reportlab.pdfgen.canvas import Canvas

    from labels.fonts import japanese_font

    buf = BytesIO()
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        canvas = Canvas(buf, pagesize=pagesize, invariant=1, pageCompression=1, initialFontName=japanese_font())
        yield canvas, buf
        canvas.save()
    finally:
        rl_config.useA85 = a85


def labels_floor(records) -> bytes:
    """The 1,000 labels' strings and barcodes on 4x6 inch pages with plain reportlab: no layout logic, no database."""
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.graphics.barcode.common import Codabar
    from reportlab.lib.units import inch, mm

    from importers.codes import formatted_tracking
    from labels.fonts import japanese_font

    font, width, height = japanese_font(), 4 * inch, 6 * inch
    left, right, top = 4 * mm, width - 4 * mm, height - 4 * mm
    with plain_canvas((width, height)) as (c, buf):
        def text(x, y, value, size, how=None):
            c.setFont(font, size)
            (how or c.drawString)(x, y, value)

        for label in records:
            c.setLineWidth(0.6)
            text(left, top - 5 * mm, f'{label.carrier_name} {label.service}', 13)
            text(right, top - 4 * mm, f'出荷日 {label.ship_date:%Y/%m/%d}', 8, c.drawRightString)
            c.line(left, top - 7 * mm, right, top - 7 * mm)
            text(left, top - 10 * mm, 'お問合せ伝票番号', 7)
            text(width / 2, top - 17.5 * mm, formatted_tracking(label.tracking_number), 22, c.drawCentredString)
            bars = Codabar(f'A{label.tracking_number}A', barWidth=0.375 * mm, ratio=3.0, barHeight=13 * mm, quiet=1,
                           lquiet=3.75 * mm, rquiet=3.75 * mm, checksum=0, bearers=0, humanReadable=0)
            bars.drawOn(c, (width - bars.width) / 2, top - 32.5 * mm)
            c.line(left, top - 33 * mm, right, top - 33 * mm)
            ship_to = label.ship_to
            text(left, top - 36 * mm, 'お届け先', 7)
            text(left, top - 42.5 * mm, f'〒{ship_to.postal_code[:3]}-{ship_to.postal_code[3:]}', 16)
            text(left, top - 47 * mm, f'{ship_to.prefecture}{ship_to.city}{ship_to.address1}', 11)
            if ship_to.address2:
                text(left, top - 51.5 * mm, ship_to.address2, 11)
            text(left, top - 66.5 * mm, f'{ship_to.name} 様', 18)
            text(left, top - 72.5 * mm, f'TEL {ship_to.phone}', 10)
            c.line(left, top - 75 * mm, right, top - 75 * mm)
            text(left, top - 78 * mm, 'お届け指定日', 7)
            day = label.delivery_date
            text(left, top - 83.6 * mm, f'{day.year}年{day.month}月{day.day}日' if day else '指定なし', 11)
            text(left + 55 * mm, top - 78 * mm, '時間帯', 7)
            text(left + 55 * mm, top - 83.6 * mm, label.time_slot or '指定なし', 11)
            c.line(left, top - 86 * mm, right, top - 86 * mm)
            y = top - 86 * mm
            if label.cod_amount:
                c.rect(left, y - 10 * mm, right - left, 9 * mm, stroke=0, fill=1)
                c.setFillGray(1)
                text(width / 2, y - 7.6 * mm, f'代金引換 ¥{label.cod_amount:,}', 17, c.drawCentredString)
                c.setFillGray(0)
                y -= 11 * mm
            text(left, y - 3 * mm, f'品名 (計{sum(item.quantity for item in label.items)}点)', 7)
            for n, item in enumerate(label.items):
                text(left + 2 * mm, y - 6.6 * mm - n * 3.6 * mm, f'{item.name} ×{item.quantity}', 8)
            sender = label.sender
            c.line(left, 31 * mm, right, 31 * mm)
            text(left, 28 * mm, 'ご依頼主', 7)
            text(left, 24.8 * mm, f'〒{sender.postal_code[:3]}-{sender.postal_code[3:]} {sender.prefecture}'
                                  f'{sender.city}{sender.address1}', 7.5)
            text(left, 18.4 * mm, f'{sender.name}  TEL {sender.phone}', 8.5)
            c.line(left, 17 * mm, right, 17 * mm)
            text(left, 13.2 * mm, 'ご注文番号', 7)
            text(left, 7.5 * mm, label.order_number, 11)
            bars = Code128(label.order_number, barWidth=0.25 * mm, barHeight=10 * mm, quiet=1, lquiet=2.5 * mm,
                           rquiet=2.5 * mm, humanReadable=0)
            bars.drawOn(c, right - bars.width, 5 * mm)
            c.showPage()
    return buf.getvalue()


def pick_list_floor(pick) -> bytes:
    """The pick list's strings and Code128s on A4 pages with plain reportlab: fixed rows, no database."""
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    from labels.fonts import japanese_font

    font, (width, height) = japanese_font(), A4
    left, right, top, bottom = 10 * mm, width - 10 * mm, height - 10 * mm, 14 * mm
    with plain_canvas(A4) as (c, buf):
        def text(x, y, value, size, how=None):
            c.setFont(font, size)
            (how or c.drawString)(x, y, value)

        page = [0]

        def new_page() -> float:
            if page[0]:
                c.showPage()
            page[0] += 1
            text(left, top - 6 * mm, 'ピッキングリスト', 15)
            text(left, top - 13 * mm, f'バッチ {pick.batch_code}', 11)
            text(left, top - 18.5 * mm, f'作成 {pick.created_at:%Y-%m-%d %H:%M}', 8)
            text(right, top - 6 * mm, f'{page[0]}', 14, c.drawRightString)
            Code128(pick.batch_code, barWidth=0.25 * mm, barHeight=11 * mm, quiet=1, lquiet=2.5 * mm,
                    rquiet=2.5 * mm, humanReadable=0).drawOn(c, right - 80 * mm, top - 20 * mm)
            c.line(left, top - 22 * mm, right, top - 22 * mm)
            text(right, 10 * mm, f'{pick.batch_code}  {page[0]}', 7, c.drawRightString)
            return top - 24 * mm

        y = new_page()
        for item in pick.totals:
            if y - 6.2 * mm < bottom:
                y = new_page()
            base = y - 4.3 * mm
            c.rect(left + 1.5 * mm, base, 3.4 * mm, 3.4 * mm)
            for x, value, size in ((7, item.location, 10), (33, item.sku, 8.5), (68, item.jan, 8.5),
                                   (98, item.name, 9)):
                text(left + x * mm, base, value, size)
            text(right - 1.5 * mm, base, f'{item.quantity:,}', 11, c.drawRightString)
            c.line(left, y - 6.2 * mm, right, y - 6.2 * mm)
            y -= 6.2 * mm
        y = new_page()
        for index, order in enumerate(pick.orders, start=1):
            if y - 15 * mm - len(order.items) * 5.6 * mm < bottom:
                y = new_page()
            c.line(left, y, right, y)
            bars = Code128(order.order_number, barWidth=0.25 * mm, barHeight=10 * mm, quiet=1, lquiet=2.5 * mm,
                           rquiet=2.5 * mm, humanReadable=0)
            bars.drawOn(c, right - bars.width, y - 12 * mm)
            text(left, y - 6.2 * mm, f'{index}. {order.order_number}', 13)
            text(left, y - 11.8 * mm, f'{order.ship_name} 様    {len(order.items)}品目', 9)
            y -= 15 * mm
            for item in order.items:
                base = y - 3.9 * mm
                c.rect(left + 4 * mm, base, 3.2 * mm, 3.2 * mm)
                for x, value, size in ((11, item.location, 9), (37, item.sku, 8.5), (72, item.name, 9)):
                    text(left + x * mm, base, value, size)
                text(right - 1.5 * mm, base, f'×{item.quantity:,}', 10.5, c.drawRightString)
                c.line(left + 4 * mm, y - 5.6 * mm, right, y - 5.6 * mm)
                y -= 5.6 * mm
            y -= 3 * mm
        c.showPage()
    return buf.getvalue()


def pages(pdf: bytes) -> int:
    if not pdf.startswith(b'%PDF'):
        raise RuntimeError('not a PDF')
    return len(re.findall(rb'/Type /Page\b', pdf))


# ---------------------------------------------------------------------------------------------- documents

def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def documents_run(app, batch_code: str, packed: bool) -> dict:
    """One run of the pick list (on the picking database) or the labels (on the packed one), with floors."""
    import sqlalchemy as sa

    import labels
    from app.extensions import db
    from app.fulfilment import documents, services
    from app.fulfilment.models import PickBatch, Shipment

    result = {}
    with app.app_context():
        if not packed:
            batch = db.session.scalar(sa.select(PickBatch).where(PickBatch.code == batch_code))
            seconds, pdf = timed(lambda: documents.pick_list_pdf(batch))
            result['pick_list'] = {'seconds': seconds, 'pages': pages(pdf), 'bytes': len(pdf)}
            db.session.remove()
            batch = db.session.scalar(sa.select(PickBatch).where(PickBatch.code == batch_code))
            result['pick_list_data'], pick = timed(lambda: services.pick_list_data(batch))
            result['pick_list_drawing'], _ = timed(lambda: labels.pick_list(pick))
            seconds, pdf = timed(lambda: pick_list_floor(pick))
            result['pick_list_floor'] = {'seconds': seconds, 'pages': pages(pdf), 'bytes': len(pdf)}
            return result
        shipments = db.session.scalars(sa.select(Shipment).order_by(Shipment.id)).all()
        seconds, pdf = timed(lambda: documents.shipping_labels_pdf(shipments))
        result['labels'] = {'seconds': seconds, 'pages': pages(pdf), 'bytes': len(pdf)}
        db.session.remove()
        shipments = db.session.scalars(sa.select(Shipment).order_by(Shipment.id)).all()
        result['labels_data'], records = timed(lambda: documents.shipping_labels_data(shipments))
        result['labels_drawing'], _ = timed(lambda: labels.shipping_labels(records))
        seconds, pdf = timed(lambda: labels_floor(records))
        result['labels_floor'] = {'seconds': seconds, 'pages': pages(pdf), 'bytes': len(pdf)}
        db.session.remove()
    return result


def measure_documents(meta: dict, fresh, runs: int) -> list[dict]:
    results = []
    for kind in ('picking', 'packed'):
        with fresh(kind) as url:
            app = bench_app(url)
            try:
                documents_run(app, meta['batch'], kind == 'packed')  # warm-up: the font, the templates, the pool
                for run in range(1, runs + 1):
                    r = documents_run(app, meta['batch'], kind == 'packed')
                    if kind == 'picking':
                        results.append(r)
                    else:
                        results[run - 1].update(r)
            finally:
                dispose(app)
    for run, r in enumerate(results, start=1):
        print(f'  run {run}: pick list {r["pick_list"]["seconds"]:.2f} s ({r["pick_list"]["pages"]} pages; data '
              f'{r["pick_list_data"]:.2f} s, drawing {r["pick_list_drawing"]:.2f} s; floor '
              f'{r["pick_list_floor"]["seconds"]:.2f} s), labels {r["labels"]["seconds"]:.2f} s '
              f'({r["labels"]["pages"]} pages; data {r["labels_data"]:.2f} s, drawing {r["labels_drawing"]:.2f} s; '
              f'floor {r["labels_floor"]["seconds"]:.2f} s)', flush=True)
    return results


# ---------------------------------------------------------------------------------------------- scans

def station_plans(url: str, size: dict) -> dict[str, list[list[str]]]:
    """Per way of scanning (a warm-up, one station alone, paced, flat out), per station, its codes: order numbers and
    units' JANs, whole orders until there are at least `size['scans']` of them (a fifth for the warm-up).  The
    orders are dealt out to the stations in turn; no order is in two plans.  A plan ends with a whole order: the
    station refuses another order's barcode while one is half packed, as a packer's would.
    """
    with contextlib.closing(connect(url)) as conn:
        rows = conn.execute('SELECT o.id, l.quantity, p.jan FROM orders o JOIN order_lines l ON l.order_id = o.id '
                            "JOIN products p ON p.id = l.product_id WHERE o.status = 'picking' "
                            'ORDER BY o.id, l.line_no').fetchall()
    units: dict[int, list[str]] = {}
    for order_id, quantity, jan in rows:
        units.setdefault(order_id, []).extend([jan] * quantity)
    queue = list(units.items())
    plans = {}
    every = size['stations']
    for name, stations, scans in (('warm', every, size['scans'] // 5), ('alone', 1, size['scans']),
                                  ('paced', every, size['scans']), ('flat', every, size['scans'])):
        plan = [[] for _ in range(stations)]
        for station in range(stations):
            while len(plan[station]) < scans:
                order_id, jans = queue.pop(0)
                plan[station] += [f'K{order_id:08d}', *jans]
        plans[name] = plan
    return plans


def log_in_stations(port: int, stations: int) -> list[Browser]:
    browsers = []
    for n in range(1, stations + 1):
        browser = Browser(port)
        first, status, _, _, _ = browser.go('POST', '/login', {'email': f'packer{n}@kura.example',
                                                              'password': PASSWORD})
        if first != 302:
            raise RuntimeError(f'packer{n} could not log in ({first})')
        first, status, text, _, _ = browser.go('POST', '/pack/', {'station': f'梱包{n}'})
        if (first, status) != (302, 200) or f'梱包{n}' not in text:
            raise RuntimeError(f'station {n} not set ({first} -> {status})')
        browsers.append(browser)
    return browsers


def stations_load(browsers: list[Browser], requests, *, pace: tuple[float, float] | None, seed: int) -> dict:
    """Every browser sends its own requests, one after the other; bounded by TIME_LIMIT.

    Flat out (no `pace`) they all start together.  At a pace, each waits a random time from `pace` after each
    answer, and starts at a random moment of its first `pace[1]` seconds, as stations already at work would.
    :param requests: per browser, a list of (method, path, form, check); check(status, headers, text) says what
        is wrong with an answer, or ''
    """
    latencies: list[float] = []
    failures: list[str] = []
    barrier = threading.Barrier(len(browsers))
    deadline = [0.0]

    def station(n):
        rng = random.Random(seed + n)
        barrier.wait()
        if pace:
            time.sleep(rng.uniform(0, pace[1]))
        for method, path, form, check in requests[n]:
            if failures or time.perf_counter() > deadline[0]:
                return
            status, headers, text, seconds = browsers[n].send(method, path, form, {'HX-Request': 'true'})
            latencies.append(seconds)
            problem = check(status, headers, text)
            if problem:
                failures.append(f'station {n + 1}, {path} {form}: {problem}')
                return
            if pace:
                time.sleep(rng.uniform(*pace))

    threads = [threading.Thread(target=station, args=(n,)) for n in range(len(browsers))]
    deadline[0] = time.perf_counter() + TIME_LIMIT
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise RuntimeError(f'{len(failures)} failed, the first: {failures[0]}')
    wanted = sum(len(r) for r in requests)
    if len(latencies) != wanted:
        raise RuntimeError(f'only {len(latencies)} of {wanted} requests within {TIME_LIMIT:g} s')
    return {'requests': len(latencies), 'seconds': wall, 'rps': len(latencies) / wall, **percentiles(latencies)}


def scan_ok(status, headers, text) -> str:
    if status != 200 or headers.get('HX-Trigger') != 'scanOk':
        start = text.find('scan-result')
        return f'{status} {headers.get("HX-Trigger")}: {text[start:start + 400] if start >= 0 else text[:400]}'
    return ''


def static_ok(status, headers, text) -> str:
    return '' if status == 200 and '{' in text else f'{status}'


def healthz_ok(status, headers, text) -> str:
    return '' if status == 200 and '"ok"' in text else f'{status} {text[:200]}'


def scan_run(url: str, workdir: Path, size: dict, run: int) -> dict:
    plans = station_plans(url, size)
    with gunicorn('bench.shop:server_app()', url=url, instance=workdir, workers=SCAN_WORKERS,
                  log=workdir / 'gunicorn.log') as port:
        browsers = log_in_stations(port, size['stations'])
        static = [[('GET', '/static/shop.css', None, static_ok)] * size['scans'] for _ in browsers]
        healthz = [[('GET', '/healthz', None, healthz_ok)] * max(10, size['scans'] // 2) for _ in browsers]

        def scans(name):
            return [[('POST', '/pack/scan', {'code': code}, scan_ok) for code in codes] for codes in plans[name]]

        # warm-up: every worker has loaded the application, compiled its templates and its statements
        stations_load(browsers, scans('warm'), pace=None, seed=SEED)
        result = {'scan_alone': stations_load(browsers[:1], scans('alone'), pace=None, seed=SEED),
                  'floor_flat': stations_load(browsers, static, pace=None, seed=SEED),
                  'healthz_flat': stations_load(browsers, healthz, pace=None, seed=SEED),
                  'floor_paced': stations_load(browsers, [r[:max(10, size['scans'] * 2 // 5)] for r in static],
                                               pace=PACE, seed=SEED + run),
                  'scan_paced': stations_load(browsers, scans('paced'), pace=PACE, seed=SEED + run),
                  'scan_flat': stations_load(browsers, scans('flat'), pace=None, seed=SEED + run)}
    result['database'] = verify_scans(url, plans)
    return result


def verify_scans(url: str, plans) -> dict:
    """Every scan recorded as sent, none an error; every order whose units were all scanned packed, once."""
    sent = sum(len(codes) for plan in plans.values() for codes in plan)
    orders = {code for plan in plans.values() for codes in plan for code in codes if code.startswith('K')}
    with contextlib.closing(connect(url)) as conn:
        results = dict(conn.execute('SELECT result, count(*) FROM scan_events GROUP BY result').fetchall())
        shipments = conn.execute('SELECT count(*), count(DISTINCT tracking_number) FROM shipments').fetchone()
        packed = conn.execute("SELECT count(*) FROM orders WHERE status = 'packed'").fetchone()[0]
        open_sessions = conn.execute("SELECT count(*) FROM packing_sessions WHERE status = 'open'").fetchone()[0]
    if set(results) - {'order', 'ok'} or sum(results.values()) != sent or results.get('order') != len(orders):
        raise RuntimeError(f'scan events {results}; {sent} scans of {len(orders)} orders were sent')
    if not (shipments[0] == shipments[1] == packed == len(orders) - open_sessions):
        raise RuntimeError(f'shipments {shipments}, packed {packed}, open sessions {open_sessions}, '
                           f'{len(orders)} orders scanned')
    return {'scans': sent, 'orders_opened': len(orders), 'packed': packed}


def measure_scans(fresh, workdir: Path, size: dict, runs: int) -> list[dict]:
    results = []
    for run in range(1, runs + 1):
        with fresh('picking') as url:
            r = scan_run(url, workdir, size, run)
        results.append(r)
        print(f'  run {run}: ' + ', '.join(
            f'{k} p50 {r[k]["p50"]:.1f} ms p99 {r[k]["p99"]:.1f} ms ({r[k]["rps"]:.0f}/s)'
            for k in ('scan_alone', 'floor_paced', 'scan_paced', 'floor_flat', 'scan_flat', 'healthz_flat'))
              + f'; {r["database"]["packed"]} orders packed', flush=True)
    return results


# ---------------------------------------------------------------------------------------------- report

@contextlib.contextmanager
def instance_path(path: Path):
    """KURA_INSTANCE_PATH for the applications made in this process, put back as it was afterwards."""
    before = os.environ.get('KURA_INSTANCE_PATH')
    os.environ['KURA_INSTANCE_PATH'] = str(path)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop('KURA_INSTANCE_PATH', None)
        else:
            os.environ['KURA_INSTANCE_PATH'] = before


def measure(name: str, runs: int, size: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix='kura-bench-floor-') as tmp, instance_path(Path(tmp)):
        workdir = Path(tmp)
        started = time.perf_counter()
        with DATABASES[name](workdir, size) as (meta, fresh):
            print(f'  prepared in {time.perf_counter() - started:.0f} s: batch {meta["batch"]}, {meta["orders"]} '
                  f'orders, {meta["lines"]} lines; packed in-process in {meta["packing"]["seconds"]:.1f} s '
                  f'({meta["packing"]["scans"]} scans)', flush=True)
            documents = measure_documents(meta, fresh, runs)
            scans = measure_scans(fresh, workdir, size, runs)
            with fresh('picking') as url:
                version = server_version(url)
    return {'meta': meta, 'documents': documents, 'scans': scans, 'version': version}


def summarise(r: dict) -> dict:
    docs, scans = r['documents'], r['scans']

    def med(values):
        return statistics.median(values)

    s = {
        'pick_list': med(d['pick_list']['seconds'] for d in docs),
        'pick_list_data': med(d['pick_list_data'] for d in docs),
        'pick_list_drawing': med(d['pick_list_drawing'] for d in docs),
        'pick_list_floor': med(d['pick_list_floor']['seconds'] for d in docs),
        'pick_list_ratio': med(d['pick_list']['seconds'] / d['pick_list_floor']['seconds'] for d in docs),
        'pick_list_pages': docs[0]['pick_list']['pages'], 'pick_list_floor_pages': docs[0]['pick_list_floor']['pages'],
        'pick_list_mib': docs[0]['pick_list']['bytes'] / 2**20,
        'labels': med(d['labels']['seconds'] for d in docs),
        'labels_data': med(d['labels_data'] for d in docs),
        'labels_drawing': med(d['labels_drawing'] for d in docs),
        'labels_floor': med(d['labels_floor']['seconds'] for d in docs),
        'labels_ratio': med(d['labels']['seconds'] / d['labels_floor']['seconds'] for d in docs),
        'labels_drawing_ratio': med(d['labels_drawing'] / d['labels_floor']['seconds'] for d in docs),
        'labels_pages': docs[0]['labels']['pages'], 'labels_mib': docs[0]['labels']['bytes'] / 2**20,
        'labels_floor_pages': docs[0]['labels_floor']['pages'],
        'labels_floor_mib': docs[0]['labels_floor']['bytes'] / 2**20,
    }
    for key in ('scan_alone', 'floor_paced', 'scan_paced', 'floor_flat', 'scan_flat', 'healthz_flat'):
        s[key] = {f: med(run[key][f] for run in scans) for f in ('p50', 'p95', 'p99', 'rps')}
    for mode in ('paced', 'flat'):
        s[f'scan_{mode}']['p50_ratio'] = med(run[f'scan_{mode}']['p50'] / run[f'floor_{mode}']['p50'] for run in scans)
    return s


def verdict(ok: bool) -> str:
    return 'met' if ok else '**not met**'


def goals(results: dict) -> list[str]:
    items = []
    for name, r in results.items():
        s = r['summary']
        items += [
            f'{name}: labels at most {GOALS["labels_ratio"]:g}x the floor: '
            f'{verdict(s["labels_ratio"] <= GOALS["labels_ratio"])} ({s["labels_ratio"]:.2f}x; the drawing alone '
            f'{s["labels_drawing_ratio"]:.2f}x).',
            f'{name}: pick list under {GOALS["pick_list_seconds"]:g} s: '
            f'{verdict(s["pick_list"] < GOALS["pick_list_seconds"])} ({s["pick_list"]:.2f} s).',
            f'{name}: scan p99 under {GOALS["scan_p99_ms"]:g} ms, 20 stations at a packer\'s pace (the bounded '
            f'load the goal is set for): {verdict(s["scan_paced"]["p99"] < GOALS["scan_p99_ms"])} '
            f'({s["scan_paced"]["p99"]:.0f} ms). For reference, flat out (the server saturated, beyond that load): '
            f'p99 {s["scan_flat"]["p99"]:.0f} ms.',
        ]
    return items


def tables(results: dict) -> tuple[str, str]:
    docs = ['| Database | Document | Kura (median) | queries / drawing | plain reportlab floor | ratio | '
            'pages (floor), size |',
            '|---|---|---:|---:|---:|---:|---:|']
    scans = ['| Database | Requests | p50 | p95 | p99 | Requests/s | p50 ÷ floor p50 |',
             '|---|---|---:|---:|---:|---:|---:|']
    for name, r in results.items():
        s = r['summary']
        docs.append(f'| {name} | pick list, {r["meta"]["orders"]:,} orders / {r["meta"]["lines"]:,} lines | '
                    f'{s["pick_list"]:.2f} s | {s["pick_list_data"]:.2f} s / {s["pick_list_drawing"]:.2f} s | '
                    f'{s["pick_list_floor"]:.2f} s | {s["pick_list_ratio"]:.2f} | {s["pick_list_pages"]} pages '
                    f'({s["pick_list_floor_pages"]}), '
                    f'{s["pick_list_mib"]:.1f} MiB |')
        docs.append(f'| {name} | {s["labels_pages"]:,} shipping labels, 4x6 | {s["labels"]:.2f} s | '
                    f'{s["labels_data"]:.2f} s / {s["labels_drawing"]:.2f} s | {s["labels_floor"]:.2f} s | '
                    f'{s["labels_ratio"]:.2f} | {s["labels_pages"]:,} pages ({s["labels_floor_pages"]:,}), '
                    f'{s["labels_mib"]:.1f} MiB |')
        labels = {'scan_alone': 'scans, one station alone: `POST /pack/scan`',
                  'floor_paced': 'floor, at a packer\'s pace: `GET /static/shop.css`',
                  'scan_paced': '**scans, at a packer\'s pace**: `POST /pack/scan`',
                  'floor_flat': 'floor, flat out: `GET /static/shop.css`',
                  'scan_flat': '**scans, flat out**: `POST /pack/scan`',
                  'healthz_flat': '`GET /healthz`, flat out (reference)'}
        for key, label in labels.items():
            e = s[key]
            ratio = f'{e["p50_ratio"]:.1f}' if 'p50_ratio' in e else ''
            scans.append(f'| {name} | {label} | {e["p50"]:.1f} ms | {e["p95"]:.1f} ms | {e["p99"]:.1f} ms | '
                         f'{e["rps"]:.0f} | {ratio} |')
    return '\n'.join(docs), '\n'.join(scans)


def section(results: dict, runs: int, size: dict, code: str, load: float) -> str:
    versions = ' and '.join(f'{name} {r["version"]}' for name, r in results.items())
    docs, scans = tables(results)
    packing = '; '.join(f'{r["meta"]["packing"]["scans"]:,} scans in {r["meta"]["packing"]["seconds"]:.0f} s on {name}'
                        for name, r in results.items())
    each = '\n'.join(
        f'- {name}: pick list ' + ', '.join(f'{d["pick_list"]["seconds"]:.2f}' for d in r['documents'])
        + ' s; labels ' + ', '.join(f'{d["labels"]["seconds"]:.2f}' for d in r['documents'])
        + ' s (floor ' + ', '.join(f'{d["labels_floor"]["seconds"]:.2f}' for d in r['documents'])
        + ' s); scan p99 at a pace ' + ', '.join(f'{s["scan_paced"]["p99"]:.0f}' for s in r['scans'])
        + ' ms, flat out ' + ', '.join(f'{s["scan_flat"]["p99"]:.0f}' for s in r['scans']) + ' ms.'
        for name, r in results.items())
    cpus, lines, stations = len(os.sched_getaffinity(0)), size['orders'] * LINES_PER_ORDER, size['stations']
    return f"""## {TITLE}

Recorded {datetime.date.today():%Y-%m-%d} with the code at {code}.
Machine: {machine(load)}; {versions} (PostgreSQL: the throw-away server of `tests/pgserver.py`, fsync off).
Command: `.venv/bin/python -m bench --only floor` (median of {runs} runs; `make bench` runs every benchmark).

The data, made with Kura's own commands: the 500 products of `bench/order_import.py` with their JANs and stock;
{size['orders']:,} orders of exactly {LINES_PER_ORDER} different products ({lines:,} lines; card or cash on delivery;
real postal codes) imported with `flask import-orders --channel kura`, which allocates them; a
Yamato tracking range; `flask pick create`, making one batch of all of them; {size['stations']} packer accounts. A copy
has every order packed by scanning in-process (`open_packing()`, then one `scan()` per unit; {packing}): the
{size['orders']:,} shipments for the labels.

### Pick list and shipping labels

In-process, each run in a fresh session, after a warm-up run:

- *Kura*: `documents.pick_list_pdf(batch)` and `documents.shipping_labels_pdf(shipments)` (4x6 inch, a label a
  page), timed whole, queries included;
- the same in two parts: the records (`pick_list_data()`; `shipping_labels_data()` of the shipments: the queries)
  and the drawing (`labels.pick_list()`, `labels.shipping_labels()`);
- *floor*: plain reportlab drawing the same strings and the same barcodes (NW-7 and Code128 of
  `reportlab.graphics.barcode`, by their own `drawOn`) on pages of the same size, from the records already built:
  no database, no fitting or wrapping, the same canvas settings (the IPAex font subset embedded, compressed,
  invariant). Ratio = Kura / floor, run by run, then the median.

{docs}

### Scans at the packing stations

`gunicorn -w {SCAN_WORKERS} -k sync` ({SCAN_WORKERS} workers, {cpus} CPUs: one waiting on the database lets another run)
serves the application with CSRF off, on a fresh copy of the picking database per run. {size['stations']} clients,
each logged in as its own packer at its own station, scan their own orders as a station does: the order number,
then each unit's JAN, as `POST /pack/scan` with `HX-Request`, whole orders until at least {size['scans']} scans each
(a station refuses another order's barcode while one is half packed).

- *At a packer's pace*: a random {PACE[0]:g} to {PACE[1]:g} s after each answer, each station starting at a random
  moment of the first {PACE[1]:g} s: a scan a second at every station (a fast packer), {stations} a second in all.
- *Flat out*: no pause, all starting together: the server saturated, each station waiting only for its own
  previous answer.
- *One station alone*, flat out, before the others (after a warm-up of {size['scans'] // 5} scans per station, so
  that every worker has compiled its templates and statements): what a scan costs without contention.
- *Floor*: the same clients, same start and pace, fetching a static file from the same server
  ({max(10, size['scans'] * 2 // 5)} requests each at a pace, {size['scans']} flat out).

Every answer was a 200 with `HX-Trigger: scanOk`. After each run the database held exactly the scans sent, no
error scan, and one shipment, with its own tracking number, per order whose units were all scanned.

{scans}

Each run:

{each}

Goals:

""" + '\n'.join(f'- {item}' for item in goals(results)) + '\n'


def main(runs: int = 3, quick: bool = False, databases: tuple[str, ...] = ('SQLite', 'PostgreSQL')) -> None:
    code, load = code_version(), os.getloadavg()[0]
    size = QUICK if quick else FULL
    results = {}
    for name in databases:
        print(f'floor: {name}', flush=True)
        r = measure(name, runs, size)
        results[name] = {**r, 'summary': summarise(r)}
    docs, scans = tables(results)
    print(docs)
    print(scans)
    print('\n'.join(goals(results)))
    if quick:
        print(f'(--quick: {DOCS.relative_to(ROOT)} left alone)')
    elif code != code_version():
        print(f'the code changed during the run ({code}, now {code_version()}): {DOCS.relative_to(ROOT)} left alone')
    else:
        write_section(TITLE, section(results, runs, size, code, load))
        print(f'written to {DOCS.relative_to(ROOT)}')


if __name__ == '__main__':
    main(runs=int(sys.argv[1]) if len(sys.argv) > 1 else 1, quick=True, databases=tuple(sys.argv[2:]) or ('SQLite',))
