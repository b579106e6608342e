"""The figures managers would otherwise work out in Excel: sales, ABC, floor, stock, reorder, holds, returns.

Each report takes `Filters` and returns a `Report`: its totals, its tables (rows as plain dicts,
columns typed for the report writer) and the chart data the screens draw.  The queries load sums
and rows; pandas does the arithmetic SQL does badly (periods, cumulative shares, percentiles,
spreads).  Cancelled orders are left out everywhere; amounts are goods, tax included, in yen.
"""
import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.analysis import queries
from app.analysis.queries import Filters
from app.channels.queries import open_oversell_count
from app.errors import UserError, as_user_errors
from app.orders.models import CHANNELS, Order, OrderLine
from app.orders.vocabulary import CHANNEL_LABELS, HOLD_LABELS
from app.returns.vocabulary import FAULT_LABELS
from app.settings.services import order_rules
from exporters.base import ExportResult
from exporters.sheets import Column, Sheet, write_report
from importers.base import JST


SUBJECTS = ('sales', 'abc', 'floor', 'stock', 'reorder', 'holds', 'returns')
PERIODS = ('day', 'week', 'month')
#: the longest period a report covers
MAX_DAYS = 731
#: ABC classes: A while the share before a product is under 80 %, B under 95 %, C the rest
ABC_THRESHOLDS = (0.80, 0.95)
#: safety factor for a 95 % chance of not running out during the lead time
SERVICE_Z = 1.65
#: the lead time of a product that has none recorded
DEFAULT_LEAD_TIME_DAYS = 7
#: products a chart shows at most
CHART_PRODUCTS = 50
#: lead-time buckets of the floor report, in hours
LEAD_TIME_BUCKETS = (0, 6, 12, 24, 48, 72)


@dataclasses.dataclass
class Table:
    title: object
    #: (key in the row dicts, how the column is written)
    columns: list[tuple[str, Column]]
    rows: list[dict]


@dataclasses.dataclass
class Report:
    subject: str
    title: object
    filters: Filters
    totals: dict
    tables: dict[str, Table]
    charts: dict

    @property
    def chart_data(self) -> dict:
        """The charts JSON-ready (a figure with no value, such as a rate of no orders, as null)."""
        return _plain(self.charts)

    def as_json(self) -> dict:
        """The figures as the screens chart them and `flask report --format json` writes them."""
        first = next(iter(self.tables.values()))
        return {'subject': self.subject, 'filters': {
                    'from': self.filters.date_from.isoformat(), 'to': self.filters.date_to.isoformat(),
                    'basis': self.filters.basis, 'channel': self.filters.channel},
                'totals': _plain(self.totals), 'rows': _plain(first.rows),
                'tables': {name: _plain(t.rows) for name, t in self.tables.items()}, 'charts': _plain(self.charts)}

    def file(self, format: str, *, encoding: str = 'utf-8', table: str | None = None) -> ExportResult:
        """The report as CSV (one table: `table`, or the first) or XLSX (every table a sheet)."""
        if table is not None and table not in self.tables:
            raise UserError(_l('This report has no table "%(table)s".', table=table), field='table')
        chosen = [table] if table else list(self.tables)
        if format == 'csv':
            chosen = chosen[:1]
        sheets = [Sheet(str(self.tables[name].title), [c for _, c in self.tables[name].columns],
                        [[row.get(key) for key, _ in self.tables[name].columns] for row in self.tables[name].rows])
                  for name in chosen]
        f = self.filters
        period = f'{f.date_from} – {f.date_to}'
        name = f'{self.subject}-{f.date_from}-{f.date_to}' + (f'-{chosen[0]}' if format == 'csv' else '')
        with as_user_errors():
            return write_report(sheets, format=format, filename=name, title=str(self.title), period=period,
                                made_at=dt.datetime.now(dt.UTC), encoding=encoding)


