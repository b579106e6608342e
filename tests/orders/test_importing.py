"""Order files into Kura: every order exactly once, every character intact, nothing silently lost."""
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json

import pytest
import sqlalchemy as sa

from app.catalog.models import ChannelSku
from app.extensions import db
from app.orders import _writing
from app.orders.importing import import_order_files
from app.orders.models import ImportBatch, Order, OrderHold, OrderLine
from app.orders.services import map_item_code
from importers.base import FileRefused
from tests.conftest import count
from tests.factories import (
    ADDRESS,
    AMAZON_A_HEADER,
    KURA_HEADER,
    RAKUTEN_107_HEADER,
    RAKUTEN_HEADER,
    amazon_row,
    kura_row,
    order_row,
    rakuten_107_row,
    rakuten_row,
    sample_files,
    table,
)


def rakuten(*rows, name='rakuten.csv'):
    return [(name, table(RAKUTEN_HEADER, list(rows)))]


def orders_by_external_id() -> dict[str, Order]:
    return {o.external_order_id: o for o in db.session.scalars(sa.select(Order))}


@pytest.fixture
def tea(make_product):
    return make_product('00123', name='髙﨑の緑茶', jan='4569951116179', tax_rate=8)


def test_a_rakuten_order_is_stored_field_by_field(tea, make_product):
    make_product('W-1', jan='')
    comment = '午前中は不在です, 夕方にお願いします'
    files = rakuten(rakuten_row(**{'コメント': comment}),
                    rakuten_row(**{'コメント': comment, '商品明細ID': '100000000002', 'SKU管理番号': 'W-1',
                                '商品名': '湯呑み', '単価': '1080', '個数': '1', '商品税率': '0.1'}))
    summary = import_order_files('rakuten', files)
    db.session.commit()
    assert (summary.orders_created, summary.lines_created, summary.duplicates, summary.on_hold) == (1, 2, 0, 1)
    order = db.session.scalar(sa.select(Order))
    assert order.channel == 'rakuten'
    assert order.external_order_id == '333267-20251007-0000000001'
    assert order.number == f'K{order.id:08d}'
    assert order.ordered_at == dt.datetime(2025, 10, 7, 0, 50, 26, tzinfo=dt.UTC)  # 09:50:26 JST
    assert (order.buyer_name, order.buyer_kana, order.buyer_phone) == ('髙﨑 ①子', 'タカサキ イチコ', '0312345678')
    assert (order.ship_name, order.ship_postal_code, order.ship_prefecture, order.ship_city) == \
        ('髙﨑 ①子', '0600001', '北海道', '札幌市中央区')
    assert order.ship_address1 == ADDRESS
    assert (order.payment_method, order.payment_status, order.status) == ('card', 'paid', 'new')
    assert (order.total, order.shipping_fee, order.cod_fee) == (3240, 0, 0)
    assert order.delivery_date == dt.date(2025, 10, 10)
    assert order.delivery_time_slot == '14:00～16:00'
    assert (order.noshi, order.gift_wrap) == ('御祝', 'ギフト包装')
    assert order.customer_comment == '午前中は不在です, 夕方にお願いします'
    first, second = order.lines
    assert (first.product_id, first.item_code, first.name, first.quantity, first.unit_price, first.tax_rate) == \
        (tea.id, '00123', '髙﨑の緑茶 ①', 2, 1080, 8)
    assert first.option_text == '内容量:100g\nのし:御祝'
    assert first.channel_line_id == '100000000001'
    assert (second.item_code, second.tax_rate, second.line_no) == ('W-1', 10, 2)
    # the comment may ask for something: a clerk reads it before the order goes on
    assert [(h.reason, h.note) for h in order.open_holds] == [('customer_comment', comment)]
    assert order.status == 'new'


@pytest.mark.parametrize('channel', ['rakuten', 'amazon', 'yahoo', 'shopify', 'kura'])
def test_every_format_imports_and_recognises_itself_and_a_reimport_creates_nothing(channel):
    files = sample_files()[channel]
    first = import_order_files('auto', files)
    db.session.commit()
    assert first.channel == channel
    assert first.orders_created == 1
    assert first.lines_created >= 1
    again = import_order_files('auto', files)
    db.session.commit()
    assert (again.orders_created, again.lines_created, again.duplicates) == (0, 0, 1)
    assert count(Order) == 1
    order = db.session.scalar(sa.select(Order))
    assert order.channel == channel
    assert len(order.ship_postal_code) == 7
    assert order.ship_postal_code.startswith('0')
    assert count(ImportBatch) == 2


