"""Value normalisation shared by the order formats: postal codes, phones, yen, dates, prefectures.

Every function takes the text of one cell and returns the normalised value, or raises ValueError
with a message written for the clerk who has to fix the file.  Names and addresses are never
normalised here: 髙, 﨑, ① and ㈱ must reach the label exactly as the customer typed them.
"""
import datetime
import functools
import operator
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from importers.base import FIRST_DAY, JST, LAST_DAY, normalize_digits


# in JIS X 0401 order, so JP-01 .. JP-47 (ISO 3166-2, used by Shopify) index this list
PREFECTURES = (
    ('北海道', 'Hokkaido'), ('青森県', 'Aomori'), ('岩手県', 'Iwate'), ('宮城県', 'Miyagi'), ('秋田県', 'Akita'),
    ('山形県', 'Yamagata'), ('福島県', 'Fukushima'), ('茨城県', 'Ibaraki'), ('栃木県', 'Tochigi'),
    ('群馬県', 'Gunma'), ('埼玉県', 'Saitama'), ('千葉県', 'Chiba'), ('東京都', 'Tokyo'), ('神奈川県', 'Kanagawa'),
    ('新潟県', 'Niigata'), ('富山県', 'Toyama'), ('石川県', 'Ishikawa'), ('福井県', 'Fukui'), ('山梨県', 'Yamanashi'),
    ('長野県', 'Nagano'), ('岐阜県', 'Gifu'), ('静岡県', 'Shizuoka'), ('愛知県', 'Aichi'), ('三重県', 'Mie'),
    ('滋賀県', 'Shiga'), ('京都府', 'Kyoto'), ('大阪府', 'Osaka'), ('兵庫県', 'Hyogo'), ('奈良県', 'Nara'),
    ('和歌山県', 'Wakayama'), ('鳥取県', 'Tottori'), ('島根県', 'Shimane'), ('岡山県', 'Okayama'),
    ('広島県', 'Hiroshima'), ('山口県', 'Yamaguchi'), ('徳島県', 'Tokushima'), ('香川県', 'Kagawa'),
    ('愛媛県', 'Ehime'), ('高知県', 'Kochi'), ('福岡県', 'Fukuoka'), ('佐賀県', 'Saga'), ('長崎県', 'Nagasaki'),
    ('熊本県', 'Kumamoto'), ('大分県', 'Oita'), ('宮崎県', 'Miyazaki'), ('鹿児島県', 'Kagoshima'),
    ('沖縄県', 'Okinawa'),
)

_DATETIME = re.compile(
    r'(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})'
    r'(?:[T ]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?'
    r'\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?')
_COMPACT_DATETIME = re.compile(
    r'(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:T?(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?')
# a weekday some malls append to a date: 2025-10-10(金)
_WEEKDAY = re.compile(r'\s*[(（][月火水木金土日][)）]$')
_NO_DATE = {'', '-', 'なし', '指定なし', '指定無し', '希望なし'}
# Yahoo! writes お届け日指定なし in ShipRequestDate; any text saying "none" is no date, not a broken one
_NO_DATE_WORDS = re.compile(r'なし|無し|指定しない|希望しない')


def postal_code(value: str) -> str:
    """'060-0001', '0600001', '０６０－０００１', "'0600001", '〒060-0001' -> '0600001'."""
    digits = normalize_digits(value).lstrip("'").replace('〒', '').replace('-', '').replace(' ', '')
    if not digits:
        raise ValueError(_l('no postal code'))
    if digits.isascii() and digits.isdigit():
        if len(digits) == 7:
            return digits
        if len(digits) == 6:
            raise ValueError(_l('postal code has 6 digits, not 7: a spreadsheet may have dropped its leading zero'))
    raise ValueError(_l('not a 7-digit postal code'))


_NOT_DIGIT = re.compile(r'\D')
_WHOLE_NUMBER = re.compile(r'(\d+)(?:\.0*)?')


def phone(value: str) -> str:
    """A phone number as digits only ('03-1234-5678', '０３－１２３４－５６７８', "'0312345678" -> '0312345678')."""
    text = normalize_digits(value).lstrip("'")
    digits = _NOT_DIGIT.sub('', text)
    if text.startswith('+81'):
        # international form, as Shopify writes it: +81 (0)3-1234-5678 is 03-1234-5678
        digits = '0' + digits[2:].lstrip('0')
    return digits


