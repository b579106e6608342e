"""Add pick batches, packing sessions, scans, shipments and tracking ranges.

Revision ID: 1446523987f5
Revises: 87ae363e71e0
Create Date: 2026-11-22 02:03:33.884477

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1446523987f5'
down_revision = '87ae363e71e0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tracking_ranges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carrier', sa.String(length=20), nullable=False),
    sa.Column('first_body', sa.BigInteger(), nullable=False),
    sa.Column('last_body', sa.BigInteger(), nullable=False),
    sa.Column('next_body', sa.BigInteger(), nullable=False),
    sa.Column('warn_below', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('first_body <= next_body AND next_body <= last_body + 1', name=op.f('ck_tracking_ranges_next_within_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_ranges'))
    )
    with op.batch_alter_table('tracking_ranges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_ranges_carrier'), ['carrier'], unique=False)

    op.create_table('pick_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pick_batches_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pick_batches')),
    sa.UniqueConstraint('code', name=op.f('uq_pick_batches_code'))
    )
    op.create_table('packing_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('station', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('blocked_message', sa.Text(), server_default='', nullable=False),
    sa.CheckConstraint("status IN ('open', 'packed', 'reset')", name=op.f('ck_packing_sessions_status_known')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_packing_sessions_order_id_orders')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_packing_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packing_sessions'))
    )
    with op.batch_alter_table('packing_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packing_sessions_order_id'), ['order_id'], unique=False)
        batch_op.create_index('uq_packing_sessions_open_order', ['order_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('carrier', sa.String(length=20), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('tracking_number', sa.String(length=20), nullable=True),
    sa.Column('packed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('packed_by_id', sa.Integer(), nullable=True),
    sa.Column('station', sa.String(length=40), nullable=False),
    sa.Column('label_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_by_id', sa.Integer(), nullable=True),
    sa.Column('label_prints', sa.Integer(), nullable=False),
    sa.CheckConstraint("carrier IN ('yamato', 'sagawa', 'japanpost', 'clickpost')", name=op.f('ck_shipments_carrier_known')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders')),
    sa.ForeignKeyConstraint(['packed_by_id'], ['users.id'], name=op.f('fk_shipments_packed_by_id_users')),
    sa.ForeignKeyConstraint(['shipped_by_id'], ['users.id'], name=op.f('fk_shipments_shipped_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('order_id', name=op.f('uq_shipments_order_id')),
    sa.UniqueConstraint('tracking_number', name=op.f('uq_shipments_tracking_number'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_shipped_at'), ['shipped_at'], unique=False)

    op.create_table('scan_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('station', sa.String(length=40), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_scan_events_order_id_orders')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_scan_events_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['session_id'], ['packing_sessions.id'], name=op.f('fk_scan_events_session_id_packing_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_scan_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_events'))
    )
    with op.batch_alter_table('scan_events', schema=None) as batch_op:
        batch_op.create_index('ix_scan_events_at_result', ['at', 'result'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_events_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_events_session_id'), ['session_id'], unique=False)

    # plain ALTER TABLE ADD COLUMN: the orders table must not be rebuilt
    op.add_column('orders', sa.Column('carrier', sa.String(length=20), nullable=True))
    op.add_column('orders', sa.Column('pick_batch_id', sa.Integer(), nullable=True))
    op.create_index('ix_orders_pick_batch_id', 'orders', ['pick_batch_id'], unique=False)



def downgrade():
    op.drop_index('ix_orders_pick_batch_id', table_name='orders')
    op.drop_column('orders', 'pick_batch_id')
    op.drop_column('orders', 'carrier')

    with op.batch_alter_table('scan_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_events_session_id'))
        batch_op.drop_index(batch_op.f('ix_scan_events_order_id'))
        batch_op.drop_index('ix_scan_events_at_result')

    op.drop_table('scan_events')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_shipped_at'))

    op.drop_table('shipments')
    with op.batch_alter_table('packing_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_packing_sessions_open_order', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_packing_sessions_order_id'))

    op.drop_table('packing_sessions')
    op.drop_table('pick_batches')
    with op.batch_alter_table('tracking_ranges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracking_ranges_carrier'))

    op.drop_table('tracking_ranges')
