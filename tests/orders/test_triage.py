"""Order states, holds, allocation, backorders and cancellation: the triage rules."""
import datetime as dt
import json
import threading

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.catalog.models import Product
from app.errors import UserError
from app.extensions import db
from app.inventory.models import Location, StockLevel, StockMovement
from app.inventory.services import adjust, get_or_create_location, receive
from app.orders import services
from app.orders.allocation import allocate
from app.orders.models import STATUSES, Allocation, Order, OrderHold
from app.orders.services import TRANSITIONS, transition
from app.settings.services import OrderRules, save_order_rules
from tests.conftest import run_together
from tests.factories import kura_orders, stored_order


def allocated_units(product) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockLevel.allocated), 0)).where(
        StockLevel.product_id == product.id))


@pytest.fixture
def tea(make_product, stock):
    product = make_product('T-1', jan='')
    return product


# ---------------------------------------------------------------------------------------------- states


ALL_STATUSES = list(TRANSITIONS)


@pytest.mark.parametrize('start', ALL_STATUSES)
@pytest.mark.parametrize('to', ALL_STATUSES)
def test_every_transition_is_allowed_or_refused_as_the_state_machine_says(tea, start, to):
    kura_orders({'order_id': 'S-1', 'lines': [('T-1', 1)]})
    o = stored_order('S-1')
    o.status = start
    db.session.commit()
    if to in TRANSITIONS[start]:
        transition(o, to, actor=None, why='test')
        assert o.status == to
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == 'order.status')
                                   .order_by(AuditEvent.id.desc())).first()
        assert (event.before, event.after, event.note) == ({'status': start}, {'status': to}, 'test')
    else:
        with pytest.raises(UserError, match='cannot become'):
            transition(o, to, actor=None)
        assert o.status == start


def status_changes(o) -> list[tuple[str, str]]:
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == 'order.status',
                                                            AuditEvent.object_id == str(o.id)).order_by(AuditEvent.id))
    return [(e.before['status'], e.after['status']) for e in events]


def test_an_order_is_moved_from_new_to_shipped_and_returned_and_each_step_is_audited(tea):
    kura_orders({'order_id': 'S-1', 'lines': [('T-1', 1)]})
    o = stored_order('S-1')
    o.status = 'new'
    db.session.commit()
    before = len(status_changes(o))
    path = ['new', 'confirmed', 'allocated', 'picking', 'packed', 'shipped', 'returned']
    for to in path[1:]:
        transition(o, to, actor=None, why='test')
    db.session.commit()
    assert stored_order('S-1').status == 'returned'
    assert status_changes(o)[before:] == list(zip(path, path[1:]))


def test_a_shipped_order_cannot_be_cancelled_and_the_refusal_says_why(tea):
    kura_orders({'order_id': 'S-2', 'lines': [('T-1', 1)]})
    o = stored_order('S-2')
    o.status = 'shipped'
    db.session.commit()
    before = status_changes(o)
    with pytest.raises(UserError) as refused:
        transition(o, 'cancelled', actor=None)
    assert str(refused.value) == f'Order {o.number} is Shipped: it cannot become Cancelled.'
    assert o.status == 'shipped'
    assert status_changes(o) == before


@pytest.mark.parametrize('final', ['cancelled', 'returned'])
def test_a_cancelled_or_returned_order_moves_no_further(tea, final):
    """A returned order only starts again as new, when its parcel came back and is sent again."""
    kura_orders({'order_id': 'S-3', 'lines': [('T-1', 1)]})
    o = stored_order('S-3')
    o.status = final
    db.session.commit()
    for to in STATUSES:
        if final == 'returned' and to == 'new':
            continue
        with pytest.raises(UserError, match='cannot become'):
            transition(o, to, actor=None)
    assert stored_order('S-3').status == final


def test_every_status_an_order_can_have_has_its_moves():
    """A status added to the model without its row in the machine would fail every transition from it."""
    assert set(TRANSITIONS) == set(STATUSES)
    assert set().union(*TRANSITIONS.values()) <= set(STATUSES)


# ---------------------------------------------------------------------------------------------- holds


