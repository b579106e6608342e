"""Drop ix_order_lines_order_id: the unique (order_id, line_no) index already serves every lookup by order.

Revision ID: 001ef2899f4a
Revises: b7c2d9e4f1a0
Create Date: 2026-12-07 05:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '001ef2899f4a'
down_revision = 'b7c2d9e4f1a0'
branch_labels = None
depends_on = None


def upgrade():
    # an index only: no table is rebuilt; every order line written no longer updates it
    op.drop_index('ix_order_lines_order_id', table_name='order_lines')


def downgrade():
    op.create_index('ix_order_lines_order_id', 'order_lines', ['order_id'], unique=False)
