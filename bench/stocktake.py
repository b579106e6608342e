"""Stocktake: a full count of 5,000 locations / 20,000 stock levels with 2 % variances, computed and approved.

Per database (a SQLite file; a throw-away PostgreSQL server from tests/pgserver.py, fsync off), the schema is made
by the migrations (``flask db upgrade``), then the data is written straight into the tables (``executemany`` on
SQLite, ``COPY`` on PostgreSQL), from a fixed seed: 4,000 products, 5,000 locations, and 20,000 stock levels (four
products a location, each product at five locations, 1 to 60 units each). No orders: nothing is allocated or
picked, so the count's variances are exactly the units the benchmark puts on the shelves differently.

Each run, on the database put back as it was (counts deleted, the stocktake ledger rows and audit events deleted,
the corrected levels set back):

- start: ``start_count()`` of every location, and the commit;
- record: ``record_location()`` of every location in walking order, one transaction each (the service the count
  screen and ``flask stocktake record`` use), each location's products with what the shelf holds: the book
  quantity, but for 2 % of the levels one to three units more or fewer;
- floor: with the DB-API alone, one transaction, on the counted count: a single SELECT of the count's lines with
  their variance and the level's on hand, then what approval writes: the corrected levels updated and their ledger
  rows inserted (``executemany``), every line marked approved with one UPDATE, the count marked approved; then
  put back (not timed);
- variances: what the count's page reads to show them (``queries.count_lines()`` with each line's variance, and
  ``queries.accuracy()``);
- approve: ``approve()`` of the whole count and the commit.

The goal is on variances + approve. After every run the database is checked: every level holds what was counted,
one `stocktake` ledger row per variance with the right delta, and every line approved.
"""
import contextlib
import datetime
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
    walking_key,
)
from bench.order_import import code_version, connect, server_version


FULL, QUICK = 5_000, 250
PRODUCTS_PER_LOCATION, LOCATIONS_PER_PRODUCT = 4, 5
VARIANCE_SHARE = 0.02
SEED = 20261208
TITLE = 'Stocktake (5,000 locations, 20,000 stock levels)'
GOAL_SECONDS = 10.0
REASON = 'full count (benchmark)'
CREATED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


# ------------------------------------------------------------------------------------------------ data

def location_code(n: int) -> str:
    """A, B, C, ... zones of 20 aisles of 10 bays of 5 levels: A-01-01-1."""
    n -= 1
    zone, rest = divmod(n, 1000)
    aisle, rest = divmod(rest, 50)
    bay, level = divmod(rest, 5)
    return f'{chr(ord("A") + zone)}-{aisle + 1:02d}-{bay + 1:02d}-{level + 1}'


def generate(url: str, locations: int) -> dict:
    """Write the products, locations and stock; return what the shelves hold, level by level."""
    sqlite = is_sqlite(url)
    rng = random.Random(SEED)
    stamp = sqlite_stamp(CREATED) if sqlite else CREATED
    products = locations * PRODUCTS_PER_LOCATION // LOCATIONS_PER_PRODUCT
    product_rows = [(i, f'SKU-{i:06d}', f'商品 {i}', f'49{i:011d}', rng.randrange(100, 5000, 10), 10, 100, True,
                     stamp, stamp) for i in range(1, products + 1)]
    location_rows = []
    for n in range(1, locations + 1):
        code = location_code(n)
        location_rows.append((n, 1, code, walking_key(code), True))
    # each location holds PRODUCTS_PER_LOCATION products, each product is at LOCATIONS_PER_PRODUCT locations
    slots = [product for product in range(1, products + 1) for _ in range(LOCATIONS_PER_PRODUCT)]
    rng.shuffle(slots)
    level_rows, movement_rows, seen = [], [], set()
    for index, product in enumerate(slots):
        location = index // PRODUCTS_PER_LOCATION + 1
        while (product, location) in seen:  # a product twice at one location: take the next location
            location = location % locations + 1
        seen.add((product, location))
        on_hand = rng.randint(1, 60)
        level_rows.append((len(level_rows) + 1, product, location, on_hand, 0))
        movement_rows.append((stamp, product, location, on_hand, on_hand, 'receipt', 'bench', ''))
    shelf = {(product, location): on_hand for _id, product, location, on_hand, _a in level_rows}
    varied = rng.sample(sorted(shelf), round(len(shelf) * VARIANCE_SHARE))
    counted = dict(shelf)
    for pair in varied:
        delta = rng.choice([1, 2, 3])
        counted[pair] = shelf[pair] + delta if rng.random() < 0.5 else max(0, shelf[pair] - delta)
        if counted[pair] == shelf[pair]:
            counted[pair] += 1
    with contextlib.closing(connect(url)) as conn:
        insert_rows(conn, 'warehouses', ('id', 'code', 'name'), [(1, 'MAIN', '本社倉庫')])
        insert_rows(conn, 'products', ('id', 'sku', 'name', 'jan', 'price', 'tax_rate', 'weight_g', 'active',
                                       'created_at', 'updated_at'), product_rows)
        insert_rows(conn, 'locations', ('id', 'warehouse_id', 'code', 'sort_key', 'active'), location_rows)
        insert_rows(conn, 'stock_levels', ('id', 'product_id', 'location_id', 'on_hand', 'allocated'), level_rows)
        insert_rows(conn, 'stock_movements', ('at', 'product_id', 'location_id', 'delta', 'on_hand_after', 'reason',
                                              'reference', 'note'), movement_rows)
        set_sequences(conn, ('warehouses', 'products', 'locations', 'stock_levels'))
        conn.commit()
    vacuum_analyze(url)
    return {'products': products, 'locations': locations, 'levels': len(level_rows), 'shelf': shelf,
            'counted': counted, 'variances': sum(counted[p] != shelf[p] for p in shelf),
            'units': sum(counted[p] - shelf[p] for p in shelf),
            'codes': {row[0]: row[2] for row in location_rows}}


