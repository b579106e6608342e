"""Add locations.kind: storage, quarantine or put-back; only storage stock is ever allocated.

Revision ID: f1c2d3e4a5b6
Revises: e3b8d4a2f617
Create Date: 2026-12-07 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1c2d3e4a5b6'
down_revision = 'e3b8d4a2f617'
branch_labels = None
depends_on = None


def upgrade():
    # every location so far held stock for sale
    with op.batch_alter_table('locations') as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='storage'))
        batch_op.create_check_constraint(op.f('ck_locations_kind_known'), "kind IN ('storage', 'quarantine', 'putback')")


def downgrade():
    with op.batch_alter_table('locations') as batch_op:
        batch_op.drop_constraint(op.f('ck_locations_kind_known'), type_='check')
        batch_op.drop_column('kind')
