"""Partial indexes for the order links and open holds; status and channel for the order list.

Revision ID: b7c2d9e4f1a0
Revises: 1446523987f5
Create Date: 2026-11-22 03:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c2d9e4f1a0'
down_revision = '1446523987f5'
branch_labels = None
depends_on = None

LINKS = ('combined_into_id', 'split_from_id', 'pick_batch_id')


def upgrade():
    # indexes only: no table is rebuilt
    for name in LINKS:
        op.drop_index(f'ix_orders_{name}', table_name='orders')
        condition = sa.text(f'{name} IS NOT NULL')
        op.create_index(f'ix_orders_{name}', 'orders', [name], unique=False, sqlite_where=condition,
                        postgresql_where=condition)
    op.create_index('ix_orders_status_channel_ordered_at', 'orders', ['status', 'channel', 'ordered_at'],
                    unique=False)
    open_hold = sa.text('released_at IS NULL')
    op.create_index('ix_order_holds_open_reason', 'order_holds', ['reason'], unique=False, sqlite_where=open_hold,
                    postgresql_where=open_hold)


def downgrade():
    op.drop_index('ix_order_holds_open_reason', table_name='order_holds')
    op.drop_index('ix_orders_status_channel_ordered_at', table_name='orders')
    for name in LINKS:
        op.drop_index(f'ix_orders_{name}', table_name='orders')
        op.create_index(f'ix_orders_{name}', 'orders', [name], unique=False)
