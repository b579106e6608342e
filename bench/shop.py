"""Storefront: the catalogue and product pages under gunicorn, and checkouts until the last unit, against floors.

Per database (a SQLite file; a throw-away PostgreSQL server from tests/pgserver.py, fsync off), a template is
migrated and filled with Kura's own commands (``flask db upgrade``, ``import-products``, ``import-stock``): the
500 products of bench/order_import.py, 200 of them published with 40 units each, and one more published
product, LAST-1, with exactly 200 units.  Each run gets a fresh copy of the template and its own server:

    gunicorn -w 2 -k sync -b fd://N 'bench.shop:server_app()'   (N: a loopback socket this process bound)

(the application as wsgi.py makes it, but with CSRF off, which a load generator cannot pass).  The load
generator is this process: 8 threads on loopback, one new connection per request (gunicorn's sync workers
close every connection), a bounded count of requests per endpoint and a time limit; every response must be
a 200 carrying the page's own text.  After a warm-up, per run and in this order:

- floor: ``GET /static/shop.css`` (Flask and gunicorn and the socket, no database);
- healthz: ``GET /healthz`` (a database round trip and the schema check), for reference;
- catalogue: ``GET /shop/?page=N`` over the 9 pages of the 200 products (24 a page);
- product: ``GET /shop/products/SKU`` over the 200 published products, in a fixed shuffled order;
- checkouts: 250 customers, each a client with its own cookies that follows redirects as a browser does,
  for LAST-1's 200 units.  First every customer opens the product page, adds one unit to the cart and
  sends the checkout form (nothing is reserved yet, so all 250 get to the confirmation page); then all 250
  press "order" (``POST /shop/checkout/confirm``), 8 at a time.  Exactly 200 must get the thank-you page
  and 50 the cart with the out-of-stock message; the database must then hold 200 store orders, all
  allocated, LAST-1 allocated == on hand == 200, and no stock level anywhere allocating more than it holds.
  Checkouts/s = 200 / the time from the first "order" to the last order placed.

Reported: the medians over the runs of throughput (requests/s) and of the p50/p95/p99 latencies, and the
ratios of each page to the floor measured in the same run.
"""
import contextlib
import datetime
import http.client
import http.cookies
import itertools
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench import DOCS, ROOT
from bench.order_import import code_version, connect, dbapi_url, flask, products, server_version
from tests.ports import bound_socket


TITLE = 'Storefront'
WORKERS = 2
CONCURRENCY = 8
FULL = {'requests': 2000, 'units': 200, 'customers': 250}
QUICK = {'requests': 200, 'units': 40, 'customers': 50}
TIME_LIMIT = 240.0  # seconds, for any one load loop; a loop that reaches it stops and the run fails
PUBLISHED = 200
STOCK_EACH = 40
RACE_SKU = 'LAST-1'
SEED = 20251122
SECRET_KEY = 'kura-bench-not-a-secret'
OUT_OF_STOCK = '在庫が足りなくなりました'   # the Japanese shop's "not enough stock any more"
ADDRESS = {'name': '山田 花子', 'kana': 'ヤマダ ハナコ', 'phone': '03-1234-5678', 'postal_code': '100-0001',
           'prefecture': '東京都', 'city': '千代田区', 'address1': '千代田1-1', 'address2': '㈱蔵ビル ①号室',
           'delivery_date': '', 'time_slot': '午前中', 'payment_method': 'cod', 'comment': ''}


def server_app():
    """The application gunicorn serves here: wsgi.py's, with CSRF off (the clients post no token)."""
    from app import create_app

    return create_app({'WTF_CSRF_ENABLED': False})


# ---------------------------------------------------------------------------------------------- servers

def environment(url: str, instance: Path) -> dict[str, str]:
    return {**os.environ, 'DATABASE_URL': url, 'KURA_INSTANCE_PATH': str(instance), 'SECRET_KEY': SECRET_KEY}