def _plain(value):
    """JSON-ready: numpy numbers as Python ones, NaN as None, dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) else round(float(value), 4)
    if isinstance(value, pd.Timestamp | dt.date):
        return value.date().isoformat() if isinstance(value, pd.Timestamp | dt.datetime) else value.isoformat()
    if value is pd.NaT:
        return None
    return value


def make_filters(date_from: dt.date, date_to: dt.date, basis: str = 'ordered', channel: str = '') -> Filters:
    """Checked filters: a period of at most MAX_DAYS, a known basis and channel."""
    if date_to < date_from:
        raise UserError(_l('The period ends before it starts.'), field='to')
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise UserError(_l('A report covers at most %(days)d days.', days=MAX_DAYS), field='from')
    if basis not in queries.BASES:
        raise UserError(_l('Date basis must be ordered or shipped.'), field='basis')
    if channel and channel not in CHANNELS:
        raise UserError(_l('Unknown channel "%(channel)s".', channel=channel), field='channel')
    return Filters(date_from, date_to, basis, channel)


def _ratio(part, whole):
    return None if not whole else part / whole


def _channel_name(code):
    return str(CHANNEL_LABELS.get(code, code))


# ------------------------------------------------------------------------------------------------ sales

SALES_COLUMNS = [('orders', Column(_l('Orders'), 'int')), ('units', Column(_l('Units'), 'int')),
                 ('amount', Column(_l('Sales (tax incl.)'), 'yen')), ('aov', Column(_l('Average order'), 'yen'))]


def _with_aov(frame: pd.DataFrame) -> pd.DataFrame:
    frame['aov'] = (frame['amount'] / frame['orders']).round(0)
    return frame


def _sales_totals(by_day: pd.DataFrame) -> dict:
    orders, units, amount = (int(by_day[c].sum()) for c in ('orders', 'units', 'amount'))
    return {'orders': orders, 'units': units, 'amount': amount, 'aov': round(amount / orders) if orders else None}


def sales(f: Filters, period: str = 'day') -> Report:
    """Sales by day, week or month, by channel, product, prefecture and tax rate, and the previous period."""
    if period not in PERIODS:
        raise UserError(_l('Period must be day, week or month.'), field='period')
    by_day = queries.sales_by_day(f)
    totals = _sales_totals(by_day)
    previous = _sales_totals(queries.sales_by_day(f.previous()))
    totals['previous'] = previous
    totals['change'] = {k: _ratio(totals[k] - previous[k], previous[k]) if totals[k] is not None
                        and previous[k] is not None else None for k in ('orders', 'units', 'amount', 'aov')}

    # every day of the period, those without sales too, so the chart shows the gaps
    days = pd.DataFrame({'day': pd.date_range(f.date_from, f.date_to, freq='D')})
    daily = days.merge(by_day.groupby('day', as_index=False)[['orders', 'units', 'amount']].sum(),
                       on='day', how='left').fillna(0)
    if period == 'week':
        daily['period'] = daily['day'].dt.to_period('W-SUN').dt.start_time
    elif period == 'month':
        daily['period'] = daily['day'].dt.to_period('M').dt.start_time
    else:
        daily['period'] = daily['day']
    periods = _with_aov(daily.groupby('period', as_index=False)[['orders', 'units', 'amount']].sum())
    periods['period'] = periods['period'].dt.date
    for c in ('orders', 'units', 'amount'):
        periods[c] = periods[c].astype(int)

    channels = _with_aov(by_day.groupby('channel', as_index=False)[['orders', 'units', 'amount']].sum()
                         .sort_values('amount', ascending=False))
    products = queries.sales_by_product(f)
    products['sku'] = products['sku'].fillna('')
    products['name'] = products['name'].fillna(str(_l('(lines with no product)')))
    products = _with_aov(products.sort_values(['amount', 'sku'], ascending=[False, True]))
    prefectures = _with_aov(queries.sales_by(f, Order.ship_prefecture, 'prefecture')
                            .sort_values('amount', ascending=False))
    rates = queries.sales_by(f, OrderLine.tax_rate, 'tax_rate').sort_values('tax_rate', ascending=False)
    totals['by_tax_rate'] = {int(r.tax_rate): int(r.amount) for r in rates.itertuples()}

    tables = {
        'periods': Table(_l('Sales by period'), [('period', Column(_l('Period'), 'date')), *SALES_COLUMNS],
                         periods.to_dict('records')),
        'channels': Table(_l('Sales by channel'), [('channel', Column(_l('Channel'), names=CHANNEL_LABELS)),
                                                   *SALES_COLUMNS], channels.to_dict('records')),
        'products': Table(_l('Sales by product'), [('sku', Column(_l('SKU'))), ('name', Column(_l('Product'))),
                                                   *SALES_COLUMNS], products.to_dict('records')),
        'prefectures': Table(_l('Sales by prefecture'), [('prefecture', Column(_l('Prefecture'))), *SALES_COLUMNS],
                             prefectures.to_dict('records')),
        'tax_rates': Table(_l('Sales by tax rate'), [('tax_rate', Column(_l('Tax rate (%)'), 'int')),
                                                     ('orders', Column(_l('Orders'), 'int')),
                                                     ('units', Column(_l('Units'), 'int')),
                                                     ('amount', Column(_l('Sales (tax incl.)'), 'yen'))],
                           rates.to_dict('records')),
    }
    charts = {
        'periods': {'type': 'bar', 'labels': [p.isoformat() for p in periods['period']],
                    'datasets': [{'label': str(_l('Sales (tax incl.)')), 'data': periods['amount'].tolist()}]},
        'channels': {'type': 'doughnut', 'labels': [_channel_name(c) for c in channels['channel']],
                     'datasets': [{'label': str(_l('Sales (tax incl.)')), 'data': channels['amount'].tolist()}]},
    }
    return Report('sales', _l('Sales'), f, totals, tables, charts)


# -------------------------------------------------------------------------------------------------- ABC

def abc_classes(values: pd.Series) -> pd.Series:
    """A, B or C per value: sorted high to low, a product is A while the share of those before it is under
    80 %, B under 95 %, C after; a product with nothing is C."""
    ordered = values.sort_values(ascending=False, kind='stable')
    total = ordered.sum()
    if not total:
        return pd.Series('C', index=values.index)
    before = (ordered.cumsum() - ordered) / total
    classes = pd.Series(np.select([before < ABC_THRESHOLDS[0], before < ABC_THRESHOLDS[1]], ['A', 'B'], 'C'),
                        index=ordered.index)
    classes[ordered == 0] = 'C'
    return classes.reindex(values.index)


def classes_by_units(f: Filters) -> dict[int, str]:
    """Each product's ABC class by units in the period (the stocktake counts A more often); a product
    with no units in it is C and is left out of the answer."""
    frame = queries.sales_by_product(f)
    frame = frame[frame['product_id'].notna()]
    return {int(product): str(cls) for product, cls in zip(frame['product_id'], abc_classes(frame['units']),
                                                           strict=True)}


def abc(f: Filters) -> Report:
    """Products classed A/B/C by revenue, by units and by pick frequency (order lines)."""
    frame = queries.sales_by_product(f)
    frame = frame[frame['product_id'].notna()].copy()
    for measure in ('amount', 'units', 'picks'):
        frame[f'{measure}_share'] = frame[measure] / frame[measure].sum() if frame[measure].sum() else 0.0
        frame[f'{measure}_class'] = abc_classes(frame[measure])
    frame = frame.sort_values(['amount', 'sku'], ascending=[False, True])
    counts = {m: {c: int((frame[f'{m}_class'] == c).sum()) for c in 'ABC'} for m in ('amount', 'units', 'picks')}
    totals = {'products': len(frame), 'thresholds': {'A': ABC_THRESHOLDS[0], 'B': ABC_THRESHOLDS[1]},
              'classes': counts}
    columns = [('sku', Column(_l('SKU'))), ('name', Column(_l('Product'))),
               ('amount', Column(_l('Sales (tax incl.)'), 'yen')), ('amount_share', Column(_l('Share'), 'percent')),
               ('amount_class', Column(_l('Class by sales'))), ('units', Column(_l('Units'), 'int')),
               ('units_class', Column(_l('Class by units'))), ('picks', Column(_l('Picks'), 'int')),
               ('picks_class', Column(_l('Class by picks')))]
    cumulative = (frame['amount'].cumsum() / frame['amount'].sum() * 100).round(1) if len(frame) else frame['amount']
    # the Pareto curve of the best sellers: past a few dozen bars a chart shows nothing more
    top = frame.head(CHART_PRODUCTS)
    charts = {'pareto': {'type': 'bar', 'labels': top['sku'].tolist(), 'datasets': [
        {'label': str(_l('Sales (tax incl.)')), 'data': top['amount'].tolist(), 'yAxisID': 'y'},
        {'label': str(_l('Cumulative share (%)')), 'data': cumulative.head(CHART_PRODUCTS).tolist(), 'type': 'line',
         'yAxisID': 'y1'}]}}
    return Report('abc', _l('ABC analysis'), f, totals,
                  {'products': Table(_l('ABC analysis'), columns, frame.to_dict('records'))}, charts)


# ------------------------------------------------------------------------------------------------ floor

def floor(f: Filters) -> Report:
    """Same-day shipping against the cutoff, order-to-ship lead time, packing rate, mis-scans and mis-ships per
    million parcels shipped."""
    cutoff = dt.time.fromisoformat(order_rules().shipping_cutoff)
    orders = queries.parcels(f)
    ordered_day = orders['ordered_at'].dt.date
    before_cutoff = orders['ordered_at'].dt.time < cutoff
    same_day = before_cutoff & (orders['shipped_at'].dt.date == ordered_day)
    by_day = pd.DataFrame({'day': ordered_day, 'before_cutoff': before_cutoff, 'same_day': same_day})
    daily = by_day.groupby('day', as_index=False)[['before_cutoff', 'same_day']].sum()
    daily['rate'] = daily['same_day'] / daily['before_cutoff'].where(daily['before_cutoff'] > 0)

    shipped = orders[orders['shipped_at'].notna()]
    hours = (shipped['shipped_at'] - shipped['ordered_at']).dt.total_seconds() / 3600
    edges = [*LEAD_TIME_BUCKETS, math.inf]
    labels = [f'{a}–{b}h' if b != math.inf else f'{a}h–' for a, b in zip(edges, edges[1:])]
    buckets = pd.cut(hours, edges, right=False, labels=labels).value_counts().reindex(labels, fill_value=0)

    packers = queries.packing(f)
    packers['per_hour'] = packers['parcels'] / packers['hours'].where(packers['hours'] > 0)
    packers = packers.sort_values('parcels', ascending=False)
    scans, parcels_out = queries.mis_scans(f), queries.parcels_shipped(f)
    # beside the mis-scans, which belong to no channel, the mis-ships of every channel
    mis_ships = queries.mis_ships(dataclasses.replace(f, channel=''))
    totals = {
        'cutoff': cutoff.strftime('%H:%M'),
        'orders_before_cutoff': int(before_cutoff.sum()), 'shipped_same_day': int(same_day.sum()),
        'same_day_rate': _ratio(int(same_day.sum()), int(before_cutoff.sum())),
        'lead_time_median_hours': float(hours.median()) if len(hours) else None,
        'lead_time_p90_hours': float(hours.quantile(0.9)) if len(hours) else None,
        'parcels_shipped': parcels_out, 'mis_scans': scans,
        'mis_scans_ppm': _ratio(scans * 1_000_000, parcels_out),
        'mis_ships': mis_ships, 'mis_ships_ppm': _ratio(mis_ships * 1_000_000, parcels_out),
    }
    tables = {
        'days': Table(_l('Same-day shipping'), [
            ('day', Column(_l('Order day'), 'date')), ('before_cutoff', Column(_l('Orders before the cutoff'), 'int')),
            ('same_day', Column(_l('Shipped the same day'), 'int')), ('rate', Column(_l('Rate'), 'percent'))],
            daily.to_dict('records')),
        'lead_times': Table(_l('Order-to-ship lead time'), [
            ('bucket', Column(_l('Hours from order to shipping'))), ('orders', Column(_l('Orders'), 'int'))],
            [{'bucket': k, 'orders': int(v)} for k, v in buckets.items()]),
        'packers': Table(_l('Packing rate'), [
            ('packer', Column(_l('Packer'))), ('parcels', Column(_l('Parcels'), 'int')),
            ('hours', Column(_l('Packing hours'), 'decimal')), ('per_hour', Column(_l('Parcels per hour'), 'decimal'))],
            packers[['packer', 'parcels', 'hours', 'per_hour']].to_dict('records')),
    }
    charts = {
        'same_day': {'type': 'line', 'labels': [d.isoformat() for d in daily['day']],
                     'datasets': [{'label': str(_l('Same-day rate (%)')),
                                   'data': (daily['rate'] * 100).round(1).tolist()}]},
        'lead_times': {'type': 'bar', 'labels': labels,
                       'datasets': [{'label': str(_l('Orders')), 'data': [int(v) for v in buckets.tolist()]}]},
    }
    return Report('floor', _l('Floor'), f, totals, tables, charts)


# ------------------------------------------------------------------------------------------------ stock

def _demand(f: Filters, product_ids) -> pd.DataFrame:
    """Per product: mean and spread (sample standard deviation) of units a JST day, days without any as 0."""
    daily = queries.daily_units(f)
    grid = pd.MultiIndex.from_product([list(product_ids), pd.date_range(f.date_from, f.date_to, freq='D')],
                                      names=['product_id', 'day'])
    units = daily.set_index(['product_id', 'day'])['units'].reindex(grid, fill_value=0).astype(float)
    grouped = units.groupby(level='product_id')
    return pd.DataFrame({'sold': grouped.sum(), 'daily_mean': grouped.mean(),
                         'daily_sd': grouped.std(ddof=1).fillna(0.0)}).reset_index()


def _stock_frame(f: Filters) -> pd.DataFrame:
    frame = queries.products().merge(queries.stock_on_hand(), on='product_id', how='left')
    for column in ('on_hand', 'allocated'):
        frame[column] = pd.to_numeric(frame[column]).fillna(0).astype(int)
    frame['available'] = frame['on_hand'] - frame['allocated']
    return frame.merge(_demand(f, frame['product_id']), on='product_id', how='left')


def stock(f: Filters) -> Report:
    """Stock value at cost, days of cover at the period's sales rate, and the orders that waited for stock."""
    frame = _stock_frame(f)
    frame['value'] = frame['on_hand'] * frame['cost']
    frame['cover_days'] = frame['available'] / frame['daily_mean'].where(frame['daily_mean'] > 0)
    waited = queries.waited_for_stock(f)
    ordered = queries.sales_by_product(f)[['product_id', 'orders']]
    frame = frame.merge(waited, on='product_id', how='left').merge(ordered, on='product_id', how='left')
    for column in ('orders_waited', 'units_waited', 'orders'):
        frame[column] = pd.to_numeric(frame[column]).fillna(0).astype(int)
    frame['stockout_rate'] = frame['orders_waited'] / frame['orders'].where(frame['orders'] > 0)
    frame = frame[(frame['on_hand'] > 0) | (frame['orders'] > 0)].sort_values('sku')
    all_orders = int(queries.sales_by_day(f)['orders'].sum())
    waited_orders = queries.orders_waited(f)
    totals = {'value': int(frame['value'].sum()), 'units_on_hand': int(frame['on_hand'].sum()),
              'products_without_cost': int((frame['cost'].isna() & (frame['on_hand'] > 0)).sum()),
              'orders': all_orders, 'orders_waited': waited_orders,
              'stockout_rate': _ratio(waited_orders, all_orders)}
    columns = [('sku', Column(_l('SKU'))), ('name', Column(_l('Product'))), ('on_hand', Column(_l('On hand'), 'int')),
               ('available', Column(_l('Available'), 'int')), ('cost', Column(_l('Cost'), 'yen')),
               ('value', Column(_l('Value at cost'), 'yen')), ('sold', Column(_l('Units sold'), 'int')),
               ('daily_mean', Column(_l('Units a day'), 'decimal')),
               ('cover_days', Column(_l('Days of cover'), 'decimal')),
               ('orders_waited', Column(_l('Orders that waited for stock'), 'int')),
               ('stockout_rate', Column(_l('Stock-out rate'), 'percent'))]
    # the products that run out first, then where the money is
    short = frame[frame['cover_days'].notna()].sort_values('cover_days').head(CHART_PRODUCTS)
    top = frame.sort_values('value', ascending=False).head(CHART_PRODUCTS)
    charts = {'cover': {'type': 'bar', 'labels': short['sku'].tolist(), 'datasets': [
                  {'label': str(_l('Days of cover')), 'data': short['cover_days'].round(1).tolist()}]},
              'value': {'type': 'bar', 'labels': top['sku'].tolist(), 'datasets': [
                  {'label': str(_l('Value at cost')), 'data': top['value'].fillna(0).tolist()}]}}
    return Report('stock', _l('Stock'), f, totals, {'products': Table(_l('Stock'), columns,
                                                                       frame.to_dict('records'))}, charts)


