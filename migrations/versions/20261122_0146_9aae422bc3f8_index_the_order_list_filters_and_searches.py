"""Index the order list filters and searches.

Revision ID: 9aae422bc3f8
Revises: d409d73bd171
Create Date: 2026-11-22 01:46:25.453411

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9aae422bc3f8'
down_revision = 'd409d73bd171'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_allocation_queue', ['status', 'priority', 'ordered_at'], unique=False)
        batch_op.create_index('ix_orders_buyer_email', ['buyer_email'], unique=False)
        batch_op.create_index('ix_orders_buyer_kana', ['buyer_kana'], unique=False, postgresql_ops={'buyer_kana': 'text_pattern_ops'})
        batch_op.create_index('ix_orders_buyer_name', ['buyer_name'], unique=False, postgresql_ops={'buyer_name': 'text_pattern_ops'})
        batch_op.create_index('ix_orders_buyer_phone', ['buyer_phone'], unique=False)
        batch_op.create_index('ix_orders_channel_ordered_at', ['channel', 'ordered_at'], unique=False)
        batch_op.create_index('ix_orders_delivery_date', ['delivery_date'], unique=False)
        batch_op.create_index('ix_orders_external_order_id', ['external_order_id'], unique=False)
        batch_op.create_index('ix_orders_payment_status', ['payment_status'], unique=False)
        batch_op.create_index('ix_orders_ship_kana', ['ship_kana'], unique=False, postgresql_ops={'ship_kana': 'text_pattern_ops'})
        batch_op.create_index('ix_orders_ship_name', ['ship_name'], unique=False, postgresql_ops={'ship_name': 'text_pattern_ops'})
        batch_op.create_index('ix_orders_ship_phone', ['ship_phone'], unique=False)



def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_ship_phone')
        batch_op.drop_index('ix_orders_ship_name', postgresql_ops={'ship_name': 'text_pattern_ops'})
        batch_op.drop_index('ix_orders_ship_kana', postgresql_ops={'ship_kana': 'text_pattern_ops'})
        batch_op.drop_index('ix_orders_payment_status')
        batch_op.drop_index('ix_orders_external_order_id')
        batch_op.drop_index('ix_orders_delivery_date')
        batch_op.drop_index('ix_orders_channel_ordered_at')
        batch_op.drop_index('ix_orders_buyer_phone')
        batch_op.drop_index('ix_orders_buyer_name', postgresql_ops={'buyer_name': 'text_pattern_ops'})
        batch_op.drop_index('ix_orders_buyer_kana', postgresql_ops={'buyer_kana': 'text_pattern_ops'})
        batch_op.drop_index('ix_orders_buyer_email')
        batch_op.drop_index('ix_orders_allocation_queue')

