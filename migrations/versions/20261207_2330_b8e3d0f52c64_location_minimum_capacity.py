"""Add locations.minimum and capacity: pick locations are replenished below their minimum, up to capacity.

Revision ID: b8e3d0f52c64
Revises: a7d2c9e41b53
Create Date: 2026-12-07 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e3d0f52c64'
down_revision = 'a7d2c9e41b53'
branch_labels = None
depends_on = None


def upgrade():
    # no location has either yet: none is a pick location until a manager says so
    with op.batch_alter_table('locations') as batch_op:
        batch_op.add_column(sa.Column('minimum', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_locations_minimum_not_negative'), 'minimum >= 0')
        batch_op.create_check_constraint(op.f('ck_locations_capacity_above_minimum'),
                                         'capacity > 0 AND capacity >= minimum')


def downgrade():
    with op.batch_alter_table('locations') as batch_op:
        batch_op.drop_constraint(op.f('ck_locations_capacity_above_minimum'), type_='check')
        batch_op.drop_constraint(op.f('ck_locations_minimum_not_negative'), type_='check')
        batch_op.drop_column('capacity')
        batch_op.drop_column('minimum')
