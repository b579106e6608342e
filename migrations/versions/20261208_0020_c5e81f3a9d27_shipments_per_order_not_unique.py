"""An order may leave in more than one parcel over time: a refused or undeliverable parcel is sent again.

Revision ID: c5e81f3a9d27
Revises: b8e3d0f52c64
Create Date: 2026-12-08 00:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5e81f3a9d27'
down_revision = 'b8e3d0f52c64'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_shipments_order_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_shipments_order_id'), ['order_id'], unique=False)


def downgrade():
    # fails while an order has been sent twice: those parcels cannot be one row again
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_order_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_shipments_order_id'), ['order_id'])
