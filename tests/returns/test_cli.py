"""The returns commands' contract: flask returns reasons / open / receive, flask export returns."""
import csv
import datetime as dt
import io
import json

import sqlalchemy as sa

from app.extensions import db
from app.files import EXPORTERS
from app.inventory.models import StockMovement
from tests.factories import stored_order


def test_reasons_lists_the_stable_keys_with_their_fault(runner):
    result = runner.invoke(args=['returns', 'reasons', '--json'])
    assert result.exit_code == 0, result.output
    reasons = {r['key']: r for r in json.loads(result.output)}
    assert {'defective', 'wrong_item', 'damaged', 'missing', 'carrier_accident', 'changed_mind', 'wrong_order',
            'refused', 'undeliverable'} <= set(reasons)
    assert (reasons['wrong_item']['ja'], reasons['wrong_item']['fault']) == ('誤出荷', 'shop')
    assert (reasons['undeliverable']['ja'], reasons['carrier_accident']['fault']) == ('長期不在・住所不明', 'carrier')
    text = runner.invoke(args=['returns', 'reasons']).output
    assert 'changed_mind\tcustomer\tサイズ・イメージ違い' in text


def test_open_prints_the_return_and_its_lines_and_refuses_more_than_shipped_with_exit_2(shipped, runner):
    number = stored_order('F-1').number
    result = runner.invoke(args=['returns', 'open', number, '--line', 'T-1:1:defective', '--line', 'W-1:1:wrong_item',
                                 '--json'])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed['return'].startswith('R') and printed['lines'] == 2
    refused = runner.invoke(args=['returns', 'open', number, '--line', 'T-1:2:defective', '--json'])
    assert refused.exit_code == 2
    assert 'T-1: 2 cannot be returned: 2 shipped' in refused.output and '1 not yet returned' in refused.output
    bad = runner.invoke(args=['returns', 'open', number, '--line', 'T-1:x:defective'])
    assert bad.exit_code == 2 and 'the quantity must be a whole number' in bad.output


def test_receive_grades_each_unit_and_export_stock_shows_it(shipped, runner, tmp_path):
    number = stored_order('F-1').number
    opened = json.loads(runner.invoke(args=['returns', 'open', number, '--line', 'T-1:2:changed_mind',
                                            '--json']).output)
    result = runner.invoke(args=['returns', 'receive', opened['return'], '--unit', 'T-1:sellable',
                                 '--unit', 'T-1:quarantine', '--json'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {'return': opened['return'], 'state': 'received',
                                         'units': {'sellable': 1, 'quarantine': 1}, 'received': 2, 'expected': 2}
    again = runner.invoke(args=['returns', 'receive', opened['return'], '--unit', 'T-1:sellable'])
    assert again.exit_code == 2 and 'takes no units' in again.output
    out = tmp_path / 'stock.csv'
    assert runner.invoke(args=['export', 'stock', '-o', str(out)]).exit_code == 0
    rows = {(r['sku'], r['location']): r for r in csv.DictReader(io.StringIO(out.read_text('utf-8-sig')))}
    # 20 received, 2 shipped, 1 back for sale; F-3 holds one of them
    assert (rows[('T-1', 'A-01-01-1')]['on_hand'], rows[('T-1', 'A-01-01-1')]['available']) == ('19', '18')
    assert (rows[('T-1', 'Q-RETURNS')]['on_hand'], rows[('T-1', 'Q-RETURNS')]['available']) == ('1', '0')


def test_receive_to_a_named_location_and_refusals(shipped, runner, make_location):
    make_location('C-09-01-1')
    number = stored_order('F-1').number
    opened = json.loads(runner.invoke(args=['returns', 'open', number, '--line', 'W-1:1:defective',
                                            '--json']).output)
    wrong = runner.invoke(args=['returns', 'receive', opened['return'], '--unit', 'T-1:sellable'])
    assert wrong.exit_code == 2 and 'NOT IN THIS RETURN' in wrong.output
    grade = runner.invoke(args=['returns', 'receive', opened['return'], '--unit', 'W-1:broken'])
    assert grade.exit_code == 2 and 'is not SKU:GRADE' in grade.output
    done = runner.invoke(args=['returns', 'receive', opened['return'], '--unit', 'W-1:sellable',
                               '--location', 'C-09-01-1'])
    assert done.exit_code == 0, done.output
    movement = db.session.scalar(sa.select(StockMovement).where(StockMovement.reason == 'return'))
    assert movement.location.code == 'C-09-01-1'


def test_export_returns_writes_one_row_per_returned_line(shipped, runner, tmp_path):
    number = stored_order('F-1').number
    runner.invoke(args=['returns', 'open', number, '--line', 'W-1:1:wrong_item'])
    out = tmp_path / 'returns.csv'
    result = runner.invoke(args=['export', 'returns', '--from', '2020-01-01', '--to', '2099-12-31', '-o', str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text('utf-8-sig'))))
    assert [(r['order_number'], r['sku'], r['reason'], r['reason_label'], r['fault'], r['quantity']) for r in rows] \
        == [(number, 'W-1', 'wrong_item', '誤出荷', 'shop', '1')]
    assert rows[0]['packed_by'] == shipped['packer'].name
    empty = EXPORTERS['returns'](date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 1, 2))
    assert empty.content.decode('utf-8-sig').count('\r\n') == 1
