"""Search keys: what a clerk types and what an order holds, brought to one written form.

Pure text functions (no database), shared by the write side that stores an order's keys, the
order list's search that looks them up (the migration that back-filled them holds a copy): the typed text
and the stored keys must go through the same normalisation or a search finds nothing.

The rules (docs/orders.md, "Searching"):
- width: NFKC, so ﾀｶﾊｼ is タカハシ, ＴＡＫＡＨＡＳＨＩ is TAKAHASHI and ０９０ is 090; latin is upper-cased;
- kana: hiragana is written as katakana (たかはし is タカハシ);
- 異体字: the variant forms of VARIANTS are written as their common form (髙 as 高, 﨑 as 崎, 邊 and 邉 as 辺);
- spaces and hyphens are dropped (佐藤 太郎 is 佐藤太郎, 090-1234-5678 is 09012345678).
"""
import re
import unicodedata


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