# ------------------------------------------------------------------------------------------------ runs

def reset(url: str, data: dict) -> None:
    """Put the database back as generate() left it: no count, the levels as they were."""
    mark = '?' if is_sqlite(url) else '%s'
    with contextlib.closing(connect(url)) as conn:
        conn.execute('DELETE FROM count_lines')
        conn.execute('DELETE FROM count_locations')
        conn.execute('DELETE FROM stock_counts')
        conn.execute("DELETE FROM stock_movements WHERE reason = 'stocktake'")
        conn.execute("DELETE FROM audit_events WHERE action LIKE 'stocktake.%'")
        conn.cursor().executemany(f'UPDATE stock_levels SET on_hand = {mark} WHERE product_id = {mark} '
                                  f'AND location_id = {mark}',
                                  [(data['shelf'][pair], *pair) for pair in data['shelf']
                                   if data['shelf'][pair] != data['counted'][pair]])
        conn.commit()
    vacuum_analyze(url)


def unapprove(url: str, data: dict, count_id: int) -> None:
    """Undo what the floor wrote, so that the count is counted and not approved again."""
    mark = '?' if is_sqlite(url) else '%s'
    with contextlib.closing(connect(url)) as conn:
        conn.cursor().executemany(f'UPDATE stock_levels SET on_hand = {mark} WHERE product_id = {mark} '
                                  f'AND location_id = {mark}',
                                  [(data['shelf'][pair], *pair) for pair in data['shelf']
                                   if data['shelf'][pair] != data['counted'][pair]])
        conn.execute("DELETE FROM stock_movements WHERE reason = 'stocktake'")
        conn.execute(f"UPDATE count_lines SET approved_at = NULL, approval_reason = '', applied = NULL "
                     f'WHERE count_id = {mark}', (count_id,))
        conn.execute(f"UPDATE stock_counts SET state = 'counted', approved_at = NULL WHERE id = {mark}", (count_id,))
        conn.commit()
    vacuum_analyze(url)


def run_start(app) -> tuple[float, int]:
    from app.extensions import db
    from app.stocktake.services import start_count

    with app.app_context():
        started = time.perf_counter()
        count = start_count(actor=None)
        db.session.commit()
        seconds = time.perf_counter() - started
        count_id = count.id
        db.session.remove()
    return seconds, count_id


def shelves(data: dict) -> dict[int, dict[int, int]]:
    """What each location holds, by location id then product id, as the counter finds it."""
    found: dict[int, dict[int, int]] = {}
    for (product, location), units in data['counted'].items():
        found.setdefault(location, {})[product] = units
    return found


