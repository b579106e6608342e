"""JAN (EAN-13 and JAN-8) codes: the GS1 check digit."""
from flask_babel import lazy_gettext as _l

from app.errors import UserError


def check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (12 for EAN-13, 7 for JAN-8).

    Counting from the right, digits in odd positions weigh 3 and the others 1 (the check digit
    itself is position 1, so the rightmost body digit weighs 3).
    """
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) in (8, 13) and check_digit(code[:-1]) == int(code[-1])


def clean_jan(value: str | None) -> str | None:
    """A JAN as stored (digits only) or None for an empty value; refuses a wrong code with a message."""
    value = (value or '').strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) not in (8, 13):
        raise UserError(_l('JAN "%(jan)s" must be 13 (or 8) digits.', jan=value), field='jan')
    expected = check_digit(value[:-1])
    if expected != int(value[-1]):
        raise UserError(_l('JAN "%(jan)s" has a wrong check digit: the last digit should be %(digit)d.',
                           jan=value, digit=expected), field='jan')
    return value