def test_an_order_without_holds_is_confirmed_and_allocated_on_arrival(tea, stock):
    stock(tea, 5)
    summary = kura_orders({'order_id': 'A-1', 'lines': [('T-1', 2)]})
    assert summary.allocation.allocated_orders == 1
    assert stored_order('A-1').status == 'allocated'
    assert allocated_units(tea) == 2


@pytest.mark.parametrize(('values', 'reason'), [
    ({'payment_method': 'bank_transfer'}, 'payment_pending'),
    ({'payment_method': 'convenience_store'}, 'payment_pending'),
    ({'comment': '母の日のギフトです'}, 'customer_comment'),
    ({'delivery_date': (dt.date.today() + dt.timedelta(days=30)).isoformat()}, 'delivery_date_far'),
    ({'payment_method': 'cod', 'shipping_fee': '200000'}, 'cod_over_limit'),
    ({'ship_postal_code': '1000001', 'ship_prefecture': '北海道'}, 'address_check'),
    ({'lines': [('UNKNOWN', 1)]}, 'unknown_sku'),
])
def test_each_automatic_hold_rule(tea, stock, values, reason):
    stock(tea, 5)
    kura_orders({'order_id': 'H-1', 'lines': [('T-1', 1)], **values})
    o = stored_order('H-1')
    assert [h.reason for h in o.open_holds] == [reason]
    assert o.status == 'new'
    assert allocated_units(tea) == 0


def test_rules_follow_the_managers_settings(tea, make_user):
    save_order_rules(OrderRules(hold_customer_comment=False, hold_delivery_days=0, hold_payment_pending=False,
                                hold_cod_over=0), actor=make_user('manager'))
    db.session.commit()
    kura_orders({'order_id': 'R-1', 'lines': [('T-1', 1)], 'comment': 'よろしく', 'payment_method': 'bank_transfer',
                 'delivery_date': (dt.date.today() + dt.timedelta(days=60)).isoformat()})
    assert stored_order('R-1').open_holds == []
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == 'settings.changed'))


def test_releasing_the_last_hold_confirms_and_allocates(tea, stock, make_user):
    stock(tea, 5)
    clerk = make_user('clerk')
    kura_orders({'order_id': 'H-2', 'lines': [('T-1', 1)], 'comment': '箱を分けて', 'payment_method': 'bank_transfer'})
    o = stored_order('H-2')
    comment_hold = next(h for h in o.open_holds if h.reason == 'customer_comment')
    services.release_hold(comment_hold, actor=clerk, note='読みました')
    assert o.status == 'new'   # still waiting for the money
    services.mark_paid(o, amount=o.total, paid_on=dt.date(2025, 10, 9), actor=clerk)
    db.session.commit()
    o = stored_order('H-2')
    assert (o.payment_status, o.paid_amount, o.paid_on) == ('paid', o.total, dt.date(2025, 10, 9))
    assert o.open_holds == []
    assert o.status == 'allocated'


def test_a_manual_hold_needs_a_note_and_takes_back_reserved_stock(tea, stock, make_user):
    stock(tea, 5)
    clerk = make_user('clerk')
    kura_orders({'order_id': 'M-1', 'lines': [('T-1', 3)]})
    o = stored_order('M-1')
    with pytest.raises(UserError, match='needs a note'):
        services.add_hold(o, 'manual', actor=clerk)
    services.add_hold(o, 'manual', actor=clerk, note='お客様から電話待ち')
    db.session.commit()
    assert stored_order('M-1').status == 'new'
    assert allocated_units(tea) == 0
    assert db.session.scalar(sa.select(sa.func.count(Allocation.id))) == 0


def test_a_confirm_with_open_holds_is_refused_with_the_reasons(tea, make_user):
    kura_orders({'order_id': 'C-1', 'lines': [('T-1', 1)], 'comment': '急ぎ'})
    with pytest.raises(UserError, match='still has holds: Customer comment'):
        services.confirm(stored_order('C-1'), actor=make_user('clerk'))


# ---------------------------------------------------------------------------------------------- allocation


