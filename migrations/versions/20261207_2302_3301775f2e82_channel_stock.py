"""Add listings, channel stock files and oversells (channel stock, 在庫連携).

Revision ID: 3301775f2e82
Revises: a9c3e5f7b1d2
Create Date: 2026-12-07 23:02:28.036296

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3301775f2e82'
down_revision = 'a9c3e5f7b1d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('channel_stock_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("channel IN ('rakuten', 'yahoo', 'amazon', 'shopify')", name=op.f('ck_channel_stock_files_channel_known')),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_channel_stock_files_made_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_stock_files'))
    )
    with op.batch_alter_table('channel_stock_files', schema=None) as batch_op:
        batch_op.create_index('ix_channel_stock_files_channel_made_at', ['channel', 'made_at'], unique=False)

    op.create_table('listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('item_code', sa.String(length=100), nullable=False),
    sa.Column('page_code', sa.String(length=100), server_default='', nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('safety_stock', sa.Integer(), nullable=True),
    sa.Column('share_percent', sa.Integer(), nullable=True),
    sa.Column('cap', sa.Integer(), nullable=True),
    sa.Column('floor', sa.Integer(), nullable=True),
    sa.Column('paused', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('sent_quantity', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("channel IN ('rakuten', 'yahoo', 'amazon', 'shopify')", name=op.f('ck_listings_channel_known')),
    sa.CheckConstraint('cap IS NULL OR cap >= 0', name=op.f('ck_listings_cap_not_negative')),
    sa.CheckConstraint('floor IS NULL OR floor >= 0', name=op.f('ck_listings_floor_not_negative')),
    sa.CheckConstraint('safety_stock IS NULL OR safety_stock >= 0', name=op.f('ck_listings_safety_not_negative')),
    sa.CheckConstraint('share_percent IS NULL OR (share_percent >= 0 AND share_percent <= 100)', name=op.f('ck_listings_share_percent_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_listings_created_by_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_listings_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listings')),
    sa.UniqueConstraint('channel', 'item_code', name=op.f('uq_listings_channel_item_code'))
    )
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listings_product_id'), ['product_id'], unique=False)

    op.create_table('oversells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('short', sa.Integer(), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cleared_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('short > 0', name=op.f('ck_oversells_short_positive')),
    sa.ForeignKeyConstraint(['cleared_by_id'], ['users.id'], name=op.f('fk_oversells_cleared_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_oversells_order_id_orders'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_oversells_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oversells'))
    )
    with op.batch_alter_table('oversells', schema=None) as batch_op:
        batch_op.create_index('ix_oversells_open', ['cleared_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_oversells_product_id'), ['product_id'], unique=False)



def downgrade():
    with op.batch_alter_table('oversells', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oversells_product_id'))
        batch_op.drop_index('ix_oversells_open')

    op.drop_table('oversells')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listings_product_id'))

    op.drop_table('listings')
    with op.batch_alter_table('channel_stock_files', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_stock_files_channel_made_at')

    op.drop_table('channel_stock_files')
