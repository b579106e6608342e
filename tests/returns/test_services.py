"""Returns: opening, receiving and grading through the ledger, the order following, concurrency."""
import threading

import pytest
import sqlalchemy as sa

from app.errors import UserError
from app.extensions import db
from app.fulfilment.models import PackingSession
from app.inventory.models import Location, StockLevel, StockMovement
from app.orders.models import Order
from app.returns import services
from app.returns.models import Return, ReturnLine
from app.returns.services import AskedLine, ReceivedUnit
from tests.conftest import run_together
from tests.factories import plain_orders, stored_order


def level(product, code):
    return db.session.scalar(sa.select(StockLevel).join(Location).where(StockLevel.product_id == product.id,
                                                                        Location.code == code))


def open_f1(*lines, actor=None, state='approved'):
    ret = services.open_return(stored_order('F-1'), [AskedLine(*line) for line in lines], actor=actor, state=state)
    db.session.commit()
    return ret


def test_returning_more_than_shipped_is_refused_and_changes_nothing(shipped):
    with pytest.raises(UserError, match='T-1: 3 cannot be returned: 2 shipped in order K\\d+, 2 not yet returned'):
        services.open_return(stored_order('F-1'), [AskedLine('T-1', 3, 'defective')], actor=None)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Return.id))) == 0


def test_an_order_not_shipped_and_a_product_not_in_the_order_are_refused(shipped):
    with pytest.raises(UserError, match='has not shipped'):
        services.open_return(stored_order('F-3'), [AskedLine('T-1', 1, 'defective')], actor=None)
    with pytest.raises(UserError, match='W-2 is not in order'):
        services.open_return(stored_order('F-1'), [AskedLine('W-2', 1, 'defective')], actor=None)
    with pytest.raises(UserError, match='Unknown return reason "broken"'):
        services.open_return(stored_order('F-1'), [AskedLine('T-1', 1, 'broken')], actor=None)


def test_partial_and_repeated_returns_never_exceed_what_shipped(shipped):
    first = open_f1(('T-1', 1, 'changed_mind'))
    assert [(line.quantity, line.reason.key, line.reason.fault) for line in first.lines] == [
        (1, 'changed_mind', 'customer')]
    second = open_f1(('T-1', 1, 'defective'), ('W-1', 1, 'damaged'), state='requested')
    assert len(second.lines) == 2
    with pytest.raises(UserError, match='0 not yet returned'):
        open_f1(('T-1', 1, 'defective'))
    db.session.rollback()
    # a declined request gives its units back to what may be returned
    services.decide(second, False, actor=None, message='期限切れ')
    db.session.commit()
    assert services.returnable_units(stored_order('F-1'))[second.lines[0].order_line_id] == 1


def test_a_mis_shipment_names_the_packer_and_the_packing_session(shipped):
    ret = open_f1(('W-1', 1, 'wrong_item'))
    session = db.session.scalar(sa.select(PackingSession).where(PackingSession.order_id == stored_order('F-1').id))
    assert (ret.packed_by_id, ret.packing_session_id) == (shipped['packer'].id, session.id)
    other = open_f1(('T-1', 1, 'defective'))
    assert other.packed_by_id is None


def test_a_sellable_unit_goes_back_to_its_shelf_and_is_available_at_once(shipped):
    ret = open_f1(('T-1', 2, 'changed_mind'))
    before = level(shipped['tea'], 'A-01-01-1')
    on_hand, available = before.on_hand, before.available
    receipt = services.receive_units(ret, [ReceivedUnit('4569951116179', 'sellable')], actor=shipped['packer'])
    db.session.commit()
    assert (receipt.units, receipt.complete, ret.state) == ({'sellable': 1}, False, 'receiving')
    after = level(shipped['tea'], 'A-01-01-1')
    assert (after.on_hand, after.available) == (on_hand + 1, available + 1)
    movement = db.session.scalar(sa.select(StockMovement).where(StockMovement.reason == 'return'))
    assert (movement.delta, movement.reference, movement.note, movement.user_id) == (
        1, ret.number, 'sellable', shipped['packer'].id)


