"""Stocktakes without a freeze: variances against the book at the moment of counting, recounts, approval."""
import json
import threading

import pytest
import sqlalchemy as sa

from app.errors import UserError
from app.extensions import db
from app.fulfilment import services as floor_services
from app.inventory.models import StockLevel, StockMovement
from app.inventory.services import get_or_create_location, receive
from app.orders.allocation import allocate
from app.orders.models import Allocation, Order, OrderHold
from app.stocktake import services
from app.stocktake.models import CountLine, StockCount
from tests.conftest import run_together
from tests.factories import plain_orders, stored_order


def level(product, code) -> StockLevel:
    db.session.expire_all()
    return db.session.scalar(sa.select(StockLevel).join(StockLevel.location)
                             .where(StockLevel.product_id == product.id, StockLevel.location.has(code=code)))


def line_of(count, product, code) -> CountLine:
    db.session.expire_all()
    return next(line for line in db.session.scalars(sa.select(CountLine).where(CountLine.count_id == count.id))
                if line.product_id == product.id and line.location.code == code)


def record(count, code, quantities, actor=None):
    recorded = services.record_location(count, code, {p.id: q for p, q in quantities.items()}, actor=actor)
    db.session.commit()
    return recorded


def pack_and_ship(external_id, codes, packer):
    session = floor_services.open_packing(stored_order(external_id).number, station='S1', actor=packer).session
    for code in codes:
        floor_services.scan(session, code, actor=packer)
    db.session.commit()
    floor_services.ship(floor_services.shipment_of(stored_order(external_id).id), actor=packer)
    db.session.commit()


def stocktake_rows():
    return db.session.scalars(sa.select(StockMovement).where(StockMovement.reason == 'stocktake')
                              .order_by(StockMovement.id)).all()


def test_a_count_while_orders_are_picked_and_shipped_from_its_locations_finds_no_false_variance(floor):
    tea, cup, pot, packer = floor['tea'], floor['cup'], floor['pot'], floor['packer']
    count = services.start_count(actor=floor['manager'])
    db.session.commit()
    # the picker walks the batch: 3 teas, a cup and a pot leave their shelves for the totes
    floor_services.create_pick_batch(actor=packer)
    db.session.commit()
    # F-1 (2 teas, a cup) is packed and shipped before anyone counts
    pack_and_ship('F-1', ('4569951116179', '4569951116179', '4901234567894'), packer)
    # A-01-01-1: 20 booked, 2 shipped, 1 in F-3's tote: 17 on the shelf
    record(count, 'A-01-01-1', {tea: 17}, actor=floor['manager'])
    # five cups arrive at B-01-01-1 after the count started: 10 - 1 shipped + 5 on the shelf
    receive(cup, get_or_create_location('B-01-01-1'), 5, actor=None)
    db.session.commit()
    record(count, 'B-01-01-1', {cup: 14}, actor=floor['manager'])
    # the pot of F-2 is in its tote: 4 on the shelf; F-2 ships after B-02-01-1 is counted
    record(count, 'B-02-01-1', {pot: 4}, actor=floor['manager'])
    pack_and_ship('F-2', ('4912345000019',), packer)
    assert [line_of(count, p, c).variance for p, c in ((tea, 'A-01-01-1'), (cup, 'B-01-01-1'), (pot, 'B-02-01-1'))] \
        == [0, 0, 0]
    tea_line = line_of(count, tea, 'A-01-01-1')
    assert (tea_line.snapshot, tea_line.movements_since, tea_line.picked, tea_line.expected) == (20, -2, 1, 17)
    applied = services.approve(db.session.get(StockCount, count.id), actor=floor['manager'], reason='monthly count')
    db.session.commit()
    assert [a.variance for a in applied] == [0, 0, 0]
    assert stocktake_rows() == []
    assert (level(tea, 'A-01-01-1').on_hand, level(cup, 'B-01-01-1').on_hand, level(pot, 'B-02-01-1').on_hand) \
        == (18, 14, 4)
    assert db.session.get(StockCount, count.id).state == 'approved'


