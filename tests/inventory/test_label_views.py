"""Shelf and product label sheets from the stock screens, read back from the PDF."""
import pypdfium2 as pdfium
import sqlalchemy as sa
import zxingcpp

from app.extensions import db
from app.inventory.models import Location


def scan(pdf: bytes) -> list[tuple[str, str]]:
    image = pdfium.PdfDocument(pdf)[0].render(scale=200 / 72).to_pil()
    found = zxingcpp.read_barcodes(image)
    found.sort(key=lambda b: (b.position.top_left.y, b.position.top_left.x))
    return [(b.format.name, b.text) for b in found]


def test_shelf_labels_of_the_chosen_locations_in_walking_order(floor, make_location, login, client):
    for code in ('B-10-01-1', 'B-9-01-1'):
        make_location(code)
    login('clerk')
    response = client.get('/stock/locations/labels.pdf?q=B-&grid=3x8')
    assert response.status_code == 200 and response.mimetype == 'application/pdf'
    assert [text for _, text in scan(response.data)] == ['B-01-01-1', 'B-02-01-1', 'B-9-01-1', 'B-10-01-1']
    one = db.session.scalar(sa.select(Location.id).where(Location.code == 'A-01-01-1'))
    assert scan(client.get(f'/stock/locations/labels.pdf?location={one}').data) == [('Code128', 'A-01-01-1')]
    assert 'No location matches' in client.get('/stock/locations/labels.pdf?q=NOTHING').text
    assert client.get('/stock/locations/labels.pdf?grid=9x9').status_code == 400


def test_product_labels_carry_the_jan_and_the_sku(floor, login, client):
    login('clerk')
    response = client.get(f'/stock/products/{floor["tea"].id}/labels.pdf?grid=4x10&copies=2')
    assert response.status_code == 200
    assert sorted(scan(response.data)) == sorted([('EAN13', '4569951116179'), ('Code128', 'T-1')] * 2)
    assert client.get(f'/stock/products/{floor["tea"].id}/labels.pdf?grid=2x6').status_code == 400


def test_a_sku_no_barcode_can_carry_gets_no_barcode_on_screen_and_a_reason_for_its_labels(make_product, login,
                                                                                           client):
    product = make_product('茶-1', jan='')
    login('clerk')
    page = client.get(f'/stock/products/{product.id}')
    assert page.status_code == 200 and 'id="sku-barcode"' in page.text and '<svg' not in page.text
    refused = client.get(f'/stock/products/{product.id}/labels.pdf', follow_redirects=True)
    assert 'cannot be printed as a barcode' in refused.text