def test_oldest_order_first_and_priority_before_age(tea, stock, make_user):
    kura_orders({'order_id': 'OLD', 'ordered_at': '2025-10-01T10:00:00', 'lines': [('T-1', 2)]},
                {'order_id': 'MID', 'ordered_at': '2025-10-02T10:00:00', 'lines': [('T-1', 2)]},
                {'order_id': 'NEW', 'ordered_at': '2025-10-03T10:00:00', 'lines': [('T-1', 2)]})
    assert {stored_order(x).status for x in ('OLD', 'MID', 'NEW')} == {'backordered'}
    services.set_priority(stored_order('NEW'), 5, actor=make_user('clerk'))
    db.session.commit()
    stock(tea, 4)   # receiving fills backorders by itself
    assert [stored_order(x).status for x in ('OLD', 'MID', 'NEW')] == ['allocated', 'backordered', 'allocated']


def test_an_import_allocates_its_orders_oldest_first_whatever_their_place_in_the_file(tea, stock):
    stock(tea, 4)
    summary = kura_orders({'order_id': 'LATE', 'ordered_at': '2025-10-03T10:00:00', 'lines': [('T-1', 2)]},
                          {'order_id': 'EARLY', 'ordered_at': '2025-10-01T10:00:00', 'lines': [('T-1', 2)]},
                          {'order_id': 'HELD', 'ordered_at': '2025-09-01T10:00:00', 'lines': [('T-1', 2)],
                           'comment': '確認して'},
                          {'order_id': 'MIDDLE', 'ordered_at': '2025-10-02T10:00:00', 'lines': [('T-1', 2)]})
    assert [stored_order(x).status for x in ('EARLY', 'MIDDLE', 'LATE', 'HELD')] == [
        'allocated', 'allocated', 'backordered', 'new']
    assert summary.allocation.as_dict() == {'allocated_orders': 2, 'backordered_orders': 1, 'waiting_on_hold': 1}
    assert allocated_units(tea) == 4
    assert db.session.scalar(sa.select(sa.func.sum(Allocation.quantity)).where(
        Allocation.order_id == stored_order('EARLY').id)) == 2
    # the timeline says what happened: the order was written backordered, by the allocation, from no status
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_type == 'orders',
                                                          AuditEvent.object_id == str(stored_order('LATE').id)))
    assert (event.action, event.before, event.after, event.note) == (
        'order.status', {'status': None}, {'status': 'backordered'}, 'allocation')


def test_whole_order_channels_wait_for_every_line(make_product, stock):
    a, b = make_product('A', jan=''), make_product('B', jan='')
    stock(a, 5)
    kura_orders({'order_id': 'W-1', 'lines': [('A', 2), ('B', 1)]})
    assert stored_order('W-1').status == 'backordered'
    assert allocated_units(a) == 0   # nothing reserved until the whole order can go
    stock(b, 1)
    assert stored_order('W-1').status == 'allocated'
    assert (allocated_units(a), allocated_units(b)) == (2, 1)


def test_partial_channels_take_what_is_there_and_backorder_the_rest(make_product, stock, make_user):
    save_order_rules(OrderRules(partial_channels=('kura',)), actor=make_user('manager'))
    a, b = make_product('A', jan=''), make_product('B', jan='')
    stock(a, 5)
    kura_orders({'order_id': 'P-1', 'lines': [('A', 2), ('B', 3)]})
    assert stored_order('P-1').status == 'backordered'
    assert (allocated_units(a), allocated_units(b)) == (2, 0)
    stock(b, 2)
    assert stored_order('P-1').status == 'backordered'
    assert allocated_units(b) == 2
    stock(b, 1)
    assert stored_order('P-1').status == 'allocated'


def test_allocation_spreads_over_locations_in_walking_order(tea, stock):
    stock(tea, 1, 'B-01-01-1')
    stock(tea, 1, 'A-01-10-1')
    stock(tea, 1, 'A-01-9-1')
    kura_orders({'order_id': 'L-1', 'lines': [('T-1', 2)]})
    codes = db.session.execute(sa.text(
        'SELECT locations.code FROM allocations JOIN locations ON locations.id = allocations.location_id '
        'ORDER BY allocations.id')).scalars().all()
    assert codes == ['A-01-9-1', 'A-01-10-1']


