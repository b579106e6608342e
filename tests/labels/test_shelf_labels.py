"""Shelf labels (棚ラベル) and product labels: every barcode on the sheet scans back as what it says."""
import pypdfium2 as pdfium
import pytest
import zxingcpp

from labels import LocationLabel, ProductLabel, location_labels, product_labels


INCH = 72


@pytest.fixture(autouse=True)
def app_context():
    """Replaces the application context of tests/conftest.py: documents need no app and no database."""


def scan(pdf: bytes, index: int = 0, dpi: int = 200) -> list[tuple[str, str]]:
    image = pdfium.PdfDocument(pdf)[index].render(scale=dpi / INCH).to_pil()
    found = zxingcpp.read_barcodes(image)
    found.sort(key=lambda b: (b.position.top_left.y, b.position.top_left.x))
    return [(b.format.name, b.text) for b in found]


def pages(pdf: bytes) -> int:
    return len(pdfium.PdfDocument(pdf))


def text(pdf: bytes, index: int = 0) -> str:
    return pdfium.PdfDocument(pdf)[index].get_textpage().get_text_range()


@pytest.mark.parametrize(('grid', 'per_page'), [('2x6', 12), ('3x8', 24), ('4x10', 40)])
def test_location_labels_scan_as_their_codes_in_the_sheet_s_order(grid, per_page):
    codes = [f'A-{aisle:02d}-{bay:02d}-1' for aisle in range(1, 4) for bay in range(1, 6)]   # 15 labels
    pdf = location_labels([LocationLabel(code, note='本社倉庫') for code in codes], grid=grid)
    assert pages(pdf) == -(-15 // per_page)
    read = [text for _, text in scan(pdf)]
    assert read == codes[:per_page]
    assert {fmt for fmt, _ in scan(pdf)} == {'Code128'}
    assert 'A-01-01-1' in text(pdf) and '本社倉庫' in text(pdf)


def test_a_long_location_code_scans_on_wide_labels_and_is_refused_on_narrow_ones():
    code = 'ZONE-EAST-0012-0034-0056-09'
    assert scan(location_labels([LocationLabel(code)], grid='2x6')) == [('Code128', code)]
    with pytest.raises(ValueError, match='too long for a 4x10 label'):
        location_labels([LocationLabel(code)], grid='4x10')


@pytest.mark.parametrize('grid', ['3x8', '4x10'])
def test_product_labels_carry_the_jan_and_the_sku(grid):
    pdf = product_labels([ProductLabel('T-1', '髙橋園の玄米茶 200g', '4569951116179'),
                          ProductLabel('W-SET-000123', '有田焼 湯呑み 五客組'),
                          ProductLabel('J8', '小袋', '49123456')], copies=2, grid=grid)
    found = scan(pdf)
    assert sorted(found) == sorted([('EAN13', '4569951116179'), ('Code128', 'T-1')] * 2
                                   + [('Code128', 'W-SET-000123')] * 2
                                   + [('EAN8', '49123456'), ('Code128', 'J8')] * 2)
    assert '髙橋園の玄米茶' in text(pdf)


def test_the_same_labels_give_the_same_bytes():
    labels = [LocationLabel('A-01-01-1'), LocationLabel('B-01-01-1')]
    assert location_labels(labels) == location_labels(labels)


@pytest.mark.parametrize(('call', 'message'), [
    (lambda: location_labels([]), 'no labels'),
    (lambda: location_labels([LocationLabel('棚-1')]), 'printable ASCII'),
    (lambda: location_labels([LocationLabel('A-1')], grid='5x5'), 'grid must be one of'),
    (lambda: location_labels([LocationLabel('A-1')], copies=0), 'copies must be at least 1'),
    (lambda: product_labels([ProductLabel('T-1', 'x', '4569951116170')]), 'not a valid JAN'),
    (lambda: product_labels([ProductLabel('T-1', 'x')], grid='2x6'), '3x8 or 4x10'),
])
def test_labels_that_would_print_wrong_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