@contextlib.contextmanager
def gunicorn(app_spec: str, *, url: str, instance: Path, workers: int, log: Path):
    """Serve `app_spec` with gunicorn's sync workers on a loopback port; yield the port, stop it after."""
    # gunicorn listens on a socket bound here and handed down (fd://), so no other process can take the port
    # between its choice and gunicorn's start
    with bound_socket() as sock:
        port = sock.getsockname()[1]
        command = [sys.executable, '-m', 'gunicorn', '-w', str(workers), '-k', 'sync', '-b', f'fd://{sock.fileno()}',
                   '--timeout', '120', '--graceful-timeout', '10', app_spec]
        with log.open('ab') as out:
            process = subprocess.Popen(command, cwd=ROOT, env=environment(url, instance), stdout=out,
                                       stderr=subprocess.STDOUT, pass_fds=(sock.fileno(),))
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f'gunicorn exited {process.returncode}: {log.read_text()[-3000:]}')
            with contextlib.suppress(OSError):
                if get(port, '/healthz')[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f'gunicorn did not answer within 60 s: {log.read_text()[-3000:]}')
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()  # the master stops its workers gracefully
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    try:
        conn.request('GET', path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Browser:
    """One customer's (or packer's) browser: its own cookies; redirects followed with GET, as a browser does."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        """One request: (status, headers, body text, seconds)."""
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        if self.cookies:
            headers['Cookie'] = '; '.join(f'{k}={v}' for k, v in self.cookies.items())
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=30)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - started
        for header in response.headers.get_all('Set-Cookie') or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                gone = morsel['max-age'] == '0' or '1970' in morsel['expires'] or not morsel.value
                if gone:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, content.decode('utf-8', 'replace'), seconds

    def go(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        """The request and the redirects after it: (first status, final status, final text, seconds of the first,
        where it was redirected to)."""
        status, reply_headers, text, seconds = self.send(method, path, form, headers)
        first, location = status, reply_headers.get('Location', '')
        for _ in range(5):
            if status not in (301, 302, 303):
                break
            target = urllib.parse.urlsplit(reply_headers['Location'])
            path = target.path + (f'?{target.query}' if target.query else '')
            status, reply_headers, text, _ = self.send('GET', path)
        return first, status, text, seconds, location


# ---------------------------------------------------------------------------------------------- load

def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50, p95 and p99 in milliseconds."""
    cuts = statistics.quantiles(seconds, n=100, method='inclusive') if len(seconds) > 1 else [seconds[0]] * 99
    return {'p50': cuts[49] * 1000, 'p95': cuts[94] * 1000, 'p99': cuts[98] * 1000}


def hammer(port: int, paths: list[str], marker: bytes, *, requests: int, concurrency: int = CONCURRENCY,
           headers: dict | None = None) -> dict:
    """`requests` GETs of `paths` (in turn) from `concurrency` threads, each request on a new connection.

    Bounded: by the count, and by TIME_LIMIT (reaching it is an error).  Every answer must be a 200
    containing `marker`.
    """
    latencies: list[float] = []
    failures: list[str] = []
    numbers = itertools.count()
    lock = threading.Lock()
    deadline = time.perf_counter() + TIME_LIMIT

    def worker():
        while not failures:
            with lock:
                n = next(numbers)
            if n >= requests or time.perf_counter() > deadline:
                return
            path = paths[n % len(paths)]
            started = time.perf_counter()
            try:
                status, body = get(port, path, headers)
            except OSError as exc:
                failures.append(f'{path}: {exc!r}')
                return
            latencies.append(time.perf_counter() - started)
            if status != 200 or marker not in body:
                failures.append(f'{path}: {status} {body[:300]!r}')

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise RuntimeError(f'{len(failures)} failed requests, the first: {failures[0]}')
    if len(latencies) < requests:
        raise RuntimeError(f'only {len(latencies)} of {requests} requests within {TIME_LIMIT:g} s')
    return {'requests': len(latencies), 'seconds': wall, 'rps': len(latencies) / wall, **percentiles(latencies)}


def pool(jobs: list, work, *, concurrency: int = CONCURRENCY) -> float:
    """Run work(job) for every job from `concurrency` threads; the wall-clock seconds.  Bounded by TIME_LIMIT."""
    todo = iter(jobs)
    lock = threading.Lock()
    failures: list[BaseException] = []
    deadline = time.perf_counter() + TIME_LIMIT

    def worker():
        while not failures:
            with lock:
                job = next(todo, None)
            if job is None:
                return
            if time.perf_counter() > deadline:
                failures.append(RuntimeError(f'not done within {TIME_LIMIT:g} s'))
                return
            try:
                work(job)
            except BaseException as exc:  # noqa: BLE001 (re-raised below, in the caller's thread)
                failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------- the shop

def catalogue_rows(units: int) -> tuple[list[dict], list[dict], list[str]]:
    """Product and stock CSV rows, and the SKUs to publish: 200 of the 500 products, and LAST-1."""
    catalogue = products() + [{'sku': RACE_SKU, 'name': '髙級抹茶 最後の一缶', 'jan': '4901234999992', 'price': 3240,
                               'tax_rate': 8, 'weight_g': 120, 'active': 'true'}]
    published = [p['sku'] for i, p in enumerate(catalogue[:-1]) if i % 5 in (0, 2)][:PUBLISHED] + [RACE_SKU]
    stock = [{'sku': p['sku'], 'location': f'S-{i // 100 + 1:02d}-{i % 100 // 10 + 1:02d}-{i % 10 + 1}',
              'quantity': STOCK_EACH} for i, p in enumerate(catalogue[:-1])]
    stock.append({'sku': RACE_SKU, 'location': 'Z-01-01-1', 'quantity': units})
    return catalogue, stock, published


def prepare(url: str, workdir: Path, units: int) -> list[str]:
    """Migrate, import the products and their stock with Kura's commands, publish 201; the published SKUs."""
    import csv

    catalogue, stock, published = catalogue_rows(units)
    for name, rows in (('products', catalogue), ('stock', stock)):
        with (workdir / f'{name}.csv').open('w', encoding='utf-8', newline='') as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    flask('db', 'upgrade', url=url, instance=workdir)
    flask('import-products', str(workdir / 'products.csv'), url=url, instance=workdir)
    flask('import-stock', str(workdir / 'stock.csv'), url=url, instance=workdir)
    with contextlib.closing(connect(url)) as conn:
        mark = '?' if url.startswith('sqlite') else '%s'
        conn.cursor().executemany(f'UPDATE products SET published = {mark}, description = {mark} WHERE sku = {mark}',
                                  [(True, '香り高い一品です。贈り物にもどうぞ。', sku) for sku in published])
        conn.commit()
    return published


@contextlib.contextmanager
def sqlite_databases(workdir: Path, units: int):
    """Yield (published SKUs, fresh): fresh() gives the URL of a new copy of the prepared SQLite file."""
    template = workdir / 'template.db'
    published = prepare(f'sqlite:///{template}', workdir, units)
    with contextlib.closing(sqlite3.connect(template)) as conn:
        conn.execute('PRAGMA wal_checkpoint(TRUNCATE)')

    @contextlib.contextmanager
    def fresh():
        path = workdir / 'run.db'
        shutil.copyfile(template, path)
        try:
            yield f'sqlite:///{path}'
        finally:
            for leftover in workdir.glob('run.db*'):
                leftover.unlink()
    yield published, fresh


@contextlib.contextmanager
def postgresql_databases(workdir: Path, units: int):
    """Yield (published SKUs, fresh): fresh() gives the URL of a new database made from the prepared one."""
    import psycopg

    from tests.pgserver import postgresql_server

    with postgresql_server() as url:
        published = prepare(url, workdir, units)
        base, template = url.rsplit('/', 1)

        @contextlib.contextmanager
        def fresh():
            with psycopg.connect(dbapi_url(f'{base}/postgres'), autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE bench_run TEMPLATE {template}')
                try:
                    yield f'{base}/bench_run'
                finally:
                    admin.execute('DROP DATABASE bench_run')
        yield published, fresh


DATABASES = {'SQLite': sqlite_databases, 'PostgreSQL': postgresql_databases}


# ---------------------------------------------------------------------------------------------- checkouts

def checkout_race(port: int, customers: int, units: int) -> dict:
    """`customers` customers for `units` units of LAST-1: all reach the confirmation page, then all order."""
    browsers = [Browser(port) for _ in range(customers)]
    steps = {'product': [], 'cart': [], 'checkout': [], 'confirm': []}

    def prepare_one(n):
        browser = browsers[n]
        first, status, text, seconds, _ = browser.go('GET', f'/shop/products/{RACE_SKU}')
        if status != 200 or 'カートに入れる' not in text:
            raise RuntimeError(f'customer {n}: product page {status}')
        steps['product'].append(seconds)
        first, status, text, seconds, _ = browser.go('POST', f'/shop/cart/{RACE_SKU}', {'quantity': '1', 'add': '1'})
        if (first, status) != (302, 200) or RACE_SKU not in text:
            raise RuntimeError(f'customer {n}: add to cart {first} -> {status}')
        steps['cart'].append(seconds)
        first, status, text, seconds, location = browser.go('POST', '/shop/checkout',
                                                            {**ADDRESS, 'email': f'customer{n}@example.jp'})
        if first != 302 or not location.endswith('/shop/checkout/confirm') or status != 200:
            raise RuntimeError(f'customer {n}: checkout form {first} -> {location} {status}: {text[-2000:]}')
        steps['checkout'].append(seconds)

    outcomes: list[tuple[str, float]] = []

    def order_one(n):
        first, status, text, seconds, location = browsers[n].go('POST', '/shop/checkout/confirm')
        steps['confirm'].append(seconds)
        if first == 302 and location.endswith('/shop/thanks') and status == 200 and 'K0' in text:
            outcomes.append(('sold', time.perf_counter()))
        elif first == 302 and location.endswith('/shop/cart') and OUT_OF_STOCK in text:
            outcomes.append(('sold out', time.perf_counter()))
        else:
            raise RuntimeError(f'customer {n}: order {first} -> {location} {status}: {text[-1500:]}')

    prepared = pool(list(range(customers)), prepare_one)
    started = time.perf_counter()
    pool(list(range(customers)), order_one)
    sold = [at for what, at in outcomes if what == 'sold']
    sold_out = len(outcomes) - len(sold)
    if (len(sold), sold_out) != (units, customers - units):
        raise RuntimeError(f'{len(sold)} sold and {sold_out} told "sold out"; expected {units} and '
                           f'{customers - units}')
    race = max(sold) - started
    return {'prepare_seconds': prepared, 'race_seconds': race, 'checkouts_per_second': units / race,
            'sold': len(sold), 'sold_out': sold_out,
            **{f'{step}_{k}': v for step, times in steps.items() for k, v in percentiles(times).items()}}


def verify(url: str, units: int) -> dict:
    """What the database says after the race: no oversell, every order allocated."""
    queries = {
        'store_orders': "SELECT count(*) FROM orders WHERE channel = 'store'",
        'allocated_orders': "SELECT count(*) FROM orders WHERE channel = 'store' AND status = 'allocated'",
        'allocations': 'SELECT coalesce(sum(a.quantity), 0) FROM allocations a JOIN products p ON p.id = a.product_id '
                       f"WHERE p.sku = '{RACE_SKU}'",
        'on_hand': f"SELECT sum(s.on_hand) FROM stock_levels s JOIN products p ON p.id = s.product_id "
                   f"WHERE p.sku = '{RACE_SKU}'",
        'allocated': f"SELECT sum(s.allocated) FROM stock_levels s JOIN products p ON p.id = s.product_id "
                     f"WHERE p.sku = '{RACE_SKU}'",
        'oversold_levels': 'SELECT count(*) FROM stock_levels WHERE allocated > on_hand',
    }
    with contextlib.closing(connect(url)) as conn:
        found = {name: conn.execute(query).fetchone()[0] for name, query in queries.items()}
    wanted = {'store_orders': units, 'allocated_orders': units, 'allocations': units, 'on_hand': units,
              'allocated': units, 'oversold_levels': 0}
    if found != wanted:
        raise RuntimeError(f'after the checkouts the database holds {found}, expected {wanted}')
    return found


# ---------------------------------------------------------------------------------------------- runs

def pages(published: list[str]) -> dict[str, tuple[list[str], bytes]]:
    """Per endpoint: the paths requested in turn, and a text every answer must contain."""
    skus = [sku for sku in published if sku != RACE_SKU]
    random.Random(SEED).shuffle(skus)
    catalogue_pages = (len(published) + 23) // 24
    return {
        'floor': (['/static/shop.css'], b'{'),
        'healthz': (['/healthz'], b'"ok"'),
        'catalogue': ([f'/shop/?page={n}' for n in range(1, catalogue_pages + 1)], '（税込）'.encode()),
        'product': ([f'/shop/products/{urllib.parse.quote(sku)}' for sku in skus], 'カートに入れる'.encode()),
    }


def one_run(port: int, published: list[str], size: dict) -> dict:
    endpoints = pages(published)
    for paths, marker in endpoints.values():  # warm-up: both workers load, templates compile
        hammer(port, paths, marker, requests=max(40, size['requests'] // 20))
    # /healthz is only a reference, and dear (see the section): a quarter of the requests
    result = {name: hammer(port, paths, marker, requests=size['requests'] // (4 if name == 'healthz' else 1))
              for name, (paths, marker) in endpoints.items()}
    result['checkouts'] = checkout_race(port, size['customers'], size['units'])
    return result


def measure(name: str, runs: int, size: dict) -> dict:
    results, version = [], '?'
    with tempfile.TemporaryDirectory(prefix='kura-bench-shop-') as tmp, \
            DATABASES[name](Path(tmp), size['units']) as (published, fresh):
        for run in range(1, runs + 1):
            with fresh() as url, gunicorn('bench.shop:server_app()', url=url, instance=Path(tmp), workers=WORKERS,
                                          log=Path(tmp) / 'gunicorn.log') as port:
                result = one_run(port, published, size)
                result['database'] = verify(url, size['units'])
                version = server_version(url)
            results.append(result)
            c = result['checkouts']
            print(f'  run {run}/{runs}: ' + ', '.join(
                f'{k} {result[k]["rps"]:.0f}/s p50 {result[k]["p50"]:.1f} ms p99 {result[k]["p99"]:.1f} ms'
                for k in ('floor', 'healthz', 'catalogue', 'product'))
                + f'; checkouts {c["checkouts_per_second"]:.1f}/s ({c["sold"]} sold, {c["sold_out"]} told sold out)',
                flush=True)
    return {'runs': results, 'version': version}


def median(results: list[dict], key: str, field: str) -> float:
    return statistics.median(r[key][field] for r in results)


def summary(measured: dict) -> dict:
    runs = measured['runs']
    out = {}
    for key in ('floor', 'healthz', 'catalogue', 'product'):
        out[key] = {f: median(runs, key, f) for f in ('rps', 'p50', 'p95', 'p99')}
        # ratios are taken run by run (each against the floor of its own run), then the median
        out[key]['rps_ratio'] = statistics.median(r['floor']['rps'] / r[key]['rps'] for r in runs)
        out[key]['p50_ratio'] = statistics.median(r[key]['p50'] / r['floor']['p50'] for r in runs)
    fields = runs[0]['checkouts'].keys()
    out['checkouts'] = {f: median(runs, 'checkouts', f) for f in fields}
    out['checkouts']['p50_ratio'] = statistics.median(r['checkouts']['confirm_p50'] / r['floor']['p50']
                                                      for r in runs)
    return out


def machine(load_at_start: float) -> str:
    """The CPUs, Python, and how busy the (shared) machine was: the 1-minute load average at the start and end."""
    return (f'{len(os.sched_getaffinity(0))} CPUs (`nproc`), Python {platform.python_version()}, 1-minute load '
            f'average {load_at_start:.1f} at the start and {os.getloadavg()[0]:.1f} at the end')


def table(results: dict) -> str:
    rows = ['| Database | Endpoint | Requests/s | p50 | p95 | p99 | floor req/s ÷ req/s | p50 ÷ floor p50 |',
            '|---|---|---:|---:|---:|---:|---:|---:|']
    names = {'floor': 'floor: `GET /static/shop.css`', 'healthz': '`GET /healthz`',
             'catalogue': '`GET /shop/?page=N`', 'product': '`GET /shop/products/SKU`'}
    for db_name, r in results.items():
        s = r['summary']
        for key, label in names.items():
            e = s[key]
            ratios = '' if key == 'floor' else f'{e["rps_ratio"]:.2f} | {e["p50_ratio"]:.2f}'
            rows.append(f'| {db_name} | {label} | {e["rps"]:.0f} | {e["p50"]:.1f} ms | {e["p95"]:.1f} ms | '
                        f'{e["p99"]:.1f} ms | {ratios or "1 | 1"} |')
    return '\n'.join(rows)


def checkout_table(results: dict, size: dict) -> str:
    rows = ['| Database | Checkouts/s (orders placed until the last unit) | Cart + checkout form, customers/s | '
            '"Order" POST p50 / p99 | Add to cart p50 | Checkout form p50 | "Order" p50 ÷ floor p50 | '
            'Sold / told sold out |',
            '|---|---:|---:|---:|---:|---:|---:|---|']
    for db_name, r in results.items():
        c = r['summary']['checkouts']
        rows.append(f'| {db_name} | {c["checkouts_per_second"]:.1f} | {size["customers"] / c["prepare_seconds"]:.1f} | '
                    f'{c["confirm_p50"]:.1f} / {c["confirm_p99"]:.1f} ms | {c["cart_p50"]:.1f} ms | '
                    f'{c["checkout_p50"]:.1f} ms | {c["p50_ratio"]:.1f} | '
                    f'{c["sold"]:.0f} / {c["sold_out"]:.0f} in every run |')
    return '\n'.join(rows)


def section(results: dict, runs: int, size: dict, code: str, load: float) -> str:
    versions = ' and '.join(f'{name} {r["version"]}' for name, r in results.items())
    each = '\n'.join(
        f'- {name}: ' + '; '.join(
            f'{key} ' + ', '.join(f'{run[key]["rps"]:.0f}' for run in r['runs']) + ' req/s'
            for key in ('floor', 'healthz', 'catalogue', 'product'))
        + '; checkouts ' + ', '.join(f'{run["checkouts"]["checkouts_per_second"]:.1f}' for run in r['runs']) + '/s.'
        for name, r in results.items())
    units, losers = size['units'], size['customers'] - size['units']
    return f"""## {TITLE}

Recorded {datetime.date.today():%Y-%m-%d} with the code at {code}.
Machine: {machine(load)}; {versions} (PostgreSQL: the throw-away server of `tests/pgserver.py`, fsync off).
Command: `.venv/bin/python -m bench --only shop` (median of {runs} runs; `make bench` runs every benchmark).

Each run starts `gunicorn -w {WORKERS} -k sync -b 127.0.0.1:PORT 'bench.shop:server_app()'` (the application of
wsgi.py with CSRF off) on a fresh copy of one database, made with `flask db upgrade`, `import-products` and
`import-stock`: the 500 products of `bench/order_import.py`, {PUBLISHED} of them published with {STOCK_EACH} units each,
and LAST-1, published, with {units} units. The load generator is the benchmark's own process, on the same
{len(os.sched_getaffinity(0))} CPUs: {CONCURRENCY} threads, a new loopback connection per request (sync workers close
each one), {size['requests']:,} requests per endpoint (`/healthz` a quarter of that) after a warm-up, every answer
checked (a 200 with the page's own text).

- *floor*: `GET /static/shop.css` from the same server: gunicorn, Flask and the socket, no database;
- `GET /healthz`, for reference: a database round trip and the check that the schema is at the migrations' head;
- the catalogue, `GET /shop/?page=N`, through its {(PUBLISHED + 24) // 24} pages of 24;
- the product page, `GET /shop/products/SKU`, through the {PUBLISHED} published products.

Ratios are run by run (against the floor of the same run), then the median.

{table(results)}

Checkouts until the last unit: {size['customers']} customers, each with its own cookies, following redirects as a
browser does, want one of the {units} units of LAST-1. Each opens the product page, adds the product to the cart and
sends the checkout form ({CONCURRENCY} customers at a time; nothing is reserved yet, so all reach the confirmation
page); then all press "order" ({CONCURRENCY} at a time). Checkouts/s = {units} / the time from the first "order" to
the last order placed. In every run exactly {units} customers got the thank-you page and the other {losers} the cart
with 「在庫が足りなくなりました」 (not enough stock any more); the database then held {units} store orders, all
allocated, LAST-1 allocated = on hand = {units}, and no stock level allocating more than it holds: no oversell.

{checkout_table(results, size)}

Each run:

{each}

The issue sets no figure for the shop. Its rule, never sell more than is on hand and tell the losers so: met in
every run.
"""


def write_section(title: str, text: str) -> None:
    """Replace the section `## title` of docs/benchmarks.md (or add it at the end), keeping the rest of the page."""
    page = DOCS.read_text()
    start = page.find(f'\n## {title}\n')
    if start < 0:
        page = page.rstrip('\n') + '\n\n' + text
    else:
        end = page.find('\n## ', start + 1)
        page = page[:start + 1] + text + (page[end:] if end >= 0 else '')
    DOCS.write_text(page)


def main(runs: int = 3, quick: bool = False, databases: tuple[str, ...] = ('SQLite', 'PostgreSQL')) -> None:
    code, load = code_version(), os.getloadavg()[0]
    size = QUICK if quick else FULL
    results = {}
    for name in databases:
        print(f'shop: {name}', flush=True)
        measured = measure(name, runs, size)
        results[name] = {**measured, 'summary': summary(measured)}
    print(table(results))
    print(checkout_table(results, size))
    if quick:
        print(f'(--quick: {DOCS.relative_to(ROOT)} left alone)')
    elif code != code_version():
        print(f'the code changed during the run ({code}, now {code_version()}): {DOCS.relative_to(ROOT)} left alone')
    else:
        write_section(TITLE, section(results, runs, size, code, load))
        print(f'written to {DOCS.relative_to(ROOT)}')


if __name__ == '__main__':
    main(runs=int(sys.argv[1]) if len(sys.argv) > 1 else 1, quick=True,
         databases=tuple(sys.argv[2:]) or ('SQLite',))