def test_a_later_file_that_overlaps_adds_only_the_new_orders(tea):
    import_order_files('rakuten', rakuten(order_row('A-1'), order_row('A-2')))
    summary = import_order_files('rakuten', rakuten(order_row('A-2'), order_row('A-3'), name='next.csv'))
    db.session.commit()
    assert (summary.orders_created, summary.duplicates) == (1, 1)
    assert sorted(orders_by_external_id()) == ['A-1', 'A-2', 'A-3']
    assert count(OrderLine) == 3


def test_the_same_order_id_on_two_channels_is_two_orders(tea):
    import_order_files('kura', [('k.csv', table(KURA_HEADER, [kura_row('X-1', sku='00123')], encoding='utf-8'))])
    import_order_files('rakuten', rakuten(order_row('X-1')))
    assert count(Order) == 2


def test_broken_orders_are_left_out_and_reported_the_others_go_in(tea):
    files = rakuten(order_row('GOOD-1'),
                    order_row('BAD-1', **{'個数': 'abc'}),
                    order_row('GOOD-2'),
                    order_row('BAD-2', **{'送付先郵便番号1': '', '送付先郵便番号2': ''}))
    summary = import_order_files('rakuten', files)
    db.session.commit()
    assert summary.orders_created == 2
    assert summary.rejected == 2
    reported = [(p.line, p.key, p.field, p.value) for p in summary.problems]
    # line 1 is the header; 項目・選択肢 holds a line break, so each record takes two physical lines
    assert reported[0] == (4, 'BAD-1', '個数', 'abc')
    assert reported[1][:2] == (8, 'BAD-2')
    assert sorted(orders_by_external_id()) == ['GOOD-1', 'GOOD-2']
    batch = db.session.scalar(sa.select(ImportBatch))
    assert (batch.orders_created, batch.rejected) == (2, 2)
    assert batch.problems[0] == {'file': 'rakuten.csv', 'line': 4, 'order': 'BAD-1', 'field': '個数', 'value': 'abc',
                                 'message': batch.problems[0]['message']}


def test_an_import_that_dies_half_way_leaves_nothing_and_running_it_again_completes_it(tea, monkeypatch):
    files = rakuten(*[order_row(f'R-{n}') for n in range(7)])
    monkeypatch.setattr(_writing, 'CHUNK', 3)

    def die_after_first_chunk(done, total):
        if done >= 3:
            raise RuntimeError('power cut')

    with pytest.raises(RuntimeError):
        import_order_files('rakuten', files, progress=die_after_first_chunk)
    db.session.rollback()
    assert (count(Order), count(OrderLine), count(ImportBatch)) == (0, 0, 0)
    summary = import_order_files('rakuten', files)
    db.session.commit()
    assert summary.orders_created == 7
    assert count(Order) == 7


def test_an_unknown_item_holds_the_order_until_a_clerk_maps_it(tea, make_product, make_user):
    files = rakuten(order_row('U-1', **{'SKU管理番号': 'mall-9', '商品管理番号': 'mall-9'}),
                    order_row('U-2', **{'SKU管理番号': 'mall-9', '商品管理番号': 'mall-9'}))
    summary = import_order_files('rakuten', files)
    db.session.commit()
    assert summary.on_hold == 2
    hold = db.session.scalar(sa.select(OrderHold))
    assert (hold.reason, hold.note) == ('unknown_sku', 'Unknown item code: mall-9')
    assert db.session.scalar(sa.select(OrderLine.product_id).limit(1)) is None

    clerk, product = make_user('clerk'), make_product('T-9', jan='')
    lines, released = map_item_code('rakuten', 'mall-9', product, actor=clerk)
    db.session.commit()
    assert (lines, released) == (2, 2)
    assert all(h.released_at is not None and h.released_by_id == clerk.id
               for h in db.session.scalars(sa.select(OrderHold)))
    assert set(db.session.scalars(sa.select(OrderLine.product_id))) == {product.id}

    # remembered: a later file with the same code comes in without a hold
    later = import_order_files('rakuten', rakuten(order_row('U-3', **{'SKU管理番号': 'mall-9',
                                                                         '商品管理番号': 'mall-9'})))
    assert later.on_hold == 0
    assert db.session.scalar(sa.select(ChannelSku.item_code)) == 'mall-9'


