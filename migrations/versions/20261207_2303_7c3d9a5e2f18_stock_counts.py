"""Add stock_counts, count_locations and count_lines: stocktakes (棚卸し) counted while the floor works.

Revision ID: 7c3d9a5e2f18
Revises: a7d4c9e2b851
Create Date: 2026-12-07 23:03:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3d9a5e2f18'
down_revision = 'a7d4c9e2b851'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stock_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('scope_text', sa.Text(), server_default='', nullable=False),
    sa.Column('blind', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('state', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("scope IN ('all', 'locations', 'products')", name=op.f('ck_stock_counts_scope_known')),
    sa.CheckConstraint("state IN ('open', 'counted', 'approved')", name=op.f('ck_stock_counts_state_known')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_stock_counts_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_counts'))
    )
    op.create_table('count_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('count_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=True),
    sa.Column('book', sa.Integer(), nullable=True),
    sa.Column('picked', sa.Integer(), nullable=True),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counted_by_id', sa.Integer(), nullable=True),
    sa.Column('needs_recount', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('recounted', sa.Integer(), nullable=True),
    sa.Column('recount_book', sa.Integer(), nullable=True),
    sa.Column('recount_picked', sa.Integer(), nullable=True),
    sa.Column('recounted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recounted_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approval_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('applied', sa.Integer(), nullable=True),
    sa.CheckConstraint('counted IS NULL OR counted >= 0', name=op.f('ck_count_lines_counted_not_negative')),
    sa.CheckConstraint('recounted IS NULL OR recounted >= 0', name=op.f('ck_count_lines_recounted_not_negative')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_count_lines_approved_by_id_users')),
    sa.ForeignKeyConstraint(['count_id'], ['stock_counts.id'], name=op.f('fk_count_lines_count_id_stock_counts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['counted_by_id'], ['users.id'], name=op.f('fk_count_lines_counted_by_id_users')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_count_lines_location_id_locations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_count_lines_product_id_products')),
    sa.ForeignKeyConstraint(['recounted_by_id'], ['users.id'], name=op.f('fk_count_lines_recounted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_count_lines')),
    sa.UniqueConstraint('count_id', 'location_id', 'product_id', name=op.f('uq_count_lines_count_id_location_id_product_id'))
    )
    op.create_table('count_locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('count_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['count_id'], ['stock_counts.id'], name=op.f('fk_count_locations_count_id_stock_counts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['counted_by_id'], ['users.id'], name=op.f('fk_count_locations_counted_by_id_users')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_count_locations_location_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_count_locations')),
    sa.UniqueConstraint('count_id', 'location_id', name=op.f('uq_count_locations_count_id_location_id'))
    )


def downgrade():
    op.drop_table('count_locations')
    op.drop_table('count_lines')
    op.drop_table('stock_counts')
