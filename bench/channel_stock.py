"""Channel stock: the next Rakuten stock file for 50,000 listings after the stock of 5,000 products changed.

Per database (a SQLite file; a throw-away PostgreSQL server from tests/pgserver.py, fsync off), the schema is made
by the migrations (``flask db upgrade``), then the data is written straight into the tables (``executemany`` on
SQLite, ``COPY`` on PostgreSQL), from a fixed seed: 50,000 products, each with its stock (5 to 100 units) at one of
5,000 locations and one Rakuten listing following the channel's default rule (the free stock is sent). Then the
first, full file is made with ``make_stock_file(full=True)`` (not timed): every listing has been sent.

Each run:

- the stock of 5,000 products changes by one unit (``apply_stock_changes``, one ``adjustment`` ledger row each;
  up in odd runs, back down in even ones), committed, not timed;
- Kura: ``make_stock_file('rakuten')`` and the commit, in a fresh session: the 5,000 changed rows;
- the stock of the same 5,000 products changes again, the other way;
- floor: with the DB-API alone, one transaction: a single SELECT of the channel's listings with their product's
  free stock (on hand less allocated at storage locations) and the quantity last sent, the changed rows written as
  the same CSV (CP932, CRLF) by the csv module, the file stored as Kura stores it, and the changed listings' sent
  quantity updated (``executemany``).

After each, the benchmark checks that the file held exactly the 5,000 changed listings and that every listing's
quantity sent equals its product's free stock.
"""
import contextlib
import csv
import datetime
import io
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench import DOCS, ROOT
from bench.allocation import (
    StatementTimer,
    bench_app,
    databases,
    dispose,
    insert_rows,
    is_sqlite,
    load_average,
    machine,
    record_section,
    set_sequences,
    sqlite_stamp,
    statement_kind,
    vacuum_analyze,
    verdict,
)
from bench.order_import import code_version, connect, server_version
from bench.stocktake import location_code


FULL, QUICK = 50_000, 2_500
CHANGED_SHARE = 0.1
PRODUCTS_PER_LOCATION = 10
SEED = 20261209
CHANNEL = 'rakuten'
TITLE = 'Channel stock file (50,000 listings, 5,000 changed)'
GOAL_SECONDS = 2.0
CREATED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


# ------------------------------------------------------------------------------------------------ data

