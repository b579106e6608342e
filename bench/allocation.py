"""Allocation: ``allocate()`` of 50,000 confirmed, paid orders (about 80,000 lines) on 500 SKUs, against a floor.

Per database (a SQLite file; a throw-away PostgreSQL server from tests/pgserver.py, fsync off), the schema is made
by the migrations (``flask db upgrade``), then the data is written straight into the tables (``executemany`` on
SQLite, ``COPY`` on PostgreSQL), from a fixed seed: 500 products, their stock at one to three locations each, and
50,000 confirmed orders, paid or cash on delivery, of 1 to 3 lines (some SKUs far more popular than others). Most
products have more stock than their orders want, one in five has too little, so some orders are backordered.
Amazon is a partial channel (line by line, the rest backordered); the others allocate only whole orders.

Each run, on the same database put back as it was (allocations deleted, stock_levels.allocated set to 0, the
orders confirmed again, allocation's audit events deleted; on PostgreSQL then ``VACUUM ANALYZE``):

- allocate: ``allocate()`` and ``db.session.commit()`` in this process, with a fresh session;
- floor: with the DB-API alone, one transaction: a single SELECT of the eligible orders' lines in allocation
  order, then ``executemany`` of the very rows allocate() wrote: the same allocation rows inserted, the same
  stock_levels rows and order statuses updated, the same audit events inserted.

After every run the database is checked: no stock level allocates more than it has on hand, each level's
allocated equals the sum of its allocations, every allocated order has all its units, no whole-order channel
has a part-allocated order, and the allocations are the same as in the first run.
"""
import contextlib
import datetime
import hashlib
import json
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import event as sa_event

from bench import DOCS, OUT, ROOT
from bench.order_import import GIVEN_NAMES, SURNAMES, code_version, connect, flask, products, server_version


FULL, QUICK = 50_000, 2_000
SEED = 20251108
TITLE = 'Allocation (50,000 orders, 500 SKUs)'
GOAL_SECONDS = 10.0
END = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
CHANNELS = {'rakuten': 40, 'amazon': 25, 'yahoo': 15, 'shopify': 10, 'kura': 7, 'store': 3}
PARTIAL_CHANNELS = ['amazon']

ORDER_COLUMNS = ('id', 'channel', 'external_order_id', 'ordered_at', 'status', 'payment_status', 'payment_method',
                 'buyer_name', 'buyer_kana', 'buyer_email', 'buyer_phone', 'ship_name', 'ship_kana',
                 'ship_postal_code', 'ship_prefecture', 'ship_city', 'ship_address1', 'ship_address2', 'ship_phone',
                 'shipping_fee', 'cod_fee', 'total', 'delivery_date', 'delivery_time_slot', 'gift_wrap', 'noshi',
                 'customer_comment', 'priority', 'created_at', 'updated_at')
LINE_COLUMNS = ('id', 'order_id', 'line_no', 'channel_line_id', 'product_id', 'item_code', 'jan', 'name',
                'option_text', 'quantity', 'unit_price', 'tax_rate')


# ------------------------------------------------------------------------------- shared with order_list

def is_sqlite(url: str) -> bool:
    return url.startswith('sqlite')


def sqlite_stamp(moment: datetime.datetime) -> str:
    """A UTC time as SQLAlchemy's DateTime stores it in SQLite (what the app's queries compare with)."""
    return moment.astimezone(datetime.UTC).strftime('%Y-%m-%d %H:%M:%S.%f')


def insert_rows(conn, table: str, columns, rows) -> None:
    """Bulk insert: ``executemany`` on SQLite, ``COPY`` on PostgreSQL (times aware, dates as dates)."""
    names = ', '.join(columns)
    if isinstance(conn, sqlite3.Connection):
        conn.executemany(f'INSERT INTO {table} ({names}) VALUES ({", ".join("?" * len(columns))})', rows)
        return
    with conn.cursor() as cursor, cursor.copy(f'COPY {table} ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def set_sequences(conn, tables) -> None:
    """PostgreSQL: move the id sequences past the ids written by hand."""
    if isinstance(conn, sqlite3.Connection):
        return
    for table in tables:
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                     f'(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)')


