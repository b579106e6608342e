"""Reading typed values out of CSV text; a value that cannot be read raises FormatError naming the column."""
from flask_babel import lazy_gettext as _l

from importers.base import FormatError, normalize_digits


TRUE = {'1', 'true', 'yes', 'y', 't', 'on', '有効', 'はい'}
FALSE = {'0', 'false', 'no', 'n', 'f', 'off', '無効', 'いいえ'}


def parse_int(value: str, field: str, *, minimum: int | None = None, required: bool = True) -> int | None:
    """A whole number; '1,080' and full-width digits are fine, '12.5' and 'abc' are not."""
    text = normalize_digits(value or '').replace(',', '').replace('¥', '').replace('円', '')
    if not text:
        if required:
            raise FormatError(_l('%(field)s is required.', field=field), field=field)
        return None
    if text.endswith('.0'):
        text = text[:-2]
    try:
        number = int(text)
    except ValueError:
        raise FormatError(_l('%(field)s must be a whole number, not "%(value)s".', field=field, value=value),
                          field=field) from None
    if minimum is not None and number < minimum:
        raise FormatError(_l('%(field)s must be %(minimum)d or more, not %(number)d.', field=field,
                             minimum=minimum, number=number), field=field)
    return number


def parse_tax_rate(value: str) -> int:
    """10 or 8 percent, written as 10, 10%, 0.1, 8, 8% or 0.08; empty means the standard 10."""
    text = normalize_digits(value or '').rstrip('%')
    if not text:
        return 10
    rates = {'10': 10, '0.1': 10, '0.10': 10, '8': 8, '0.08': 8}
    if text not in rates:
        raise FormatError(_l('tax_rate must be 10 or 8, not "%(value)s".', value=value), field='tax_rate')
    return rates[text]


def parse_bool(value: str, field: str, *, default: bool) -> bool:
    text = (value or '').strip().lower()
    if not text:
        return default
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise FormatError(_l('%(field)s must be 1 or 0 (true or false), not "%(value)s".', field=field, value=value),
                      field=field)
