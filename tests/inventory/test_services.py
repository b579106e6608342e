"""The stock service: every change locked, checked and written to the ledger."""
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import UserError
from app.extensions import db
from app.inventory.models import Location, StockLevel, StockMovement, walking_order_key
from app.inventory.services import adjust, change_stock, clean_location_code, get_or_create_location, receive
from tests.conftest import count, run_together


def ledger_sum(product, location) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockMovement.delta), 0)).where(
        StockMovement.product_id == product.id, StockMovement.location_id == location.id))


def test_receiving_puts_stock_on_hand_and_writes_one_ledger_row(make_product, make_location, make_user):
    product, location, user = make_product(), make_location('A-01-01-1'), make_user('packer')
    level = receive(product, location, 12, actor=user, reference='仕入先 髙田商店 伝票1')
    db.session.commit()
    assert (level.on_hand, level.allocated, level.available) == (12, 0, 12)
    movement = db.session.scalar(sa.select(StockMovement))
    assert (movement.delta, movement.on_hand_after, movement.reason, movement.reference, movement.user_id) == \
        (12, 12, 'receipt', '仕入先 髙田商店 伝票1', user.id)
    assert movement.at.tzinfo is not None


@pytest.mark.parametrize('quantity', [0, -3, 1.5, '2', True])
def test_receiving_needs_a_positive_whole_quantity(make_product, make_location, quantity):
    with pytest.raises(UserError, match='whole number greater than 0'):
        receive(make_product(), make_location(), quantity, actor=None)
    assert count(StockMovement) == 0


def test_an_adjustment_needs_a_reason_and_writes_it_to_the_ledger(make_product, make_location, stock):
    product, location = make_product(), make_location()
    stock(product, 10)
    with pytest.raises(UserError, match='needs a reason'):
        adjust(product, location, -2, reason='  ', actor=None)
    level = adjust(product, location, -2, reason='破損 2個', actor=None)
    assert level.on_hand == 8
    assert db.session.scalar(sa.select(StockMovement.note).where(StockMovement.reason == 'adjustment')) == '破損 2個'


def test_stock_never_goes_negative(make_product, make_location, stock):
    product, location = make_product('T-1'), make_location('A-01-01-1')
    stock(product, 3)
    with pytest.raises(UserError) as exc:
        adjust(product, location, -4, reason='棚卸差異', actor=None)
    assert str(exc.value) == 'T-1 at A-01-01-1: cannot take 4, only 3 on hand.'
    db.session.rollback()
    assert db.session.scalar(sa.select(StockLevel.on_hand)) == 3
    assert count(StockMovement) == 1


def test_allocated_stock_cannot_be_adjusted_away(make_product, make_location, stock):
    product, location = make_product('T-1'), make_location('A-01-01-1')
    stock(product, 5)
    change_stock(product, location, allocated_delta=4)
    with pytest.raises(UserError, match=r'only 1 available \(5 on hand, 4 allocated\)'):
        adjust(product, location, -2, reason='破損', actor=None)
    with pytest.raises(UserError, match='only 1 available'):
        change_stock(product, location, allocated_delta=2)
    with pytest.raises(UserError, match='cannot release 5, only 4 allocated'):
        change_stock(product, location, allocated_delta=-5)


def test_the_database_itself_refuses_negative_or_overallocated_stock(make_product, make_location, stock):
    """The CHECK constraints are the last line of defence, under the service."""
    level = stock(make_product(), 2)
    for statement in ('UPDATE stock_levels SET on_hand = -1', 'UPDATE stock_levels SET allocated = 3',
                      'UPDATE stock_levels SET allocated = -1'):
        with pytest.raises(IntegrityError):
            db.session.execute(sa.text(statement))
            db.session.flush()
        db.session.rollback()
    assert db.session.get(StockLevel, level.id).on_hand == 2


def test_the_ledger_sums_to_the_stock_level(make_product, make_location, stock):
    product, location = make_product(), make_location()
    stock(product, 10)
    stock(product, 5)
    adjust(product, location, -3, reason='破損', actor=None)
    adjust(product, location, 1, reason='発見', actor=None)
    db.session.commit()
    assert ledger_sum(product, location) == db.session.scalar(sa.select(StockLevel.on_hand)) == 13
    afters = db.session.scalars(sa.select(StockMovement.on_hand_after).order_by(StockMovement.id)).all()
    assert afters == [10, 15, 12, 13]


def test_location_codes_sort_in_walking_order():
    codes = ['A-02-01-1', 'A-01-10-1', 'A-01-2-1', 'B-01-01-1', 'A-01-02-2']
    assert sorted(codes, key=walking_order_key) == ['A-01-2-1', 'A-01-02-2', 'A-01-10-1', 'A-02-01-1',
                                                    'B-01-01-1']


def test_location_codes_are_normalised_and_checked():
    assert clean_location_code(' a-01-02-1 ') == 'A-01-02-1'
    with pytest.raises(UserError, match='letters, digits and hyphens'):
        clean_location_code('A 01')
    location = get_or_create_location('b-02-01-1')
    assert get_or_create_location('B-02-01-1') == location
    assert count(Location) == 1


@pytest.mark.parametrize('workers', [8])
def test_concurrent_takes_never_take_more_than_is_on_hand(app, make_product, make_location, stock, workers):
    """Threads on their own connections race for 5 units: exactly 5 takes succeed, stock ends at 0."""
    product, location = make_product('RACE-1'), make_location('A-09-09-9')
    stock(product, 5, 'A-09-09-9')
    product_id, location_id = product.id, location.id
    db.session.commit()  # end this test's own transaction: on SQLite it would hold the write lock
    results, barrier = [], threading.Barrier(workers)

    def take_two_times():
        with app.app_context():
            barrier.wait()
            for _ in range(2):
                try:
                    p, loc = db.session.get(type(product), product_id), db.session.get(Location, location_id)
                    adjust(p, loc, -1, reason='race', actor=None)
                    db.session.commit()
                    results.append('ok')
                except UserError as exc:
                    db.session.rollback()
                    results.append('refused' if 'only 0 on hand' in str(exc) else str(exc))
            db.session.remove()

    run_together(*((take_two_times,) for _ in range(workers)))
    assert results.count('ok') == 5
    assert results.count('refused') == 2 * workers - 5
    db.session.expire_all()
    assert db.session.scalar(sa.select(StockLevel.on_hand)) == 0
    assert ledger_sum(product, location) == 0
