"""Moving stock between locations (棚移動): one ledger pair, and the allocations follow their units."""
import json
import threading

import pytest
import sqlalchemy as sa

from app.catalog.models import Product
from app.errors import UserError
from app.extensions import db
from app.fulfilment.services import create_pick_batch, pick_list_data
from app.inventory.models import Location, LocationKind, StockLevel, StockMovement
from app.inventory.services import get_location, get_or_create_location, move_stock
from app.orders.models import Allocation
from app.orders.services import cancel
from tests.conftest import run_together
from tests.factories import plain_orders, stored_order


def level(product, code) -> tuple[int, int]:
    db.session.expire_all()
    row = db.session.scalar(sa.select(StockLevel).join(Location).where(StockLevel.product_id == product.id,
                                                                       Location.code == code))
    return (row.on_hand, row.allocated) if row else (0, 0)


def allocations(product) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(Location.code, sa.func.sum(Allocation.quantity))
                              .join(Location, Location.id == Allocation.location_id)
                              .where(Allocation.product_id == product.id).group_by(Location.code))
    return dict(rows.all())


def test_a_move_of_free_units_writes_one_ledger_pair_and_leaves_the_allocations(floor):
    tea = floor['tea']
    move_stock(tea, get_location('A-01-01-1'), get_or_create_location('A-09-01-1'), 5, actor=floor['packer'],
               note='棚替え')
    db.session.commit()
    assert level(tea, 'A-01-01-1') == (15, 3)
    assert level(tea, 'A-09-01-1') == (5, 0)
    assert allocations(tea) == {'A-01-01-1': 3}
    pair = db.session.scalars(sa.select(StockMovement).where(StockMovement.reason == 'transfer')
                              .order_by(StockMovement.id)).all()
    assert [(m.location.code, m.delta, m.on_hand_after, m.reference, m.note, m.user_id) for m in pair] == [
        ('A-01-01-1', -5, 15, 'A-01-01-1 → A-09-01-1', '棚替え', floor['packer'].id),
        ('A-09-01-1', 5, 5, 'A-01-01-1 → A-09-01-1', '棚替え', floor['packer'].id)]


def test_a_move_keeps_allocations_they_follow_their_units_and_the_pick_list_goes_to_the_new_shelf(floor):
    tea = floor['tea']
    # 18 of 20 units: 17 are free, the allocation of one more unit must follow
    move_stock(tea, get_location('A-01-01-1'), get_or_create_location('A-09-01-1'), 18, actor=None)
    db.session.commit()
    assert level(tea, 'A-01-01-1') == (2, 2)
    assert level(tea, 'A-09-01-1') == (18, 1)
    assert allocations(tea) == {'A-01-01-1': 2, 'A-09-01-1': 1}
    # every order keeps every unit it had: nothing is lost or doubled
    for external_id, units in (('F-1', 2), ('F-3', 1)):
        order = stored_order(external_id)
        assert order.status == 'allocated'
        assert db.session.scalar(sa.select(sa.func.sum(Allocation.quantity))
                                 .where(Allocation.order_id == order.id, Allocation.product_id == tea.id)) == units
    # the rest: every unit and every allocation
    move_stock(tea, get_location('A-01-01-1'), get_location('A-09-01-1'), 2, actor=None)
    db.session.commit()
    assert level(tea, 'A-01-01-1') == (0, 0)
    assert allocations(tea) == {'A-09-01-1': 3}
    batch = create_pick_batch(actor=None)
    db.session.commit()
    assert [(i.location, i.sku, i.quantity) for i in pick_list_data(batch).totals if i.sku == 'T-1'] == [
        ('A-09-01-1', 'T-1', 3)]


def test_units_on_a_printed_pick_list_stay_where_the_list_sends_the_picker(floor):
    tea = floor['tea']
    create_pick_batch(actor=None)
    db.session.commit()
    with pytest.raises(UserError, match='pick list is printed') as refused:
        move_stock(tea, get_location('A-01-01-1'), get_or_create_location('A-09-01-1'), 18, actor=None)
    assert stored_order('F-1').number in str(refused.value)
    db.session.rollback()
    assert level(tea, 'A-01-01-1') == (20, 3)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMovement)
                             .where(StockMovement.reason == 'transfer')) == 0
    # the free units move all the same
    move_stock(tea, get_location('A-01-01-1'), get_or_create_location('A-09-01-1'), 17, actor=None)
    db.session.commit()
    assert level(tea, 'A-01-01-1') == (3, 3)
    assert allocations(tea) == {'A-01-01-1': 3}