@pytest.mark.parametrize('kind', ['quarantine', 'putback'])
def test_stock_at_a_quarantine_or_put_back_location_is_never_allocated_nor_sold(tea, stock, kind):
    from app.inventory.queries import available_by_product, stock_records
    stock(tea, 3, 'Q-01')
    db.session.execute(sa.update(Location).where(Location.code == 'Q-01').values(kind=kind))
    db.session.commit()
    kura_orders({'order_id': 'Q-1', 'lines': [('T-1', 1)]})
    assert stored_order('Q-1').status == 'backordered'
    assert available_by_product([tea.id]) == {tea.id: 0}
    assert [(r.location, r.on_hand, r.available) for r in stock_records()] == [('Q-01', 3, 0)]
    stock(tea, 1, 'A-01-01-1')
    assert stored_order('Q-1').status == 'allocated'
    assert available_by_product([tea.id]) == {tea.id: 0}


@pytest.mark.parametrize('how', ['receipt', 'adjustment'])
def test_a_backorder_is_filled_when_stock_arrives(tea, stock, how):
    kura_orders({'order_id': 'B-1', 'lines': [('T-1', 2)]})
    assert stored_order('B-1').status == 'backordered'
    location = get_or_create_location('A-01-01-1')
    if how == 'receipt':
        receive(tea, location, 2, actor=None)
    else:
        adjust(tea, location, 2, reason='棚卸で発見', actor=None)
    db.session.commit()
    assert stored_order('B-1').status == 'allocated'


def test_unpaid_orders_are_not_allocated(tea, stock, make_user):
    save_order_rules(OrderRules(hold_payment_pending=False), actor=make_user('manager'))
    stock(tea, 5)
    kura_orders({'order_id': 'U-1', 'lines': [('T-1', 1)], 'payment_method': 'bank_transfer'})
    assert stored_order('U-1').status == 'confirmed'
    assert allocated_units(tea) == 0