def test_a_real_variance_during_picking_is_found_and_corrected_relative_to_on_hand_now(floor):
    tea, packer = floor['tea'], floor['packer']
    count = services.start_count(prefix='A-01', actor=None)
    db.session.commit()
    floor_services.create_pick_batch(actor=packer)   # 3 teas in totes
    db.session.commit()
    record(count, 'A-01-01-1', {tea: 15})             # 17 expected on the shelf: 2 missing
    receive(tea, get_or_create_location('A-01-01-1'), 4, actor=None)   # after the count: stays
    db.session.commit()
    assert line_of(count, tea, 'A-01-01-1').variance == -2
    services.approve(db.session.get(StockCount, count.id), actor=floor['manager'], reason='broken jars')
    db.session.commit()
    assert level(tea, 'A-01-01-1').on_hand == 20 + 4 - 2
    (row,) = stocktake_rows()
    assert (row.delta, row.reason, row.reference, row.note) == (-2, 'stocktake', count.number, 'broken jars')


def test_an_empty_location_counts_zero_for_everything_booked_and_an_unexpected_product_is_counted(
        floor, make_product, stock):
    tea, spoon = floor['tea'], make_product('SP-1')
    stock(spoon, 3, 'C-01-01-1')
    count = services.start_count(location_codes=['A-01-01-1', 'C-01-01-1'], actor=None)
    db.session.commit()
    record(count, 'A-01-01-1', {spoon: 2})            # the tea is gone, two spoons found instead
    record(count, 'C-01-01-1', {})
    assert line_of(count, tea, 'A-01-01-1').variance == -20
    assert line_of(count, spoon, 'A-01-01-1').variance == 2
    assert line_of(count, spoon, 'C-01-01-1').variance == -3


def test_approval_holds_the_orders_that_lose_their_stock_and_the_clerk_sees_why(floor):
    cup = floor['cup']
    count = services.start_count(prefix='B-01', actor=None)
    db.session.commit()
    record(count, 'B-01-01-1', {cup: 0})              # F-1's cup is not there
    applied = services.approve(db.session.get(StockCount, count.id), actor=floor['manager'], reason='lost')
    db.session.commit()
    assert [(a.location, a.sku, a.counted, a.expected, a.variance) for a in applied] == [
        ('B-01-01-1', 'W-1', 0, 10, -10)]
    f1 = stored_order('F-1')
    assert f1.status == 'new'
    (hold,) = f1.open_holds
    assert hold.reason == 'out_of_stock' and count.number in hold.note
    # its tea went back too, and nobody else's order was touched
    assert db.session.scalar(sa.select(sa.func.count(Allocation.id)).where(Allocation.order_id == f1.id)) == 0
    assert (level(cup, 'B-01-01-1').on_hand, level(cup, 'B-01-01-1').allocated) == (0, 0)
    assert level(floor['tea'], 'A-01-01-1').allocated == 1
    assert stored_order('F-3').status == 'allocated'


def test_stock_found_fills_backorders(floor, make_product):
    bowl = make_product('BOWL-1')
    plain_orders({'order_id': 'BO-1', 'lines': [('BOWL-1', 2)]})
    assert stored_order('BO-1').status == 'backordered'
    count = services.start_count(prefix='B-02', actor=None)
    db.session.commit()
    record(count, 'B-02-01-1', {floor['pot']: 5, bowl: 2})
    services.approve(db.session.get(StockCount, count.id), actor=floor['manager'], reason='found behind the pots')
    db.session.commit()
    assert stored_order('BO-1').status == 'allocated'
    assert (level(bowl, 'B-02-01-1').on_hand, level(bowl, 'B-02-01-1').allocated) == (2, 2)


def test_a_variance_over_the_threshold_needs_a_recount_by_another_person(floor, make_user):
    tea, manager = floor['tea'], floor['manager']
    counter, other = make_user('packer'), make_user('packer')
    services.save_stocktake_settings(services.StocktakeSettings(recount_units=3), actor=manager)
    db.session.commit()
    count = services.start_count(prefix='A-01', actor=manager)
    db.session.commit()
    assert record(count, 'A-01-01-1', {tea: 16}, actor=counter).recounts_asked == 1   # -4
    with pytest.raises(UserError, match='waits for a recount'):
        services.approve(db.session.get(StockCount, count.id), actor=manager, reason='x')
    db.session.rollback()
    with pytest.raises(UserError, match='someone other than its first counter'):
        record(count, 'A-01-01-1', {tea: 16}, actor=counter)
    db.session.rollback()
    assert record(count, 'A-01-01-1', {tea: 19}, actor=other).recount
    line = line_of(count, tea, 'A-01-01-1')
    assert (line.counted, line.recounted, line.variance) == (16, 19, -1)
    services.approve(db.session.get(StockCount, count.id), actor=manager, reason='recounted')
    db.session.commit()
    assert level(tea, 'A-01-01-1').on_hand == 19


