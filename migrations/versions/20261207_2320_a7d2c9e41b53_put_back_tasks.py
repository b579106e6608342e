"""Add put_back_tasks and put_back_lines: picked units of a cancelled order on their way back to a shelf.

Revision ID: a7d2c9e41b53
Revises: a7c4e2b9d1f3
Create Date: 2026-12-07 23:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d2c9e41b53'
down_revision = 'a7c4e2b9d1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('put_back_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_put_back_tasks_created_by_id_users')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_put_back_tasks_done_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_put_back_tasks'))
    )
    with op.batch_alter_table('put_back_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_put_back_tasks_open', ['done_at', 'id'], unique=False)

    op.create_table('put_back_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('holding_location_id', sa.Integer(), nullable=False),
    sa.Column('to_location_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('put_location_id', sa.Integer(), nullable=True),
    sa.Column('put_back_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('put_back_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_put_back_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['holding_location_id'], ['locations.id'], name=op.f('fk_put_back_lines_holding_location_id_locations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_put_back_lines_product_id_products')),
    sa.ForeignKeyConstraint(['put_back_by_id'], ['users.id'], name=op.f('fk_put_back_lines_put_back_by_id_users')),
    sa.ForeignKeyConstraint(['put_location_id'], ['locations.id'], name=op.f('fk_put_back_lines_put_location_id_locations')),
    sa.ForeignKeyConstraint(['task_id'], ['put_back_tasks.id'], name=op.f('fk_put_back_lines_task_id_put_back_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_location_id'], ['locations.id'], name=op.f('fk_put_back_lines_to_location_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_put_back_lines'))
    )
    with op.batch_alter_table('put_back_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_put_back_lines_task_id'), ['task_id'], unique=False)


def downgrade():
    with op.batch_alter_table('put_back_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_put_back_lines_task_id'))

    op.drop_table('put_back_lines')
    with op.batch_alter_table('put_back_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_put_back_tasks_open')

    op.drop_table('put_back_tasks')
