"""The command line: users, imports, exports, demo data."""
import json

import sqlalchemy as sa

from app.accounts.models import User
from app.catalog.models import Product
from app.extensions import db
from app.inventory.models import StockLevel, StockMovement
from importers.codes import is_valid_jan
from tests.conftest import count


def test_create_the_first_admin_with_the_password_from_stdin(runner):
    result = runner.invoke(args=['users', 'create', 'Boss@Shop.example', '--role', 'admin', '--name', '社長'],
                           input='a long enough password\n')
    assert result.exit_code == 0, result.output
    assert result.output.strip() == 'created boss@shop.example (admin)'
    user = db.session.scalar(sa.select(User))
    assert (user.email, user.name, user.role) == ('boss@shop.example', '社長', 'admin')
    listing = runner.invoke(args=['users', 'list'])
    assert 'boss@shop.example\tadmin\tactive\t社長' in listing.output


def test_creating_a_user_twice_or_with_a_short_password_fails_clearly(runner):
    runner.invoke(args=['users', 'create', 'a@shop.example', '--role', 'clerk'], input='a long enough password\n')
    again = runner.invoke(args=['users', 'create', 'a@shop.example', '--role', 'clerk'],
                          input='a long enough password\n')
    assert again.exit_code == 1
    assert 'already exists' in again.output
    short = runner.invoke(args=['users', 'create', 'b@shop.example', '--role', 'clerk'], input='short\n')
    assert short.exit_code == 1
    assert 'at least 10 characters' in short.output
    assert count(User) == 1


def test_import_products_then_export_them(runner, tmp_path):
    source = tmp_path / 'products.csv'
    source.write_bytes('sku,name,jan,price,tax_rate,weight_g,active\r\n00123,髙橋園の玄米茶,,864,8,220,1\r\n'
                       .encode('cp932'))
    result = runner.invoke(args=['import-products', str(source)])
    assert result.exit_code == 0, result.output
    assert 'products.csv: 1 created, 0 updated, 0 unchanged' in result.output
    out = tmp_path / 'out.csv'
    result = runner.invoke(args=['export', 'products', '-o', str(out), '--encoding', 'cp932'])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().decode('cp932').splitlines()[1] == '00123,髙橋園の玄米茶,,864,8,220,1'


def test_import_products_with_problems_exits_1_and_saves_nothing(runner, tmp_path):
    source = tmp_path / 'bad.csv'
    source.write_text('sku,name,price\nA-1,良い,100\nA-2,悪い,abc\n', encoding='utf-8')
    result = runner.invoke(args=['import-products', str(source), '--json'])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report['problems'] == [{'line': 3, 'field': 'price', 'value': 'abc',
                                   'message': 'price must be a whole number, not "abc".'}]
    assert count(Product) == 0


def test_a_refused_file_exits_2_naming_the_file(runner, tmp_path):
    source = tmp_path / 'empty.csv'
    source.write_bytes(b'')
    result = runner.invoke(args=['import-products', str(source)])
    assert result.exit_code == 2
    assert 'refused: empty.csv: the file is empty' in result.output


def test_import_stock_and_export_it(runner, tmp_path, make_product):
    make_product('00123')
    source = tmp_path / 'stock.csv'
    source.write_text('sku,location,quantity\n00123,A-01-01-1,7\n', encoding='utf-8-sig')
    result = runner.invoke(args=['import-stock', str(source), '--json'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)['created'] == 1
    out = tmp_path / 'stock-out.csv'
    runner.invoke(args=['export', 'stock', '-o', str(out)])
    assert out.read_text(encoding='utf-8-sig').splitlines() == ['sku,location,on_hand,allocated,available',
                                                                 '00123,A-01-01-1,7,0,7']


def test_seed_demo_twice_adds_nothing_the_second_time(runner):
    first = runner.invoke(args=['seed-demo'])
    assert first.exit_code == 0, first.output
    counts = (count(User), count(Product), count(StockLevel), count(StockMovement))
    assert counts[0] == 4
    assert counts[1] >= 30
    second = runner.invoke(args=['seed-demo'])
    assert 'demo data: 0 users, 0 products, 0 stock receipts added' in second.output
    assert (count(User), count(Product), count(StockLevel), count(StockMovement)) == counts
    assert runner.invoke(args=['seed-demo', '--if-empty']).output.startswith('the database already has users')


def test_the_demo_shop_is_believable(runner):
    runner.invoke(args=['seed-demo'])
    products = db.session.scalars(sa.select(Product)).all()
    assert all(is_valid_jan(p.jan) for p in products)
    assert {p.tax_rate for p in products} == {8, 10}
    zones = {lv.location.code[0] for lv in db.session.scalars(sa.select(StockLevel))}
    assert zones == {'A', 'B'}
    assert {u.role for u in db.session.scalars(sa.select(User))} == {'admin', 'manager', 'clerk', 'packer'}
