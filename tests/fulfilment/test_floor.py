"""Pick, pack by scan, ship: every scan checked, nothing ships unverified."""
import threading

import pytest
import sqlalchemy as sa

from app.errors import UserError
from app.extensions import db
from app.fulfilment import services
from app.fulfilment.models import PackingSession, ScanEvent, Shipment
from app.inventory.models import StockLevel, StockMovement
from app.orders.models import Allocation
from app.settings.services import save_settings
from importers.codes import with_tracking_check_digit
from tests.conftest import run_together
from tests.factories import kura_orders, plain_orders, stored_order


def test_a_pick_batch_takes_the_allocated_orders_and_lists_them_in_walking_order(floor):
    batch = services.create_pick_batch(actor=floor['packer'])
    db.session.commit()
    assert [o.external_order_id for o in services.batch_orders(batch)] == ['F-1', 'F-2', 'F-3']
    assert {stored_order(x).status for x in ('F-1', 'F-2', 'F-3')} == {'picking'}
    pick = services.pick_list_data(batch)
    assert [(i.location, i.sku, i.quantity) for i in pick.totals] == [
        ('A-01-01-1', 'T-1', 3), ('B-01-01-1', 'W-1', 1), ('B-02-01-1', 'W-2', 1)]
    assert [o.order_number for o in pick.orders] == [stored_order('F-1').number, stored_order('F-2').number,
                                                     stored_order('F-3').number]
    assert services.create_pick_batch(actor=None) is None   # nothing left to pick


def test_pick_batch_filters_single_item_orders(floor):
    batch = services.create_pick_batch(single_item=True, actor=None)
    assert [o.external_order_id for o in services.batch_orders(batch)] == ['F-2', 'F-3']


def test_a_held_order_is_never_picked(floor):
    from app.orders.services import add_hold

    add_hold(stored_order('F-1'), 'manual', note='確認中', actor=None)
    batch = services.create_pick_batch(actor=None)
    assert 'F-1' not in [o.external_order_id for o in services.batch_orders(batch)]


@pytest.fixture
def picking(floor):
    services.create_pick_batch(actor=floor['packer'])
    db.session.commit()
    return floor


def open_order(external_id, station='梱包1', actor=None):
    outcome = services.open_packing(stored_order(external_id).number, station=station, actor=actor)
    db.session.commit()
    return outcome


def test_scanning_every_unit_packs_the_order_with_a_tracking_number(picking):
    packer = picking['packer']
    outcome = open_order('F-1', actor=packer)
    assert outcome.ok
    session = outcome.session
    results = [services.scan(session, code, actor=packer) for code in ('4569951116179', 'T-1', '4901234567894')]
    assert [r.ok for r in results] == [True, True, True]
    assert results[-1].shipment is not None
    shipment = results[-1].shipment
    assert shipment.tracking_number == '444413758703'
    assert stored_order('F-1').status == 'packed'
    assert session.status == 'packed'
    # the next parcel takes the next number of the range
    services.scan(open_order('F-3', actor=packer).session, '4569951116179', actor=packer)
    assert db.session.scalar(sa.select(Shipment.tracking_number).where(Shipment.id != shipment.id)) == \
        with_tracking_check_digit('44441375871')


@pytest.mark.parametrize(('code', 'result', 'message'), [
    ('4912345000019', 'other_order', 'WRONG ORDER'),        # the pot belongs to F-2 in the same batch
    ('9999999999999', 'unknown_code', 'Unknown code'),
])
def test_a_wrong_scan_stops_the_station_until_acknowledged(picking, code, result, message):
    packer = picking['packer']
    session = open_order('F-1', actor=packer).session
    outcome = services.scan(session, code, actor=packer)
    assert (outcome.ok, outcome.result) == (False, result)
    assert message in outcome.message
    assert 'Still expected' in outcome.message or result == 'unknown_code'
    blocked = services.scan(session, '4569951116179', actor=packer)
    assert (blocked.ok, blocked.result) == (False, 'blocked')
    services.acknowledge(session, actor=packer)
    assert services.scan(session, '4569951116179', actor=packer).ok
    results = db.session.scalars(sa.select(ScanEvent.result).order_by(ScanEvent.id)).all()
    assert results == ['order', result, 'blocked', 'acknowledged', 'ok']


