"""Personal data: orders.redacted_at, and personal_data_access (who viewed, exported or printed it).

Revision ID: c5a9e3f1d742
Revises: c4a7e2d91f05
Create Date: 2026-12-07 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5a9e3f1d742'
down_revision = 'c4a7e2d91f05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders') as batch_op:
        batch_op.add_column(sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'personal_data_access',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('what', sa.String(length=60), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('orders', sa.Integer(), nullable=False),
        sa.CheckConstraint("action IN ('view', 'export', 'print')",
                           name=op.f('ck_personal_data_access_action_known')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_personal_data_access_user_id_users')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_personal_data_access_order_id_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_access')),
    )
    op.create_index('ix_personal_data_access_at', 'personal_data_access', ['at'], unique=False)
    op.create_index('ix_personal_data_access_user_at', 'personal_data_access', ['user_id', 'at'], unique=False)
    op.create_index('ix_personal_data_access_order_at', 'personal_data_access', ['order_id', 'at'], unique=False)


def downgrade():
    op.drop_index('ix_personal_data_access_order_at', table_name='personal_data_access')
    op.drop_index('ix_personal_data_access_user_at', table_name='personal_data_access')
    op.drop_index('ix_personal_data_access_at', table_name='personal_data_access')
    op.drop_table('personal_data_access')
    with op.batch_alter_table('orders') as batch_op:
        batch_op.drop_column('redacted_at')