def yen(value: str) -> int | None:
    """'1,080', '1080', '1080.0', '￥1,080', '１０８０円' -> 1080; '' -> None."""
    if value.isascii() and value.isdigit():
        return int(value)  # the usual cell: plain digits
    text = normalize_digits(value).replace(',', '').replace('¥', '').removesuffix('円').strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_l('not an amount of yen')) from None
    if not amount.is_finite():
        raise ValueError(_l('not an amount of yen'))
    if amount != amount.to_integral_value():
        raise ValueError(_l('not a whole number of yen'))
    return int(amount)


def divide_yen(amount: int, quantity: int) -> int:
    """A line total split into a unit price, rounded half up to the yen when it does not divide evenly."""
    return int((Decimal(amount) / quantity).to_integral_value(rounding=ROUND_HALF_UP))


def quantity(value: str) -> int:
    """A positive whole number ('2', '２', '2.0' from a spreadsheet)."""
    text = normalize_digits(value).replace(',', '')
    if not text:
        raise ValueError(_l('no quantity'))
    match = _WHOLE_NUMBER.fullmatch(text)
    if not match:
        raise ValueError(_l('quantity is not a whole number'))
    number = int(match.group(1))
    if number < 1:
        raise ValueError(_l('quantity must be at least 1'))
    return number


@functools.lru_cache(maxsize=256)  # a file names two or three rates
def tax_rate(value: str) -> int | None:
    """'0.1', '10', '10%' -> 10; '0.08', '8' -> 8; '0' -> 0 (tax free); '' -> None: the file gives no rate,
    and the line takes its product's (app.orders.importing)."""
    text = normalize_digits(value).removesuffix('%').strip()
    if not text:
        return None
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise ValueError(_l('not a tax rate')) from None
    if not rate.is_finite():
        raise ValueError(_l('not a tax rate'))
    if 0 < rate < 1:
        rate *= 100  # Rakuten writes the rate as a fraction
    if rate not in (10, 8, 0):
        raise ValueError(_l('tax rate must be 10 or 8 percent'))
    return int(rate)


def parse_datetime(value: str) -> datetime.datetime:
    """A date and time in UTC; without an offset the time is Japan time.

    Accepts 2025-10-07 09:50:26, 2025/10/07 9:50, 20251007095026, 2025-10-07T09:50:26+09:00,
    2025-10-07T00:50:26Z and Shopify's 2025-10-07 09:50:26 +0200.
    """
    text = normalize_digits(value)
    if not text:
        raise ValueError(_l('no date and time'))
    match = _DATETIME.fullmatch(text) or _COMPACT_DATETIME.fullmatch(text)
    if not match:
        raise ValueError(_l('not a date and time (expected e.g. 2025-10-07 09:50:26)'))
    parts = match.groupdict()
    try:
        moment = datetime.datetime(int(parts['y']), int(parts['m']), int(parts['d']), int(parts['H'] or 0),
                                   int(parts['M'] or 0), int(parts['S'] or 0), tzinfo=_zone(parts['tz']))
    except ValueError:
        raise ValueError(_l('not a valid date and time')) from None
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise ValueError(_l('not a date and time Kura keeps (years 1900 to 9998)'))
    return moment.astimezone(datetime.UTC)


_JAPAN_TIMES = re.compile(r'(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n)*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d')


def parse_japan_times(values: list[str]) -> list[datetime.datetime] | None:
    """parse_datetime() of a whole column when every value is written 2025-10-07 09:50:26, as a mall's
    own order times are; None for any other column (another layout, an empty or invalid value).

    One test of the column put together, and the datetime module's own parser, cost much less than a test
    and a parse per value (docs/benchmarks.md, "Figures behind choices in the code").
    """
    if not values or not _JAPAN_TIMES.fullmatch('\n'.join(values)):
        return None
    try:
        times = list(map(datetime.datetime.fromisoformat, values))
    except ValueError:
        return None  # a day that does not exist: parse_datetime() says so, value by value
    if not FIRST_DAY <= min(times).date() <= max(times).date() <= LAST_DAY:
        return None  # nor one out of range
    to_utc = operator.methodcaller('astimezone', datetime.UTC)
    return list(map(to_utc, map(operator.methodcaller('replace', tzinfo=JST), times)))


