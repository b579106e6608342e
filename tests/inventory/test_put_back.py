"""Put-back: a picked order cancelled sends its units to the put-back area, unavailable until scanned back."""
import re

import sqlalchemy as sa

from app.extensions import db
from app.fulfilment.services import create_pick_batch
from app.inventory.models import Location, LocationKind, PutBackTask, StockLevel, StockMovement
from app.inventory.queries import available_by_product
from app.inventory.services import put_back_scan
from app.orders.models import Allocation
from app.orders.services import cancel
from tests.factories import plain_orders, stored_order


def level(product, code) -> tuple[int, int]:
    db.session.expire_all()
    row = db.session.scalar(sa.select(StockLevel).join(Location).where(StockLevel.product_id == product.id,
                                                                       Location.code == code))
    return (row.on_hand, row.allocated) if row else (0, 0)


def test_a_cancelled_picked_order_makes_a_put_back_task_and_its_units_are_unavailable_until_put_back(floor):
    tea, cup, packer = floor['tea'], floor['cup'], floor['packer']
    create_pick_batch(actor=None)
    db.session.commit()
    # a backorder waits for the tea: 17 are free, it wants 18
    plain_orders({'order_id': 'F-9', 'ordered_at': '2025-10-09T10:00:00', 'lines': [('T-1', 18)],
                  'ship_name': '待ち 九郎', 'ship_address1': '別の住所 9-9'})
    assert stored_order('F-9').status == 'backordered'
    assert available_by_product([tea.id]) == {tea.id: 17}

    cancel(stored_order('F-1'), actor=floor['manager'], why='お客様都合')
    db.session.commit()
    task = db.session.scalar(sa.select(PutBackTask))
    assert task.reference == stored_order('F-1').number and task.note == 'お客様都合' and task.done_at is None
    assert sorted((line.product.sku, line.to_location.code, line.quantity) for line in task.lines) == [
        ('T-1', 'A-01-01-1', 2), ('W-1', 'B-01-01-1', 1)]
    putback = db.session.get(Location, task.lines[0].holding_location_id)
    assert putback.kind == LocationKind.putback
    # off the shelf's book, in the put-back area, promised to nobody, and not given to the backorder
    assert level(tea, 'A-01-01-1') == (18, 1)
    assert level(tea, putback.code) == (2, 0)
    assert available_by_product([tea.id, cup.id]) == {tea.id: 17, cup.id: 9}
    assert stored_order('F-9').status == 'backordered'
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Allocation)
                             .where(Allocation.order_id == stored_order('F-1').id)) == 0
    moved = db.session.scalars(sa.select(StockMovement).where(StockMovement.reason == 'transfer',
                                                              StockMovement.product_id == tea.id)
                               .order_by(StockMovement.id)).all()
    assert [(m.location.code, m.delta) for m in moved] == [('A-01-01-1', -2), (putback.code, 2)]

    # the put-back: a product before a shelf, a product not in the task, the put-back area itself: refused
    assert not put_back_scan(task, '', 'T-1', actor=packer).ok
    assert not put_back_scan(task, 'A-01-01-1', 'W-2', actor=packer).ok
    assert not put_back_scan(task, '', putback.code, actor=packer).ok
    shelf = put_back_scan(task, '', 'A-01-01-1', actor=packer)
    assert shelf.ok and shelf.location_code == 'A-01-01-1'
    done = put_back_scan(task, shelf.location_code, '4569951116179', actor=packer)
    db.session.commit()
    assert done.ok and done.units == 2
    # back on the shelf and available: the backorder gets it at once
    assert level(tea, 'A-01-01-1') == (20, 19)
    assert level(tea, putback.code) == (0, 0)
    assert stored_order('F-9').status == 'allocated'
    assert db.session.get(PutBackTask, task.id).done_at is None    # the cup still waits
    # the cup goes onto another shelf than it came from: the book follows the hands
    last = put_back_scan(task, 'B-02-01-1', 'W-1', actor=packer)
    db.session.commit()
    assert last.ok and 'task done' in last.message
    task = db.session.get(PutBackTask, task.id)
    assert task.done_at is not None and task.done_by_id == packer.id
    assert level(cup, 'B-02-01-1') == (1, 0)
    assert not put_back_scan(task, 'B-02-01-1', 'W-1', actor=packer).ok
    # every on-hand change has its ledger row
    for product in (tea, cup):
        for code in ('A-01-01-1', 'B-01-01-1', 'B-02-01-1', putback.code):
            ledger = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockMovement.delta), 0))
                                       .join(Location).where(StockMovement.product_id == product.id,
                                                             Location.code == code))
            assert ledger == level(product, code)[0]


def test_an_order_cancelled_before_its_pick_list_gives_its_stock_straight_back(floor):
    cancel(stored_order('F-1'), actor=None, why='重複')
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PutBackTask)) == 0
    assert level(floor['tea'], 'A-01-01-1') == (20, 1)


def test_the_put_back_screen_is_driven_by_scans(floor, login, client):
    create_pick_batch(actor=None)
    db.session.commit()
    cancel(stored_order('F-3'), actor=None, why='キャンセル')
    db.session.commit()
    task_id = db.session.scalar(sa.select(PutBackTask.id))
    login('packer')
    listing = client.get('/stock/putback/')
    assert stored_order('F-3').number in listing.text and 'A-01-01-1' in listing.text
    page = client.get(f'/stock/putback/{task_id}')
    assert page.status_code == 200 and 'id="code"' in page.text
    refused = client.post(f'/stock/putback/{task_id}/scan', data={'code': 'T-1'}, headers={'HX-Request': 'true'})
    assert refused.status_code == 422 and 'Scan the shelf first' in refused.text
    client.post(f'/stock/putback/{task_id}/scan', data={'code': 'A-01-01-1'}, headers={'HX-Request': 'true'})
    done = client.post(f'/stock/putback/{task_id}/scan', data={'code': 'T-1'}, headers={'HX-Request': 'true'})
    assert done.status_code == 200 and 'task done' in done.text
    assert level(floor['tea'], 'A-01-01-1') == (20, 2)


def test_the_product_page_counts_units_waiting_for_a_put_back_as_on_hand_not_available(floor, login, client):
    create_pick_batch(actor=None)
    db.session.commit()
    cancel(stored_order('F-1'), actor=None, why='お客様都合')
    db.session.commit()
    login('clerk')
    page = client.get(f'/stock/products/{floor["tea"].id}').text
    cards = re.findall(r'<div class="card"><strong>(\d+)</strong><span>([^<]+)</span>', page)
    assert cards == [('20', 'On hand'), ('1', 'Allocated'), ('17', 'Available')]