def test_a_product_in_no_order_of_the_batch_is_a_wrong_item(picking, make_product):
    make_product('X-9', name='別の商品', jan='4900000000016')
    session = open_order('F-1', actor=picking['packer']).session
    outcome = services.scan(session, '4900000000016', actor=picking['packer'])
    assert outcome.result == 'wrong_item'
    assert 'WRONG ITEM: 別の商品 (X-9) is not in order' in outcome.message


def test_one_unit_too_many_is_refused(picking):
    packer = picking['packer']
    session = open_order('F-1', actor=packer).session
    services.scan(session, '4569951116179', actor=packer)
    services.scan(session, '4569951116179', actor=packer)
    outcome = services.scan(session, '4569951116179', actor=packer)
    assert outcome.result == 'too_many'
    assert 'ONE TOO MANY' in outcome.message


def test_a_supervisor_override_counts_an_unreadable_unit_and_is_logged(picking):
    packer, manager = picking['packer'], picking['manager']
    session = open_order('F-3', actor=packer).session
    line_id = services.packing_lines(session)[0]['line'].id
    with pytest.raises(UserError, match='Only a manager'):
        services.override(session, line_id, supervisor=packer, reason='破れ', actor=packer)
    with pytest.raises(UserError, match='needs a reason'):
        services.override(session, line_id, supervisor=manager, reason='', actor=packer)
    outcome = services.override(session, line_id, supervisor=manager, reason='JANラベル破損', actor=packer)
    assert outcome.shipment is not None
    event = db.session.scalar(sa.select(ScanEvent).where(ScanEvent.result == 'override'))
    assert (event.user_id, event.message) == (manager.id, 'JANラベル破損')


def test_two_stations_cannot_pack_one_order_and_a_half_packed_order_resumes_or_resets(picking):
    packer = picking['packer']
    first = open_order('F-1', station='梱包1', actor=packer)
    services.scan(first.session, '4569951116179', actor=packer)
    db.session.commit()
    other = open_order('F-1', station='梱包2', actor=packer)
    assert not other.ok
    assert 'is being packed at station 梱包1' in other.message
    resumed = open_order('F-1', station='梱包1', actor=packer)
    assert resumed.session.id == first.session.id
    assert [e['scanned'] for e in services.packing_lines(resumed.session)] == [1, 0]
    services.reset(resumed.session, actor=packer)
    db.session.commit()
    fresh = open_order('F-1', station='梱包2', actor=packer)
    assert fresh.ok
    assert [e['scanned'] for e in services.packing_lines(fresh.session)] == [0, 0]


def test_two_stations_racing_for_one_order_get_one_session(app, picking):
    number = stored_order('F-2').number
    packer_id = picking['packer'].id
    db.session.commit()
    results, barrier = [], threading.Barrier(4)

    def station(n):
        with app.app_context():
            from app.accounts.models import User

            barrier.wait()
            try:
                outcome = services.open_packing(number, station=f'S{n}', actor=db.session.get(User, packer_id))
                db.session.commit()
                results.append(outcome.ok)
            except Exception:   # the database's own guard (one open session per order) may be what refuses
                db.session.rollback()
                results.append(False)
            finally:
                db.session.remove()

    run_together(*((station, n) for n in range(4)))
    assert results.count(True) == 1
    assert db.session.scalar(sa.select(sa.func.count(PackingSession.id))) == 1


