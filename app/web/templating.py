"""Jinja filters and globals shared by every screen.

The words of an area's codes (an order's status, a user's role, a stock movement's reason) are
registered by that area's views on its blueprint, so web imports no area.
"""
import datetime as dt
import math

from flask import request, url_for
from flask_babel import format_datetime, get_locale
from flask_login import current_user

from app.web import access
from app.web.barcodes import screen_barcode
from exporters.carriers.addressing import addressee


def yen(value) -> str:
    return '' if value is None else f'¥{value:,}'


def jst(value: dt.datetime | None, fmt: str = 'yyyy-MM-dd HH:mm') -> str:
    """A stored UTC time as shown to people: Japan time."""
    return '' if value is None else format_datetime(value, fmt)


def figure(value, column) -> str:
    """A report cell as a screen shows it, by its column's kind (exporters.sheets.Column); blank when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ''
    if column.names is not None:
        return str(column.names.get(value, value))
    if column.kind == 'yen':
        return f'¥{value:,.0f}'
    if column.kind == 'int':
        return f'{value:,.0f}'
    if column.kind == 'decimal':
        return f'{value:,.1f}'
    if column.kind == 'percent':
        return f'{value:.1%}'
    if column.kind == 'datetime':
        return jst(value)
    if column.kind == 'date' and isinstance(value, dt.date):
        return value.isoformat()[:10]
    return str(value)


def postal(value: str | None) -> str:
    return f'{value[:3]}-{value[3:]}' if value and len(value) == 7 else (value or '')


def url_with(**overrides) -> str:
    """The current page's URL with some query arguments replaced (for sort links and pagers)."""
    args = request.args.to_dict()
    args.update(overrides)
    args = {k: v for k, v in args.items() if v not in ('', None)}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def can(*roles: str) -> bool:
    return current_user.is_authenticated and current_user.has_role(*roles)


def problems_of(source) -> list[dict]:
    """An import's problems as dicts, from a finished batch or from a preview."""
    problems = source.problems if source is not None else []
    return [p if isinstance(p, dict) else p.as_dict() for p in problems]


def register(app):
    # addressee: the name with 様, or 御中 for a company, as the labels and carrier files write it
    app.jinja_env.filters.update(yen=yen, jst=jst, postal=postal, addressee=addressee, figure=figure)
    app.jinja_env.globals.update(get_locale=get_locale, url_with=url_with, can=can, roles=access,
                                 problems_of=problems_of, barcode_svg=screen_barcode)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
