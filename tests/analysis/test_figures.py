"""Each figure on a small week of orders whose answers are worked out by hand below.

The week is Monday 2026-03-02 to Sunday 2026-03-08 (JST).  Products: A-1 (1,000 yen, 10 %, cost 400,
lead time 4 days), B-1 (500 yen, 8 %, cost 200, no lead time: the default 7), C-1 (80 yen, 10 %, no cost).

  O1 rakuten 東京都 ordered 03-02 00:01 JST  A-1 x2, B-1 x1 = 2,500   shipped 03-02 15:01 (15 h)
  O2 amazon  大阪府 ordered 03-02 23:59 JST  A-1 x1       = 1,000   shipped 03-03 11:59 (12 h)
  O3 rakuten 東京都 ordered 03-03 10:00 JST  C-1 x5       =   400   shipped 03-04 10:00 (24 h), was backordered
  O4 rakuten 東京都 ordered 03-01 23:59 JST  A-1 x1       = 1,000   (the week before)
  O5 rakuten        ordered 03-04 09:00 JST  A-1 x10, cancelled     (left out)
  O6 store          ordered 03-09 00:01 JST  B-1 x1                 (the week after)
"""
import datetime as dt
import math

import pytest

from app.analysis import services
from app.analysis.queries import Filters
from app.errors import UserError
from importers.base import JST


WEEK = Filters(dt.date(2026, 3, 2), dt.date(2026, 3, 8))


def jst(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=JST)


def test_sales_counts_jst_days_and_leaves_out_cancelled_orders(week):
    report = services.sales(WEEK)
    # O1 + O2 + O3: 2,500 + 1,000 + 400; 3 + 1 + 5 units; 3,900 / 3 orders
    assert {k: report.totals[k] for k in ('orders', 'units', 'amount', 'aov')} == \
        {'orders': 3, 'units': 9, 'amount': 3900, 'aov': 1300}
    # 10 %: A-1 3 x 1,000 + C-1 5 x 80; 8 %: B-1 1 x 500
    assert report.totals['by_tax_rate'] == {10: 3400, 8: 500}
    days = {r['period']: (r['orders'], r['units'], r['amount']) for r in report.tables['periods'].rows}
    # 00:01 and 23:59 JST on 03-02 both fall on 03-02; 23:59 on 03-01 and 00:01 on 03-09 are outside
    assert days[dt.date(2026, 3, 2)] == (2, 4, 3500)
    assert days[dt.date(2026, 3, 3)] == (1, 5, 400)
    assert days[dt.date(2026, 3, 8)] == (0, 0, 0)
    assert len(days) == 7
    assert [(r['channel'], r['orders'], r['amount']) for r in report.tables['channels'].rows] == \
        [('rakuten', 2, 2900), ('amazon', 1, 1000)]
    assert [(r['prefecture'], r['orders'], r['units'], r['amount']) for r in report.tables['prefectures'].rows] == \
        [('東京都', 2, 8, 2900), ('大阪府', 1, 1, 1000)]
    assert [(r['sku'], r['units'], r['amount']) for r in report.tables['products'].rows] == \
        [('A-1', 3, 3000), ('B-1', 1, 500), ('C-1', 5, 400)]
    # the week before: O4 alone; 3,900 is 2.9 times more than 1,000
    assert report.totals['previous'] == {'orders': 1, 'units': 1, 'amount': 1000, 'aov': 1000}
    assert report.totals['change']['amount'] == pytest.approx(2.9)


def test_sales_by_week_and_month_sum_the_days(week):
    weekly = services.sales(WEEK, period='week').tables['periods'].rows
    assert [(r['period'], r['orders'], r['amount']) for r in weekly] == [(dt.date(2026, 3, 2), 3, 3900)]
    monthly = services.sales(Filters(dt.date(2026, 2, 25), dt.date(2026, 3, 8)), period='month').tables['periods']
    assert [(r['period'], r['orders'], r['amount']) for r in monthly.rows] == \
        [(dt.date(2026, 2, 1), 0, 0), (dt.date(2026, 3, 1), 4, 4900)]


def test_a_day_ends_at_midnight_japan_time(week):
    # 03-01 23:59 JST is O4 alone; 03-02 00:01 JST is O1's day
    assert services.sales(Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 1))).totals['orders'] == 1
    assert services.sales(Filters(dt.date(2026, 3, 2), dt.date(2026, 3, 2))).totals['amount'] == 3500


def test_sales_by_ship_date_and_channel(week):
    # shipped 03-03: O2 (ordered the day before)
    shipped = services.sales(Filters(dt.date(2026, 3, 3), dt.date(2026, 3, 3), basis='shipped'))
    assert (shipped.totals['orders'], shipped.totals['amount']) == (1, 1000)
    rakuten = services.sales(Filters(WEEK.date_from, WEEK.date_to, channel='rakuten'))
    assert (rakuten.totals['orders'], rakuten.totals['units'], rakuten.totals['amount']) == (2, 8, 2900)


def test_abc_classes_by_revenue_units_and_picks(week):
    report = services.abc(WEEK)
    rows = report.tables['products'].rows
    classes = {r['sku']: (r['amount_class'], r['units_class'], r['picks_class']) for r in rows}
    # revenue 3,000 / 500 / 400 of 3,900: shares before each 0, 0.769, 0.897 -> A, A, B
    # units C-1 5, A-1 3, B-1 1 of 9: before 0, 0.556, 0.889 -> A, A, B
    # picks A-1 2, B-1 1, C-1 1 of 4: before 0, 0.5, 0.75 -> all A
    assert classes == {'A-1': ('A', 'A', 'A'), 'B-1': ('A', 'B', 'A'), 'C-1': ('B', 'A', 'A')}
    assert report.totals['thresholds'] == {'A': 0.8, 'B': 0.95}


