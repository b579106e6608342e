"""Listings, the next file of each mall, and what changes it (both databases)."""
import json

import pytest
import sqlalchemy as sa

from app.channels import services
from app.channels.models import ChannelStockFile, Listing
from app.channels.services import ChannelStockRules, ListingValues, make_stock_file, next_file, save_listing
from app.extensions import db
from app.inventory.services import adjust, get_location
from app.orders.allocation import allocate
from app.orders.services import cancel
from tests.channels.helpers import rakuten_order
from tests.factories import plain_orders, stored_order


@pytest.fixture
def cup(make_product, stock):
    product = make_product('W-1', name='有田焼 湯呑み')
    stock(product, 10)
    return product


def listing(channel, item_code, sku, **values):
    made, _created = save_listing(ListingValues(channel, item_code, sku, **values), actor=None)
    db.session.commit()
    return made


def quantities(channel, *, full=False) -> dict[str, int]:
    return {line.item_code: line.quantity for line in next_file(channel, full=full).lines}


def test_a_new_listing_sends_exactly_the_free_stock_and_then_only_what_changed(cup):
    listing('rakuten', 'cup-white', 'W-1', page_code='cup')
    assert quantities('rakuten') == {'cup-white': 10}
    first = make_stock_file('rakuten')
    db.session.commit()
    assert (first.rows, first.changed) == (1, 1)
    assert first.content.decode('cp932').splitlines()[1] == 'cup,cup-white,10'
    # nothing changed: the next file is empty, a full file still holds the book
    assert quantities('rakuten') == {}
    assert quantities('rakuten', full=True) == {'cup-white': 10}
    again = make_stock_file('rakuten')
    assert (again.rows, again.changed) == (0, 0)


def test_the_channel_rule_and_the_listing_rule(cup, make_product, stock):
    pot = make_product('W-2')
    stock(pot, 100)
    listing('yahoo', 'cup', 'W-1')
    listing('yahoo', 'pot', 'W-2', cap=30)
    services.save_channel_rules('yahoo', ChannelStockRules(safety_stock=2, share_percent=50), actor=None)
    db.session.commit()
    assert quantities('yahoo') == {'cup': 4, 'pot': 30}


def test_a_paused_listing_is_never_sent(cup):
    listing('amazon', 'W-1', 'W-1', paused=True)
    assert quantities('amazon', full=True) == {}


def test_allocation_receiving_adjustment_and_cancellation_each_change_the_next_file(cup, stock):
    listing('shopify', 'W-1', 'W-1', page_code='arita-cup')
    make_stock_file('shopify')
    db.session.commit()
    plain_orders({'order_id': 'S-1', 'lines': [('W-1', 3)]})
    assert quantities('shopify') == {'W-1': 7}
    make_stock_file('shopify')
    db.session.commit()
    stock(cup, 5)
    assert quantities('shopify') == {'W-1': 12}
    make_stock_file('shopify')
    adjust(cup, get_location('A-01-01-1'), -2, reason='damaged', actor=None)
    db.session.commit()
    assert quantities('shopify') == {'W-1': 10}
    make_stock_file('shopify')
    db.session.commit()
    cancel(stored_order('S-1'), actor=None, why='customer asked')
    db.session.commit()
    assert quantities('shopify') == {'W-1': 13}


def test_a_full_file_equals_the_book(make_product, stock):
    for n in range(5):
        product = make_product(f'P-{n}')
        if n:
            stock(product, n * 3)
        listing('rakuten', f'p-{n}', f'P-{n}', page_code=f'page-{n}')
    record = make_stock_file('rakuten', full=True)
    db.session.commit()
    lines = record.content.decode('cp932').split('\r\n')
    assert lines[0] == '商品管理番号（商品URL）,SKU管理番号,在庫数'
    assert lines[1:-1] == [f'page-{n},p-{n},{n * 3}' for n in range(5)]
    assert [row.sent_quantity for row in db.session.scalars(sa.select(Listing).order_by(Listing.item_code))] == \
        [0, 3, 6, 9, 12]


def test_a_file_is_cut_at_the_malls_row_limit_and_the_rest_waits_for_the_next(monkeypatch, make_product, stock):
    monkeypatch.setitem(services.ROW_LIMITS, 'yahoo', 2)
    monkeypatch.setitem(__import__('exporters.channel_stock', fromlist=['x']).ROW_LIMITS, 'yahoo', 2)
    product = make_product('P-1')
    stock(product, 4)
    for code in ('a', 'b', 'c'):
        listing('yahoo', code, 'P-1')
    first = make_stock_file('yahoo')
    db.session.commit()
    assert (first.rows, first.changed) == (2, 3)
    second = make_stock_file('yahoo')
    db.session.commit()
    assert (second.rows, second.changed) == (1, 1)
    assert second.content.decode('cp932').splitlines()[1:] == ['c,,4,,0']


