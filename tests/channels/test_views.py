"""The stock-sync, listings and channel rule screens."""
import io

import sqlalchemy as sa

from app.channels.models import ChannelStockFile, Listing
from app.channels.services import ListingValues, channel_rules, save_listing
from app.extensions import db


def test_the_stock_sync_screen_previews_makes_and_downloads_again(client, login, make_product, stock):
    cup = make_product('W-1', name='有田焼 湯呑み')
    stock(cup, 3)
    save_listing(ListingValues('rakuten', 'cup-white', 'W-1', page_code='cup'), actor=None)
    db.session.commit()
    user = login('clerk')
    overview = client.get('/channels/')
    assert overview.status_code == 200 and '/channels/rakuten' in overview.text
    page = client.get('/channels/rakuten')
    assert 'cup-white' in page.text and 'next-file' in page.text
    made = client.post('/channels/rakuten/files', data={})
    assert made.status_code == 302
    record = db.session.scalar(sa.select(ChannelStockFile))
    assert (record.rows, record.made_by_id, record.full) == (1, user.id, False)
    detail = client.get(made.headers['Location'])
    assert user.name in detail.text and 'cup-white' in detail.text
    again = client.get(f'/channels/files/{record.id}/download')
    assert again.data == record.content
    assert again.headers['Content-Disposition'].startswith('attachment')
    # nothing changed: the preview says so; a full file is made on demand
    assert 'cup-white' not in client.get('/channels/rakuten').text.split('id="next-file"')[1].split('</table>')[0]
    client.post('/channels/rakuten/files', data={'full': 'y'})
    assert db.session.scalar(sa.select(sa.func.count()).where(ChannelStockFile.full.is_(True))) == 1


def test_the_page_says_when_listings_lack_the_page_code_the_malls_file_needs(client, login, make_product):
    make_product('W-1')
    save_listing(ListingValues('shopify', 'W-1', 'W-1'), actor=None)
    save_listing(ListingValues('amazon', 'W-1', 'W-1'), actor=None)
    db.session.commit()
    login('clerk')
    assert '1 listings have no product page code' in client.get('/channels/shopify').text
    assert 'no product page code' not in client.get('/channels/amazon').text


def test_an_unknown_channel_is_not_found(client, login):
    login('clerk')
    assert client.get('/channels/store').status_code == 404
    assert client.post('/channels/store/files').status_code == 404
    assert client.get('/channels/files/999/download').status_code == 404


def test_a_manager_sets_the_channel_rule_and_a_bad_one_changes_nothing(client, login):
    login('manager')
    response = client.post('/channels/yahoo/rules', data={'safety_stock': '2', 'share_percent': '50', 'cap': '',
                                                          'floor': '1', 'location': ''})
    assert response.status_code == 302
    rules = channel_rules('yahoo')
    assert (rules.safety_stock, rules.share_percent, rules.cap, rules.floor) == (2, 50, None, 1)
    client.post('/channels/yahoo/rules', data={'safety_stock': '2', 'share_percent': '150', 'floor': '0'})
    assert channel_rules('yahoo').share_percent == 50


def test_listings_on_the_screen_from_a_csv_and_the_products_not_listed(client, login, make_product):
    make_product('W-1')
    make_product('W-2', name='常滑焼 急須')
    login('clerk')
    response = client.post('/channels/listings', data={'channel': 'shopify', 'item_code': 'W-1',
                                                       'page_code': 'arita-cup', 'sku': 'W-1', 'share_percent': '80'})
    assert response.status_code == 302
    listing = db.session.scalar(sa.select(Listing))
    assert (listing.channel, listing.page_code, listing.share_percent, listing.safety_stock) == \
        ('shopify', 'arita-cup', 80, None)
    assert 'W-2' in client.get('/channels/shopify/unlisted').text
    csv_file = b'channel,item_code,sku,page_code,cap,paused\r\nshopify,W-2,W-2,tokoname,5,1\r\n'
    client.post('/channels/listings/import', data={'file': (io.BytesIO(csv_file), 'listings.csv')},
                content_type='multipart/form-data')
    db.session.expire_all()
    added = db.session.scalar(sa.select(Listing).where(Listing.item_code == 'W-2'))
    assert (added.cap, added.paused, added.page_code) == (5, True, 'tokoname')
    assert 'Every active product is listed' in client.get('/channels/shopify/unlisted').text
    # a bad row saves nothing and says which line
    bad = b'channel,item_code,sku\r\nshopify,W-3,W-1\r\nshopify,W-4,NOPE\r\n'
    response = client.post('/channels/listings/import', data={'file': (io.BytesIO(bad), 'bad.csv')},
                           content_type='multipart/form-data', follow_redirects=True)
    assert 'Line 3' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Listing)) == 2
    listed = client.get('/channels/listings?channel=shopify')
    assert 'arita-cup' in listed.text and 'tokoname' in listed.text


def test_a_listing_is_edited_and_paused(client, login, make_product):
    make_product('W-1')
    listing, _ = save_listing(ListingValues('amazon', 'W-1', 'W-1'), actor=None)
    db.session.commit()
    login('clerk')
    assert client.get(f'/channels/listings/{listing.id}').status_code == 200
    response = client.post(f'/channels/listings/{listing.id}', data={'sku': 'W-1', 'page_code': '', 'floor': '2',
                                                                     'paused': 'y'})
    assert response.status_code == 302
    db.session.expire_all()
    assert (listing.floor, listing.paused) == (2, True)
