"""Input no view could mean, refused for every route at once: ids no table can hold, NUL characters.

What is left for the views (a number, a date, a form field) is read with the checks of
``app/database.py`` (``parse_int``, ``parse_day``, ``INT_MAX``) and the forms' validators; see
docs/architecture.md, "Bad input".
"""
import builtins

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from app.database import INT_MAX


class IdConverter(IntegerConverter):
    """``<int:...>`` in a route: digits up to the largest id either database holds.

    A larger number would make PostgreSQL (from 2^31) or SQLite (from 2^63) refuse the query; no such
    row can exist, so the URL matches no route: a 404, like any id that is not there.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):  # noqa: A002 (werkzeug's names)
        limit = INT_MAX if max is None else builtins.min(max, INT_MAX)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=limit, signed=signed)


def refuse_nul_characters():
    """A 400 for a NUL character anywhere in the path, the query or a form field.

    No text Kura keeps may hold one (PostgreSQL refuses it in any text value), and no person types it.
    """
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == 'POST':
        values += [*request.form.keys(), *request.form.values(),
                   *(upload.filename or '' for upload in request.files.values())]
    if any('\x00' in value for value in values):
        abort(400, description=_('The request contains a NUL character, which no field may hold.'))


def init_app(app: Flask) -> None:
    """Before the blueprints: their rules take the converter when they are added."""
    app.url_map.converters['int'] = IdConverter
    app.before_request(refuse_nul_characters)
