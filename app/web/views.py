"""The home page and the health check."""
import functools

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app, jsonify, render_template
from flask_login import current_user

from app.catalog.models import Product
from app.extensions import db, migrate
from app.inventory.models import StockLevel
from app.web import bp


@bp.route('/')
def home():
    """The start page: what this user's role works on."""
    counts = {
        'products': db.session.scalar(sa.select(sa.func.count(Product.id)).where(Product.active)),
        'on_hand': db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockLevel.on_hand), 0))),
        'allocated': db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockLevel.allocated), 0))),
    }
    return render_template('home.html', counts=counts, user=current_user)


def schema_heads() -> set[str]:
    return _heads(str(current_app.extensions['migrate'].directory))


@functools.cache
def _heads(directory: str) -> frozenset[str]:
    """The migration heads of the code, read once: the scripts do not change while the process runs,
    and load balancers poll /healthz every few seconds."""
    return frozenset(ScriptDirectory.from_config(migrate.get_config(directory=directory)).get_heads())


@bp.route('/healthz')
def healthz():
    """For load balancers and monitoring: the database answers and its schema is at head."""
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text('SELECT 1'))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:  # any failure to reach the database is the answer itself
        return jsonify(status='error', database='unreachable', error=exc.__class__.__name__), 503
    expected = schema_heads()
    if current != expected:
        return jsonify(status='error', database='ok', schema='behind', current=sorted(current),
                       expected=sorted(expected)), 503
    return jsonify(status='ok', database='ok', schema='head', revision=sorted(current))