def test_promised_units_never_go_to_quarantine_and_put_back_locations_are_not_moved(floor):
    tea = floor['tea']
    quarantine = get_or_create_location('Q-01')
    quarantine.kind = LocationKind.quarantine
    putback = get_or_create_location('PB-01')
    putback.kind = LocationKind.putback
    db.session.commit()
    with pytest.raises(UserError, match='promised to orders'):
        move_stock(tea, get_location('A-01-01-1'), quarantine, 18, actor=None)
    db.session.rollback()
    with pytest.raises(UserError, match='put-back location'):
        move_stock(tea, get_location('A-01-01-1'), putback, 1, actor=None)
    db.session.rollback()
    with pytest.raises(UserError, match='only 20 on hand'):
        move_stock(tea, get_location('A-01-01-1'), get_or_create_location('A-09-01-1'), 21, actor=None)
    db.session.rollback()
    with pytest.raises(UserError, match='scan another location'):
        move_stock(tea, get_location('A-01-01-1'), get_location('A-01-01-1'), 1, actor=None)
    db.session.rollback()
    move_stock(tea, get_location('A-01-01-1'), quarantine, 17, actor=None)
    db.session.commit()
    assert level(tea, 'Q-01') == (17, 0)


def test_flask_stock_move_creates_the_new_location_and_moves_the_allocations(floor, runner, tmp_path):
    tea = floor['tea']
    result = runner.invoke(args=['stock', 'move', 'T-1', '20', 'A-01-01-1', 'z-09-01-1', '--json'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {'sku': 'T-1', 'from': 'A-01-01-1', 'to': 'Z-09-01-1', 'quantity': 20,
                                         'allocated': 3}
    assert level(tea, 'Z-09-01-1') == (20, 3)
    assert allocations(tea) == {'Z-09-01-1': 3}
    exported = tmp_path / 'stock.csv'
    assert runner.invoke(args=['export', 'stock', '-o', str(exported)]).exit_code == 0
    assert 'T-1,Z-09-01-1,20,3,17' in exported.read_text(encoding='utf-8-sig')
    assert 'T-1,A-01-01-1,' not in exported.read_text(encoding='utf-8-sig')
    refused = runner.invoke(args=['stock', 'move', 'T-1', '1', 'A-01-01-1', 'Z-09-01-1'])
    assert refused.exit_code == 1
    assert 'only 0 on hand' in refused.output
    unknown = runner.invoke(args=['stock', 'move', 'T-1', '1', 'NOWHERE', 'Z-09-01-1'])
    assert unknown.exit_code == 1
    assert 'There is no location "NOWHERE"' in unknown.output


def test_a_move_racing_cancellations_and_allocation_keeps_the_book_and_the_allocations_equal(app, floor):
    """Moves, cancellations and a new order's allocation at once, on the same product: whoever waits or is
    refused, every location's allocated units stay exactly the allocations pointing at it."""
    tea_id = floor['tea'].id
    get_or_create_location('A-09-01-1')
    db.session.commit()   # and no transaction of the test's own is left open: SQLite's write lock is free
    barrier = threading.Barrier(4)

    def work(what):
        with app.app_context():
            barrier.wait()
            try:
                if what == 'move':
                    move_stock(db.session.get(Product, tea_id), get_location('A-01-01-1'), get_location('A-09-01-1'),
                               19, actor=None)
                elif what == 'allocate':
                    plain_orders({'order_id': 'F-8', 'ordered_at': '2025-10-08T10:00:00', 'lines': [('T-1', 2)],
                                  'ship_name': '並行 八郎', 'ship_address1': '別の住所 8-8'})
                else:
                    cancel(stored_order(what), actor=None, why='並行')
                db.session.commit()
            except UserError:
                db.session.rollback()
            finally:
                db.session.remove()

    run_together(*((work, what) for what in ('move', 'F-1', 'F-3', 'allocate')))
    db.session.expire_all()
    booked = {lv.location_id: lv.allocated for lv in db.session.scalars(
        sa.select(StockLevel).where(StockLevel.product_id == tea_id))}
    promised = dict(db.session.execute(sa.select(Allocation.location_id, sa.func.sum(Allocation.quantity))
                                       .where(Allocation.product_id == tea_id).group_by(Allocation.location_id)).all())
    assert {k: v for k, v in booked.items() if v} == promised
    assert sum(lv.on_hand for lv in db.session.scalars(sa.select(StockLevel)
                                                       .where(StockLevel.product_id == tea_id))) == 20
    assert {stored_order(x).status for x in ('F-1', 'F-3')} == {'cancelled'}
