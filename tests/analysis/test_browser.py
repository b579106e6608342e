"""The report pages in Chromium: every chart draws, and a filter change redraws it with new figures."""
from app.extensions import db


WEEK = 'from=2026-03-02&to=2026-03-08'

#: true when the canvas has any pixel that is not fully transparent
DRAWN = '''canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { return true; } }
  return false;
}'''


def test_each_report_page_draws_its_charts_and_a_filter_redraws_them(week, make_user, live_server,
                                                                       signed_in_page):
    make_user('manager', email='manager@example.jp')
    db.session.commit()  # the server is another thread: nothing of ours may hold the write lock
    page = signed_in_page('manager@example.jp')
    for subject in ('sales', 'abc', 'floor', 'stock', 'reorder', 'holds'):
        page.goto(f'{live_server}/reports/{subject}?{WEEK}')
        page.wait_for_selector('canvas[data-drawn=true]')
        canvases = page.locator('canvas[data-chart]')
        assert canvases.count() >= 1, subject
        for i in range(canvases.count()):
            assert canvases.nth(i).evaluate(DRAWN), f'{subject}: chart {i} is empty'

        before = page.locator('canvas[data-chart]').first.get_attribute('data-chart')
        image_before = page.locator('canvas[data-chart]').first.evaluate('c => c.toDataURL()')
        # Amazon alone: only O2 (ordered 03-02, shipped 03-03); every subject's first chart changes
        page.select_option('select[name=channel]', 'amazon')
        page.wait_for_function('before => { const c = document.querySelector("canvas[data-chart]");'
                               ' return c && c.dataset.chart !== before && c.dataset.drawn === "true"; }',
                               arg=before)
        assert 'channel=amazon' in page.url
        first = page.locator('canvas[data-chart]').first
        assert first.evaluate(DRAWN), f'{subject}: empty after the filter change'
        assert first.evaluate('c => c.toDataURL()') != image_before, f'{subject}: not redrawn'