def test_only_packed_and_verified_parcels_ship_and_stock_leaves_through_the_ledger(picking):
    packer = picking['packer']
    batch_id = stored_order('F-1').pick_batch_id
    session = open_order('F-1', actor=packer).session
    for code in ('4569951116179', '4569951116179', '4901234567894'):
        services.scan(session, code, actor=packer)
    db.session.commit()
    from app.fulfilment.models import PickBatch

    shipped, refused = services.ship_batch(db.session.get(PickBatch, batch_id), actor=packer)
    db.session.commit()
    assert shipped == 1
    assert len(refused) == 2 and all('never packed' in r for r in refused)
    assert stored_order('F-1').status == 'shipped'
    assert stored_order('F-2').status == 'picking'
    tea_level = db.session.scalar(sa.select(StockLevel).where(StockLevel.product_id == picking['tea'].id))
    assert (tea_level.on_hand, tea_level.allocated) == (18, 1)   # F-3 still holds one
    movement = db.session.scalar(sa.select(StockMovement).where(StockMovement.reason == 'shipment',
                                                                StockMovement.product_id == picking['tea'].id))
    assert (movement.delta, movement.reference) == (-2, stored_order('F-1').number)
    assert db.session.scalar(sa.select(sa.func.count(Allocation.id)).where(
        Allocation.order_id == stored_order('F-1').id)) == 0


def at(station, *codes, actor=None):
    """Codes scanned one after another at a station, each its own request (committed); the last outcome."""
    for code in codes:
        outcome = services.station_scan(code, station=station, actor=actor)
        db.session.commit()
    return outcome


def label_of(external_id) -> str:
    db.session.expire_all()
    order_id = stored_order(external_id).id
    return db.session.scalar(sa.select(Shipment.tracking_number).where(Shipment.order_id == order_id))


def verified(external_id) -> bool:
    db.session.expire_all()
    return db.session.scalar(sa.select(Shipment.label_verified_at).where(
        Shipment.order_id == stored_order(external_id).id)) is not None


def test_with_label_checking_on_the_station_waits_for_the_label_of_the_box_it_just_packed(picking):
    save_settings('shipping', services.ShippingSettings(require_label_scan=True), actor=None)
    packer = picking['packer']
    f1, f3 = stored_order('F-1').number, stored_order('F-3').number
    at('梱包2', f1, '4569951116179', '4569951116179', '4901234567894', actor=packer)   # F-1 packed elsewhere
    packed = at('梱包1', f3, '4569951116179', actor=packer)
    assert packed.shipment is not None
    with pytest.raises(UserError, match='label of order .* was not scanned'):
        services.ship(packed.shipment, actor=packer)
    swapped = at('梱包1', f'A{label_of("F-1")}A', actor=packer)       # F-1's label on F-3's box
    assert (swapped.ok, swapped.result) == (False, 'label_mismatch')
    assert f1 in swapped.message and f3 in swapped.message
    assert not verified('F-1') and not verified('F-3')
    during = at('梱包1', f'A{label_of("F-3")}A', actor=packer)        # even the right label, during the stop
    assert (during.ok, during.result) == (False, 'blocked')
    assert not verified('F-3')
    services.acknowledge(services.station_parcel('梱包1'), actor=packer)
    db.session.commit()
    order_barcode = at('梱包1', stored_order('F-2').number, actor=packer)  # the next order waits for the label
    assert (order_barcode.ok, order_barcode.result) == (False, 'label_mismatch')
    assert stored_order('F-2').number in order_barcode.message and f3 in order_barcode.message
    services.acknowledge(services.station_parcel('梱包1'), actor=packer)
    db.session.commit()
    right = at('梱包1', f'A{label_of("F-3")}A', actor=packer)
    assert (right.ok, right.result) == (True, 'label_ok')
    assert services.station_parcel('梱包1') is None                      # the station is free again
    services.ship(db.session.get(Shipment, packed.shipment.id), actor=packer)
    assert stored_order('F-3').status == 'shipped'
    assert not verified('F-1')