def vacuum_analyze(url: str) -> None:
    """PostgreSQL: what autovacuum would have done by now (statistics, visibility map); SQLite: nothing,
    as the application never runs ANALYZE there."""
    if is_sqlite(url):
        return
    import psycopg

    from bench.order_import import dbapi_url

    with psycopg.connect(dbapi_url(url), autocommit=True) as conn:
        conn.execute('VACUUM ANALYZE')


def instance_path() -> Path:
    """The instance folder of the in-process application (huey makes its queue file there when app is imported)."""
    os.environ.setdefault('KURA_INSTANCE_PATH', str(OUT / 'instance'))
    path = Path(os.environ['KURA_INSTANCE_PATH'])
    path.mkdir(parents=True, exist_ok=True)
    return path


def bench_app(url: str):
    """The real application on `url`: production settings, but CSRF off and a fast password hash (as the tests)."""
    instance = instance_path()
    from app import create_app
    from app.config import Config

    config = type('BenchConfig', (Config,), {
        'SQLALCHEMY_DATABASE_URI': url, 'INSTANCE_PATH': instance,
        'SECRET_KEY': 'bench', 'TESTING': True, 'WTF_CSRF_ENABLED': False, 'PASSWORD_HASH_FAST': True,
        'CLI_LOCALE': 'en'})
    return create_app(config)


def dispose(app) -> None:
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()


@contextlib.contextmanager
def databases(name: str, workdir: Path):
    """A new migrated database: a SQLite file in `workdir`, or one on a throw-away PostgreSQL server."""
    if name == 'SQLite':
        url = f'sqlite:///{workdir / "bench.db"}'
        flask('db', 'upgrade', url=url, instance=workdir)
        yield url
        return
    from tests.pgserver import postgresql_server

    with postgresql_server() as url:
        flask('db', 'upgrade', url=url, instance=workdir)
        yield url


def machine() -> str:
    return f'{len(os.sched_getaffinity(0))} CPUs (`nproc`), Python {platform.python_version()}'


def write_section(title: str, text: str) -> None:
    """Replace the section titled `title` in docs/benchmarks.md (or add it), keeping every other section."""
    page = DOCS.read_text()
    start = page.find(f'## {title}')
    if start < 0:
        page = page.rstrip('\n') + '\n\n' + text
    else:
        end = page.find('\n## ', start + 1)
        page = page[:start] + text + (page[end:] if end >= 0 else '')
    DOCS.write_text(page)


def record_section(name: str, title: str, text: str, code: str) -> None:
    """Keep a full run's section in bench/out/<name>.md, and write it into docs/benchmarks.md unless the code
    changed while the benchmark ran (the figures would then belong to no commit)."""
    (OUT / f'{name}.md').write_text(text)
    if code != code_version():
        print(f'the code changed during the run ({code}, now {code_version()}): {DOCS.relative_to(ROOT)} left alone, '
              f'the section is in {(OUT / f"{name}.md").relative_to(ROOT)}')
    else:
        write_section(title, text)
        print(f'written to {DOCS.relative_to(ROOT)}')


def verdict(ok: bool) -> str:
    return 'met' if ok else '**not met**'


def load_average() -> str:
    """The machine's 1-minute load average: the benchmark's own work plus whatever else runs beside it."""
    return f'{os.getloadavg()[0]:.1f}'


