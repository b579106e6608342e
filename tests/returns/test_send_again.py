"""A parcel the carrier brought back (受取拒否, 長期不在・住所不明), received, then sent again to a corrected address:
the same order, a new parcel through allocation, picking and packing; the ledger and the history tell it all."""
import datetime as dt

import pytest
import sqlalchemy as sa

from app.analysis import queries as analysis
from app.errors import UserError
from app.extensions import db
from app.fulfilment import services as floor
from app.fulfilment.models import Shipment
from app.inventory.models import StockLevel, StockMovement
from app.orders.models import Allocation
from app.orders.queries import timeline
from app.orders.services import SHIP_TO_FIELDS
from app.returns import queries as return_queries
from app.returns import services
from app.returns.services import AskedLine, ReceivedUnit
from importers.base import JST
from tests.conftest import count
from tests.factories import pack_and_ship, stored_order


def refused_and_received(reason='refused'):
    order = stored_order('F-1')
    ret = services.open_unannounced(order, actor=None) if reason == 'undeliverable' else \
        services.open_return(order, [AskedLine('T-1', 2, reason), AskedLine('W-1', 1, reason)], actor=None)
    services.receive_units(ret, [ReceivedUnit('T-1', 'sellable'), ReceivedUnit('T-1', 'sellable'),
                                 ReceivedUnit('W-1', 'sellable')], actor=None)
    db.session.commit()
    return ret


def corrected(order, **changes):
    return {**{f: getattr(order, f) for f in SHIP_TO_FIELDS}, **changes}


def statuses(order):
    return [e.after['status'] for e in timeline(order) if e.action == 'order.status']


def moves(product):
    return [(m.reason, m.delta) for m in db.session.scalars(
        sa.select(StockMovement).where(StockMovement.product_id == product.id).order_by(StockMovement.id))]


@pytest.mark.parametrize('reason', ['refused', 'undeliverable'])
def test_a_refused_parcel_is_sent_again_to_the_corrected_address_as_a_new_parcel(shipped, reason):
    tea = shipped['tea']
    ret = refused_and_received(reason)
    order = stored_order('F-1')
    assert order.status == 'returned' and services.can_send_again(ret)
    first = shipped['shipment']
    services.send_again(ret, corrected(order, ship_address1='千代田1-1 新しい部屋 202'), actor=shipped['manager'])
    db.session.commit()
    db.session.expire_all()
    order = stored_order('F-1')
    # the same order, back through allocation: the returned units are allocated to it again
    assert (order.status, order.ship_address1, order.pick_batch_id) == ('allocated', '千代田1-1 新しい部屋 202', None)
    assert (ret.state, ret.outcome) == ('closed', 'none')
    assert db.session.scalar(sa.select(sa.func.sum(Allocation.quantity)).where(Allocation.order_id == order.id)) == 3
    floor.create_pick_batch(actor=shipped['packer'])
    db.session.commit()
    second = pack_and_ship('F-1', shipped['packer'])
    db.session.expire_all()
    order = stored_order('F-1')
    assert order.status == 'shipped'
    assert second.id != first.id and second.tracking_number != first.tracking_number
    assert floor.shipment_of(order.id).id == second.id
    assert count(Shipment) == 3  # F-1 twice, F-2 once
    # 20 on the shelf: 2 out, 2 back, 2 out again
    assert [m for m in moves(tea) if m[0] in ('shipment', 'return')] == [
        ('shipment', -2), ('return', 1), ('return', 1), ('shipment', -2)]
    assert db.session.scalar(sa.select(sa.func.sum(StockLevel.on_hand)).where(StockLevel.product_id == tea.id)) == 18
    # the history: shipped, every unit back, new again, confirmed, allocated, picked, packed, shipped again
    assert statuses(order) == ['allocated', 'picking', 'packed', 'shipped', 'returned', 'new',
                               'confirmed', 'allocated', 'picking', 'packed', 'shipped']
    assert {'order.sent_again', 'order.ship_to'} <= {e.action for e in timeline(order)}
    assert 'return.sent_again' in [e.action for e in return_queries.return_history(ret)]
    # the new parcel's units may come back in their turn; the sales by ship date count the order once
    assert services.returnable_units(order) == {line.id: line.quantity for line in order.lines}
    today = dt.datetime.now(JST).date()
    units = analysis.sales_by_day(analysis.Filters(today - dt.timedelta(days=1), today, basis='shipped'))
    # F-1's three units once (not twice: two parcels) and F-2's one
    assert int(units['units'].sum()) == 4


def test_only_a_received_parcel_brought_back_is_sent_again(shipped):
    order = stored_order('F-1')
    address = corrected(order, ship_address1='別の住所 9-9')
    defective = services.open_return(order, [AskedLine('T-1', 1, 'defective')], actor=None, state='requested')
    db.session.commit()
    with pytest.raises(UserError, match='not a parcel the carrier brought back'):
        services.send_again(defective, address, actor=None)
    db.session.rollback()
    services.decide(defective, False, actor=None, message='x')
    refused = services.open_return(stored_order('F-1'), [AskedLine('T-1', 2, 'refused'),
                                                         AskedLine('W-1', 1, 'refused')], actor=None)
    db.session.commit()
    with pytest.raises(UserError, match='receive the whole parcel before sending it again'):
        services.send_again(refused, address, actor=None)
    db.session.rollback()
    services.receive_units(refused, [ReceivedUnit('T-1', 'sellable'), ReceivedUnit('T-1', 'sellable'),
                                     ReceivedUnit('W-1', 'sellable')], actor=None)
    db.session.commit()
    with pytest.raises(UserError, match='The name is required'):
        services.send_again(refused, corrected(stored_order('F-1'), ship_name=' '), actor=None)
    db.session.rollback()
    db.session.expire_all()
    assert (stored_order('F-1').status, refused.state) == ('returned', 'received')
    services.send_again(refused, address, actor=None)
    db.session.commit()
    with pytest.raises(UserError):
        services.send_again(refused, address, actor=None)
    db.session.rollback()


def test_the_clerk_sends_a_refused_parcel_again_from_the_return_page(shipped, client, login):
    ret = refused_and_received()
    order = stored_order('F-1')
    login('clerk')
    page = client.get(f'/returns/{ret.id}')
    assert f'/returns/{ret.id}/send-again' in page.text and f'value="{order.ship_address1}"' in page.text
    data = corrected(order, ship_address1='千代田1-1 新しい部屋 202')
    missing = client.post(f'/returns/{ret.id}/send-again', data={**data, 'ship_address1': ''})
    assert missing.status_code == 422
    db.session.expire_all()
    assert stored_order('F-1').status == 'returned'
    done = client.post(f'/returns/{ret.id}/send-again', data=data)
    assert done.status_code == 303 and done.location.endswith(f'/orders/{order.id}')
    db.session.expire_all()
    assert (stored_order('F-1').status, stored_order('F-1').ship_address1) == ('allocated', '千代田1-1 新しい部屋 202')
    # once sent, the page offers it no more
    assert f'/returns/{ret.id}/send-again' not in client.get(f'/returns/{ret.id}').text
    again = client.post(f'/returns/{ret.id}/send-again', data=data)
    assert again.status_code == 422