def test_a_running_low_range_warns(floor):
    assert services.low_tracking_ranges() == []
    services.add_tracking_range('sagawa', '51254751430', '51254751434', warn_below=10, actor=None)
    assert services.low_tracking_ranges() == [('sagawa', 5)]
    with pytest.raises(UserError, match='overlaps'):
        services.add_tracking_range('sagawa', '51254751432', '51254751440', actor=None)


def test_cancelling_an_order_of_a_combined_parcel_lets_the_others_go_on_their_own(floor, stock):
    from app.orders.services import cancel, combine

    plain_orders({'order_id': 'C-1', 'ordered_at': '2025-10-05T10:00:00', 'lines': [('T-1', 1)],
                 'ship_name': '同梱 花子', 'ship_address1': '同じ住所 1'},
                {'order_id': 'C-2', 'ordered_at': '2025-10-06T10:00:00', 'lines': [('W-1', 1)],
                 'ship_name': '同梱 花子', 'ship_address1': '同じ住所 1'})
    combine([stored_order('C-1'), stored_order('C-2')], actor=None)
    services.create_pick_batch(actor=None)
    db.session.commit()
    cancel(stored_order('C-1'), actor=None, why='お客様都合')
    db.session.commit()
    assert stored_order('C-2').combined_into_id is None
    session = services.open_packing(stored_order('C-2').number, station='S1', actor=None).session
    assert services.scan(session, '4901234567894', actor=None).shipment is not None


def test_a_label_is_checked_later_only_with_its_box_in_hand(picking):
    packer = picking['packer']
    f3 = stored_order('F-3').number
    at('梱包1', f3, '4569951116179', actor=packer)
    at('梱包1', stored_order('F-2').number, actor=packer)      # label check off: the station moves on
    alone = at('梱包2', f'A{label_of("F-3")}A', actor=packer)
    assert (alone.ok, alone.result) == (False, 'label_no_box')
    assert 'scan the order barcode' in alone.message
    assert not verified('F-3')
    box = at('梱包2', f3, actor=packer)                        # the order barcode on the box, then its label
    assert (box.ok, box.session.kind) == (True, 'label')
    wrong = at('梱包2', '4569951116179', actor=packer)
    assert (wrong.ok, wrong.result) == (False, 'label_mismatch')
    services.acknowledge(services.station_parcel('梱包2'), actor=packer)
    db.session.commit()
    assert at('梱包2', label_of('F-3'), actor=packer).result == 'label_ok'
    assert verified('F-3')
    again = at('梱包2', f3, actor=packer)
    assert (again.ok, again.result) == (False, 'not_packable')
    assert 'its label was checked' in again.message


def test_the_order_barcode_of_another_order_while_packing_stops_the_station(picking):
    packer = picking['packer']
    at('梱包1', stored_order('F-1').number, '4569951116179', actor=packer)
    other = at('梱包1', stored_order('F-3').number, actor=packer)
    assert (other.ok, other.result) == (False, 'other_order')
    assert services.station_parcel('梱包1').order_id == stored_order('F-1').id
    assert [e['scanned'] for e in services.packing_lines(services.station_parcel('梱包1'))] == [1, 0]


