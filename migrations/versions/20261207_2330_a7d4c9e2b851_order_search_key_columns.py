"""Order search keys: normalised names, kana, address and the mall number's last part, each indexed.

Replaces the indexes on the raw name and kana columns, which only the search read: a search now looks
up the keys (app/orders/search_keys.py), so ﾀｶﾊｼ, たかはし and タカハシ, or 髙橋 and 高橋, find the same order.

Revision ID: a7d4c9e2b851
Revises: f1c2d3e4a5b6
Create Date: 2026-12-07 23:30:00.000000

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d4c9e2b851'
down_revision = 'f1c2d3e4a5b6'
branch_labels = None
depends_on = None

NAME_COLUMNS = ('ship_name', 'buyer_name', 'ship_kana', 'buyer_kana')
PREFIX_KEYS = ('ship_name_key', 'buyer_name_key', 'ship_kana_key', 'buyer_kana_key', 'address_key')

# a copy of app/orders/search_keys.py as it was when this migration was written: the keys written now must be
# the keys that code makes, whatever it becomes later
VARIANTS = str.maketrans({
    '髙': '高', '﨑': '崎', '嵜': '崎', '碕': '崎', '邊': '辺', '邉': '辺', '齋': '斉', '齊': '斉', '斎': '斉',
    '濱': '浜', '濵': '浜', '澤': '沢', '櫻': '桜', '廣': '広', '國': '国', '冨': '富', '嶋': '島', '嶌': '島',
    '德': '徳', '惠': '恵', '榮': '栄', '壽': '寿', '藏': '蔵', '萬': '万', '驒': '騨', '瀨': '瀬', '龍': '竜',
    '槇': '槙', '關': '関', '淵': '渕', '淺': '浅', '眞': '真', '當': '当', '圓': '円', '髮': '髪',
    '𠮷': '吉', '栁': '柳', '峯': '峰', '曾': '曽', '籠': '篭', '舘': '館',
})
_HIRAGANA = ''.join(chr(c) for c in range(0x3041, 0x3097)) + 'ゝゞ'
_KANA = str.maketrans(_HIRAGANA, ''.join(chr(ord(c) + 0x60) for c in _HIRAGANA))
_DROPPED = re.compile(r'[\s\-\u2010-\u2015\u2212\u30a0]+')
_LAST_NUMBER = re.compile(r'([0-9]+)[^0-9]*$')


def _key(text):
    text = unicodedata.normalize('NFKC', text or '').upper().translate(VARIANTS).translate(_KANA)
    return _DROPPED.sub('', text)[:100]


def _number_key(text):
    found = _LAST_NUMBER.search(unicodedata.normalize('NFKC', text or ''))
    return found.group(1).lstrip('0')[:40] if found else ''


def upgrade():
    with op.batch_alter_table('orders') as batch_op:
        for name in PREFIX_KEYS:
            batch_op.add_column(sa.Column(name, sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('order_no_key', sa.String(length=40), nullable=False, server_default=''))
        for name in NAME_COLUMNS:
            batch_op.drop_index(f'ix_orders_{name}')

    connection = op.get_bind()
    orders = sa.table('orders', *(sa.column(name) for name in (
        'id', 'external_order_id', 'buyer_name', 'buyer_kana', 'ship_name', 'ship_kana', 'ship_city',
        'ship_address1', 'ship_address2', *PREFIX_KEYS, 'order_no_key')))
    last = 0
    while True:
        rows = connection.execute(sa.select(orders).where(orders.c.id > last).order_by(orders.c.id)
                                  .limit(5000)).mappings().all()
        if not rows:
            break
        last = rows[-1]['id']
        connection.execute(
            orders.update().where(orders.c.id == sa.bindparam('order_id')),
            [{'order_id': row['id'], 'buyer_name_key': _key(row['buyer_name']),
              'buyer_kana_key': _key(row['buyer_kana']),
              # the recipient's keys only where they are not the buyer's: the search looks in both
              'ship_name_key': '' if _key(row['ship_name']) == _key(row['buyer_name']) else _key(row['ship_name']),
              'ship_kana_key': '' if _key(row['ship_kana']) == _key(row['buyer_kana']) else _key(row['ship_kana']),
              'address_key': _key((row['ship_city'] or '') + (row['ship_address1'] or '')
                                  + (row['ship_address2'] or '')),
              'order_no_key': _number_key(row['external_order_id'])} for row in rows])

    with op.batch_alter_table('orders') as batch_op:
        for name in PREFIX_KEYS:
            batch_op.create_index(f'ix_orders_{name}', [name], postgresql_ops={name: 'text_pattern_ops'})
        batch_op.create_index('ix_orders_order_no_key', ['order_no_key'])


def downgrade():
    with op.batch_alter_table('orders') as batch_op:
        batch_op.drop_index('ix_orders_order_no_key')
        for name in PREFIX_KEYS:
            batch_op.drop_index(f'ix_orders_{name}')
        for name in NAME_COLUMNS:
            batch_op.create_index(f'ix_orders_{name}', [name], postgresql_ops={name: 'text_pattern_ops'})
        batch_op.drop_column('order_no_key')
        for name in PREFIX_KEYS:
            batch_op.drop_column(name)
