"""Report pages (issue 19): every analysis page for one year of the order list's data, on both databases.

The data is the order-list benchmark's (bench/order_list.py: 1,000,000 orders over two years, its cached SQLite file,
copied into PostgreSQL the same way). Each case is GET `/reports/<subject>?from=…&to=…` for the last year of the data
(ordered basis, every channel) as HTMX asks for it when a filter changes (the region: charts' JSON and tables), logged
in as a manager, through Flask's test client in this process. The floor, timed in the same rounds, is one plain
aggregate over the same year: orders and goods per JST day, straight from a DB-API connection.
"""
import contextlib
import datetime
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench import DOCS, ROOT
from bench.allocation import (
    bench_app,
    databases,
    dispose,
    load_average,
    machine,
    record_section,
    verdict,
)
from bench.order_import import code_version, connect, server_version
from bench.order_list import END, FULL, QUICK, cached_database, load_postgresql, log_in, summary


TITLE = 'Report pages (one year of 1,000,000 orders)'
SUBJECTS = ('sales', 'abc', 'floor', 'stock', 'reorder', 'holds')
GOALS_S = {'SQLite': 2.0, 'PostgreSQL': 1.0}
WARMUPS, REQUESTS = 1, 5


def period() -> tuple[datetime.date, datetime.date]:
    last = (END - datetime.timedelta(days=1)).date()
    return last - datetime.timedelta(days=364), last


def floor_sql(url_is_sqlite: bool, first: datetime.date, last: datetime.date) -> tuple[str, tuple]:
    if url_is_sqlite:
        day = "date(orders.ordered_at, '+9 hours')"
        mark = '?'
    else:
        day = "(orders.ordered_at AT TIME ZONE 'Asia/Tokyo')::date"
        mark = '%s'
    return (f'SELECT {day}, count(DISTINCT orders.id), sum(order_lines.unit_price * order_lines.quantity) '
            f'FROM orders JOIN order_lines ON order_lines.order_id = orders.id '
            f"WHERE orders.ordered_at >= {mark} AND orders.ordered_at < {mark} AND orders.status <> 'cancelled' "
            f'GROUP BY 1', (f'{first - datetime.timedelta(days=1)} 15:00:00', f'{last} 15:00:00'))


def measure_url(url: str, requests: int) -> dict:
    first, last = period()
    load = [load_average()]
    app = bench_app(url)
    try:
        client = log_in(app, 'manager')
        pages, floors = {s: [] for s in SUBJECTS}, []
        sql, args = floor_sql(url.startswith('sqlite'), first, last)
        with contextlib.closing(connect(url)) as conn:
            for round_no in range(WARMUPS + requests):
                for subject in SUBJECTS:
                    started = time.perf_counter()
                    response = client.get(f'/reports/{subject}?from={first}&to={last}',
                                          headers={'HX-Request': 'true'})
                    seconds = time.perf_counter() - started
                    if response.status_code != 200:
                        raise RuntimeError(f'/reports/{subject}: {response.status_code} {response.text[:300]}')
                    if round_no >= WARMUPS:
                        pages[subject].append(seconds)
                started = time.perf_counter()
                conn.execute(sql, args).fetchall()
                if round_no >= WARMUPS:
                    floors.append(time.perf_counter() - started)
                if not isinstance(conn, sqlite3.Connection):
                    conn.rollback()
    finally:
        dispose(app)
    load.append(load_average())
    floor_ms = summary(floors)['median']
    return {'floor': floor_ms, 'version': server_version(url), 'load': load,
            'cases': {s: {**summary(pages[s]), 'ratio': summary(pages[s])['median'] / floor_ms} for s in SUBJECTS}}


def measure(name: str, orders: int, requests: int) -> dict:
    path, meta = cached_database(orders)
    with tempfile.TemporaryDirectory(prefix='kura-bench-') as tmp:
        workdir = Path(tmp)
        if name == 'SQLite':
            copy = workdir / 'reports.db'
            shutil.copyfile(path, copy)
            result = measure_url(f'sqlite:///{copy}', requests)
        else:
            with databases(name, workdir) as url:
                load_postgresql(url, path)
                result = measure_url(url, requests)
    return result | {'meta': meta}


def table(name: str, r: dict) -> str:
    rows = [f'| {name}: report page | median | p95 | ratio to floor |', '|---|---:|---:|---:|']
    for subject, c in r['cases'].items():
        rows.append(f'| /reports/{subject} | {c["median"] / 1000:.2f} s | {c["p95"] / 1000:.2f} s | {c["ratio"]:.1f} |')
    rows.append(f'| floor: orders and goods per JST day over the year, one SQL statement | {r["floor"]:.0f} ms | | 1 |')
    return '\n'.join(rows)


def goals(results: dict) -> list[str]:
    items = []
    for name, r in results.items():
        goal = GOALS_S[name]
        worst = max(r['cases'].items(), key=lambda kc: kc[1]['median'])
        met = worst[1]['median'] / 1000 < goal
        items.append(f'Every report page under {goal:g} s at the median on {name}: {verdict(met)} '
                     f'(slowest: {worst[0]} {worst[1]["median"] / 1000:.2f} s).')
    return items


def section(results: dict, requests: int, code: str) -> str:
    meta = next(iter(results.values()))['meta']
    first, last = period()
    versions = ' and '.join(f'{name} {r["version"]}' for name, r in results.items())
    load = '; '.join(f'{name} {r["load"][0]} before, {r["load"][1]} after' for name, r in results.items())
    tables = '\n\n'.join(table(name, r) for name, r in results.items())
    return f"""## {TITLE}

Recorded {datetime.date.today():%Y-%m-%d} with the code at {code}, on a machine with {machine()}, {versions}.
Command: `.venv/bin/python -m bench --only reports`.

The data is the order-list benchmark's ({meta['orders']:,} orders, {meta['lines']:,} lines; see that section): each
case is GET `/reports/<subject>?from={first}&to={last}` (one year, ordered basis, every channel) as HTMX asks for it,
logged in as a manager: {WARMUPS} warm-up round, then {requests} timed rounds of every page in turn. That data has
no shipments, packing sessions or stock, so the floor and stock pages have little to show and their figures are a
lower bound; the sales, ABC, reorder and holds pages read every order line of the year. The floor is one SQL
statement: orders and goods per JST day over the same year. Load average: {load}.

{tables}

Goals:

""" + '\n'.join(f'- {item}' for item in goals(results)) + '\n'


def main(runs: int = 3, quick: bool = False) -> None:
    code = code_version()
    orders = QUICK if quick else FULL
    requests = max(REQUESTS, runs)
    results = {}
    for name in ('SQLite', 'PostgreSQL'):
        print(name, flush=True)
        results[name] = measure(name, orders, requests)
        print(table(name, results[name]), flush=True)
    print('\n'.join(goals(results)))
    if quick:
        print(f'(--quick: {DOCS.relative_to(ROOT)} left alone)')
        return
    record_section('reports', TITLE, section(results, requests, code), code)
