"""`flask report` and the report files: JSON figures, XLSX as Excel shows it, Shift_JIS CSV for pandas."""
import json

import pandas as pd
from openpyxl import load_workbook


ARGS = ['--from', '2026-03-02', '--to', '2026-03-08']


def test_report_json_has_the_sales_totals_and_rows(week, runner, tmp_path):
    out = tmp_path / 'sales.json'
    result = runner.invoke(args=['report', 'sales', *ARGS, '--format', 'json', '-o', str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    # O1 + O2 + O3 (the cancelled O5 left out): 3 orders, 9 units, 3,900 yen
    assert (data['totals']['orders'], data['totals']['units'], data['totals']['amount']) == (3, 9, 3900)
    assert len(data['rows']) == 7
    assert data['rows'][1] == {'period': '2026-03-03', 'orders': 1, 'units': 5, 'amount': 400, 'aov': 400}


def test_report_by_ship_date_and_channel(week, runner, tmp_path):
    out = tmp_path / 'sales.json'
    runner.invoke(args=['report', 'sales', '--from', '2026-03-03', '--to', '2026-03-03', '--basis', 'shipped',
                        '--channel', 'amazon', '--format', 'json', '-o', str(out)])
    assert json.loads(out.read_text())['totals']['amount'] == 1000


def test_report_xlsx_has_typed_cells_a_frozen_header_and_a_filter(week, runner, tmp_path):
    out = tmp_path / 'sales.xlsx'
    result = runner.invoke(args=['report', 'sales', *ARGS, '--format', 'xlsx', '-o', str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ['Sales by period', 'Sales by channel', 'Sales by product', 'Sales by prefecture',
                               'Sales by tax rate']
    periods = book['Sales by period']
    assert periods['A1'].value.startswith('Sales — period: 2026-03-02 – 2026-03-08 — made ')
    assert [c.value for c in periods[2]] == ['Period', 'Orders', 'Units', 'Sales (tax incl.)', 'Average order']
    assert periods['A3'].value.date().isoformat() == '2026-03-02'
    assert periods['A3'].number_format == 'yyyy-mm-dd'
    assert (periods['D3'].value, periods['D3'].number_format) == (3500, '"¥"#,##0')
    assert periods['B3'].number_format == '#,##0'
    assert periods.freeze_panes == 'A3'
    assert periods.auto_filter.ref == 'A2:E9'
    assert periods.column_dimensions['D'].width >= len('Sales (tax incl.)')
    channels = book['Sales by channel']
    # codes shown by their names
    assert [channels.cell(row, 1).value for row in (3, 4)] == ['Rakuten', 'Amazon']


def test_report_csv_in_shift_jis_reads_back_with_pandas(week, runner, tmp_path):
    out = tmp_path / 'abc.csv'
    result = runner.invoke(args=['report', 'sales', *ARGS, '--table', 'prefectures', '--encoding', 'cp932',
                                 '-o', str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, encoding='cp932')
    assert list(frame['Prefecture']) == ['東京都', '大阪府']
    assert list(frame['Sales (tax incl.)']) == [2900, 1000]


def test_every_report_writes_each_format(week, runner, tmp_path):
    for subject in ('sales', 'abc', 'floor', 'stock', 'reorder', 'holds', 'returns'):
        for file_format in ('csv', 'xlsx', 'json'):
            out = tmp_path / f'{subject}.{file_format}'
            result = runner.invoke(args=['report', subject, *ARGS, '--format', file_format, '-o', str(out)])
            assert result.exit_code == 0, (subject, file_format, result.output)
            assert out.stat().st_size > 0


def test_a_bad_period_is_refused(runner, tmp_path):
    result = runner.invoke(args=['report', 'sales', '--from', '2026-03-08', '--to', '2026-03-02',
                                 '-o', str(tmp_path / 'x.csv')])
    assert result.exit_code != 0
    assert 'The period ends before it starts.' in result.output