def run_record(app, data: dict, count_id: int) -> tuple[float, list[float]]:
    """record_location() of every location, one transaction each, in walking order; total and per location."""
    from app.extensions import db
    from app.stocktake.models import StockCount
    from app.stocktake.services import record_location

    found = shelves(data)
    each = []
    with app.app_context():
        order = sorted(data['codes'].items(), key=lambda item: walking_key(item[1]))
        started = time.perf_counter()
        for location_id, code in order:
            began = time.perf_counter()
            count = db.session.get(StockCount, count_id)
            record_location(count, code, found.get(location_id, {}), actor=None)
            db.session.commit()
            each.append(time.perf_counter() - began)
        seconds = time.perf_counter() - started
        db.session.remove()
    return seconds, each


def run_variances(app, count_id: int) -> tuple[float, dict]:
    """What the count's page reads: every line with its variance, and the count's accuracy figures."""
    from app.extensions import db
    from app.stocktake import queries
    from app.stocktake.models import StockCount

    with app.app_context():
        started = time.perf_counter()
        count = db.session.get(StockCount, count_id)
        lines = queries.count_lines(count)
        variances = [line.variance for line in lines]
        figures = queries.accuracy([count_id])[count_id]
        seconds = time.perf_counter() - started
        db.session.remove()
    return seconds, {'lines': len(lines), 'with_variance': sum(1 for v in variances if v),
                     'figure_lines': figures.lines_with_variance}


def run_approve(app, count_id: int) -> tuple[float, int, Counter]:
    from app.extensions import db
    from app.stocktake.models import StockCount
    from app.stocktake.services import approve

    with app.app_context(), StatementTimer(db.engine) as timer:
        started = time.perf_counter()
        count = db.session.get(StockCount, count_id)
        applied = approve(count, actor=None, reason=REASON)
        db.session.commit()
        seconds = time.perf_counter() - started
        corrected = sum(1 for a in applied if a.variance)
        db.session.remove()
    statements = Counter()
    for statement, spent in timer.seconds.items():
        statements[statement_kind(statement)] += spent
    return seconds, corrected, statements


FLOOR_LINES = ('SELECT l.product_id, l.location_id, coalesce(l.recounted, l.counted) '
               '- CASE WHEN l.recounted IS NOT NULL THEN l.recount_book - l.recount_picked ELSE l.book - l.picked END, '
               's.on_hand FROM count_lines l JOIN stock_levels s ON s.product_id = l.product_id '
               'AND s.location_id = l.location_id WHERE l.count_id = {mark} AND l.approved_at IS NULL '
               'ORDER BY l.product_id, l.location_id')


def run_floor(url: str, count_id: int) -> float:
    """One DB-API transaction: read the lines with their variance, write what approval writes."""
    sqlite = is_sqlite(url)
    mark = '?' if sqlite else '%s'
    now = datetime.datetime.now(datetime.UTC)
    now = sqlite_stamp(now) if sqlite else now
    reference = f'C{count_id:06d}'
    with contextlib.closing(connect(url)) as conn:
        started = time.perf_counter()
        cursor = conn.cursor()
        cursor.execute(FLOOR_LINES.format(mark=mark), (count_id,))
        changes = [(product, location, delta, on_hand + delta) for product, location, delta, on_hand
                   in cursor.fetchall() if delta]
        cursor.executemany(f'UPDATE stock_levels SET on_hand = {mark} WHERE product_id = {mark} '
                           f'AND location_id = {mark}', [(after, p, loc) for p, loc, _d, after in changes])
        cursor.executemany('INSERT INTO stock_movements (at, product_id, location_id, delta, on_hand_after, reason, '
                           f'reference, note) VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark}, {mark}, {mark})',
                           [(now, p, loc, d, after, 'stocktake', reference, REASON) for p, loc, d, after in changes])
        cursor.execute(f'UPDATE count_lines SET approved_at = {mark}, approval_reason = {mark}, applied = '
                       'coalesce(recounted, counted) - CASE WHEN recounted IS NOT NULL '
                       'THEN recount_book - recount_picked ELSE book - picked END '
                       f'WHERE count_id = {mark} AND approved_at IS NULL', (now, REASON, count_id))
        cursor.execute(f"UPDATE stock_counts SET state = 'approved', approved_at = {mark} WHERE id = {mark}",
                       (now, count_id))
        conn.commit()
        return time.perf_counter() - started