def reorder(f: Filters) -> Report:
    """Reorder points from the period's daily demand: mean × lead time + z × σ × √lead time, and what to order."""
    frame = _stock_frame(f)
    frame = frame[frame['sold'] > 0].copy()
    frame['lead_time'] = frame['lead_time_days'].fillna(DEFAULT_LEAD_TIME_DAYS).astype(int)
    frame['safety_stock'] = SERVICE_Z * frame['daily_sd'] * np.sqrt(frame['lead_time'])
    frame['reorder_point'] = frame['daily_mean'] * frame['lead_time'] + frame['safety_stock']
    # order when available is at or below the reorder point, enough to cover one more lead time
    wanted = np.ceil(frame['reorder_point'] + frame['daily_mean'] * frame['lead_time'] - frame['available'])
    frame['suggested'] = np.where(frame['available'] <= frame['reorder_point'], wanted.clip(lower=0), 0).astype(int)
    frame = frame.sort_values(['suggested', 'sku'], ascending=[False, True])
    totals = {'products': len(frame), 'to_order': int((frame['suggested'] > 0).sum()),
              'units_to_order': int(frame['suggested'].sum()), 'z': SERVICE_Z,
              'default_lead_time_days': DEFAULT_LEAD_TIME_DAYS}
    columns = [('sku', Column(_l('SKU'))), ('name', Column(_l('Product'))),
               ('available', Column(_l('Available'), 'int')), ('daily_mean', Column(_l('Units a day'), 'decimal')),
               ('daily_sd', Column(_l('Daily spread (σ)'), 'decimal')),
               ('lead_time', Column(_l('Lead time (days)'), 'int')),
               ('safety_stock', Column(_l('Safety stock'), 'decimal')),
               ('reorder_point', Column(_l('Reorder point'), 'decimal')),
               ('suggested', Column(_l('Suggested order'), 'int'))]
    due = frame[frame['suggested'] > 0].head(CHART_PRODUCTS)
    charts = {'reorder': {'type': 'bar', 'labels': due['sku'].tolist(), 'datasets': [
        {'label': str(_l('Available')), 'data': due['available'].tolist()},
        {'label': str(_l('Reorder point')), 'data': due['reorder_point'].round(1).tolist()}]}}
    return Report('reorder', _l('Reorder suggestions'), f, totals,
                  {'products': Table(_l('Reorder suggestions'), columns, frame.to_dict('records'))}, charts)


