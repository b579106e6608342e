"""Refunds (per line plus fees, method, date, who) and exchanges (a replacement order at no charge)."""
import datetime as dt

import pytest
import sqlalchemy as sa

from app.errors import UserError
from app.extensions import db
from app.orders.models import Order
from app.returns import services
from app.returns.models import Refund
from app.returns.services import AskedLine, ReceivedUnit
from tests.factories import stored_order


def open_f1(*lines):
    ret = services.open_return(stored_order('F-1'), [AskedLine(*line) for line in lines], actor=None)
    db.session.commit()
    return ret


def test_a_refund_is_recorded_per_line_with_fees_and_the_order_is_refunded_when_all_went_back(shipped):
    clerk = shipped['manager']
    order = stored_order('F-1')
    ret = open_f1(('T-1', 2, 'defective'), ('W-1', 1, 'defective'))
    tea, cup = sorted(ret.lines, key=lambda line: line.product.sku)
    assert services.refund_methods(order) == ('bank_transfer',)
    with pytest.raises(UserError, match='at most 2,160 yen'):
        services.record_refund(ret, {tea.id: 3000}, method='bank_transfer', refunded_on=dt.date(2026, 12, 1),
                               actor=clerk)
    db.session.rollback()
    with pytest.raises(UserError, match='cannot be refunded that way'):
        services.record_refund(ret, {tea.id: 1080}, method='mall', refunded_on=dt.date(2026, 12, 1), actor=clerk)
    db.session.rollback()
    services.record_refund(ret, {tea.id: 1080}, method='bank_transfer', refunded_on=dt.date(2026, 12, 1),
                           actor=clerk, note='振込済')
    db.session.commit()
    order = stored_order('F-1')
    assert order.payment_status == 'paid'
    refund = db.session.scalar(sa.select(Refund))
    assert (refund.amount, refund.method, refund.refunded_on, refund.user_id) == (
        1080, 'bank_transfer', dt.date(2026, 12, 1), clerk.id)
    services.record_refund(ret, {tea.id: 1080, cup.id: 1080}, fees=order.shipping_fee + order.cod_fee,
                           method='bank_transfer', refunded_on=dt.date(2026, 12, 2), actor=clerk)
    db.session.commit()
    assert stored_order('F-1').payment_status == 'refunded'
    assert ret.outcome == 'refund'


def test_a_mall_order_is_refunded_in_the_mall_and_the_clerk_is_shown_the_steps(shipped):
    order = stored_order('F-1')
    order.channel = 'rakuten'
    db.session.commit()
    assert services.refund_methods(order) == ('mall',)
    assert 'キャンセル申請' in services.refund_steps(order)


def test_an_exchange_for_a_mis_shipment_ships_at_once_at_no_charge(shipped):
    ret = open_f1(('W-1', 1, 'wrong_item'))
    replacement = services.create_exchange(ret, actor=shipped['manager'])
    db.session.commit()
    assert replacement.status == 'allocated'
    assert (replacement.total, [(line.product.sku, line.quantity, line.unit_price) for line in replacement.lines]) \
        == (0, [('W-1', 1, 0)])
    assert replacement.duplicated_from_id == ret.order_id and ret.replacement_order_id == replacement.id
    assert replacement.ship_name == stored_order('F-1').ship_name
    with pytest.raises(UserError, match='already has its replacement'):
        services.create_exchange(ret, actor=None)


def test_an_exchange_waits_for_the_returned_unit_unless_it_is_already_back(shipped):
    ret = open_f1(('T-1', 1, 'changed_mind'))
    replacement = services.create_exchange(ret, actor=None)
    db.session.commit()
    assert replacement.status == 'new' and [h.reason for h in replacement.open_holds] == ['manual']
    services.receive_units(ret, [ReceivedUnit('T-1', 'sellable')], actor=None)
    db.session.commit()
    replacement = db.session.get(Order, replacement.id)
    assert replacement.open_holds == [] and replacement.status == 'allocated'
    # after the return arrived, another exchange ships at once
    later = open_f1(('W-1', 1, 'changed_mind'))
    services.receive_units(later, [ReceivedUnit('W-1', 'quarantine')], actor=None)
    other = services.create_exchange(later, actor=None)
    db.session.commit()
    assert other.status == 'allocated'