def test_an_order_with_two_unknown_codes_stays_held_until_both_are_mapped(make_product, make_user):
    files = rakuten(order_row('U-1', **{'SKU管理番号': 'a'}),
                    order_row('U-1', **{'商品明細ID': '2', 'SKU管理番号': 'b'}))
    import_order_files('rakuten', files)
    clerk = make_user('clerk')
    assert map_item_code('rakuten', 'a', make_product('A', jan=''), actor=clerk) == (1, 0)
    assert map_item_code('rakuten', 'b', make_product('B', jan=''), actor=clerk) == (1, 1)


def test_items_are_found_by_sku_then_jan_then_mapping(tea, make_product, make_user):
    by_mapping = make_product('M-1', jan='')
    map_item_code('rakuten', 'mall-code', by_mapping, actor=make_user('clerk'))
    files = rakuten(order_row('S-1', **{'SKU管理番号': '00123'}),
                    order_row('S-2', **{'SKU管理番号': '4569951116179'}),
                    order_row('S-3', **{'SKU管理番号': 'mall-code'}))
    import_order_files('rakuten', files)
    products = {line.order.external_order_id: line.product_id for line in db.session.scalars(sa.select(OrderLine))}
    assert products == {'S-1': tea.id, 'S-2': tea.id, 'S-3': by_mapping.id}


@pytest.mark.parametrize(('postal', 'prefecture', 'city', 'note'), [
    ('1000001', '北海道', '千代田区', 'Postal code 100-0001 is in 東京都, not 北海道.'),
    ('0000000', '東京都', '千代田区', 'Postal code 000-0000 does not exist.'),
    ('0600001', '北海道', '渋谷区', 'Postal code 060-0001 is in 北海道札幌市中央区, not 北海道渋谷区.'),
])
def test_a_postal_code_that_does_not_match_its_prefecture_holds_the_order(tea, postal, prefecture, city, note):
    files = rakuten(order_row('P-1', **{'送付先郵便番号1': postal[:3], '送付先郵便番号2': postal[3:],
                                          '送付先住所都道府県': prefecture, '送付先住所郡市区': city}))
    summary = import_order_files('rakuten', files)
    assert summary.orders_created == 1
    hold = db.session.scalar(sa.select(OrderHold))
    assert (hold.reason, hold.note) == ('address_check', note)


@pytest.mark.parametrize(('city', 'street'), [
    ('札幌市中央区', '北一条西1-2-3'),
    ('札幌市', '中央区北一条西1-2-3'),     # the ward written with the street
    ('札幌市', '北一条西1-2-3'),           # the ward left out
    ('札幌市 中央区', '北一条西1-2-3'),     # spaced
    ('Sapporo', 'Kita 1 Nishi'),         # a city in Latin letters (a Shopify export) is not judged
    ('', '札幌市中央区北一条西1-2-3'),      # nor one left empty
])
def test_a_city_written_as_people_write_it_is_not_held(tea, city, street):
    files = rakuten(order_row('P-1', **{'送付先郵便番号1': '060', '送付先郵便番号2': '0001',
                                          '送付先住所都道府県': '北海道', '送付先住所郡市区': city,
                                          '送付先住所それ以降の住所': street}))
    import_order_files('rakuten', files)
    assert db.session.scalar(sa.select(OrderHold)) is None


def test_payment_method_sets_what_is_still_to_be_paid(tea):
    files = rakuten(order_row('C-1', **{'支払方法名': '代金引換'}), order_row('B-1', **{'支払方法名': '銀行振込'}))
    import_order_files('rakuten', files)
    orders = orders_by_external_id()
    assert (orders['C-1'].payment_method, orders['C-1'].payment_status) == ('cod', 'cod')
    assert (orders['B-1'].payment_method, orders['B-1'].payment_status) == ('bank_transfer', 'unpaid')