@pytest.mark.parametrize(('settings', 'variance', 'expected', 'price', 'over'), [
    (services.StocktakeSettings(), -100, 100, 1000, False),          # none until a manager sets one
    (services.StocktakeSettings(recount_units=5), -4, 100, 1000, False),
    (services.StocktakeSettings(recount_units=5), 5, 100, 1000, True),
    (services.StocktakeSettings(recount_percent=10), -9, 100, 1, False),
    (services.StocktakeSettings(recount_percent=10), -10, 100, 1, True),
    (services.StocktakeSettings(recount_percent=10), 1, 0, 1, True),  # found where the book had none
    (services.StocktakeSettings(recount_yen=5000), -2, 100, 2400, False),
    (services.StocktakeSettings(recount_yen=5000), -3, 100, 2400, True),
    (services.StocktakeSettings(recount_units=1), 0, 100, 1, False),
])
def test_recount_thresholds(settings, variance, expected, price, over):
    assert services.over_threshold(variance, expected, price, settings) is over


def test_approving_some_lines_leaves_the_others_open(floor):
    tea, cup = floor['tea'], floor['cup']
    count = services.start_count(location_codes=['A-01-01-1', 'B-01-01-1'], actor=None)
    db.session.commit()
    record(count, 'A-01-01-1', {tea: 21})
    record(count, 'B-01-01-1', {cup: 9})
    tea_line = line_of(count, tea, 'A-01-01-1')
    services.approve(db.session.get(StockCount, count.id), actor=None, reason='tea first', line_ids=[tea_line.id])
    db.session.commit()
    assert level(tea, 'A-01-01-1').on_hand == 21 and level(cup, 'B-01-01-1').on_hand == 10
    assert db.session.get(StockCount, count.id).state == 'counted'
    services.approve(db.session.get(StockCount, count.id), actor=None, reason='the rest')
    db.session.commit()
    assert level(cup, 'B-01-01-1').on_hand == 9
    assert db.session.get(StockCount, count.id).state == 'approved'


@pytest.mark.parametrize(('kwargs', 'message'), [
    ({'prefix': 'Z-'}, 'Nothing to count'),
    ({'location_codes': ['A-01-01-1', 'NOPE-1']}, 'no location NOPE-1'),
    ({'skus': ['T-1', 'NOPE']}, 'no product NOPE'),
    ({'prefix': 'A', 'skus': ['T-1']}, 'not both'),
])
def test_a_count_that_cannot_start_says_why_and_writes_nothing(floor, kwargs, message):
    with pytest.raises(UserError, match=message):
        services.start_count(actor=None, **kwargs)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(StockCount.id))) == 0


def test_a_product_count_covers_its_locations_and_refuses_other_products(floor, stock):
    stock(floor['tea'], 5, 'C-09-01-1')
    count = services.start_count(skus=['T-1'], actor=None)
    db.session.commit()
    assert sorted(entry.location.code for entry in count.locations) == ['A-01-01-1', 'C-09-01-1']
    with pytest.raises(UserError, match='W-1 is not part of count'):
        services.record_location(count, 'A-01-01-1', {floor['cup'].id: 1}, actor=None)