def test_the_customer_s_requests_must_be_read_before_the_box_closes(floor):
    from app.orders.services import combine, release_holds

    # the Kura test row asks for gift wrapping, のし, a comment and a delivery date and slot
    kura_orders({'order_id': 'G-1', 'ordered_at': '2025-10-05T10:00:00', 'lines': [('T-1', 1)],
                 'payment_method': 'card', 'ship_name': '贈答 花子', 'ship_address1': '同じ住所 1',
                 'comment': '赤いリボンで'},
                {'order_id': 'G-2', 'ordered_at': '2025-10-06T10:00:00', 'lines': [('T-1', 1), ('W-1', 1)],
                 'payment_method': 'card', 'ship_name': '贈答 花子', 'ship_address1': '同じ住所 1',
                 'gift_wrap': '', 'noshi': '', 'delivery_date': '', 'delivery_time_slot': '',
                 'comment': '領収書不要'})
    for external_id in ('G-1', 'G-2'):   # a clerk read the comments at triage; the packer must still see them
        release_holds(stored_order(external_id), 'customer_comment', actor=None)
    combine([stored_order('G-1'), stored_order('G-2')], actor=None)
    services.create_pick_batch(actor=None)
    db.session.commit()
    g1 = stored_order('G-1').number
    opened = at('S1', g1)
    requests = services.customer_requests(services.parcel_orders(opened.session.order))
    assert [(r['order'], r['kind'], r['text']) for r in requests] == [
        (g1, 'gift_wrap', 'ギフト包装'), (g1, 'noshi', '御祝'), (g1, 'customer_comment', '赤いリボンで'),
        (g1, 'delivery', '2025-10-10 14-16'), (stored_order('G-2').number, 'customer_comment', '領収書不要')]
    items = services.parcel_items(services.packing_lines(opened.session))
    assert [(i['product'].sku, i['expected']) for i in items] == [('T-1', 2), ('W-1', 1)]   # each SKU once
    last = at('S1', '4569951116179', '4569951116179', '4901234567894')
    assert last.ok and last.shipment is None
    assert 'Read the customer\'s requests' in last.message
    assert stored_order('G-1').status == 'picking'
    done = at('S1', g1)                                        # the order barcode: read, and the box closes
    assert done.shipment is not None
    assert {stored_order('G-1').status, stored_order('G-2').status} == {'packed'}
    assert db.session.scalars(sa.select(ScanEvent.result).order_by(ScanEvent.id)).all()[-2:] == [
        'ok', 'requests_read']


def test_the_dock_says_when_and_by_whom_a_parcel_was_shipped_and_refuses_an_unchecked_label(picking):
    packer = picking['packer']
    at('梱包1', stored_order('F-3').number, '4569951116179', actor=packer)
    services.dock_scan(f'A{label_of("F-3")}A', actor=packer)
    db.session.commit()
    with pytest.raises(UserError, match=f'{stored_order("F-3").number} was already shipped on .* by {packer.name}'):
        services.dock_scan(label_of('F-3'), actor=packer)
    with pytest.raises(UserError, match='is not packed: it is'):
        services.dock_scan(stored_order('F-2').number, actor=packer)
    save_settings('shipping', services.ShippingSettings(require_label_scan=True), actor=None)
    at('梱包1', stored_order('F-2').number, '4912345000019', actor=packer)
    with pytest.raises(UserError, match='was not scanned on the box'):
        services.dock_scan(stored_order('F-2').number, actor=packer)


def test_an_unpaid_shop_order_keeps_its_stock_but_is_not_picked(floor, make_user):
    from app.settings.services import OrderRules, save_order_rules

    save_order_rules(OrderRules(hold_payment_pending=False), actor=None)
    plain_orders({'order_id': 'U-1', 'lines': [('T-1', 1)], 'payment_method': 'bank_transfer',
                 'ship_name': '未入金 太郎', 'ship_address1': '別 9'})
    order = stored_order('U-1')
    order.status = 'allocated'   # as a shop checkout leaves it: reserved while the money is awaited
    db.session.commit()
    batch = services.create_pick_batch(actor=None)
    assert 'U-1' not in [o.external_order_id for o in services.batch_orders(batch)]


