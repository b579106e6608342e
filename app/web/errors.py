"""Error pages that keep the layout, and fragments for HTMX requests."""
from flask import render_template
from flask_babel import gettext as _

from app.extensions import db
from app.logs import current_request_id
from app.web.htmx import is_htmx


MESSAGES = {
    400: lambda: _('The request could not be understood.'),
    403: lambda: _('Your role does not allow this page.'),
    404: lambda: _('There is no such page.'),
    413: lambda: _('The file is too large.'),
    500: lambda: _('Something went wrong on our side. Nothing was saved.'),
}


def register_error_handlers(app):
    def handle(error):
        code = getattr(error, 'code', 500) or 500
        if code == 500:
            db.session.rollback()
        # abort(code, description=...) says what was wrong; the class's own description is werkzeug's English
        described = getattr(error, 'description', None)
        if described and described != getattr(type(error), 'description', None):
            message = described
        else:
            message = MESSAGES.get(code, MESSAGES[500])()
        template = 'errors/_message.html' if is_htmx() else 'errors/error.html'
        # the id the log line of this request carries: what a user quotes when reporting the error
        return render_template(template, code=code, message=message, request_id=current_request_id()), code

    for code in MESSAGES:
        app.register_error_handler(code, handle)