def check(url: str, data: dict, count_id: int) -> None:
    """The levels hold what was counted, one ledger row per variance, every line approved."""
    mark = '?' if is_sqlite(url) else '%s'
    with contextlib.closing(connect(url)) as conn:
        levels = {(p, loc): on_hand for p, loc, on_hand in
                  conn.execute('SELECT product_id, location_id, on_hand FROM stock_levels').fetchall()}
        ledger = {(p, loc): delta for p, loc, delta in conn.execute(
            "SELECT product_id, location_id, delta FROM stock_movements WHERE reason = 'stocktake'").fetchall()}
        ledger_rows = conn.execute("SELECT count(*) FROM stock_movements WHERE reason = 'stocktake'").fetchone()[0]
        open_lines = conn.execute(f'SELECT count(*) FROM count_lines WHERE count_id = {mark} '
                                  'AND approved_at IS NULL', (count_id,)).fetchone()[0]
        state = conn.execute(f'SELECT state FROM stock_counts WHERE id = {mark}', (count_id,)).fetchone()[0]
    problems = []
    wrong = [pair for pair, units in data['counted'].items() if levels.get(pair) != units]
    if wrong:
        problems.append(f'{len(wrong)} levels do not hold what was counted, e.g. {wrong[:3]}')
    expected = {pair: data['counted'][pair] - data['shelf'][pair] for pair in data['shelf']
                if data['counted'][pair] != data['shelf'][pair]}
    if ledger != expected or ledger_rows != len(expected):
        problems.append(f'{ledger_rows} stocktake ledger rows, {len(expected)} variances')
    if open_lines or state != 'approved':
        problems.append(f'{open_lines} lines not approved, count {state}')
    if problems:
        raise RuntimeError('stocktake check failed: ' + '; '.join(problems))


