"""Add products.cost and products.lead_time_days: stock value at cost and reorder points.

Revision ID: a9c3e5f7b1d2
Revises: 7c3d9a5e2f18
Create Date: 2026-12-07 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c3e5f7b1d2'
down_revision = '7c3d9a5e2f18'
branch_labels = None
depends_on = None


def upgrade():
    # both unknown for the products there are: the reports say so rather than guess
    with op.batch_alter_table('products') as batch_op:
        batch_op.add_column(sa.Column('cost', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lead_time_days', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('products') as batch_op:
        batch_op.drop_column('lead_time_days')
        batch_op.drop_column('cost')
