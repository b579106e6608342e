"""The home page and the health check.

The home page's figures are the areas' (catalog and inventory register them as template
functions), so web reads no area.
"""
import sqlalchemy as sa
from flask import jsonify, render_template
from flask_login import current_user

from app.database import database_revisions, schema_heads
from app.extensions import db
from app.web import bp


@bp.route('/')
def home():
    """The start page: what this user's role works on."""
    return render_template('home.html', user=current_user)


@bp.route('/healthz')
def healthz():
    """For load balancers and monitoring: the database answers and its schema is at head."""
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text('SELECT 1'))
            current = database_revisions(connection)
    except Exception as exc:  # any failure to reach the database is the answer itself
        return jsonify(status='error', database='unreachable', error=exc.__class__.__name__), 503
    expected = schema_heads()
    if current != expected:
        return jsonify(status='error', database='ok', schema='behind', current=sorted(current),
                       expected=sorted(expected)), 503
    return jsonify(status='ok', database='ok', schema='head', revision=sorted(current))
