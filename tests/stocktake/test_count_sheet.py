"""The count sheet (棚卸し表): read back from the PDF with pypdfium2 and zxing-cpp, as a counter's scanner would."""
import pypdfium2 as pdfium
import pytest
import zxingcpp

from app.extensions import db
from app.stocktake import services
from labels.count_sheet import CountSheet, CountSheetLine, CountSheetLocation, count_sheet


#: a quantity found nowhere else on the sheet: if it shows, the book was shown
BOOKED = 7919
INCH = 72


def read(pdf: bytes) -> list[tuple[list[str], str]]:
    """Per page: the Code128 texts top to bottom, and the page's text."""
    pages = []
    for page in pdfium.PdfDocument(pdf):
        found = zxingcpp.read_barcodes(page.render(scale=200 / INCH).to_pil(), formats=zxingcpp.BarcodeFormat.Code128)
        found.sort(key=lambda b: (b.position.top_left.y, b.position.top_left.x))
        pages.append(([b.text for b in found], page.get_textpage().get_text_range()))
    return pages


@pytest.fixture
def shelves(make_product, stock):
    jar = make_product('JAR-7', name='信楽焼 壺')
    # made out of walking order: the sheet puts A-2 before A-10
    for code in ('A-10-01', 'A-2-01', 'A-9-01'):
        stock(jar, BOOKED, code)
    return jar


@pytest.mark.parametrize('blind', [True, False])
def test_the_sheet_lists_locations_in_walking_order_with_barcodes_and_the_book_only_when_not_blind(
        client, login, shelves, blind):
    count = services.start_count(prefix='A-', blind=blind, actor=None)
    db.session.commit()
    login('packer')
    response = client.get(f'/stocktake/{count.id}/sheet.pdf')
    assert response.status_code == 200 and response.mimetype == 'application/pdf'
    ((codes, text),) = read(response.data)
    assert codes == [count.number, 'A-2-01', 'A-9-01', 'A-10-01']
    assert text.count('JAR-7') == 3
    assert (str(BOOKED) in text) is not blind


def test_a_long_count_runs_over_pages_without_splitting_a_location():
    locations = tuple(CountSheetLocation(f'B-{n:02d}', tuple(CountSheetLine(f'SKU-{n}-{k}', '商品') for k in range(3)))
                      for n in range(1, 16))
    pages = read(count_sheet(CountSheet('C000042', 'Locations B-', '2026-12-07 10:00', True, locations)))
    assert len(pages) > 1
    assert all(codes[0] == 'C000042' for codes, _ in pages)
    assert [code for codes, _ in pages for code in codes[1:]] == [loc.code for loc in locations]
    for codes, text in pages:
        for code in codes[1:]:
            assert all(f'SKU-{int(code[2:])}-{k}' in text for k in range(3))


def test_a_blind_sheet_refuses_quantities():
    with pytest.raises(ValueError, match='blind'):
        count_sheet(CountSheet('C1', '', '', True, (CountSheetLocation('A', (CountSheetLine('S', 'n', '', 3),)),)))


def test_the_cli_writes_the_sheet(shelves, runner, tmp_path):
    count = services.start_count(prefix='A-9', actor=None)
    db.session.commit()
    out = tmp_path / 'sheet.pdf'
    result = runner.invoke(args=['stocktake', 'sheet', count.number, '-o', str(out)])
    assert result.exit_code == 0, result.output
    assert read(out.read_bytes())[0][0] == [count.number, 'A-9-01']
    assert runner.invoke(args=['stocktake', 'sheet', 'C999999', '-o', str(out)]).exit_code == 1