def test_each_grade_moves_through_the_ledger_and_only_sellable_is_available(shipped, make_location):
    ret = open_f1(('T-1', 2, 'defective'), ('W-1', 1, 'damaged'))
    services.receive_units(ret, [ReceivedUnit('T-1', 'quarantine'), ReceivedUnit('T-1', 'scrap'),
                                 ReceivedUnit('W-1', 'supplier')], actor=None)
    db.session.commit()
    quarantine = services.quarantine_location()
    assert quarantine.kind == 'quarantine'
    tea_q = level(shipped['tea'], quarantine.code)
    assert (tea_q.on_hand, tea_q.allocated) == (1, 0)
    assert level(shipped['cup'], quarantine.code).on_hand == 0
    rows = db.session.execute(sa.select(StockMovement.product_id, StockMovement.delta, StockMovement.note)
                              .where(StockMovement.reason == 'return').order_by(StockMovement.id)).all()
    tea, cup = shipped['tea'].id, shipped['cup'].id
    assert rows == [(tea, 1, 'quarantine'), (tea, 1, 'scrap'), (tea, -1, 'scrap: written off'),
                    (cup, 1, 'supplier'), (cup, -1, 'supplier: written off')]
    line = db.session.scalar(sa.select(ReturnLine).where(ReturnLine.product_id == tea))
    assert (line.quarantine, line.scrap, line.received) == (1, 1, 2)
    # quarantined stock is on hand but never available: the export says so
    from app.files import EXPORTERS

    csv = EXPORTERS['stock']().content.decode('utf-8-sig')
    assert f'T-1,{quarantine.code},1,0,0' in csv
    assert ret.state == 'received'
    order = stored_order('F-1')
    assert order.status == 'returned'


def test_a_returned_sellable_unit_fills_a_waiting_backorder(shipped):
    # the nine cups left go to one order; the next one waits
    plain_orders({'order_id': 'B-1', 'ordered_at': '2025-10-05T10:00:00', 'lines': [('W-1', 9)]},
                 {'order_id': 'B-2', 'ordered_at': '2025-10-06T10:00:00', 'lines': [('W-1', 1)]})
    db.session.commit()
    assert [stored_order(x).status for x in ('B-1', 'B-2')] == ['allocated', 'backordered']
    ret = open_f1(('W-1', 1, 'changed_mind'))
    services.receive_units(ret, [ReceivedUnit('W-1', 'sellable')], actor=None)
    db.session.commit()
    assert stored_order('B-2').status == 'allocated'
    cups = level(shipped['cup'], 'B-01-01-1')
    assert (cups.on_hand, cups.allocated) == (10, 10)


def test_a_unit_not_in_the_return_or_one_too_many_refuses_the_whole_receipt(shipped):
    ret = open_f1(('T-1', 1, 'defective'))
    with pytest.raises(UserError, match='NOT IN THIS RETURN: .*W-1'):
        services.receive_units(ret, [ReceivedUnit('T-1', 'sellable'), ReceivedUnit('W-1', 'sellable')], actor=None)
    db.session.rollback()
    with pytest.raises(UserError, match='ONE TOO MANY'):
        services.receive_units(ret, [ReceivedUnit('T-1', 'sellable'), ReceivedUnit('T-1', 'sellable')], actor=None)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(StockMovement.id)).where(StockMovement.reason == 'return')) == 0


def test_a_partly_returned_order_stays_shipped_and_says_so(shipped):
    ret = open_f1(('T-1', 1, 'defective'))
    services.receive_units(ret, [ReceivedUnit('T-1', 'quarantine')], actor=None)
    db.session.commit()
    order = stored_order('F-1')
    assert (order.status, services.returned_state(order)) == ('shipped', 'partly')


def test_two_clerks_receiving_the_same_return_at_once_count_each_unit_once(app, shipped):
    ret = open_f1(('W-1', 1, 'damaged'))
    number = ret.number
    db.session.commit()   # SQLite: the test's own transaction would hold the write lock
    results, barrier = [], threading.Barrier(2)

    def clerk():
        with app.app_context():
            barrier.wait()
            try:
                services.receive_units(services.get_return(number), [ReceivedUnit('W-1', 'sellable')], actor=None)
                db.session.commit()
                results.append('ok')
            except Exception as exc:   # noqa: BLE001  (the test reads what each clerk was told)
                db.session.rollback()
                results.append(repr(exc))
            finally:
                db.session.remove()

    run_together((clerk,), (clerk,))
    assert sorted(results)[-1] == 'ok' and results.count('ok') == 1, results
    assert 'UserError' in [r for r in results if r != 'ok'][0]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(StockMovement.id)).where(StockMovement.reason == 'return')) == 1
    assert db.session.scalar(sa.select(ReturnLine.sellable)) == 1


def test_an_unannounced_parcel_opens_a_return_of_everything_still_returnable(shipped):
    order, found = services.returns_for_scan(shipped['shipment'].tracking_number)
    assert (order.external_order_id, found) == ('F-1', [])
    ret = services.open_unannounced(order, actor=None)
    assert sorted((line.product.sku, line.quantity, line.reason.key) for line in ret.lines) == [
        ('T-1', 2, 'undeliverable'), ('W-1', 1, 'undeliverable')]
    db.session.commit()
    assert services.returns_for_scan(order.number)[1] == [ret]


def test_order_history_records_the_return(shipped):
    from app.orders.queries import timeline

    ret = open_f1(('T-1', 1, 'defective'))
    services.receive_units(ret, [ReceivedUnit('T-1', 'sellable')], actor=None)
    db.session.commit()
    actions = [e.action for e in timeline(db.session.get(Order, ret.order_id))]
    assert 'order.return_opened' in actions and 'order.return_received' in actions