def _zone(offset: str | None) -> datetime.tzinfo:
    if offset is None:
        return JST
    if offset == 'Z':
        return datetime.UTC
    sign = -1 if offset[0] == '-' else 1
    digits = offset[1:].replace(':', '')
    return datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_date(value: str) -> datetime.date | None:
    """A requested delivery date ('2025-10-10', '2025/10/10', '20251010', '2025/10/10(金)'); None when not given."""
    text = _WEEKDAY.sub('', normalize_digits(value))
    if text in _NO_DATE or _NO_DATE_WORDS.search(text):
        return None
    match = _DATETIME.fullmatch(text) or _COMPACT_DATETIME.fullmatch(text)
    if not match:
        raise ValueError(_l('not a date (expected e.g. 2025-10-10)'))
    if match['H'] is not None:
        return parse_datetime(text).astimezone(JST).date()
    try:
        day = datetime.date(int(match['y']), int(match['m']), int(match['d']))
    except ValueError:
        raise ValueError(_l('not a valid date')) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(_l('not a date Kura keeps (years 1900 to 9998)'))
    return day


def _romaji_key(name: str) -> str:
    # Hokkaidō, Hokkaido, HOKKAIDO, Hokkaidou and Tokyo-to must all meet
    name = ''.join(c for c in unicodedata.normalize('NFKD', name) if not unicodedata.combining(c)).lower()
    name = re.sub(r'[\s-]+(prefecture|pref\.?|ken|to|fu)$', '', name.strip())
    return name.replace('ou', 'o').replace('oo', 'o')


def _prefecture_names() -> dict[str, str]:
    names = {'gumma': '群馬県'}  # the older Hepburn spelling, still on some addresses
    for number, (kanji, romaji) in enumerate(PREFECTURES, start=1):
        names[kanji] = kanji
        names[kanji if kanji == '北海道' else kanji[:-1]] = kanji
        names[_romaji_key(romaji)] = kanji
        names[f'jp-{number:02d}'] = kanji
    return names


_PREFECTURE_NAMES = _prefecture_names()


def prefecture(value: str) -> str:
    """The 都道府県 name for a Japanese, short ('東京'), English ('Tokyo', 'Hokkaidō') or ISO ('JP-13') name,
    also after the country ('日本 東京都', 'Japan, Tokyo').

    A value that is none of these is kept as written: the orders service checks the address against
    the postal code and holds the order, which a clerk can resolve without re-importing.
    """
    text = value.strip()
    found = _PREFECTURE_NAMES.get(text) or _PREFECTURE_NAMES.get(_romaji_key(text))
    if not found and _COUNTRY.match(text):
        # Amazon's ship-state may name the country first: '日本 東京都'
        rest = _COUNTRY.sub('', text)
        found = _PREFECTURE_NAMES.get(rest) or _PREFECTURE_NAMES.get(_romaji_key(rest))
    return found or text


_COUNTRY = re.compile(r'(?:日本国?|japan)[\s,、]*', re.IGNORECASE)


_PAYMENT_KEYWORDS = (
    ('cod', ('代金引換', '代引', 'cash on delivery', r'\bcod\b')),
    # Rakuten names the chain: セブン-イレブン(前払), ローソン、郵便局ATM等(前払)
    ('convenience_store', ('コンビニ', 'convenience', r'\bcvs\b', 'セブン', 'ローソン', 'ファミリーマート')),
    ('bank_transfer', ('銀行', '振込', '振替', 'bank')),
    ('paypay', ('paypay',)),
    ('card', ('クレジット', 'カード', 'credit', 'card', 'apple pay', 'google pay')),
)


@functools.lru_cache(maxsize=1024)
def payment_method(label: str, default: str = 'other') -> str:
    """Our payment code for a mall's payment label ('クレジットカード' -> 'card', '代金引換' -> 'cod', ...)."""
    # cached: a file of 50,000 orders names a handful of payment methods
    text = unicodedata.normalize('NFKC', label).lower()
    for code, keywords in _PAYMENT_KEYWORDS:
        if any(re.search(keyword, text) for keyword in keywords):
            return code
    return default
