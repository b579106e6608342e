"""Combine and split orders.

Revision ID: 0fb3167a67cd
Revises: 9aae422bc3f8
Create Date: 2026-11-22 01:51:11.585043

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0fb3167a67cd'
down_revision = '9aae422bc3f8'
branch_labels = None
depends_on = None

ONE_PER_MALL_ORDER = sa.text('split_from_id IS NULL')


def upgrade():
    # plain ALTER TABLE ADD COLUMN: no batch rebuild of the orders table (see the model)
    op.add_column('orders', sa.Column('combined_into_id', sa.Integer(), nullable=True))
    op.add_column('orders', sa.Column('split_from_id', sa.Integer(), nullable=True))
    op.create_index('ix_orders_combined_into_id', 'orders', ['combined_into_id'], unique=False)
    op.create_index('ix_orders_split_from_id', 'orders', ['split_from_id'], unique=False)
    op.drop_index('uq_orders_channel_external_order_id', table_name='orders')
    op.create_index('uq_orders_channel_external_order_id', 'orders', ['channel', 'external_order_id'], unique=True,
                    sqlite_where=ONE_PER_MALL_ORDER, postgresql_where=ONE_PER_MALL_ORDER)


def downgrade():
    op.drop_index('uq_orders_channel_external_order_id', table_name='orders')
    op.create_index('uq_orders_channel_external_order_id', 'orders', ['channel', 'external_order_id'], unique=True)
    op.drop_index('ix_orders_split_from_id', table_name='orders')
    op.drop_index('ix_orders_combined_into_id', table_name='orders')
    op.drop_column('orders', 'split_from_id')
    op.drop_column('orders', 'combined_into_id')
