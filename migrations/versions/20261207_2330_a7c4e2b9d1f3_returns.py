"""Add returns, their lines, the managed return reasons and refunds.

Revision ID: a7c4e2b9d1f3
Revises: 3301775f2e82
Create Date: 2026-12-07 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e2b9d1f3'
down_revision = '3301775f2e82'
branch_labels = None
depends_on = None

#: the reasons every shop starts with: stable keys for scripts, labels the shop may change
REASONS = [
    ('defective', '不良品', 'Defective', 'shop', False),
    ('wrong_item', '誤出荷', 'Wrong item sent', 'shop', True),
    ('damaged', '破損', 'Damaged', 'shop', False),
    ('missing', '欠品', 'Missing item', 'shop', False),
    ('carrier_accident', '配送事故', 'Carrier accident', 'carrier', False),
    ('changed_mind', 'サイズ・イメージ違い', 'Not as expected (size, look)', 'customer', False),
    ('wrong_order', '注文間違い', 'Ordered by mistake', 'customer', False),
    ('refused', '受取拒否', 'Refused by the customer', 'customer', False),
    ('undeliverable', '長期不在・住所不明', 'Undeliverable (not at home, unknown address)', 'customer', False),
]


def upgrade():
    op.create_table('return_reasons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label_ja', sa.String(length=100), nullable=False),
    sa.Column('label_en', sa.String(length=100), nullable=False),
    sa.Column('fault', sa.String(length=20), nullable=False),
    sa.Column('ship_at_once', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint("fault IN ('shop', 'carrier', 'customer')", name=op.f('ck_return_reasons_fault_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_reasons')),
    sa.UniqueConstraint('key', name=op.f('uq_return_reasons_key'))
    )
    op.create_table('returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), server_default='', nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('customer_comment', sa.Text(), server_default='', nullable=False),
    sa.Column('message', sa.Text(), server_default='', nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('packed_by_id', sa.Integer(), nullable=True),
    sa.Column('packing_session_id', sa.Integer(), nullable=True),
    sa.Column('blocked_message', sa.Text(), server_default='', nullable=False),
    sa.Column('replacement_order_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('', 'refund', 'exchange', 'none')", name=op.f('ck_returns_outcome_known')),
    sa.CheckConstraint("source IN ('clerk', 'station', 'customer', 'cli')", name=op.f('ck_returns_source_known')),
    sa.CheckConstraint("state IN ('requested', 'approved', 'declined', 'receiving', 'received', 'closed')", name=op.f('ck_returns_state_known')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_returns_opened_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_returns_order_id_orders')),
    sa.ForeignKeyConstraint(['packed_by_id'], ['users.id'], name=op.f('fk_returns_packed_by_id_users')),
    sa.ForeignKeyConstraint(['packing_session_id'], ['packing_sessions.id'], name=op.f('fk_returns_packing_session_id_packing_sessions')),
    sa.ForeignKeyConstraint(['replacement_order_id'], ['orders.id'], name=op.f('fk_returns_replacement_order_id_orders')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_returns_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_returns'))
    )
    with op.batch_alter_table('returns', schema=None) as batch_op:
        batch_op.create_index('ix_returns_opened_at', ['opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_returns_order_id'), ['order_id'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('lines_amount', sa.Integer(), nullable=False),
    sa.Column('fees_amount', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('refunded_on', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('bank_transfer', 'mall', 'cod_refund')", name=op.f('ck_refunds_method_known')),
    sa.CheckConstraint('lines_amount >= 0 AND fees_amount >= 0', name=op.f('ck_refunds_amounts_not_negative')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders')),
    sa.ForeignKeyConstraint(['return_id'], ['returns.id'], name=op.f('fk_refunds_return_id_returns')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_refunds_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refunds_return_id'), ['return_id'], unique=False)

    op.create_table('return_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('reason_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('sellable', sa.Integer(), server_default='0', nullable=False),
    sa.Column('quarantine', sa.Integer(), server_default='0', nullable=False),
    sa.Column('scrap', sa.Integer(), server_default='0', nullable=False),
    sa.Column('supplier', sa.Integer(), server_default='0', nullable=False),
    sa.Column('refunded', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_return_lines_quantity_positive')),
    sa.CheckConstraint('refunded >= 0', name=op.f('ck_return_lines_refunded_not_negative')),
    sa.CheckConstraint('sellable + quarantine + scrap + supplier <= quantity', name=op.f('ck_return_lines_received_within_quantity')),
    sa.CheckConstraint('sellable >= 0 AND quarantine >= 0 AND scrap >= 0 AND supplier >= 0', name=op.f('ck_return_lines_grades_not_negative')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_return_lines_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_return_lines_product_id_products')),
    sa.ForeignKeyConstraint(['reason_id'], ['return_reasons.id'], name=op.f('fk_return_lines_reason_id_return_reasons')),
    sa.ForeignKeyConstraint(['return_id'], ['returns.id'], name=op.f('fk_return_lines_return_id_returns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_return_lines'))
    )
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_lines_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_lines_return_id'), ['return_id'], unique=False)

    reasons = sa.table('return_reasons', sa.column('key', sa.String), sa.column('label_ja', sa.String),
                       sa.column('label_en', sa.String), sa.column('fault', sa.String),
                       sa.column('ship_at_once', sa.Boolean), sa.column('active', sa.Boolean),
                       sa.column('position', sa.Integer))
    op.bulk_insert(reasons, [{'key': key, 'label_ja': ja, 'label_en': en, 'fault': fault, 'ship_at_once': at_once,
                              'active': True, 'position': n} for n, (key, ja, en, fault, at_once) in enumerate(REASONS)])


def downgrade():
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_lines_return_id'))
        batch_op.drop_index(batch_op.f('ix_return_lines_order_line_id'))

    op.drop_table('return_lines')
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_return_id'))
        batch_op.drop_index(batch_op.f('ix_refunds_order_id'))

    op.drop_table('refunds')
    with op.batch_alter_table('returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_returns_order_id'))
        batch_op.drop_index('ix_returns_opened_at')

    op.drop_table('returns')
    op.drop_table('return_reasons')
