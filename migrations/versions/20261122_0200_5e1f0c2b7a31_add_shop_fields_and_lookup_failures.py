"""Add the shop's product fields and the order-status look-up failures.

Revision ID: 5e1f0c2b7a31
Revises: 0fb3167a67cd
Create Date: 2026-11-22 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f0c2b7a31'
down_revision = '0fb3167a67cd'
branch_labels = None
depends_on = None


def upgrade():
    # plain ALTER TABLE ADD COLUMN: the products table is referenced everywhere and must not be rebuilt
    op.add_column('products', sa.Column('published', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('products', sa.Column('description', sa.Text(), server_default='', nullable=False))
    op.add_column('products', sa.Column('image', sa.LargeBinary(), nullable=True))
    op.add_column('products', sa.Column('image_type', sa.String(length=40), server_default='', nullable=False))
    op.create_table('storefront_lookup_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_storefront_lookup_failures'))
    )
    op.create_index('ix_storefront_lookup_failures_client_at', 'storefront_lookup_failures', ['client', 'at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_storefront_lookup_failures_client_at', table_name='storefront_lookup_failures')
    op.drop_table('storefront_lookup_failures')
    op.drop_column('products', 'image_type')
    op.drop_column('products', 'image')
    op.drop_column('products', 'description')
    op.drop_column('products', 'published')