def test_the_allocate_command_reports_what_it_did(runner, tea, stock):
    kura_orders({'order_id': 'X-1', 'lines': [('T-1', 1)]},
                {'order_id': 'X-2', 'lines': [('T-1', 5)]},
                {'order_id': 'X-3', 'lines': [('T-1', 1)], 'comment': '確認して'})
    level = stock(tea, 2)
    db.session.execute(sa.update(StockLevel).values(allocated=0))  # as if reserved stock had been freed by hand
    db.session.execute(sa.delete(Allocation))
    db.session.execute(sa.update(Order).where(Order.status == 'allocated').values(status='confirmed'))
    db.session.commit()
    result = runner.invoke(args=['allocate', '--json'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {'allocated_orders': 1, 'backordered_orders': 1, 'waiting_on_hold': 1}
    assert db.session.get(StockLevel, level.id).allocated == 1


# ---------------------------------------------------------------------------------------------- cancel


@pytest.mark.parametrize('status', ['new', 'confirmed', 'backordered', 'allocated', 'picking', 'packed'])
def test_cancel_at_each_status_before_shipping_gives_the_stock_back_or_puts_it_back(tea, stock, make_user, status):
    stock(tea, 5)
    kura_orders({'order_id': 'C-1', 'lines': [('T-1', 3)]})
    o = stored_order('C-1')
    assert o.status == 'allocated'
    if status in ('picking', 'packed'):
        transition(o, 'picking', actor=None)
        if status == 'packed':
            transition(o, 'packed', actor=None)
    elif status != 'allocated':
        from app.orders.allocation import release_allocations

        release_allocations(o)
        o.status = status
    db.session.commit()
    units = services.cancel(stored_order('C-1'), actor=make_user('clerk'), why='お客様都合')
    db.session.commit()
    assert units == (3 if status in ('allocated', 'picking', 'packed') else 0)
    assert stored_order('C-1').status == 'cancelled'
    assert allocated_units(tea) == 0
    levels = {lv.location.kind: (lv.on_hand, lv.allocated) for lv in db.session.scalars(sa.select(StockLevel))}
    if status in ('picking', 'packed'):
        # picked units are in a tote or a box, not on the shelf: they wait in the put-back area (issue 17)
        assert levels == {'storage': (2, 0), 'putback': (3, 0)}
    else:
        assert levels == {'storage': (5, 0)}


@pytest.mark.parametrize('status', ['shipped', 'returned', 'cancelled'])
def test_shipped_or_finished_orders_cannot_be_cancelled(tea, make_user, status):
    kura_orders({'order_id': 'C-2', 'lines': [('T-1', 1)]})
    o = stored_order('C-2')
    o.status = status
    db.session.commit()
    with pytest.raises(UserError, match='cannot be cancelled'):
        services.cancel(o, actor=make_user('clerk'), why='x')


def test_cancelled_stock_goes_to_the_next_backorder(tea, stock, make_user):
    stock(tea, 2)
    kura_orders({'order_id': 'FIRST', 'ordered_at': '2025-10-01T10:00:00', 'lines': [('T-1', 2)]},
                {'order_id': 'SECOND', 'ordered_at': '2025-10-02T10:00:00', 'lines': [('T-1', 2)]})
    assert stored_order('SECOND').status == 'backordered'
    services.cancel(stored_order('FIRST'), actor=make_user('clerk'), why='キャンセル依頼')
    db.session.commit()
    assert stored_order('SECOND').status == 'allocated'


# ---------------------------------------------------------------------------------------------- address


def test_fixing_the_address_rechecks_the_postal_code_and_releases_the_hold(tea, stock, make_user):
    stock(tea, 1)
    kura_orders({'order_id': 'AD-1', 'lines': [('T-1', 1)], 'ship_postal_code': '1000001',
                 'ship_prefecture': '北海道'})
    o = stored_order('AD-1')
    values = {f: getattr(o, f) for f in services.SHIP_TO_FIELDS}
    clerk = make_user('clerk')
    services.update_ship_to(o, {**values, 'ship_prefecture': '東京都', 'ship_postal_code': '１００－０００１'},
                            actor=clerk)
    db.session.commit()
    o = stored_order('AD-1')
    assert [h.reason for h in o.open_holds] == ['address_check']   # the city is still 札幌市中央区
    services.update_ship_to(o, {**values, 'ship_prefecture': '東京都', 'ship_postal_code': '１００－０００１',
                                'ship_city': '千代田区', 'ship_address1': '千代田1-1'}, actor=clerk)
    db.session.commit()
    o = stored_order('AD-1')
    assert (o.ship_postal_code, o.ship_prefecture, o.ship_city) == ('1000001', '東京都', '千代田区')
    assert o.open_holds == []
    assert o.status == 'allocated'
    with pytest.raises(UserError):
        services.update_ship_to(o, {**values, 'ship_postal_code': '12'}, actor=None)


# ---------------------------------------------------------------------------------------------- concurrency


def test_concurrent_allocations_and_cancellations_never_promise_more_than_is_on_hand(app, tea, stock, make_user):
    """Threads on their own connections allocate, cancel and receive against the same few units."""
    stock(tea, 3)
    kura_orders(*({'order_id': f'CC-{n}', 'ordered_at': f'2025-10-01T10:{n:02d}:00', 'lines': [('T-1', 1)]}
                  for n in range(12)))
    product_id = tea.id
    db.session.commit()  # and no more reads here: on SQLite this session would take the write lock
    errors, barrier = [], threading.Barrier(6)

    def worker(n):
        with app.app_context():
            try:
                barrier.wait()
                for k in range(4):
                    external_id = f'CC-{(n * 4 + k) % 12}'
                    target = db.session.scalar(sa.select(Order).where(Order.external_order_id == external_id))
                    try:
                        if k % 2 == 0 and target.status != 'cancelled':
                            services.cancel(target, actor=None, why='race')
                        else:
                            allocate()
                        db.session.commit()
                    except UserError:
                        db.session.rollback()
                if n == 0:
                    receive(db.session.get(Product, product_id), get_or_create_location('A-01-01-1'), 2, actor=None)
                    db.session.commit()
            except Exception as exc:  # any other error fails the test
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    run_together(*((worker, n) for n in range(6)))
    assert errors == []
    db.session.expire_all()
    level = db.session.scalar(sa.select(StockLevel))
    reserved = db.session.scalar(sa.select(sa.func.sum(Allocation.quantity))) or 0
    assert level.allocated <= level.on_hand
    assert level.allocated == reserved
    ledger = db.session.scalar(sa.select(sa.func.sum(StockMovement.delta)))
    assert ledger == level.on_hand == 5
    live = db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.status == 'allocated'))
    assert live == reserved
    assert db.session.scalar(sa.select(sa.func.count(OrderHold.id))) == 0


# ---------------------------------------------------------------------------------------------- 同梱 and split