def test_the_cli_starts_records_and_approves_and_the_export_shows_the_count(floor, runner, tmp_path):
    result = runner.invoke(args=['stocktake', 'start', '--locations', 'B-', '--json'])
    assert result.exit_code == 0, result.output
    started = json.loads(result.output)
    assert started['count'].startswith('C') and started['locations'] == 2
    result = runner.invoke(args=['stocktake', 'record', started['count'], '--location', 'B-01-01-1', 'W-1:12',
                                 '--json'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)['units'] == 12
    result = runner.invoke(args=['stocktake', 'approve', started['count'], '--json'])
    assert result.exit_code == 1 and 'B-02-01-1 not counted yet' in result.output
    runner.invoke(args=['stocktake', 'record', started['count'], '--location', 'B-02-01-1'])   # empty: 0 pots
    result = runner.invoke(args=['stocktake', 'approve', started['count'], '--json'])
    assert result.exit_code == 0, result.output
    variances = json.loads(result.output)['variances']
    assert [(v['location'], v['sku'], v['variance']) for v in variances] == [
        ('B-01-01-1', 'W-1', 2), ('B-02-01-1', 'W-2', -5)]
    out = tmp_path / 'stock.csv'
    assert runner.invoke(args=['export', 'stock', '-o', str(out), '--encoding', 'utf-8']).exit_code == 0
    text = out.read_text(encoding='utf-8-sig')
    assert 'W-1,B-01-01-1,12' in text and 'W-2,B-02-01-1' not in text


@pytest.mark.parametrize('args', [
    ['record', 'C999999', '--location', 'A-01-01-1'],
    ['record', '{count}', '--location', 'A-01-01-1', 'T-1'],
    ['record', '{count}', '--location', 'A-01-01-1', 'T-1:-1'],
    ['record', '{count}', '--location', 'Z-99', 'T-1:1'],
])
def test_the_cli_refuses_bad_input_with_a_message(floor, runner, args):
    number = json.loads(runner.invoke(args=['stocktake', 'start', '--json']).output)['count']
    result = runner.invoke(args=['stocktake', *(a.format(count=number) for a in args)])
    assert result.exit_code == 1 and 'Error:' in result.output


def test_a_count_approval_racing_allocation_never_promises_missing_units(app, floor, make_product, stock):
    """Threads on their own connections: a count that finds units gone is approved while orders allocate."""
    jar = make_product('JAR-1')
    stock(jar, 10, 'D-01-01-1')
    count = services.start_count(prefix='D-01', actor=None)
    db.session.commit()
    record(count, 'D-01-01-1', {jar: 4})             # 6 missing
    plain_orders(*({'order_id': f'J-{n}', 'ordered_at': f'2025-10-01T10:{n:02d}:00', 'lines': [('JAR-1', 1)]}
                   for n in range(8)))
    # the orders arrived allocated (8 of 10); allocation runs again while the count is approved
    count_id, jar_id = count.id, jar.id
    db.session.commit()
    errors, barrier = [], threading.Barrier(3)

    def approver():
        with app.app_context():
            try:
                barrier.wait()
                services.approve(db.session.get(StockCount, count_id), actor=None, reason='race')
                db.session.commit()
            except Exception as exc:
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    def allocator():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(3):
                    allocate()
                    db.session.commit()
            except Exception as exc:
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    run_together((approver,), (allocator,), (allocator,))
    assert errors == []
    db.session.expire_all()
    jar_level = db.session.scalar(sa.select(StockLevel).where(StockLevel.product_id == jar_id))
    reserved = db.session.scalar(sa.select(sa.func.sum(Allocation.quantity)).where(Allocation.product_id == jar_id))
    assert jar_level.on_hand == 4
    assert jar_level.allocated == reserved == 4
    assert db.session.scalar(sa.select(sa.func.sum(StockMovement.delta)).where(
        StockMovement.product_id == jar_id)) == 4
    held = db.session.scalars(sa.select(Order.external_order_id).join(OrderHold).where(
        OrderHold.reason == 'out_of_stock')).all()
    # the newest four give way; the oldest four keep their jars
    assert sorted(held) == ['J-4', 'J-5', 'J-6', 'J-7']


def test_accuracy_figures_per_count(floor, make_product, stock):
    from app.stocktake.queries import accuracy

    tea, cup, pot = floor['tea'], floor['cup'], floor['pot']
    count = services.start_count(prefix='B-', actor=None)
    db.session.commit()
    record(count, 'B-01-01-1', {cup: 8})                # 2 missing at 2,750 yen
    figures = accuracy([count.id])[count.id]
    assert (figures.locations, figures.locations_counted, figures.lines_counted) == (2, 1, 1)
    record(count, 'B-02-01-1', {pot: 5, tea: 1})         # a tea found (864 yen), the pots right
    figures = accuracy([count.id])[count.id]
    assert (figures.lines_counted, figures.lines_with_variance) == (3, 2)
    assert (figures.units_found, figures.units_missing) == (1, 2)
    assert (figures.yen_net, figures.yen_absolute) == (864 - 2 * 2750, 864 + 2 * 2750)
    assert round(figures.line_accuracy, 1) == 33.3
