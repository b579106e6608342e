"""The migrations build the schema the models describe, and run both ways, on both databases."""
import datetime as dt

import flask_migrate
import pytest
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


BEFORE_ORDER_LINKS = 'c4f1a8e2d907'  # the revision before orders' links became foreign keys


def insert(connection, table_name: str, **values) -> int:
    """A row of `table_name` as the schema stands (no model involved): the given values, blanks for the rest."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
            continue
        kind = column.type
        values[column.name] = (dt.datetime(2026, 12, 1, tzinfo=dt.UTC) if isinstance(kind, sa.DateTime)
                               else 0 if isinstance(kind, sa.Integer) else {} if isinstance(kind, sa.JSON) else 'x')
    return connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def insert_order(connection, external_id: str, **values) -> int:
    return insert(connection, 'orders', channel='kura', external_order_id=external_id, status='picking',
                  payment_status='paid', payment_method='card', **values)


def test_the_order_links_become_foreign_keys_and_every_row_referring_to_orders_stays(fresh_database, tmp_path):
    """On SQLite the orders table is rebuilt: its lines, holds and mails must not go with the old copy."""
    app = make_app(fresh_database, tmp_path)
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE_ORDER_LINKS)
        with db.engine.begin() as connection:
            batch = insert(connection, 'pick_batches', code='PB-20261201-0001')
            parcel = insert_order(connection, 'L-1', pick_batch_id=batch)
            insert_order(connection, 'L-2', pick_batch_id=batch, combined_into_id=parcel)
            insert_order(connection, 'L-1', split_from_id=parcel)
            insert(connection, 'order_lines', order_id=parcel, line_no=1, name='お茶', quantity=1, unit_price=540,
                   tax_rate=8)
            insert(connection, 'order_holds', order_id=parcel, reason='manual')
            insert(connection, 'email_messages', order_id=parcel, status='sent', attempts=1, message_id='<m@kura>')
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            links = {(fk['constrained_columns'][0], fk['referred_table'], fk['name'])
                     for fk in sa.inspect(connection).get_foreign_keys('orders')}
            assert {('pick_batch_id', 'pick_batches', 'fk_orders_pick_batch_id_pick_batches'),
                    ('combined_into_id', 'orders', 'fk_orders_combined_into_id_orders'),
                    ('split_from_id', 'orders', 'fk_orders_split_from_id_orders')} <= links
            for table, rows in {'orders': 3, 'order_lines': 1, 'order_holds': 1}.items():
                assert connection.execute(sa.text(f'SELECT count(*) FROM {table}')).scalar() == rows, table
            assert connection.execute(sa.text('SELECT order_id FROM email_messages')).scalar() == parcel
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            insert_order(connection, 'L-3', pick_batch_id=batch + 1)
        db.engine.dispose()


def test_a_link_to_a_row_that_does_not_exist_stops_the_upgrade_and_names_the_order(fresh_database, tmp_path,
                                                                                    capsys):
    app = make_app(fresh_database, tmp_path)
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE_ORDER_LINKS)
        with db.engine.begin() as connection:
            parcel = insert_order(connection, 'D-1')
            stray = insert_order(connection, 'D-2', combined_into_id=parcel + 100)
        with pytest.raises(SystemExit):
            flask_migrate.upgrade()
        assert (f'orders.combined_into_id names a row of orders that does not exist on 1 orders: order id {stray} '
                f'-> {parcel + 100}. Nothing was changed.') in capsys.readouterr().err
        with db.engine.connect() as connection:
            assert connection.execute(sa.text('SELECT version_num FROM alembic_version')).scalar() == BEFORE_ORDER_LINKS
            assert connection.execute(sa.text(f'SELECT combined_into_id FROM orders WHERE id = {stray}')
                                      ).scalar() == parcel + 100
        db.engine.dispose()