# ------------------------------------------------------------------------------------------------ holds

def holds(f: Filters, *, now: dt.datetime | None = None) -> Report:
    """Holds put on in the period by reason: how many, how many still on, and how long they waited."""
    now = now or dt.datetime.now(dt.UTC)
    frame = queries.holds(f)
    frame['open'] = frame['released_at'].isna()
    frame['wait_hours'] = (frame['released_at'].fillna(pd.Timestamp(now)) - frame['created_at']) \
        .dt.total_seconds() / 3600
    grouped = frame.groupby('reason').agg(holds=('reason', 'size'), still_on=('open', 'sum'),
                                          median_hours=('wait_hours', 'median'),
                                          longest_hours=('wait_hours', 'max')).reset_index()
    grouped = grouped.sort_values('holds', ascending=False)
    totals = {'holds': len(frame), 'still_on': int(frame['open'].sum()),
              'median_hours': float(frame['wait_hours'].median()) if len(frame) else None}
    columns = [('reason', Column(_l('Reason'), names=HOLD_LABELS)), ('holds', Column(_l('Holds'), 'int')),
               ('still_on', Column(_l('Still on hold'), 'int')),
               ('median_hours', Column(_l('Median wait (hours)'), 'decimal')),
               ('longest_hours', Column(_l('Longest wait (hours)'), 'decimal'))]
    charts = {'reasons': {'type': 'bar', 'labels': [str(HOLD_LABELS.get(r, r)) for r in grouped['reason']],
                          'datasets': [{'label': str(_l('Holds')), 'data': grouped['holds'].tolist()}]}}
    return Report('holds', _l('Holds'), f, totals, {'reasons': Table(_l('Holds'), columns,
                                                                     grouped.to_dict('records'))}, charts)


