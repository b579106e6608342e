"""Add foreign keys to orders.pick_batch_id, combined_into_id and split_from_id.

Revision ID: 3247c42d7ab1
Revises: c4f1a8e2d907
Create Date: 2026-12-07 17:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3247c42d7ab1'
down_revision = 'c4f1a8e2d907'
branch_labels = None
depends_on = None

#: (column of orders, the table its id names, the constraint's name by the naming convention)
LINKS = (
    ('pick_batch_id', 'pick_batches', 'fk_orders_pick_batch_id_pick_batches'),
    ('combined_into_id', 'orders', 'fk_orders_combined_into_id_orders'),
    ('split_from_id', 'orders', 'fk_orders_split_from_id_orders'),
)
#: how many of the orders with a broken link the refusal names, per column
SHOWN = 20


def upgrade():
    # no ON DELETE: Kura deletes neither orders nor pick batches, so a delete that would strand a link is a
    # mistake to refuse, not to follow
    bind = op.get_bind()
    if not op.get_context().as_sql:
        _refuse_broken_links(bind)
    if bind.dialect.name == 'sqlite':
        # SQLite cannot add a constraint to a table: batch mode rebuilds orders (copy, drop, rename), once for
        # the three keys.  The drop must not cascade into order_lines and holds: migrations/env.py runs
        # every migration with foreign keys off, and this one makes sure of it
        if bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
            raise RuntimeError('rebuilding orders with SQLite foreign keys enforced would delete every order '
                               'line; run the migration with `flask db upgrade` (migrations/env.py turns them off)')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        for column, target, name in LINKS:
            batch_op.create_foreign_key(op.f(name), target, [column], ['id'])


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        for _column, _target, name in reversed(LINKS):
            batch_op.drop_constraint(op.f(name), type_='foreignkey')


def _refuse_broken_links(bind):
    """Stop, naming the orders, if any link names a row that does not exist; nothing is changed or cleared.

    Kura deletes no order and no pick batch, so a broken link means the data was edited by hand or a
    restore mixed two backups: which order or batch was meant is for a person to decide.
    """
    problems = []
    for column, target, _name in LINKS:
        rows = bind.execute(sa.text(
            f'SELECT o.id, o.{column} FROM orders o WHERE o.{column} IS NOT NULL '
            f'AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t.id = o.{column}) ORDER BY o.id')).all()
        if rows:
            shown = ', '.join(f'order id {order_id} -> {missing}' for order_id, missing in rows[:SHOWN])
            more = f' and {len(rows) - SHOWN} more' if len(rows) > SHOWN else ''
            problems.append(f'orders.{column} names a row of {target} that does not exist on {len(rows)} '
                            f'orders: {shown}{more}')
    if problems:
        raise RuntimeError('Cannot add the foreign keys of orders: ' + '; '.join(problems) + '. Nothing was '
                           'changed. Set each of these to the right id, or to NULL, and run the upgrade again.')