def test_each_import_is_recorded_with_its_checksum(tea, make_user):
    files = rakuten(order_row())
    user = make_user('clerk')
    import_order_files('rakuten', files, actor=user)
    batch = db.session.scalar(sa.select(ImportBatch))
    assert batch.sha256 == hashlib.sha256(files[0][1]).hexdigest()
    assert (batch.filenames, batch.user_id, batch.channel) == ('rakuten.csv', user.id, 'rakuten')
    assert batch.finished_at is not None
    assert db.session.scalar(sa.select(Order.import_batch_id)) == batch.id


def test_a_dry_run_writes_nothing(tea):
    summary = import_order_files('rakuten', rakuten(order_row()), dry_run=True)
    assert len(summary.planned) == 1
    assert (count(Order), count(ImportBatch)) == (0, 0)


def test_a_refused_file_writes_nothing():
    with pytest.raises(FileRefused, match='the file has a header but no data rows'):
        import_order_files('rakuten', [('r.csv', table(RAKUTEN_HEADER, []))])
    assert count(ImportBatch) == 0


# ---------------------------------------------------------------------------------------------- CLI


def write(tmp_path, files):
    paths = []
    for name, data in files:
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    return paths


def test_cli_import_orders_prints_one_json_object(runner, tmp_path, tea):
    paths = write(tmp_path, rakuten(order_row('J-1'), order_row('J-2', **{'個数': '二'})))
    result = runner.invoke(args=['import-orders', '--channel', 'auto', *paths, '--json'])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {k: report[k] for k in ('orders_created', 'lines_created', 'duplicates', 'on_hold')} == \
        {'orders_created': 1, 'lines_created': 1, 'duplicates': 0, 'on_hold': 0}
    assert [(r['line'], r['order'], r['field']) for r in report['rejected']] == [(4, 'J-2', '個数')]
    again = json.loads(runner.invoke(args=['import-orders', *paths, '--json']).output)
    assert (again['orders_created'], again['duplicates']) == (0, 1)


def test_cli_reports_problems_and_refusals_in_the_command_language(app, runner, tmp_path, tea, monkeypatch):
    monkeypatch.setitem(app.config, 'CLI_LOCALE', 'ja')  # what a command gets when nothing else is set
    paths = write(tmp_path, rakuten(order_row('J-1', **{'個数': '二'}), order_row('J-2', **{'送付先郵便番号2': '001'})))
    report = json.loads(runner.invoke(args=['import-orders', *paths, '--json']).output)
    assert [(r['order'], r['field'], r['message']) for r in report['rejected']] == [
        ('J-1', '個数', '数量が整数ではありません'),
        ('J-2', '送付先郵便番号1/送付先郵便番号2',
         '郵便番号が 7 桁ではなく 6 桁です。表計算ソフトが先頭の 0 を落とした可能性があります'),
    ]
    (tmp_path / 'broken.csv').write_bytes(b'\xff\xfe\x00garbage')
    refused = runner.invoke(args=['import-orders', str(tmp_path / 'broken.csv'), '--json'])
    assert refused.exit_code == 2
    message = json.loads(refused.output)['refused']['message']
    assert message.startswith('UTF-8 としても CP932（Shift_JIS）としても読めません')


def test_cli_yahoo_needs_both_files_in_one_import(runner, tmp_path):
    files = sample_files()['yahoo']
    paths = write(tmp_path, files)
    one = runner.invoke(args=['import-orders', '--channel', 'yahoo', paths[0]])
    assert one.exit_code == 2
    assert 'refused' in one.output
    both = runner.invoke(args=['import-orders', '--channel', 'yahoo', *paths, '--json'])
    assert json.loads(both.output)['orders_created'] == 1


def test_cli_refuses_an_unreadable_file_with_exit_2(runner, tmp_path):
    path = tmp_path / 'broken.csv'
    path.write_bytes(b'\xff\xfe\x00garbage')
    result = runner.invoke(args=['import-orders', str(path), '--json'])
    assert result.exit_code == 2
    refusal = json.loads(result.output)['refused']
    assert refusal['file'] == 'broken.csv'
    assert 'byte offset' in refusal['message']
    assert count(Order) == 0


def test_cli_dry_run_counts_without_writing(runner, tmp_path, tea):
    paths = write(tmp_path, rakuten(order_row()))
    result = runner.invoke(args=['import-orders', '--dry-run', *paths])
    assert 'would create 1 orders with 1 lines' in result.output
    assert count(Order) == 0