# ------------------------------------------------------------------------------------------------ returns

def _returns_by(lines: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = lines.groupby(keys, as_index=False, dropna=False).agg(returns=('return_id', 'nunique'),
                                                                    units=('units', 'sum'))
    grouped['share'] = grouped['units'] / lines['units'].sum() if len(lines) else 0.0
    return grouped.sort_values(['units', 'returns'], ascending=False)


def returns(f: Filters) -> Report:
    """Returns opened in the period by reason, fault, channel, product and (for 誤出荷) packer; mis-ships per
    million parcels shipped."""
    lines = queries.returned_lines(f)
    locale = get_locale()
    lines['reason_label'] = lines['label_en' if locale and locale.language == 'en' else 'label_ja']
    lines['packer'] = lines['packer'].fillna('')
    parcels_out, mis_ships = queries.parcels_shipped(f, of_channel=True), queries.mis_ships(f)
    totals = {'returns': int(lines['return_id'].nunique()), 'units': int(lines['units'].sum()),
              'parcels_shipped': parcels_out, 'mis_ships': mis_ships,
              'mis_ships_ppm': _ratio(mis_ships * 1_000_000, parcels_out),
              'returns_per_parcel': _ratio(int(lines['return_id'].nunique()), parcels_out)}
    counted = [('returns', Column(_l('Returns'), 'int')), ('units', Column(_l('Units'), 'int')),
               ('share', Column(_l('Share of units'), 'percent'))]
    by_reason = _returns_by(lines, ['reason', 'reason_label', 'fault'])
    by_fault = _returns_by(lines, ['fault'])
    by_channel = _returns_by(lines, ['channel'])
    by_product = _returns_by(lines, ['sku', 'name'])
    mis_shipped = lines[lines['reason'] == queries.MIS_SHIP_REASON]
    by_packer = _returns_by(mis_shipped, ['packer'])
    by_packer['share'] = by_packer['units'] / mis_shipped['units'].sum() if len(mis_shipped) else 0.0
    tables = {
        'reasons': Table(_l('Returns by reason'), [
            ('reason', Column(_l('Key'))), ('reason_label', Column(_l('Reason'))),
            ('fault', Column(_l('Fault'), names=FAULT_LABELS)), *counted], by_reason.to_dict('records')),
        'faults': Table(_l('Returns by fault'), [('fault', Column(_l('Fault'), names=FAULT_LABELS)), *counted],
                        by_fault.to_dict('records')),
        'channels': Table(_l('Returns by channel'), [('channel', Column(_l('Channel'), names=CHANNEL_LABELS)),
                                                     *counted], by_channel.to_dict('records')),
        'products': Table(_l('Returns by product'), [('sku', Column(_l('SKU'))), ('name', Column(_l('Product'))),
                                                     *counted], by_product.to_dict('records')),
        'packers': Table(_l('Mis-shipments by packer'), [('packer', Column(_l('Packer'))), *counted],
                         by_packer.to_dict('records')),
    }
    charts = {
        'reasons': {'type': 'bar', 'labels': by_reason['reason_label'].tolist(),
                    'datasets': [{'label': str(_l('Units')), 'data': by_reason['units'].tolist()}]},
        'faults': {'type': 'doughnut', 'labels': [str(FAULT_LABELS.get(k, k)) for k in by_fault['fault']],
                   'datasets': [{'label': str(_l('Units')), 'data': by_fault['units'].tolist()}]},
    }
    return Report('returns', _l('Returns'), f, totals, tables, charts)


REPORTS = {'sales': sales, 'abc': abc, 'floor': floor, 'stock': stock, 'reorder': reorder, 'holds': holds,
           'returns': returns}


def today(now: dt.datetime | None = None) -> dict:
    """The home page's figures: today's sales and what needs someone's attention."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(JST)
    day = now.date()
    figures = {'day': day, **_sales_totals(queries.sales_by_day(Filters(day, day)))}
    cutoff = dt.datetime.combine(day, dt.time.fromisoformat(order_rules().shipping_cutoff), tzinfo=JST)
    # late: in before the last cutoff that has passed (today's, or yesterday's until today's comes) and not gone
    last_cutoff = cutoff if now >= cutoff else cutoff - dt.timedelta(days=1)
    figures['waiting_beyond_cutoff'] = queries.waiting_beyond_cutoff(last_cutoff)
    figures['backordered'] = queries.backordered_orders()
    # an open oversell sends the product as 0 to every mall until someone clears it
    figures['oversells'] = open_oversell_count()
    return figures