class StatementTimer:
    """Wall-clock seconds of every statement an engine runs while attached, by statement text (summed)."""

    def __init__(self, engine):
        self.engine, self.seconds, self._started = engine, Counter(), {}

    def __enter__(self):
        sa_event.listen(self.engine, 'before_cursor_execute', self._before)
        sa_event.listen(self.engine, 'after_cursor_execute', self._after)
        return self

    def __exit__(self, *_exc):
        sa_event.remove(self.engine, 'before_cursor_execute', self._before)
        sa_event.remove(self.engine, 'after_cursor_execute', self._after)

    def _before(self, conn, _cursor, _statement, _parameters, _context, _executemany):
        self._started[id(conn)] = time.perf_counter()

    def _after(self, conn, _cursor, statement, _parameters, _context, _executemany):
        self.seconds[statement] += time.perf_counter() - self._started.pop(id(conn))

    def clear(self) -> None:
        self.seconds.clear()


# ------------------------------------------------------------------------------------------------ data

def generate(url: str, orders: int) -> dict:
    """Write the products, stock and orders; return what was written."""
    sqlite = is_sqlite(url)
    rng = random.Random(SEED)

    def stamp(moment):
        return sqlite_stamp(moment) if sqlite else moment

    catalogue = products()
    created = END - datetime.timedelta(days=400)
    product_rows = [(i, p['sku'], p['name'], p['jan'], p['price'], p['tax_rate'], p['weight_g'], True,
                     stamp(created), stamp(created)) for i, p in enumerate(catalogue, start=1)]
    popularity = [1 / rank ** 0.8 for rank in range(1, len(catalogue) + 1)]
    rng.shuffle(popularity)
    product_ids = list(range(1, len(catalogue) + 1))

    order_rows, line_rows, demand = [], [], Counter()
    channels, weights = list(CHANNELS), list(CHANNELS.values())
    span = datetime.timedelta(days=3) / orders
    for n in range(1, orders + 1):
        ordered = END - datetime.timedelta(days=3) + span * n + datetime.timedelta(seconds=rng.randrange(60))
        channel = rng.choices(channels, weights)[0]
        method = rng.choices(['card', 'cod', 'paypay', 'other'], [70, 15, 10, 5])[0]
        (sei, sei_kana), (mei, mei_kana) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        phone = f'0{rng.choice("789")}0{rng.randrange(10 ** 8):08d}'
        picked, count = set(), rng.choices([1, 2, 3], [55, 30, 15])[0]
        while len(picked) < count:
            picked.add(rng.choices(product_ids, popularity)[0])
        goods = 0
        for line_no, product_id in enumerate(sorted(picked), start=1):
            p = catalogue[product_id - 1]
            quantity = rng.choices([1, 2, 3], [80, 15, 5])[0]
            goods += p['price'] * quantity
            demand[product_id] += quantity
            line_rows.append((len(line_rows) + 1, n, line_no, f'{n:09d}-{line_no}', product_id, p['sku'], p['jan'],
                              p['name'], '', quantity, p['price'], p['tax_rate']))
        shipping, cod = (0 if goods >= 5000 else 550), (330 if method == 'cod' else 0)
        order_rows.append((
            n, channel, f'{channel.upper()}-{n:09d}', stamp(ordered), 'confirmed', 'cod' if method == 'cod' else 'paid',
            method, f'{sei} {mei}', f'{sei_kana} {mei_kana}', f'customer{n}@example.jp', phone, f'{sei} {mei}',
            f'{sei_kana} {mei_kana}', '1000001', '東京都', '千代田区', f'千代田1-{n % 30 + 1}', '', phone,
            shipping, cod, goods + shipping + cod, None, '', '', '', '', 1 if rng.random() < 0.01 else 0,
            stamp(ordered), stamp(ordered)))

    location_rows, level_rows, movement_rows = [], [], []
    for product_id in product_ids:
        wanted = demand[product_id]
        short = product_id % 5 == 1
        total = int(wanted * rng.uniform(0.5, 0.9)) if short else int(wanted * rng.uniform(1.05, 1.5)) + 5
        places = rng.choices([1, 2, 3], [50, 35, 15])[0]
        cuts = sorted(rng.sample(range(1, total), places - 1)) if total > places else []
        for zone, quantity in zip('ABC', [b - a for a, b in zip([0, *cuts], [*cuts, total])]):
            code = f'{zone}-{(product_id - 1) // 100 + 1:02d}-{(product_id - 1) % 100 // 10 + 1:02d}-' \
                   f'{(product_id - 1) % 10 + 1}'
            location_rows.append((len(location_rows) + 1, 1, code, walking_key(code), True))
            if quantity > 0:
                level_rows.append((len(level_rows) + 1, product_id, len(location_rows), quantity, 0))
                movement_rows.append((stamp(created), product_id, len(location_rows), quantity, quantity, 'receipt',
                                      'bench', ''))

    with contextlib.closing(connect(url)) as conn:
        insert_rows(conn, 'warehouses', ('id', 'code', 'name'), [(1, 'MAIN', '本社倉庫')])
        insert_rows(conn, 'products', ('id', 'sku', 'name', 'jan', 'price', 'tax_rate', 'weight_g', 'active',
                                       'created_at', 'updated_at'), product_rows)
        insert_rows(conn, 'locations', ('id', 'warehouse_id', 'code', 'sort_key', 'active'), location_rows)
        insert_rows(conn, 'stock_levels', ('id', 'product_id', 'location_id', 'on_hand', 'allocated'), level_rows)
        insert_rows(conn, 'stock_movements', ('at', 'product_id', 'location_id', 'delta', 'on_hand_after', 'reason',
                                              'reference', 'note'), movement_rows)
        insert_rows(conn, 'orders', ORDER_COLUMNS, order_rows)
        insert_rows(conn, 'order_lines', LINE_COLUMNS, line_rows)
        value = json.dumps({'partial_channels': PARTIAL_CHANNELS})
        mark = '?' if sqlite else '%s'
        conn.execute(f'INSERT INTO settings (key, value, updated_at) VALUES ({mark}, {mark}, {mark})',
                     ('order_rules', value, stamp(created)))
        set_sequences(conn, ('warehouses', 'products', 'locations', 'stock_levels', 'orders', 'order_lines'))
        conn.commit()
    vacuum_analyze(url)
    return {'orders': len(order_rows), 'lines': len(line_rows), 'units': sum(demand.values()),
            'products': len(product_rows), 'levels': len(level_rows),
            'stock': sum(row[3] for row in level_rows)}


