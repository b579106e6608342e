"""Search keys: what a clerk types and what an order holds, brought to one written form.

Pure text functions (no database), shared by the writes that store an order's key columns and the
order list's search that looks them up (the migration that back-filled them holds a copy): the typed
text and the stored keys must go through the same normalisation or a search finds nothing.

The rules (docs/architecture.md, "Finding orders"):
- width: NFKC, so ﾀｶﾊｼ is タカハシ, ＴＡＫＡＨＡＳＨＩ is TAKAHASHI and ０９０ is 090; latin is upper-cased;
- kana: hiragana is written as katakana (たかはし is タカハシ);
- 異体字: the variant forms of VARIANTS are written as their common form (髙 as 高, 﨑 as 崎, 邊 and 邉 as 辺);
- spaces and hyphens are dropped (佐藤 太郎 is 佐藤太郎, 090-1234-5678 is 09012345678).
"""
import functools
import re
import unicodedata

from importers.orders.normalize import PREFECTURES


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
#: the longest key kept: a key is looked up by its beginning, so a longer one only makes the index bigger
KEY_LENGTH = 100
_LAST_NUMBER = re.compile(r'([0-9]+)[^0-9]*$')
_PREFECTURE_NAMES = tuple(sorted((name for name, _ in PREFECTURES), key=len, reverse=True))

#: the order's key columns and the columns each is made of
KEY_SOURCES = {
    'buyer_name_key': ('buyer_name',),
    'buyer_kana_key': ('buyer_kana',),
    'ship_name_key': ('ship_name',),
    'ship_kana_key': ('ship_kana',),
    'address_key': ('ship_city', 'ship_address1', 'ship_address2'),
    'order_no_key': ('external_order_id',),
}
KEYED_COLUMNS = tuple(sorted({name for names in KEY_SOURCES.values() for name in names}))


# an import makes six keys an order, mostly of names, cities and streets met before: a cache spares the
# normalisation of each again
@functools.lru_cache(maxsize=65536)
def search_key(text: str) -> str:
    """`text` in the written form of the search (module docstring); '' for text with nothing to search by."""
    text = unicodedata.normalize('NFKC', text or '').upper().translate(VARIANTS).translate(_KANA)
    return _DROPPED.sub('', text)[:KEY_LENGTH]


def order_number_key(external_order_id: str) -> str:
    """The last number of a mall's order id without its leading zeros, as a customer reads it out on the phone:
    338888-20261207-0000012345 is 12345."""
    found = _LAST_NUMBER.search(unicodedata.normalize('NFKC', external_order_id or ''))
    return found.group(1).lstrip('0')[:40] if found else ''


def order_keys(values) -> dict[str, str]:
    """The key columns of an order from its columns (a mapping holding KEYED_COLUMNS at least)."""
    def text(name):
        return values[name] or ''

    buyer_name, buyer_kana = search_key(text('buyer_name')), search_key(text('buyer_kana'))
    ship_name, ship_kana = search_key(text('ship_name')), search_key(text('ship_kana'))
    # the search looks in all four: a recipient who is the buyer (most orders) is found by the buyer's keys, and
    # an empty key costs its index almost nothing to write
    return {'buyer_name_key': buyer_name, 'buyer_kana_key': buyer_kana,
            'ship_name_key': '' if ship_name == buyer_name else ship_name,
            'ship_kana_key': '' if ship_kana == buyer_kana else ship_kana,
            # the address from its city on: a clerk types a city or street, the prefecture is matched apart
            'address_key': search_key(text('ship_city') + text('ship_address1') + text('ship_address2')),
            'order_no_key': order_number_key(text('external_order_id'))}


def split_prefecture(key: str) -> tuple[str, str]:
    """A typed address key as (the prefecture it starts with or '', the rest): 東京都渋谷区 is (東京都, 渋谷区)."""
    for name in _PREFECTURE_NAMES:
        if key.startswith(name):
            return name, key[len(name):]
    return '', key
