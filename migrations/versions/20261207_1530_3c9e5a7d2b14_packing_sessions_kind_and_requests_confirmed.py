"""Add packing_sessions.kind, requests_confirmed_at, set_aside_at: label checks later, the requests read.

Revision ID: 3c9e5a7d2b14
Revises: 001ef2899f4a
Create Date: 2026-12-07 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9e5a7d2b14'
down_revision = '001ef2899f4a'
branch_labels = None
depends_on = None


def upgrade():
    # plain added columns with server defaults: SQLite adds them without rebuilding the table
    op.add_column('packing_sessions', sa.Column('kind', sa.String(length=10), nullable=False, server_default='pack'))
    op.add_column('packing_sessions', sa.Column('requests_confirmed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('packing_sessions', sa.Column('set_aside_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # a plain DROP COLUMN (SQLite 3.35+): a batch rebuild could lose the partial unique index on open sessions
    op.drop_column('packing_sessions', 'set_aside_at')
    op.drop_column('packing_sessions', 'requests_confirmed_at')
    op.drop_column('packing_sessions', 'kind')