def walking_key(code: str) -> str:
    instance_path()
    from app.inventory.models import walking_order_key

    return walking_order_key(code)


# ------------------------------------------------------------------------------------------------ runs

def reset(url: str) -> None:
    """Put the database back as generate() left it."""
    with contextlib.closing(connect(url)) as conn:
        conn.execute('DELETE FROM allocations')
        conn.execute('UPDATE stock_levels SET allocated = 0 WHERE allocated <> 0')
        conn.execute("UPDATE orders SET status = 'confirmed' WHERE status <> 'confirmed'")
        conn.execute("DELETE FROM audit_events WHERE action = 'order.status' AND note = 'allocation'")
        conn.commit()
    vacuum_analyze(url)


def run_allocate(app) -> tuple[float, dict]:
    """allocate() and the commit, timed, in a fresh session."""
    from app.extensions import db
    from app.orders.allocation import allocate

    with app.app_context(), StatementTimer(db.engine) as timer:
        started = time.perf_counter()
        result = allocate()
        db.session.commit()
        seconds = time.perf_counter() - started
        db.session.remove()
    statements = Counter()
    for statement, spent in timer.seconds.items():
        statements[statement_kind(statement)] += spent
    return seconds, result.as_dict() | {'statements': dict(statements)}


def statement_kind(statement: str) -> str:
    """'UPDATE orders', 'INSERT INTO allocations', ... or 'SELECT' for every read."""
    words = statement.split()
    if words[0] in ('INSERT', 'DELETE'):
        return ' '.join(words[:3])
    if words[0] == 'UPDATE':
        return ' '.join(words[:2])
    return words[0] if words[0] in ('BEGIN', 'COMMIT') else 'SELECT (every read)'


