"""Add orders.locale: the language the customer ordered in, for every mail written to them.

Revision ID: e3b8d4a2f617
Revises: d3e8f1a2b4c6
Create Date: 2026-12-07 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b8d4a2f617'
down_revision = 'd3e8f1a2b4c6'
branch_labels = None
depends_on = None


def upgrade():
    # every order so far was written to in Japanese (the shop's confirmations of English orders excepted,
    # which nothing recorded)
    with op.batch_alter_table('orders') as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=False, server_default='ja'))


def downgrade():
    with op.batch_alter_table('orders') as batch_op:
        batch_op.drop_column('locale')