def measure(name: str, locations: int, runs: int) -> dict:
    times = {kind: [] for kind in ('start', 'record', 'floor', 'variances', 'approve', 'goal')}
    per_location, statements, load = [], [], [load_average()]
    with tempfile.TemporaryDirectory(prefix='kura-bench-') as tmp, databases(name, Path(tmp)) as url:
        started = time.perf_counter()
        data = generate(url, locations)
        print(f'  generated {data["locations"]:,} locations, {data["levels"]:,} levels of {data["products"]:,} '
              f'products ({data["variances"]:,} to be counted differently) in {time.perf_counter() - started:.1f} s',
              flush=True)
        app = bench_app(url)
        try:
            for run in range(1, runs + 1):
                reset(url, data)
                start_seconds, count_id = run_start(app)
                record_seconds, each = run_record(app, data, count_id)
                floor_seconds = run_floor(url, count_id)
                check(url, data, count_id)
                unapprove(url, data, count_id)
                variance_seconds, seen = run_variances(app, count_id)
                if seen['with_variance'] != data['variances'] or seen['figure_lines'] != data['variances']:
                    raise RuntimeError(f'the count page shows {seen}, not {data["variances"]} variances')
                approve_seconds, corrected, spent = run_approve(app, count_id)
                if corrected != data['variances']:
                    raise RuntimeError(f'approve() corrected {corrected} levels, not {data["variances"]}')
                check(url, data, count_id)
                for kind, seconds in (('start', start_seconds), ('record', record_seconds), ('floor', floor_seconds),
                                      ('variances', variance_seconds), ('approve', approve_seconds),
                                      ('goal', variance_seconds + approve_seconds)):
                    times[kind].append(seconds)
                per_location.append(each)
                statements.append(spent)
                print(f'  run {run}/{runs}: start {start_seconds:.2f} s, record {record_seconds:.2f} s '
                      f'({statistics.median(each) * 1000:.1f} ms a location), variances {variance_seconds:.2f} s, '
                      f'approve {approve_seconds:.2f} s, floor {floor_seconds:.2f} s', flush=True)
            version = server_version(url)
        finally:
            dispose(app)
    load.append(load_average())
    median = {kind: statistics.median(values) for kind, values in times.items()}
    spent = {kind: statistics.median(run.get(kind, 0.0) for run in statements)
             for kind in sorted({kind for run in statements for kind in run})}
    spent = dict(sorted(spent.items(), key=lambda item: -item[1]))
    spent['the rest (Python, commit)'] = max(0.0, median['approve'] - sum(spent.values()))
    first, last = per_location[len(per_location) // 2][:50], per_location[len(per_location) // 2][-50:]
    return {'median': median, 'ratio': median['goal'] / median['floor'], 'runs': times, 'version': version,
            'data': {k: v for k, v in data.items() if k not in ('shelf', 'counted', 'codes')}, 'spent': spent,
            'load': load, 'record_first': statistics.median(first), 'record_last': statistics.median(last)}


def table(results: dict) -> str:
    rows = ['| Database | variances + approve (median) | variances | approve() + commit | floor | ratio | '
            'start_count() | record every location (first / last 50, each) |',
            '|---|---:|---:|---:|---:|---:|---:|---:|']
    for name, r in results.items():
        m = r['median']
        rows.append(f'| {name} | {m["goal"]:.2f} s | {m["variances"]:.2f} s | {m["approve"]:.2f} s | '
                    f'{m["floor"]:.2f} s | {r["ratio"]:.1f} | {m["start"]:.2f} s | {m["record"]:.1f} s '
                    f'({r["record_first"] * 1000:.1f} / {r["record_last"] * 1000:.1f} ms) |')
    return '\n'.join(rows)


def goals(results: dict) -> list[str]:
    return [f'Variances and approval under {GOAL_SECONDS:g} s on {name}: {verdict(r["median"]["goal"] < GOAL_SECONDS)} '
            f'({r["median"]["goal"]:.2f} s, {r["ratio"]:.1f} times the floor).' for name, r in results.items()]


def section(results: dict, runs: int, code: str) -> str:
    data = next(iter(results.values()))['data']
    each = '\n'.join(f'- {name}: ' + '; '.join(f'{kind} ' + ', '.join(f'{s:.2f}' for s in r['runs'][kind])
                                              for kind in ('variances', 'approve', 'floor', 'start', 'record'))
                     + ' (s)' for name, r in results.items())
    versions = ' and '.join(f'{name} {r["version"]}' for name, r in results.items())
    spent = '\n'.join(f'- {name}: ' + ', '.join(f'{kind} {s:.2f}' for kind, s in r['spent'].items() if s >= 0.005)
                      for name, r in results.items())
    load = '; '.join(f'{name} {r["load"][0]} before, {r["load"][1]} after' for name, r in results.items())
    return f"""## {TITLE}

Recorded {datetime.date.today():%Y-%m-%d} with the code at {code}, on a machine with {machine()}, {versions}
(PostgreSQL: the throw-away server of `tests/pgserver.py`, with fsync, synchronous_commit and full_page_writes off).
Command: `.venv/bin/python -m bench --only stocktake` (median of {runs} runs).

The data is written straight into a freshly migrated database by `bench/stocktake.py`, from a fixed seed:
{data['products']:,} products at {data['locations']:,} locations, {data['levels']:,} stock levels (four products a
location, each product at five), nothing allocated. The shelves hold what the book says except at
{data['variances']:,} levels (2 %), one to three units more or fewer ({data['units']:+,} units in all). Each run, on
the database put back as it was: *start* is `start_count()` of every location and the commit; *record* is
`record_location()` of every location in walking order, one transaction each (the service behind the count screen
and `flask stocktake record`); *variances* is what the count's page reads (`queries.count_lines()` with each line's
variance, and `queries.accuracy()`); *approve* is `approve()` of the whole count and the commit. The *floor*, on
the same counted count, is the DB-API alone in one transaction: a single SELECT of the lines with their variance and
the level's on hand, then what approval writes: the corrected levels and their ledger rows (`executemany`), every
line marked approved by one UPDATE, the count approved (then undone, not timed). After every run the benchmark
checks that every level holds what was counted, one `stocktake` ledger row per variance with its delta, and every
line approved. Ratio = median (variances + approve) / median floor.

{table(results)}

Each run, in seconds (load average: {load}):

{each}

Where approve()'s time goes, in seconds (the median over the runs of the time spent in each kind of statement,
measured with SQLAlchemy's cursor events; the rest is Python and the commit):

{spent}

Goals:

""" + '\n'.join(f'- {item}' for item in goals(results)) + '\n'


def main(runs: int = 3, quick: bool = False) -> None:
    code = code_version()
    locations = QUICK if quick else FULL
    print(f'stocktake: {locations:,} locations', flush=True)
    results = {}
    for name in ('SQLite', 'PostgreSQL'):
        print(name, flush=True)
        results[name] = measure(name, locations, runs)
    print(table(results))
    for name, r in results.items():
        print(f'{name}: approve() ' + ', '.join(f'{kind} {s:.2f} s' for kind, s in r['spent'].items()))
    print('\n'.join(goals(results)))
    if quick:
        print(f'(--quick: {DOCS.relative_to(ROOT)} left alone)')
        return
    record_section('stocktake', TITLE, section(results, runs, code), code)