ELIGIBLE_LINES = ("SELECT o.id, o.channel, l.id, l.product_id, l.quantity FROM orders o "
                  "JOIN order_lines l ON l.order_id = o.id "
                  "WHERE o.status IN ('confirmed', 'backordered') AND o.payment_status IN ('paid', 'cod') "
                  "AND NOT EXISTS (SELECT 1 FROM order_holds h WHERE h.order_id = o.id AND h.released_at IS NULL) "
                  "ORDER BY o.priority DESC, o.ordered_at, o.id, l.line_no")


def written(url: str) -> dict:
    """What an allocation wrote: the rows the floor writes again."""
    with contextlib.closing(connect(url)) as conn:
        return {
            'allocations': conn.execute('SELECT order_id, order_line_id, product_id, location_id, quantity '
                                        'FROM allocations ORDER BY id').fetchall(),
            'levels': conn.execute('SELECT allocated, id FROM stock_levels WHERE allocated <> 0 '
                                   'ORDER BY id').fetchall(),
            'statuses': conn.execute("SELECT status, id FROM orders WHERE status <> 'confirmed' "
                                     'ORDER BY id').fetchall(),
        }


def run_floor(url: str, plan: dict) -> float:
    """One DB-API transaction: read the eligible lines, write what allocate() wrote."""
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
        cursor.execute(ELIGIBLE_LINES)
        cursor.fetchall()
        cursor.executemany('INSERT INTO allocations (order_id, order_line_id, product_id, location_id, quantity, '
                           f'created_at) VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})',
                           [(*row, now) for row in plan['allocations']])
        cursor.executemany(f'UPDATE stock_levels SET allocated = {mark} WHERE id = {mark}', plan['levels'])
        cursor.executemany(f'UPDATE orders SET status = {mark}, updated_at = {mark} WHERE id = {mark}',
                           [(status, now, order_id) for status, order_id in plan['statuses']])
        cursor.executemany('INSERT INTO audit_events (at, user_id, action, object_type, object_id, before, after, '
                           f'note) VALUES ({mark}, NULL, {mark}, {mark}, {mark}, {mark}, {mark}, {mark})',
                           [(now, 'order.status', 'orders', str(order_id), as_json({'status': 'confirmed'}),
                             as_json({'status': status}), 'allocation') for status, order_id in plan['statuses']])
        conn.commit()
        return time.perf_counter() - started


def check(url: str, expected: dict, first: dict | None) -> dict:
    """The database after a run must be a correct allocation, the same as the first run's; returns its figures."""
    queries = {
        'over': 'SELECT count(*) FROM stock_levels WHERE allocated > on_hand OR allocated < 0',
        'allocated_units': 'SELECT coalesce(sum(quantity), 0) FROM allocations',
        'level_units': 'SELECT coalesce(sum(allocated), 0) FROM stock_levels',
        'level_mismatch': 'SELECT count(*) FROM stock_levels s LEFT JOIN (SELECT product_id, location_id, '
                          'sum(quantity) AS q FROM allocations GROUP BY product_id, location_id) a '
                          'ON a.product_id = s.product_id AND a.location_id = s.location_id '
                          'WHERE s.allocated <> coalesce(a.q, 0)',
        'short_allocated': "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id "
                           "LEFT JOIN (SELECT order_line_id, sum(quantity) AS q FROM allocations "
                           "GROUP BY order_line_id) a ON a.order_line_id = l.id "
                           "WHERE o.status = 'allocated' AND coalesce(a.q, 0) <> l.quantity",
        'part_whole': "SELECT count(*) FROM allocations a JOIN orders o ON o.id = a.order_id "
                      f"WHERE o.status = 'backordered' AND o.channel NOT IN ({', '.join(map(repr, PARTIAL_CHANNELS))})",
        'allocated_orders': "SELECT count(*) FROM orders WHERE status = 'allocated'",
        'backordered_orders': "SELECT count(*) FROM orders WHERE status = 'backordered'",
        'status_events': "SELECT count(*) FROM audit_events WHERE action = 'order.status' AND note = 'allocation'",
        'allocations': 'SELECT count(*) FROM allocations',
    }
    with contextlib.closing(connect(url)) as conn:
        found = {name: conn.execute(query).fetchone()[0] for name, query in queries.items()}
        rows = conn.execute('SELECT order_line_id, location_id, quantity FROM allocations '
                            'ORDER BY order_line_id, location_id').fetchall()
    found['fingerprint'] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()[:16]
    problems = [name for name in ('over', 'level_mismatch', 'short_allocated', 'part_whole') if found[name]]
    if found['allocated_units'] != found['level_units']:
        problems.append('allocations and stock_levels.allocated differ')
    if found['allocated_orders'] + found['backordered_orders'] != expected['orders'] \
            or found['status_events'] != expected['orders']:
        problems.append('not every order was allocated or backordered, with its audit event')
    if not found['allocated_orders'] or not found['backordered_orders']:
        problems.append('the data should make some orders allocated and some backordered')
    if first is not None and found != first:
        problems.append(f'differs from the first run: {first}')
    if problems:
        raise RuntimeError(f'allocation check failed ({", ".join(problems)}): {found}')
    return found


