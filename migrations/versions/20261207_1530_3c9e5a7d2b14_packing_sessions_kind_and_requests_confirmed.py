"""Add packing_sessions.kind, requests_confirmed_at, set_aside_at and a station index: the station's state.

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
    # every scan reads its station's latest session: walked backwards from the newest, not a scan of them all
    op.create_index('ix_packing_sessions_station_id', 'packing_sessions', ['station', 'id'])


def downgrade():
    # a plain DROP COLUMN (SQLite 3.35+): a batch rebuild could lose the partial unique index on open sessions
    op.drop_index('ix_packing_sessions_station_id', table_name='packing_sessions')
    op.drop_column('packing_sessions', 'set_aside_at')
    op.drop_column('packing_sessions', 'requests_confirmed_at')
    op.drop_column('packing_sessions', 'kind')