def test_orders_of_one_buyer_to_one_address_are_flagged_and_combined(tea, stock, make_user):
    stock(tea, 10)
    kura_orders({'order_id': 'G-1', 'ordered_at': '2025-10-01T10:00:00', 'lines': [('T-1', 1)]},
                {'order_id': 'G-2', 'ordered_at': '2025-10-02T10:00:00', 'lines': [('T-1', 2)]},
                {'order_id': 'OTHER', 'lines': [('T-1', 1)], 'ship_name': '別人 花子'})
    first = stored_order('G-1')
    assert [o.external_order_id for o in services.combine_candidates(first)] == ['G-2']
    carrier = services.combine([stored_order('G-2'), first], actor=make_user('clerk'))
    db.session.commit()
    assert carrier.external_order_id == 'G-1'   # the oldest carries the parcel
    assert stored_order('G-2').combined_into_id == stored_order('G-1').id
    assert [o.external_order_id for o in services.combined_orders(stored_order('G-1'))] == ['G-2']
    assert services.combine_candidates(stored_order('G-1')) == []
    services.uncombine(stored_order('G-2'), actor=None)
    assert stored_order('G-2').combined_into_id is None


def test_orders_to_another_address_or_already_picking_are_not_combined(tea, stock):
    stock(tea, 10)
    kura_orders({'order_id': 'G-1', 'lines': [('T-1', 1)]},
                {'order_id': 'G-2', 'lines': [('T-1', 1)], 'ship_address1': '北一条西9-9-9'},
                {'order_id': 'G-3', 'lines': [('T-1', 1)]})
    with pytest.raises(UserError, match='not go from the same buyer to the same address'):
        services.combine([stored_order('G-1'), stored_order('G-2')], actor=None)
    transition(stored_order('G-3'), 'picking', actor=None)
    with pytest.raises(UserError, match='can no longer be combined'):
        services.combine([stored_order('G-1'), stored_order('G-3')], actor=None)


def test_the_setting_combines_arriving_orders_by_itself(tea, stock, make_user):
    save_order_rules(OrderRules(auto_combine=True), actor=make_user('manager'))
    stock(tea, 10)
    kura_orders({'order_id': 'A-1', 'lines': [('T-1', 1)]})
    kura_orders({'order_id': 'A-2', 'lines': [('T-1', 1)]})
    assert stored_order('A-2').combined_into_id == stored_order('A-1').id


def test_split_sends_what_is_in_stock_now_and_the_rest_later(make_product, stock, make_user):
    a = make_product('A', jan='')
    make_product('B', jan='')
    stock(a, 5)
    kura_orders({'order_id': 'SP-1', 'lines': [('A', 2), ('B', 3)]})
    original = stored_order('SP-1')
    assert original.status == 'backordered'
    b_line = next(line for line in original.lines if line.item_code == 'B')
    part = services.split(original, {b_line.id: 3}, actor=make_user('clerk'))
    db.session.commit()
    first, second = stored_order('SP-1'), db.session.get(Order, part.id)
    assert [(line.item_code, line.quantity) for line in first.lines] == [('A', 2)]
    assert [(line.item_code, line.quantity) for line in second.lines] == [('B', 3)]
    assert (first.status, second.status) == ('allocated', 'backordered')
    assert second.external_order_id == 'SP-1' and second.split_from_id == first.id
    assert first.total + second.total == 2 * 1080 + 3 * 1080 + 550 + 330
    assert allocated_units(a) == 2


def test_split_needs_some_but_not_all_units(tea, stock):
    stock(tea, 5)
    kura_orders({'order_id': 'SP-2', 'lines': [('T-1', 2)]})
    o = stored_order('SP-2')
    with pytest.raises(UserError, match='not none and not all'):
        services.split(o, {o.lines[0].id: 2}, actor=None)
    with pytest.raises(UserError, match='between 1 and the ordered quantity'):
        services.split(o, {o.lines[0].id: 3}, actor=None)
    part = services.split(o, {o.lines[0].id: 1}, actor=None)
    assert [line.quantity for line in stored_order('SP-2').lines] == [1]
    assert part.lines[0].quantity == 1
    # a re-import of the mall file still finds the order: no duplicate from the split part
    again = kura_orders({'order_id': 'SP-2', 'lines': [('T-1', 2)]})
    assert again.duplicates == 1
