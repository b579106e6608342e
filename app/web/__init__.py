"""Cross-cutting web pieces: HTMX rendering, access control, table helpers, errors, health."""
from flask import Blueprint


bp = Blueprint('web', __name__, template_folder='templates')