def test_a_combined_parcel_prints_one_label_and_slip_with_every_order_s_items(floor, stock):
    from app.fulfilment import documents
    from app.orders.services import combine

    plain_orders({'order_id': 'C-1', 'ordered_at': '2025-10-05T10:00:00', 'lines': [('T-1', 1)],
                 'payment_method': 'cod', 'ship_name': '同梱 花子', 'ship_address1': '同じ住所 1'},
                {'order_id': 'C-2', 'ordered_at': '2025-10-06T10:00:00', 'lines': [('W-1', 2)],
                 'payment_method': 'cod', 'ship_name': '同梱 花子', 'ship_address1': '同じ住所 1'})
    first, second = stored_order('C-1'), stored_order('C-2')
    combine([first, second], actor=None)
    services.create_pick_batch(actor=None)
    session = services.open_packing(first.number, station='S1', actor=None).session
    for code in ('4569951116179', '4901234567894', '4901234567894'):
        outcome = services.scan(session, code, actor=None)
    db.session.commit()
    f1 = services.open_packing(stored_order('F-1').number, station='S2', actor=None).session
    for code in ('4569951116179', '4569951116179', '4901234567894'):
        services.scan(f1, code, actor=None)
    db.session.commit()
    shipments = [outcome.shipment, db.session.scalar(sa.select(Shipment).where(
        Shipment.order_id == stored_order('F-1').id))]
    combined, single = documents.shipping_labels_data(shipments)
    assert combined.order_number == first.number
    assert [(item.sku, item.quantity) for item in combined.items] == [('T-1', 1), ('W-1', 2)]
    assert combined.cod_amount == stored_order('C-1').total + stored_order('C-2').total
    assert [(item.sku, item.quantity) for item in single.items] == [('T-1', 2), ('W-1', 1)]
    slip, = documents.packing_slips_data([stored_order('C-1')])
    assert [line.sku for line in slip.lines] == ['T-1', 'W-1']
    assert slip.total == stored_order('C-1').total + stored_order('C-2').total


def test_a_delivery_wish_alone_is_shown_but_does_not_hold_the_box(floor):
    plain_orders({'order_id': 'D-1', 'lines': [('W-2', 1)], 'ship_name': '日付 指定', 'ship_address1': '別 7',
                  'delivery_date': '2025-10-12', 'delivery_time_slot': '18-20'})
    services.create_pick_batch(actor=None)
    db.session.commit()
    opened = at('S1', stored_order('D-1').number)
    requests = services.customer_requests(services.parcel_orders(opened.session.order))
    assert [(r['kind'], r['text']) for r in requests] == [('delivery', '2025-10-12 18-20')]
    assert not services.must_be_read(requests)
    assert at('S1', '4912345000019').shipment is not None


def test_a_box_whose_label_will_not_print_is_put_aside_and_checked_later(picking):
    save_settings('shipping', services.ShippingSettings(require_label_scan=True), actor=None)
    packer = picking['packer']
    f3 = stored_order('F-3').number
    at('梱包1', f3, '4569951116179', actor=packer)
    waiting = services.station_parcel('梱包1')
    assert waiting.status == 'packed'
    services.set_aside(waiting, actor=packer)
    db.session.commit()
    assert services.station_parcel('梱包1') is None
    assert at('梱包1', stored_order('F-2').number, actor=packer).result == 'order'   # the next order opens
    with pytest.raises(UserError, match='was not scanned on the box'):
        services.dock_scan(label_of('F-3'), actor=packer)
    assert at('梱包2', label_of('F-3'), actor=packer).result == 'label_no_box'
    assert at('梱包2', f3, label_of('F-3'), actor=packer).result == 'label_ok'
    services.dock_scan(label_of('F-3'), actor=packer)
    assert stored_order('F-3').status == 'shipped'


def test_a_parcel_without_a_tracking_number_does_not_hold_the_station(floor):
    from app.fulfilment.models import TrackingRange

    save_settings('shipping', services.ShippingSettings(require_label_scan=True), actor=None)
    db.session.execute(sa.delete(TrackingRange))   # the carrier's software will issue the numbers
    services.create_pick_batch(actor=None)
    db.session.commit()
    packed = at('梱包1', stored_order('F-3').number, '4569951116179')
    assert packed.shipment is not None and packed.shipment.tracking_number is None
    assert services.station_parcel('梱包1') is None
    assert at('梱包1', stored_order('F-2').number).result == 'order'
