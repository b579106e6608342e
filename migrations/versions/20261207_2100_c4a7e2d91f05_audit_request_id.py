"""Add audit_events.request_id: the request or job that wrote the event, as on its log lines.

Revision ID: c4a7e2d91f05
Revises: 8b2f4e6a1c37
Create Date: 2026-12-07 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e2d91f05'
down_revision = '8b2f4e6a1c37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events') as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=100), nullable=True))
        batch_op.create_index('ix_audit_events_request_id', ['request_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events') as batch_op:
        batch_op.drop_index('ix_audit_events_request_id')
        batch_op.drop_column('request_id')