def test_cli_export_orders_by_jst_day(runner, tmp_path, tea):
    rows = [order_row('D-1', **{'注文日時': '2025-10-07 00:30:00'}),          # 2025-10-06 15:30 UTC
            order_row('D-2', **{'注文日時': '2025-10-08 08:00:00', 'SKU管理番号': 'unknown-9'})]
    write_paths = write(tmp_path, rakuten(*rows))
    runner.invoke(args=['import-orders', *write_paths])
    out = tmp_path / 'orders.csv'
    result = runner.invoke(args=['export', 'orders', '--from', '2025-10-07', '--to', '2025-10-08', '-o', str(out),
                                 '--encoding', 'cp932'])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode('cp932'), newline='')))
    assert rows[0][:13] == ['channel', 'external_order_id', 'order_number', 'ordered_at', 'status', 'ship_name',
                            'ship_postal_code', 'ship_prefecture', 'ship_address', 'ship_phone', 'sku', 'quantity',
                            'unit_price']
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first['channel'], first['external_order_id'], first['ordered_at']) == \
        ('rakuten', 'D-1', '2025-10-07T00:30:00+09:00')
    assert first['order_number'].startswith('K')
    assert (first['ship_name'], first['ship_postal_code'], first['ship_phone'], first['sku']) == \
        ('髙﨑 ①子', '0600001', '0312345678', '00123')
    assert first['ship_address'].startswith('札幌市中央区 北一条西')
    assert first['option_text'] == '内容量:100g\nのし:御祝'
    second = dict(zip(rows[0], rows[2], strict=True))
    assert (second['sku'], second['item_code']) == ('', 'unknown-9')  # an unmapped line has no SKU
    only_7th = tmp_path / 'day.csv'
    runner.invoke(args=['export', 'orders', '--from', '2025-10-07', '--to', '2025-10-07', '-o', str(only_7th)])
    assert len(list(csv.reader(io.StringIO(only_7th.read_text(encoding='utf-8-sig'), newline='')))) == 2


@pytest.mark.parametrize('channel', ['rakuten', 'amazon', 'yahoo', 'shopify', 'kura'])
def test_every_field_of_every_format_is_stored_as_read(channel):
    """Whatever the format code read (its own tests check that field by field), the order stores exactly."""
    from importers.orders import parse_files
    from importers.orders.records import LineRecord, OrderRecord

    files = sample_files()[channel]
    [record] = parse_files(channel, files).orders
    import_order_files(channel, files)
    db.session.commit()
    order = db.session.scalar(sa.select(Order))
    for field in (f.name for f in dataclasses.fields(OrderRecord)):
        if field in ('line', 'lines', 'filename'):
            continue
        assert getattr(order, field) == getattr(record, field), field
    assert len(order.lines) == len(record.lines)
    for stored, read in zip(order.lines, record.lines, strict=True):
        for field in (f.name for f in dataclasses.fields(LineRecord)):
            if field == 'tax_excluded':
                assert stored.price_excluding_tax == (read.unit_price if read.tax_excluded else None)
            elif field == 'tax_rate' and read.tax_rate is None:
                # no rate in the file and no product to take it from: the standard rate, flagged
                assert (stored.tax_rate, stored.tax_rate_assumed) == (10, True)
            elif field != 'line':
                assert getattr(stored, field) == getattr(read, field), f'line {field}'
    assert order.ship_name == record.ship_name != ''
    assert record.filename == files[0][0]


def test_a_value_longer_than_kura_keeps_rejects_its_order_rather_than_cutting_it(tea):
    files = rakuten(order_row('LONG-1', **{'送付先住所都道府県': '北海道' * 5}), order_row('OK-1'))
    summary = import_order_files('rakuten', files)
    assert summary.orders_created == 1
    assert [(p.key, p.field, p.message) for p in summary.problems] == [
        ('LONG-1', 'ship_prefecture', 'Longer than 10 characters.')]


def test_a_negative_price_is_a_broken_row(tea):
    summary = import_order_files('rakuten', rakuten(order_row('NEG-1', **{'単価': '-100'})))
    assert summary.orders_created == 0
    assert summary.problems[0].message == 'a price cannot be negative'