def measure(name: str, orders: int, runs: int) -> dict:
    times, first, result, plan, statements = {'allocate': [], 'floor': []}, None, None, None, []
    load = [load_average()]
    with tempfile.TemporaryDirectory(prefix='kura-bench-') as tmp, databases(name, Path(tmp)) as url:
        started = time.perf_counter()
        expected = generate(url, orders)
        print(f'  generated {expected["orders"]:,} orders, {expected["lines"]:,} lines ({expected["units"]:,} '
              f'units wanted, {expected["stock"]:,} in stock) in {time.perf_counter() - started:.1f} s', flush=True)
        app = bench_app(url)
        try:
            for run in range(1, runs + 1):
                reset(url)
                seconds, result = run_allocate(app)
                first = check(url, expected, first)
                times['allocate'].append(seconds)
                statements.append(result.pop('statements'))
                if plan is None:
                    plan = written(url)
                reset(url)
                floor_seconds = run_floor(url, plan)
                check(url, expected, first)
                times['floor'].append(floor_seconds)
                print(f'  run {run}/{runs}: allocate + commit {seconds:6.2f} s, floor {floor_seconds:6.2f} s '
                      f'({result["allocated_orders"]:,} allocated, {result["backordered_orders"]:,} backordered)',
                      flush=True)
            version = server_version(url)
        finally:
            dispose(app)
    load.append(load_average())
    median = {kind: statistics.median(values) for kind, values in times.items()}
    spent = {kind: statistics.median(run.get(kind, 0.0) for run in statements)
             for kind in sorted({kind for run in statements for kind in run})}
    spent = dict(sorted(spent.items(), key=lambda item: -item[1]))
    # COPY (PostgreSQL's allocation and audit rows) goes round SQLAlchemy's cursor events: it is in the rest
    spent['the rest (Python, COPY, commit)'] = max(0.0, median['allocate'] - sum(spent.values()))
    return {'median': median, 'ratio': median['allocate'] / median['floor'], 'runs': times, 'version': version,
            'result': result, 'figures': first, 'expected': expected, 'spent': spent, 'load': load}


def table(results: dict) -> str:
    rows = ['| Database | allocate() + commit (median) | floor (median) | ratio | orders allocated | '
            'orders backordered | allocation rows |', '|---|---:|---:|---:|---:|---:|---:|']
    for name, r in results.items():
        rows.append(f'| {name} | {r["median"]["allocate"]:.2f} s | {r["median"]["floor"]:.2f} s | {r["ratio"]:.1f} | '
                    f'{r["result"]["allocated_orders"]:,} | {r["result"]["backordered_orders"]:,} | '
                    f'{r["figures"]["allocations"]:,} |')
    return '\n'.join(rows)


