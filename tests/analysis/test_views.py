"""The report pages: filters, the HTMX region, downloads, JSON, and today's figures for managers."""
import io

import pandas as pd
from openpyxl import load_workbook

from app.analysis import services as analysis
from app.channels.models import Oversell
from app.database import utcnow
from app.extensions import db


WEEK = 'from=2026-03-02&to=2026-03-08'


def test_each_report_page_shows_its_charts_and_tables(week, client, login):
    login('manager')
    for subject in ('sales', 'abc', 'floor', 'stock', 'reorder', 'holds', 'returns'):
        response = client.get(f'/reports/{subject}?{WEEK}')
        assert response.status_code == 200, subject
        page = response.get_data(as_text=True)
        assert 'data-chart=' in page and 'chart-4.6.2.umd.min.js' in page, subject


def test_a_filter_change_gets_just_the_region(week, client, login):
    login('manager')
    response = client.get(f'/reports/sales?{WEEK}&channel=amazon', headers={'HX-Request': 'true'})
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('{#') or page.lstrip().startswith('<div id="analysis-region"')
    assert '<html' not in page
    assert '¥1,000' in page and '¥3,900' not in page
    assert response.headers['Vary'] == 'Cookie, HX-Request' or 'HX-Request' in response.headers['Vary']


def test_the_json_is_what_the_charts_draw(week, client, login):
    login('manager')
    data = client.get(f'/reports/sales.json?{WEEK}').get_json()
    assert (data['totals']['orders'], data['totals']['units'], data['totals']['amount']) == (3, 9, 3900)
    assert data['charts']['periods']['datasets'][0]['data'][:2] == [3500, 400]


def test_bad_filters_are_refused_with_the_reason(client, login):
    login('manager')
    response = client.get('/reports/sales?from=2026-03-08&to=2026-03-02')
    assert response.status_code == 400
    assert 'The period ends before it starts.' in response.get_data(as_text=True)
    assert client.get('/reports/sales?from=yesterday').status_code == 400
    assert client.get('/reports/sales?basis=paid').status_code == 400
    assert client.get('/reports/abc.csv?table=nothing').status_code == 400
    assert client.get('/reports/abc.csv?encoding=latin-1').status_code == 400


def test_managers_see_todays_sales_and_what_needs_them(client, login):
    login('manager')
    page = client.get('/').get_data(as_text=True)
    assert "Today's sales (tax incl.)" in page and 'Orders waiting beyond the cutoff' in page
    assert "Today's sales (tax incl.)" in client.get('/reports/').get_data(as_text=True)


def test_the_home_page_shows_open_oversells_only_when_there_are_any(client, login, make_product):
    login('manager')
    assert 'today-oversells' not in client.get('/').get_data(as_text=True)
    tea = make_product('TEA-1')
    db.session.add_all([Oversell(product_id=tea.id, channel='rakuten', short=2),
                        Oversell(product_id=tea.id, channel='amazon', short=1),
                        Oversell(product_id=tea.id, channel='amazon', short=1, cleared_at=utcnow())])
    db.session.commit()
    assert analysis.today()['oversells'] == 2
    for url in ('/', '/reports/'):
        page = client.get(url).get_data(as_text=True)
        card = page[page.index('id="today-oversells"'):]
        assert card[:card.index('</a>')].endswith('<strong>2</strong><span>Open oversells</span>'), url


def test_clerks_home_page_has_no_sales(client, login):
    login('clerk')
    assert "Today's sales" not in client.get('/').get_data(as_text=True)


def test_the_report_screens_download_their_tables(week, client, login):
    login('manager')
    response = client.get('/reports/sales.xlsx?from=2026-03-02&to=2026-03-08')
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.data))['Sales by period']['D3'].value == 3500
    response = client.get('/reports/abc.csv?from=2026-03-02&to=2026-03-08&encoding=cp932')
    frame = pd.read_csv(io.BytesIO(response.data), encoding='cp932')
    assert list(frame['SKU']) == ['A-1', 'B-1', 'C-1']
