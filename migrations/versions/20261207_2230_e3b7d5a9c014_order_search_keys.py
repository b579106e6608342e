"""Order search keys: the normalised texts the order list finds an order by, back-filled for every order.

Revision ID: e3b7d5a9c014
Revises: e3b8d4a2f617
Create Date: 2026-12-07 22:30:00.000000

"""
import re
import unicodedata

from alembic import context, op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b7d5a9c014'
down_revision = 'e3b8d4a2f617'
branch_labels = None
depends_on = None

#: orders read and keyed at a time: memory stays flat on a million orders
CHUNK = 10_000


# ---- app/orders/search_keys.py as it stood at this revision: a migration is a snapshot, and must keep
# running when the application's keys later change (that change would bring its own migration to re-key)

#: variant kanji (異体字) of names and places -> the form people type; one form per family, so 齋, 齊 and
#: 斎 all become 斉.  NFKC leaves these alone (﨑 U+FA11 has no compatibility decomposition).
VARIANTS = str.maketrans({
    '髙': '高', '﨑': '崎', '嵜': '崎', '碕': '崎', '邊': '辺', '邉': '辺', '齋': '斉', '齊': '斉', '斎': '斉',
    '濱': '浜', '濵': '浜', '澤': '沢', '櫻': '桜', '廣': '広', '國': '国', '冨': '富', '嶋': '島', '嶌': '島',
    '德': '徳', '惠': '恵', '榮': '栄', '壽': '寿', '藏': '蔵', '萬': '万', '驒': '騨', '瀨': '瀬', '龍': '竜',
    '槇': '槙', '關': '関', '淵': '渕', '淺': '浅', '眞': '真', '當': '当', '圓': '円', '髮': '髪',
    '𠮷': '吉', '栁': '柳', '峯': '峰', '曾': '曽', '籠': '篭', '舘': '館',
})

_HIRAGANA = ''.join(chr(c) for c in range(0x3041, 0x3097)) + 'ゝゞ'
_KANA = str.maketrans(_HIRAGANA, ''.join(chr(ord(c) + 0x60) for c in _HIRAGANA))
# whitespace and the dashes people type between digits (after NFKC: a full-width hyphen is already '-');
# the katakana prolonged sound mark ー is part of a name and is kept
_DROPPED = re.compile(r'[\s\-\u2010-\u2015\u2212\u30a0]+')
#: a key is looked up by its beginning: longer ones are cut (an index entry stays small)
KEY_LENGTH = 200


def search_key(text: str) -> str:
    """`text` in the written form of the search (module docstring); '' for text with nothing to search by."""
    text = unicodedata.normalize('NFKC', text or '').upper().translate(VARIANTS).translate(_KANA)
    return _DROPPED.sub('', text)[:KEY_LENGTH]


#: the order columns its keys are made of; a change to any of them makes the keys again
KEYED_COLUMNS = ('external_order_id', 'buyer_name', 'buyer_kana', 'buyer_phone', 'ship_name', 'ship_kana',
                 'ship_phone', 'ship_prefecture', 'ship_city', 'ship_address1', 'ship_address2')


def order_keys(order) -> set[str]:
    """The keys an order is found by (its columns as a mapping, KEYED_COLUMNS at least).

    Each key is searched by its beginning, so names, kana and phones are found by their start; an address
    by its start, or the start of its city, street or building; a mall order number by its start, the start
    of any of its parts (between hyphens or other signs), or its last number without leading zeros
    (338888-20261207-0000012345 by 20261207, 00000123 or 12345).
    """
    def part(name):
        return order[name] or ''

    texts = [part(name) for name in ('buyer_name', 'buyer_kana', 'buyer_phone', 'ship_name', 'ship_kana',
                                     'ship_phone')]
    address = [part(name) for name in ('ship_prefecture', 'ship_city', 'ship_address1', 'ship_address2')]
    texts += [''.join(address[start:]) for start in range(len(address))]
    number = unicodedata.normalize('NFKC', part('external_order_id'))
    pieces = re.split(r'[^0-9A-Za-z]+', number)
    texts += [''.join(pieces[start:]) for start in range(len(pieces))]
    last = re.search(r'[0-9]+$', number)
    if last:
        texts.append(last.group().lstrip('0'))
    return {key for key in map(search_key, texts) if key}


# ----


def upgrade():
    op.create_table(
        'order_search_keys',
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_search_keys_order_id_orders'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('order_id', 'key', name=op.f('pk_order_search_keys')),
        sqlite_with_rowid=False,
    )
    if context.is_offline_mode():
        raise RuntimeError('the back-fill of order_search_keys reads the orders: run this migration online')
    _backfill(op.get_bind())
    # the index after the rows: one sort instead of a million ordered inserts
    op.create_index('ix_order_search_keys_key', 'order_search_keys', ['key'], unique=False,
                    postgresql_ops={'key': 'text_pattern_ops'})


def _backfill(connection) -> None:
    """Every order's keys, made by the same function as the application's (app/orders/search_keys.py),
    in chunks of orders by id."""
    orders = sa.table('orders', sa.column('id'), *map(sa.column, KEYED_COLUMNS))
    keys = sa.table('order_search_keys', sa.column('order_id'), sa.column('key'))
    last = 0
    while True:
        rows = connection.execute(sa.select(orders).where(orders.c.id > last).order_by(orders.c.id)
                                  .limit(CHUNK)).mappings().all()
        if not rows:
            return
        values = [{'order_id': row['id'], 'key': key} for row in rows for key in sorted(order_keys(row))]
        if values:
            connection.execute(keys.insert(), values)
        last = rows[-1]['id']


def downgrade():
    op.drop_index('ix_order_search_keys_key', table_name='order_search_keys',
                  postgresql_ops={'key': 'text_pattern_ops'})
    op.drop_table('order_search_keys')