def test_floor_same_day_lead_time_packing_and_mis_scans(week):
    report = services.floor(WEEK)
    t = report.totals
    # before the 14:00 cutoff: O1 (shipped the same day) and O3 (the next day); O2 came in at 23:59
    assert (t['orders_before_cutoff'], t['shipped_same_day'], t['same_day_rate']) == (2, 1, 0.5)
    # lead times 12, 15, 24 hours: median 15; 90th percentile 15 + 0.8 x (24 - 15)
    assert t['lead_time_median_hours'] == pytest.approx(15)
    assert t['lead_time_p90_hours'] == pytest.approx(22.2)
    assert {r['bucket']: r['orders'] for r in report.tables['lead_times'].rows}['12–24h'] == 2
    # three parcels packed in an hour of sessions
    assert [(r['packer'], r['parcels'], r['hours'], r['per_hour']) for r in report.tables['packers'].rows] == \
        [('梱包 花子', 3, pytest.approx(1.0), pytest.approx(3.0))]
    # two refused scans for three parcels shipped: 2 / 3 x 1,000,000
    assert t['mis_scans_ppm'] == pytest.approx(666_666.67, abs=0.01)


def test_stock_value_cover_and_stock_outs(week):
    report = services.stock(WEEK)
    rows = {r['sku']: r for r in report.tables['products'].rows}
    # 5 x 400 + 4 x 200; C-1 has 3 on hand and no cost
    assert report.totals['value'] == 2800
    assert report.totals['products_without_cost'] == 1
    # A-1 sold 3 in 7 days; 5 available last 5 / (3 / 7) days
    assert rows['A-1']['cover_days'] == pytest.approx(35 / 3)
    # O3 waited for C-1: 1 of C-1's 1 order, 1 of the week's 3
    assert (rows['C-1']['orders_waited'], rows['C-1']['stockout_rate']) == (1, 1.0)
    assert report.totals['stockout_rate'] == pytest.approx(1 / 3)


def test_reorder_point_and_suggested_quantity(week):
    rows = {r['sku']: r for r in services.reorder(WEEK).tables['products'].rows}
    # days 3,0,0,0,0,0,0: mean 3/7, sample sd sqrt((9 - 9/7) / 6) = sqrt(9/7); lead time 4
    # reorder point 3/7 x 4 + 1.65 x sqrt(9/7) x 2 = 5.4561; 5 available: order ceil(5.4561 + 12/7 - 5) = 3
    assert rows['A-1']['reorder_point'] == pytest.approx(12 / 7 + 1.65 * math.sqrt(9 / 7) * 2)
    assert rows['A-1']['suggested'] == 3
    # B-1: mean 1/7, sd sqrt(1/7), lead time 7 (default): 1 + 1.65 = 2.65; 4 available: nothing to order
    assert (rows['B-1']['reorder_point'], rows['B-1']['suggested']) == (pytest.approx(2.65), 0)
    # C-1: mean 5/7, sd sqrt(25/7): 5 + 1.65 x 5 = 13.25; 3 available: ceil(13.25 + 5 - 3) = 16
    assert (rows['C-1']['reorder_point'], rows['C-1']['suggested']) == (pytest.approx(13.25), 16)


def test_holds_by_reason_and_wait(week):
    report = services.holds(WEEK, now=jst(3, 11, 59))
    rows = {r['reason']: r for r in report.tables['reasons'].rows}
    # out of stock: on 10:00, off 16:00; address check: on since 23:59 the day before, 12 hours by now
    assert (rows['out_of_stock']['still_on'], rows['out_of_stock']['median_hours']) == (0, pytest.approx(6))
    assert (rows['address_check']['still_on'], rows['address_check']['median_hours']) == (1, pytest.approx(12))
    assert (report.totals['holds'], report.totals['still_on'], report.totals['median_hours']) == (2, 1, 9)


def test_json_has_totals_and_rows(week):
    data = services.sales(WEEK).as_json()
    assert (data['totals']['orders'], data['totals']['units'], data['totals']['amount']) == (3, 9, 3900)
    assert data['rows'][0] == {'period': '2026-03-02', 'orders': 2, 'units': 4, 'amount': 3500, 'aov': 1750}


@pytest.mark.parametrize(('args', 'field'), [
    ((dt.date(2026, 3, 8), dt.date(2026, 3, 2)), 'to'),
    ((dt.date(2020, 1, 1), dt.date(2026, 3, 2)), 'from'),
    ((dt.date(2026, 3, 2), dt.date(2026, 3, 8), 'paid'), 'basis'),
    ((dt.date(2026, 3, 2), dt.date(2026, 3, 8), 'ordered', 'ebay'), 'channel'),
])
def test_bad_filters_are_refused_naming_the_field(args, field):
    with pytest.raises(UserError) as exc:
        services.make_filters(*args)
    assert exc.value.field == field


def test_every_report_answers_on_an_empty_database():
    for name, report in services.REPORTS.items():
        data = report(WEEK).as_json()
        assert data['subject'] == name
    assert services.sales(WEEK).totals['orders'] == 0
    assert services.today()['orders'] == 0