def test_the_import_summary_counts_its_own_orders_waiting_on_a_hold(tea, stock):
    stock(tea, 10)
    import_order_files('rakuten', rakuten(order_row('OLD-1', **{'支払方法名': '銀行振込'})))
    db.session.commit()
    summary = import_order_files('rakuten', rakuten(order_row('NEW-1', **{'支払方法名': '銀行振込'}),
                                                    order_row('NEW-2', **{'支払方法名': 'クレジットカード'})))
    db.session.commit()
    # OLD-1 still waits for its money too, but it is not this file's
    assert summary.as_dict()['allocation'] == {'allocated_orders': 1, 'backordered_orders': 0, 'waiting_on_hold': 1}
    assert orders_by_external_id()['NEW-2'].status == 'allocated'


# ---------------------------------------------------------------------------------------------- amount due, tax


def test_the_amount_due_after_points_and_coupons_is_stored_beside_the_total(tea):
    import_order_files('rakuten', rakuten(order_row('COD-1', **{
        '支払方法名': '代金引換', '合計金額': '5830', '請求金額': '5330',
        'ポイント利用額': '200', 'クーポン利用総額': '300'})))
    db.session.commit()
    order = orders_by_external_id()['COD-1']
    assert (order.total, order.amount_due, order.payment_status) == (5830, 5330, 'cod')


def test_a_line_without_a_rate_takes_its_products_and_an_unknown_one_is_flagged(tea, make_product):
    """Amazon gives no rate: the tea (8 %) keeps 8 %, the unknown item gets 10 % marked as assumed."""
    make_product('W-1', jan='', tax_rate=10)
    files = [('amazon.txt', table(AMAZON_A_HEADER, [
        amazon_row(), amazon_row(**{'order-item-id': '2', 'sku': 'W-1'}),
        amazon_row(**{'order-item-id': '3', 'sku': 'unknown-9'})], delimiter='\t'))]
    import_order_files('amazon', files)
    db.session.commit()
    order = db.session.scalar(sa.select(Order))
    assert [(line.item_code, line.tax_rate, line.tax_rate_assumed) for line in order.lines] == [
        ('00123', 8, False), ('W-1', 10, False), ('unknown-9', 10, True)]
    hold, = order.open_holds
    assert hold.reason == 'unknown_sku'
    assert hold.note == ('Unknown item code: unknown-9. The file gives no tax rate: the standard rate is assumed '
                         'until the code is mapped to a product.')


def old_rakuten_line(code, price, included, line_id='1'):
    """An item row of the 107-column 楽天ペイ layout (no rate); the code in both item-code columns."""
    return rakuten_107_row(**{'コメント': '', '商品明細ID': line_id, '商品管理番号': code, '商品番号': code,
                              '税込別': included, '単価': price, '個数': '1', '項目・選択肢': ''})


def old_rakuten(*rows):
    return [('old.csv', table(RAKUTEN_107_HEADER, list(rows)))]


def test_prices_before_tax_are_stored_tax_included_rounded_down_per_unit(tea, make_product):
    """Rakuten 税込別 0 in the 107 columns: the tax is added at the matched product's rate."""
    make_product('W-1', jan='', tax_rate=10)
    import_order_files('rakuten', old_rakuten(old_rakuten_line('00123', '1234', '0'),
                                              old_rakuten_line('W-1', '5000', '0', line_id='2'),
                                              old_rakuten_line('W-1', '5500', '1', line_id='3')))
    db.session.commit()
    order = db.session.scalar(sa.select(Order))
    assert [(line.unit_price, line.tax_rate, line.price_excluding_tax) for line in order.lines] == [
        (1332, 8, 1234),    # 1,234 x 1.08 = 1,332.72, rounded down
        (5500, 10, 5000),
        (5500, 10, None)]


def test_mapping_an_unknown_code_gives_its_lines_the_products_rate_and_price(make_product):
    import_order_files('rakuten', old_rakuten(old_rakuten_line('rice-1', '5000', '0')))
    db.session.commit()
    line = db.session.scalar(sa.select(OrderLine))
    assert (line.unit_price, line.tax_rate, line.tax_rate_assumed) == (5500, 10, True)
    rice = make_product('R-1', jan='', tax_rate=8)
    map_item_code('rakuten', 'rice-1', rice, actor=None)
    db.session.commit()
    db.session.expire_all()
    line = db.session.scalar(sa.select(OrderLine))
    assert (line.product_id, line.unit_price, line.tax_rate, line.tax_rate_assumed) == (rice.id, 5400, 8, False)