def generate(url: str, listings: int) -> dict:
    """Write the products, their stock and their listings; return the products whose stock will change."""
    from bench.allocation import walking_key

    sqlite = is_sqlite(url)
    rng = random.Random(SEED)
    stamp = sqlite_stamp(CREATED) if sqlite else CREATED
    product_rows = [(i, f'SKU-{i:06d}', f'商品 {i}', f'49{i:011d}', rng.randrange(100, 5000, 10), 10, 100, True,
                     stamp, stamp) for i in range(1, listings + 1)]
    locations = max(1, listings // PRODUCTS_PER_LOCATION)
    location_rows = [(n, 1, location_code(n), walking_key(location_code(n)), True) for n in range(1, locations + 1)]
    level_rows, movement_rows = [], []
    for product in range(1, listings + 1):
        location, on_hand = (product - 1) % locations + 1, rng.randint(5, 100)
        level_rows.append((product, product, location, on_hand, 0))
        movement_rows.append((stamp, product, location, on_hand, on_hand, 'receipt', 'bench', ''))
    listing_rows = [(i, CHANNEL, f'sku-{i:06d}', f'item-{i:06d}', i, False, stamp) for i in range(1, listings + 1)]
    with contextlib.closing(connect(url)) as conn:
        insert_rows(conn, 'warehouses', ('id', 'code', 'name'), [(1, 'MAIN', '本社倉庫')])
        insert_rows(conn, 'products', ('id', 'sku', 'name', 'jan', 'price', 'tax_rate', 'weight_g', 'active',
                                       'created_at', 'updated_at'), product_rows)
        insert_rows(conn, 'locations', ('id', 'warehouse_id', 'code', 'sort_key', 'active'), location_rows)
        insert_rows(conn, 'stock_levels', ('id', 'product_id', 'location_id', 'on_hand', 'allocated'), level_rows)
        insert_rows(conn, 'stock_movements', ('at', 'product_id', 'location_id', 'delta', 'on_hand_after', 'reason',
                                              'reference', 'note'), movement_rows)
        insert_rows(conn, 'listings', ('id', 'channel', 'item_code', 'page_code', 'product_id', 'paused',
                                       'created_at'), listing_rows)
        set_sequences(conn, ('warehouses', 'products', 'locations', 'stock_levels', 'listings'))
        conn.commit()
    vacuum_analyze(url)
    changing = sorted(rng.sample(range(1, listings + 1), round(listings * CHANGED_SHARE)))
    return {'listings': listings, 'locations': locations, 'changing': changing,
            'where': {row[1]: row[2] for row in level_rows}}


# ------------------------------------------------------------------------------------------------ runs

def first_file(app) -> tuple[float, int]:
    from app.channels.services import make_stock_file
    from app.extensions import db

    with app.app_context():
        started = time.perf_counter()
        record = make_stock_file(CHANNEL, full=True)
        rows = record.rows
        db.session.commit()
        seconds = time.perf_counter() - started
        db.session.remove()
    return seconds, rows


def change_stock(app, data: dict, delta: int) -> None:
    """The stock of the changing products moves by `delta`, through the stock service."""
    from app.extensions import db
    from app.inventory.models import MovementReason
    from app.inventory.services import StockChange, apply_stock_changes

    with app.app_context():
        apply_stock_changes([StockChange(product, data['where'][product], on_hand_delta=delta,
                                         reason=MovementReason.adjustment, reference='bench')
                             for product in data['changing']])
        db.session.commit()
        db.session.remove()


def run_kura(app) -> tuple[float, int, int, Counter]:
    """make_stock_file() of the changed rows and the commit, timed, in a fresh session."""
    from app.channels.services import make_stock_file
    from app.extensions import db

    with app.app_context(), StatementTimer(db.engine) as timer:
        started = time.perf_counter()
        record = make_stock_file(CHANNEL)
        rows, changed = record.rows, record.changed
        db.session.commit()
        seconds = time.perf_counter() - started
        db.session.remove()
    statements = Counter()
    for statement, spent in timer.seconds.items():
        statements[statement_kind(statement)] += spent
    return seconds, rows, changed, statements


FLOOR_LISTINGS = ('SELECT l.id, l.item_code, l.page_code, l.sent_quantity, coalesce(f.free, 0) FROM listings l '
                  'LEFT JOIN (SELECT s.product_id, sum(s.on_hand - s.allocated) AS free FROM stock_levels s '
                  "JOIN locations loc ON loc.id = s.location_id WHERE loc.kind = 'storage' GROUP BY s.product_id) f "
                  "ON f.product_id = l.product_id WHERE l.channel = 'rakuten' AND l.paused = {false} "
                  'ORDER BY l.item_code')


def run_floor(url: str) -> tuple[float, int]:
    """One DB-API transaction: read the listings with their free stock, write the changed rows, record them."""
    sqlite = is_sqlite(url)
    mark = '?' if sqlite else '%s'
    if sqlite:
        as_json = json.dumps
        now = sqlite_stamp(datetime.datetime.now(datetime.UTC))
    else:
        from psycopg.types.json import Json as as_json

        now = datetime.datetime.now(datetime.UTC)
    with contextlib.closing(connect(url)) as conn:
        started = time.perf_counter()
        cursor = conn.cursor()
        cursor.execute(FLOOR_LISTINGS.format(false='0' if sqlite else 'false'))
        changed = []
        for listing_id, item_code, page_code, sent, free in cursor.fetchall():
            quantity = max(int(free), 0)
            if quantity != sent:
                changed.append((listing_id, item_code, page_code, sent, quantity))
        text = io.StringIO(newline='')
        writer = csv.writer(text, lineterminator='\r\n')
        writer.writerow(('商品管理番号（商品URL）', 'SKU管理番号', '在庫数'))
        writer.writerows((page_code, item_code, quantity) for _id, item_code, page_code, _sent, quantity in changed)
        content = text.getvalue().encode('cp932')
        cursor.execute('INSERT INTO channel_stock_files (channel, "full", rows, changed, filename, content, changes, '
                       f'made_at) VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark}, {mark}, {mark})',
                       (CHANNEL, False, len(changed), len(changed), 'rakuten-stock-floor.csv', content,
                        as_json([[item_code, None, sent, quantity] for _id, item_code, _p, sent, quantity in changed]),
                        now))
        cursor.executemany(f'UPDATE listings SET sent_quantity = {mark}, sent_at = {mark} WHERE id = {mark}',
                           [(quantity, now, listing_id) for listing_id, _c, _p, _s, quantity in changed])
        conn.commit()
        return time.perf_counter() - started, len(changed)


def check(url: str, rows: int, expected: int) -> None:
    """The file held the changed listings, and every listing's quantity sent is its product's free stock now."""
    with contextlib.closing(connect(url)) as conn:
        stale = conn.execute('SELECT count(*) FROM listings l JOIN stock_levels s ON s.product_id = l.product_id '
                             'WHERE l.sent_quantity IS NULL OR l.sent_quantity <> s.on_hand - s.allocated'
                             ).fetchone()[0]
    if rows != expected or stale:
        raise RuntimeError(f'channel stock check failed: {rows} rows, {expected} changed; {stale} listings not '
                           'sent their free stock')


def measure(name: str, listings: int, runs: int) -> dict:
    times, statements, load = {'kura': [], 'floor': []}, [], [load_average()]
    with tempfile.TemporaryDirectory(prefix='kura-bench-') as tmp, databases(name, Path(tmp)) as url:
        started = time.perf_counter()
        data = generate(url, listings)
        print(f'  generated {listings:,} products and listings at {data["locations"]:,} locations in '
              f'{time.perf_counter() - started:.1f} s', flush=True)
        app = bench_app(url)
        try:
            full_seconds, full_rows = first_file(app)
            check(url, full_rows, listings)
            print(f'  first, full file: {full_rows:,} rows in {full_seconds:.2f} s', flush=True)
            expected = len(data['changing'])
            for run in range(1, runs + 1):
                change_stock(app, data, 1 if run % 2 else -1)
                vacuum_analyze(url)
                seconds, rows, changed, spent = run_kura(app)
                check(url, rows, expected)
                if changed != expected:
                    raise RuntimeError(f'make_stock_file() found {changed} changed listings, not {expected}')
                change_stock(app, data, -1 if run % 2 else 1)
                vacuum_analyze(url)
                floor_seconds, floor_rows = run_floor(url)
                check(url, floor_rows, expected)
                times['kura'].append(seconds)
                times['floor'].append(floor_seconds)
                statements.append(spent)
                print(f'  run {run}/{runs}: make_stock_file + commit {seconds:.2f} s ({rows:,} rows), '
                      f'floor {floor_seconds:.2f} s', flush=True)
            version = server_version(url)
        finally:
            dispose(app)
    load.append(load_average())
    median = {kind: statistics.median(values) for kind, values in times.items()}
    spent = {kind: statistics.median(run.get(kind, 0.0) for run in statements)
             for kind in sorted({kind for run in statements for kind in run})}
    spent = dict(sorted(spent.items(), key=lambda item: -item[1]))
    spent['the rest (Python, the CSV, commit)'] = max(0.0, median['kura'] - sum(spent.values()))
    return {'median': median, 'ratio': median['kura'] / median['floor'], 'runs': times, 'version': version,
            'listings': listings, 'changed': len(data['changing']), 'locations': data['locations'],
            'full': full_seconds, 'spent': spent, 'load': load}


def table(results: dict) -> str:
    rows = ['| Database | make_stock_file() + commit (median) | floor (median) | ratio | rows | '
            'first, full file (once) |', '|---|---:|---:|---:|---:|---:|']
    for name, r in results.items():
        rows.append(f'| {name} | {r["median"]["kura"]:.2f} s | {r["median"]["floor"]:.2f} s | {r["ratio"]:.1f} | '
                    f'{r["changed"]:,} of {r["listings"]:,} | {r["full"]:.2f} s |')
    return '\n'.join(rows)


def goals(results: dict) -> list[str]:
    return [f'Under {GOAL_SECONDS:g} s on {name}: {verdict(r["median"]["kura"] < GOAL_SECONDS)} '
            f'({r["median"]["kura"]:.2f} s, {r["ratio"]:.1f} times the floor).' for name, r in results.items()]


def section(results: dict, runs: int, code: str) -> str:
    first = next(iter(results.values()))
    each = '\n'.join(f'- {name}: make_stock_file ' + ', '.join(f'{s:.2f}' for s in r['runs']['kura'])
                     + '; floor ' + ', '.join(f'{s:.2f}' for s in r['runs']['floor']) + ' (s)'
                     for name, r in results.items())
    versions = ' and '.join(f'{name} {r["version"]}' for name, r in results.items())
    spent = '\n'.join(f'- {name}: ' + ', '.join(f'{kind} {s:.2f}' for kind, s in r['spent'].items() if s >= 0.005)
                      for name, r in results.items())
    load = '; '.join(f'{name} {r["load"][0]} before, {r["load"][1]} after' for name, r in results.items())
    return f"""## {TITLE}

Recorded {datetime.date.today():%Y-%m-%d} with the code at {code}, on a machine with {machine()}, {versions}
(PostgreSQL: the throw-away server of `tests/pgserver.py`, with fsync, synchronous_commit and full_page_writes off).
Command: `.venv/bin/python -m bench --only channel_stock` (median of {runs} runs).

The data is written straight into a freshly migrated database by `bench/channel_stock.py`, from a fixed seed:
{first['listings']:,} products, each with its stock at one of {first['locations']:,} locations and one Rakuten
listing on the channel's default rule (the free stock is sent). The first, full file is made once with
`make_stock_file(full=True)`. Each run, the stock of {first['changed']:,} products changes by one unit through
`apply_stock_changes()` (committed, not timed), then *Kura* is `make_stock_file('rakuten')` and the commit in a fresh
session: the {first['changed']:,} changed rows. Then the same products change back, and the *floor*, the DB-API
alone in one transaction, makes the next file: a single SELECT of the channel's listings with their free stock and
the quantity last sent, the changed rows written as the same CSV (CP932, CRLF) by the csv module, the file stored
as Kura stores it, the changed listings' sent quantity updated (`executemany`). After each, the benchmark checks
that the file held exactly the changed listings and that every listing's quantity sent is its free stock.
Ratio = median Kura / median floor.

{table(results)}

Each run, in seconds (load average: {load}):

{each}

Where make_stock_file()'s time goes, in seconds (the median over the runs of the time spent in each kind of
statement, measured with SQLAlchemy's cursor events; the rest is Python, the CSV and the commit):

{spent}

Goals:

""" + '\n'.join(f'- {item}' for item in goals(results)) + '\n'


def main(runs: int = 3, quick: bool = False) -> None:
    code = code_version()
    listings = QUICK if quick else FULL
    print(f'channel_stock: {listings:,} listings', flush=True)
    results = {}
    for name in ('SQLite', 'PostgreSQL'):
        print(name, flush=True)
        results[name] = measure(name, listings, runs)
    print(table(results))
    for name, r in results.items():
        print(f'{name}: ' + ', '.join(f'{kind} {s:.2f} s' for kind, s in r['spent'].items()))
    print('\n'.join(goals(results)))
    if quick:
        print(f'(--quick: {DOCS.relative_to(ROOT)} left alone)')
        return
    record_section('channel_stock', TITLE, section(results, runs, code), code)
