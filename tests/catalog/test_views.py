"""Catalogue screens."""
import sqlalchemy as sa

from app.catalog.models import Product
from app.extensions import db
from tests.conftest import count


def test_product_list_searches_by_sku_name_and_jan(client, login, make_product):
    login('clerk')
    make_product('00123', name='宇治抹茶 30g', jan='4569951116179')
    make_product('W-1', name='有田焼 湯呑み')
    make_product('W_2', name='備前焼 徳利')
    for q in ('0012', '抹茶', '45699511'):
        page = client.get(f'/catalog/?q={q}').text
        assert '宇治抹茶 30g' in page and '有田焼' not in page, q
    underscore = client.get('/catalog/?q=w_').text   # _ is the character in W_2, not any character as in W-1
    assert '備前焼' in underscore and '有田焼' not in underscore


def test_product_list_answers_htmx_with_the_table_only(client, login, make_product):
    login('clerk')
    make_product('00123', name='宇治抹茶 30g')
    page = client.get('/catalog/')
    fragment = client.get('/catalog/', headers={'HX-Request': 'true'})
    assert '<nav class="sidenav"' in page.text and '<nav class="sidenav"' not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="products-table">')
    assert '宇治抹茶 30g' in fragment.text
    assert 'HX-Request' in fragment.headers['Vary']


def test_product_list_sorts_and_pages(app, client, login, make_product):
    login('clerk')
    for n in range(60):
        make_product(f'P-{n:03d}', price=100 + n)
    first = client.get('/catalog/?sort=price&dir=desc', headers={'HX-Request': 'true'}).text
    assert 'P-059' in first and 'P-010' in first and 'P-009' not in first
    assert '1–50 of 60' in first
    second = client.get('/catalog/?sort=price&dir=desc&page=2', headers={'HX-Request': 'true'}).text
    assert 'P-009' in second and 'P-059' not in second
    assert 'sort=price' in second and 'page=1' in second  # the pager keeps the sort


def test_create_a_product_from_the_form(client, login):
    login('clerk')
    response = client.post('/catalog/new', data={'sku': '00777', 'name': '髙橋園の玄米茶', 'jan': '4569951116179',
                                                 'price': '864', 'tax_rate': '8', 'weight_g': '220', 'active': 'y'})
    assert response.status_code == 302
    product = db.session.scalar(sa.select(Product))
    assert (product.sku, product.name, product.price, product.tax_rate) == ('00777', '髙橋園の玄米茶', 864, 8)


def test_a_wrong_jan_is_shown_on_its_field_and_everything_typed_is_kept(client, login):
    login('clerk')
    response = client.post('/catalog/new', data={'sku': '00777', 'name': '髙橋園の玄米茶', 'jan': '4569951116170',
                                                 'price': '864', 'tax_rate': '8', 'weight_g': '220'})
    assert response.status_code == 200
    assert 'the last digit should be 9' in response.text
    assert 'value="髙橋園の玄米茶"' in response.text and 'value="00777"' in response.text
    assert count(Product) == 0


def test_a_price_that_is_not_a_number_is_refused(client, login):
    login('clerk')
    response = client.post('/catalog/new', data={'sku': 'X', 'name': 'x', 'price': 'abc', 'tax_rate': '10'})
    assert 'Not a valid integer value.' in response.text
    assert count(Product) == 0


def test_edit_a_product(client, login, make_product):
    login('manager')
    product = make_product('W-1', name='旧名')
    response = client.post(f'/catalog/{product.id}', data={'sku': 'W-1', 'name': '新名', 'jan': product.jan,
                                                           'price': '2000', 'tax_rate': '10'})
    assert response.status_code == 302
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert (product.name, product.price, product.active) == ('新名', 2000, False)


def test_unknown_product_is_404(client, login):
    login('clerk')
    assert client.get('/catalog/999').status_code == 404


def test_upload_a_product_csv_on_the_screen(client, login):
    login('clerk')
    csv = 'sku,name,jan,price,tax_rate,weight_g,active\r\n00123,玄米茶,4569951116179,864,8,220,1\r\n'
    response = client.post('/catalog/import', data={'file': (__import__('io').BytesIO(csv.encode('cp932')),
                                                             'products.csv')}, content_type='multipart/form-data')
    assert 'products.csv imported: 1 created, 0 updated, 0 unchanged.' in response.text
    assert db.session.scalar(sa.select(Product.name)) == '玄米茶'


def test_a_bad_upload_lists_its_problems_and_saves_nothing(client, login):
    login('clerk')
    csv = 'sku,name,jan,price\n00123,玄米茶,4569951116170,864\nX,名前,,abc\n'
    response = client.post('/catalog/import', data={'file': (__import__('io').BytesIO(csv.encode()),
                                                             'bad.csv')}, content_type='multipart/form-data')
    assert 'bad.csv has 2 problems; nothing was saved.' in response.text
    assert 'wrong check digit' in response.text and 'price must be a whole number' in response.text
    assert count(Product) == 0


def test_export_products_as_csv(client, login, make_product):
    login('clerk')
    make_product('00123', name='宇治抹茶')
    response = client.get('/catalog/export.csv?encoding=cp932')
    assert response.headers['Content-Disposition'] == 'attachment; filename=products.csv'
    text = response.data.decode('cp932')
    assert text.splitlines()[0] == 'sku,name,jan,price,tax_rate,weight_g,active'
    assert '00123,宇治抹茶' in text


def test_jan_labels_print_for_a_product_and_scan_back(client, login, make_product):
    import pypdfium2 as pdfium
    import zxingcpp

    login('packer')
    product = make_product('00123', name='宇治抹茶', jan='4569951116179')
    response = client.get(f'/catalog/{product.id}/jan-labels.pdf?copies=3')
    assert response.mimetype == 'application/pdf'
    page = pdfium.PdfDocument(response.data)[0]
    decoded = [r.text for r in zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil())]
    assert decoded.count('4569951116179') == 3
    no_jan = make_product('X-1', jan='')
    assert client.get(f'/catalog/{no_jan.id}/jan-labels.pdf').status_code == 404
