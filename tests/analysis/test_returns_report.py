"""The returns report and the mis-ships beside the mis-scans, on the week of test_figures.py with returns made by
hand; each answer is worked out below.

  R1 on O1 (rakuten), opened 03-03 10:00 JST: A-1 x1 誤出荷 (wrong_item, packed by 梱包 花子), B-1 x1 不良品 (defective)
  R2 on O2 (amazon),  opened 03-05 12:00 JST: A-1 x1 サイズ・イメージ違い (changed_mind)
  R3 on O3 (rakuten), opened 03-09 00:30 JST: C-1 x2 誤出荷 (the week after: left out)
  R4 on O3 (rakuten), opened 03-04 12:00 JST, declined: C-1 x1 誤出荷 (left out)
  Parcels shipped in the week: 3 (O1 rakuten, O2 amazon, O3 rakuten).
"""
import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.accounts.models import User
from app.analysis import services
from app.analysis.queries import Filters
from app.extensions import db
from app.orders.models import Order
from app.returns.models import Return, ReturnLine, ReturnReason
from app.returns.services import ensure_default_reasons
from importers.base import JST


WEEK = Filters(dt.date(2026, 3, 2), dt.date(2026, 3, 8))


def jst(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=JST)


@pytest.fixture
def returns_week(week):
    ensure_default_reasons()
    reasons = {r.key: r for r in db.session.scalars(sa.select(ReturnReason))}
    orders = {o.external_order_id: o for o in db.session.scalars(sa.select(Order))}
    packer = db.session.scalar(sa.select(User).where(User.name == '梱包 花子'))

    def make(order, at, lines, *, state='approved', packed_by=None):
        ret = Return(order_id=order.id, opened_at=at, state=state, packed_by_id=packed_by)
        for product, quantity, reason in lines:
            order_line = next(line for line in order.lines if line.product_id == product.id)
            ret.lines.append(ReturnLine(order_line_id=order_line.id, product_id=product.id,
                                        reason_id=reasons[reason].id, quantity=quantity))
        db.session.add(ret)

    a, b, c = week['a'], week['b'], week['c']
    make(orders['O1'], jst(3, 10), [(a, 1, 'wrong_item'), (b, 1, 'defective')], packed_by=packer.id)
    make(orders['O2'], jst(5, 12), [(a, 1, 'changed_mind')])
    make(orders['O3'], jst(9, 0, 30), [(c, 2, 'wrong_item')], packed_by=packer.id)
    make(orders['O3'], jst(4, 12), [(c, 1, 'wrong_item')], state='declined', packed_by=packer.id)
    db.session.commit()
    return week


def _rows(report, table, *keys):
    return [tuple(row[k] for k in keys) for row in report.tables[table].rows]


def test_floor_counts_mis_ships_per_million_parcels_beside_the_mis_scans(returns_week):
    t = services.floor(WEEK).totals
    # one parcel (R1's) came back mis-shipped of the three shipped: 1 / 3 x 1,000,000
    assert (t['mis_ships'], t['parcels_shipped']) == (1, 3)
    assert t['mis_ships_ppm'] == pytest.approx(333_333.33, abs=0.01)
    assert t['mis_scans_ppm'] == pytest.approx(666_666.67, abs=0.01)
    # the week after: R3 mis-shipped, but no parcel left that week
    assert services.floor(Filters(dt.date(2026, 3, 9), dt.date(2026, 3, 15))).totals['mis_ships_ppm'] is None


def test_returns_by_reason_fault_channel_product_and_packer(returns_week):
    report = services.returns(WEEK)
    t = report.totals
    assert (t['returns'], t['units'], t['parcels_shipped'], t['mis_ships']) == (2, 3, 3, 1)
    assert t['mis_ships_ppm'] == pytest.approx(333_333.33, abs=0.01)
    assert t['returns_per_parcel'] == pytest.approx(2 / 3)
    # one unit each of three units
    assert sorted(_rows(report, 'reasons', 'reason', 'fault', 'returns', 'units')) == [
        ('changed_mind', 'customer', 1, 1), ('defective', 'shop', 1, 1), ('wrong_item', 'shop', 1, 1)]
    assert all(row['share'] == pytest.approx(1 / 3) for row in report.tables['reasons'].rows)
    # the shop's two units came in one return
    assert _rows(report, 'faults', 'fault', 'returns', 'units', 'share') == [
        ('shop', 1, 2, pytest.approx(2 / 3)), ('customer', 1, 1, pytest.approx(1 / 3))]
    assert _rows(report, 'channels', 'channel', 'returns', 'units') == [('rakuten', 1, 2), ('amazon', 1, 1)]
    assert _rows(report, 'products', 'sku', 'returns', 'units') == [('A-1', 2, 2), ('B-1', 1, 1)]
    assert _rows(report, 'packers', 'packer', 'returns', 'units', 'share') == [('梱包 花子', 1, 1, 1.0)]


def test_a_channel_counts_its_own_returns_and_parcels(returns_week):
    t = services.returns(Filters(dt.date(2026, 3, 2), dt.date(2026, 3, 8), channel='rakuten')).totals
    # rakuten: R1 only; its parcels O1 and O3: 1 / 2 x 1,000,000
    assert (t['returns'], t['units'], t['parcels_shipped'], t['mis_ships']) == (1, 2, 2, 1)
    assert t['mis_ships_ppm'] == pytest.approx(500_000)
    amazon = services.returns(Filters(dt.date(2026, 3, 2), dt.date(2026, 3, 8), channel='amazon'))
    assert (amazon.totals['mis_ships'], amazon.totals['mis_ships_ppm'], amazon.tables['packers'].rows) == (0, 0, [])


def test_the_returns_report_as_csv_and_xlsx(returns_week, runner, tmp_path):
    args = ['report', 'returns', '--from', '2026-03-02', '--to', '2026-03-08']
    out = tmp_path / 'returns.xlsx'
    result = runner.invoke(args=[*args, '--format', 'xlsx', '-o', str(out)])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    assert len(workbook.sheetnames) >= 5
    csv = tmp_path / 'returns.csv'
    result = runner.invoke(args=[*args, '--format', 'csv', '--encoding', 'cp932', '--table', 'products',
                                 '-o', str(csv)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(csv, encoding='cp932')
    assert list(frame['SKU']) == ['A-1', 'B-1']
    assert list(frame['Units']) == [2, 1]


def test_the_returns_page_and_its_download(returns_week, client, login):
    login('manager')
    page = client.get('/reports/returns?from=2026-03-02&to=2026-03-08')
    assert page.status_code == 200
    assert '梱包 花子' in page.text
    csv = client.get('/reports/returns.csv?from=2026-03-02&to=2026-03-08&table=reasons')
    assert csv.status_code == 200
    assert csv.data.startswith(b'\xef\xbb\xbf')
    assert 'wrong_item' in csv.data.decode('utf-8-sig')