def test_an_imported_order_creates_the_listing_of_each_product_it_names(cup):
    rakuten_order('R-1', 'W-1', 1)
    made = db.session.scalars(sa.select(Listing)).all()
    assert [(m.channel, m.item_code, m.product_id) for m in made] == [('rakuten', 'W-1', cup.id)]
    rakuten_order('R-2', 'W-1', 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Listing)) == 1
    # the shop's own orders make none: it reads free stock directly
    plain_orders({'order_id': 'K-1', 'lines': [('W-1', 1)]}, channel='kura')
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Listing)) == 1


def test_the_same_state_gives_the_same_bytes(cup):
    listing('amazon', 'W-1', 'W-1')
    first = make_stock_file('amazon', full=True)
    second = make_stock_file('amazon', full=True)
    assert first.content == second.content


def test_the_command_prints_rows_and_changed_and_writes_the_file(cup, runner, tmp_path):
    listing('yahoo', 'cup', 'W-1')
    out = tmp_path / 'quantity.csv'
    result = runner.invoke(args=['export', 'channel-stock', '--channel', 'yahoo', '-o', str(out), '--json'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {'rows': 1, 'changed': 1}
    assert out.read_bytes() == 'code,sub-code,quantity,mode,allow-overdraft\r\ncup,,10,,0\r\n'.encode('cp932')
    result = runner.invoke(args=['export', 'channel-stock', '--channel', 'yahoo', '-o', str(out), '--json'])
    assert json.loads(result.output) == {'rows': 0, 'changed': 0}
    full = tmp_path / 'full.csv'
    result = runner.invoke(args=['export', 'channel-stock', '--channel', 'yahoo', '--full', '-o', str(full), '--json'])
    assert json.loads(result.output) == {'rows': 1, 'changed': 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChannelStockFile)) == 3


def test_the_command_refuses_an_unknown_channel(runner, tmp_path):
    result = runner.invoke(args=['export', 'channel-stock', '--channel', 'store', '-o', str(tmp_path / 'x')])
    assert result.exit_code == 2
    assert not (tmp_path / 'x').exists()


def test_a_listing_needs_a_known_product_and_a_rule_in_range(cup):
    from app.errors import UserError

    with pytest.raises(UserError, match='SKU'):
        save_listing(ListingValues('rakuten', 'x', 'NOPE'), actor=None)
    with pytest.raises(UserError, match='share'):
        save_listing(ListingValues('rakuten', 'x', 'W-1', share_percent=101), actor=None)
    with pytest.raises(UserError, match='channel'):
        save_listing(ListingValues('store', 'x', 'W-1'), actor=None)


def test_allocation_run_changes_the_next_file(cup):
    listing('rakuten', 'cup', 'W-1')
    make_stock_file('rakuten')
    db.session.commit()
    plain_orders({'order_id': 'H-1', 'lines': [('W-1', 4)], 'comment': 'please call'})
    # held by its comment: not allocated yet
    assert quantities('rakuten') == {}
    order = stored_order('H-1')
    from app.orders.services import release_hold
    for hold in order.holds:
        release_hold(hold, actor=None)
    allocate(order_ids=[order.id])
    db.session.commit()
    assert quantities('rakuten') == {'cup': 6}


def test_a_stocktake_approval_and_a_returned_unit_each_change_the_next_file(floor):
    """The two stock changes the other areas make since channel stock was built: a count's correction and a
    sellable unit back from a customer; neither tells this area, both show in the next file."""
    from app.fulfilment import services as floor_services
    from app.returns.services import AskedLine, ReceivedUnit, ensure_default_reasons, open_return, receive_units
    from app.stocktake import services as stocktake
    from tests.factories import pack_and_ship

    listing('yahoo', 'cup', 'W-1')
    ensure_default_reasons()
    floor_services.create_pick_batch(actor=floor['packer'])
    db.session.commit()
    pack_and_ship('F-1', floor['packer'])            # one of the ten cups leaves
    make_stock_file('yahoo')
    db.session.commit()
    assert quantities('yahoo', full=True) == {'cup': 9}

    count = stocktake.start_count(location_codes=['B-01-01-1'], actor=floor['manager'])
    stocktake.record_location(count, 'B-01-01-1', {floor['cup'].id: 11}, actor=floor['packer'])
    db.session.commit()
    stocktake.approve(count, actor=floor['manager'], reason='two cups found behind the box')
    db.session.commit()
    assert quantities('yahoo') == {'cup': 11}
    make_stock_file('yahoo')
    db.session.commit()

    ret = open_return(stored_order('F-1'), [AskedLine('W-1', 1, 'changed_mind')], actor=floor['manager'])
    receive_units(ret, [ReceivedUnit('W-1', 'sellable')], actor=floor['packer'])
    db.session.commit()
    assert quantities('yahoo') == {'cup': 12}
