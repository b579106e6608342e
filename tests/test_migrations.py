"""The migrations build the schema the models describe, and run both ways, on both databases."""
import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from tests.conftest import make_app


def table_names(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {'alembic_version'}


def test_upgrade_downgrade_upgrade_from_an_empty_database(fresh_database, tmp_path):
    app = make_app(fresh_database, tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
        assert table_names(db.engine) == set(db.metadata.tables)
        flask_migrate.downgrade(revision='base')
        assert table_names(db.engine) == set()
        flask_migrate.upgrade()
        assert table_names(db.engine) == set(db.metadata.tables)
        db.engine.dispose()


def test_models_and_migrations_agree(app):
    """What autogenerate would add to a new migration: nothing."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={'compare_type': True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