def goals(results: dict) -> list[str]:
    return [f'Under {GOAL_SECONDS:g} s on {name}: {verdict(r["median"]["allocate"] < GOAL_SECONDS)} '
            f'({r["median"]["allocate"]:.2f} s, {r["ratio"]:.1f} times the floor).' for name, r in results.items()]


def section(results: dict, runs: int, code: str) -> str:
    expected = next(iter(results.values()))['expected']
    each = '\n'.join(f'- {name}: allocate ' + ', '.join(f'{s:.2f}' for s in r['runs']['allocate'])
                     + '; floor ' + ', '.join(f'{s:.2f}' for s in r['runs']['floor']) + ' (s)'
                     for name, r in results.items())
    versions = ' and '.join(f'{name} {r["version"]}' for name, r in results.items())
    spent = '\n'.join(f'- {name}: ' + ', '.join(f'{kind} {s:.2f}' for kind, s in r['spent'].items() if s >= 0.005)
                      for name, r in results.items())
    load = '; '.join(f'{name} {r["load"][0]} before, {r["load"][1]} after' for name, r in results.items())
    return f"""## {TITLE}

Recorded {datetime.date.today():%Y-%m-%d} with the code at {code}, on a machine with {machine()}, {versions}
(PostgreSQL: the throw-away server of `tests/pgserver.py`, with fsync, synchronous_commit and full_page_writes off).
Command: `.venv/bin/python -m bench --only allocation` (median of {runs} runs).

The data is written straight into a freshly migrated database by `bench/allocation.py`, from a fixed seed:
{expected['products']} products with stock at {expected['levels']:,} locations ({expected['stock']:,} units), and
{expected['orders']:,} confirmed orders, paid or cash on delivery, with {expected['lines']:,} lines wanting
{expected['units']:,} units (a few SKUs much more popular than the rest). One product in five has less stock than
its orders want, so some orders are backordered; Amazon allocates line by line, the other channels whole orders
only. *allocate* is `allocate()` plus `db.session.commit()`, timed in the benchmark's process. The *floor*, in the
same run, is the DB-API alone in one transaction: a single SELECT of the eligible orders' lines in allocation order,
then `executemany` of exactly what allocate() wrote ({results[next(iter(results))]['figures']['allocations']:,}
allocation rows inserted, the stock levels and {expected['orders']:,} order statuses updated, as many audit events
inserted). Between runs the database is put back (allocations and their audit events deleted, allocated set to 0,
orders confirmed again; `VACUUM ANALYZE` on PostgreSQL). After every run the benchmark checks that no stock level
allocates more than it has on hand, that each level's allocated is the sum of its allocations, that allocated orders
have all their units and whole-order channels no part-allocated order, and that every run allocates the same.
Ratio = median allocate / median floor.

{table(results)}

Each run, in seconds (load average: {load}):

{each}

Where allocate()'s time goes, in seconds (the median over the runs of the time spent in each kind of statement,
executemany included, measured with SQLAlchemy's cursor events; the rest is Python, the commit, and on PostgreSQL the
`COPY` that writes the allocation and audit rows, which those events do not see):

{spent}

Goals:

""" + '\n'.join(f'- {item}' for item in goals(results)) + '\n'


def main(runs: int = 3, quick: bool = False) -> None:
    code = code_version()
    orders = QUICK if quick else FULL
    print(f'allocation: {orders:,} orders', flush=True)
    results = {}
    for name in ('SQLite', 'PostgreSQL'):
        print(name, flush=True)
        results[name] = measure(name, orders, runs)
    print(table(results))
    for name, r in results.items():
        print(f'{name}: ' + ', '.join(f'{kind} {s:.2f} s' for kind, s in r['spent'].items()))
    print('\n'.join(goals(results)))
    if quick:
        print(f'(--quick: {DOCS.relative_to(ROOT)} left alone)')
        return
    record_section('allocation', TITLE, section(results, runs, code), code)
