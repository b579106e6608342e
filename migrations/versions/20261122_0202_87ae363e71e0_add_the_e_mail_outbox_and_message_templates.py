"""Add the e-mail outbox and message templates.

Revision ID: 87ae363e71e0
Revises: 5e1f0c2b7a31
Create Date: 2026-11-22 02:02:30.012208

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '87ae363e71e0'
down_revision = '5e1f0c2b7a31'
branch_labels = None
depends_on = None


def upgrade():
    # new tables only: nothing existing is altered (an altered orders table would be rebuilt on SQLite)
    op.create_table('email_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_email_templates_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_templates')),
    sa.UniqueConstraint('kind', 'locale', name=op.f('uq_email_templates_kind_locale'))
    )
    op.create_table('email_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('to_name', sa.String(length=200), nullable=False),
    sa.Column('from_name', sa.String(length=200), nullable=False),
    sa.Column('reply_to', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name=op.f('ck_email_messages_status_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_email_messages_attempts_not_negative')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_email_messages_order_id_orders'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_messages')),
    sa.UniqueConstraint('message_id', name=op.f('uq_email_messages_message_id'))
    )
    op.create_index('ix_email_messages_created_at', 'email_messages', ['created_at'], unique=False)
    op.create_index('ix_email_messages_due', 'email_messages', ['status', 'next_attempt_at'], unique=False)
    op.create_index('ix_email_messages_order_id', 'email_messages', ['order_id'], unique=False)
    op.create_index('ix_email_messages_to_address', 'email_messages', ['to_address'], unique=False,
                    postgresql_ops={'to_address': 'text_pattern_ops'})


def downgrade():
    op.drop_index('ix_email_messages_to_address', table_name='email_messages')
    op.drop_index('ix_email_messages_order_id', table_name='email_messages')
    op.drop_index('ix_email_messages_due', table_name='email_messages')
    op.drop_index('ix_email_messages_created_at', table_name='email_messages')
    op.drop_table('email_messages')
    op.drop_table('email_templates')
