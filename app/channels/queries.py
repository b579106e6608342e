"""Read-side selects for the channel stock screens, and the open oversells the dashboard shows."""
import sqlalchemy as sa

from app.accounts.models import User
from app.catalog.models import Product
from app.channels.models import ChannelStockFile, Listing, Oversell
from app.extensions import db


LISTING_SORTS = {'item_code': Listing.item_code, 'sku': Product.sku, 'channel': Listing.channel,
                 'sent': Listing.sent_quantity}


def listings(q: str = '', channel: str = '') -> sa.Select:
    """Listings with their product; `q` matches the item or page code, the SKU or the product's name."""
    query = sa.select(Listing, Product).join(Product, Listing.product_id == Product.id)
    if channel:
        query = query.where(Listing.channel == channel)
    if q:
        like = f'%{q}%'
        query = query.where(sa.or_(Listing.item_code.ilike(like), Listing.page_code.ilike(like),
                                   Product.sku.ilike(like), Product.name.ilike(like)))
    return query


def unlisted_products(channel: str) -> sa.Select:
    """Active products the channel has no listing of."""
    listed = sa.select(Listing.product_id).where(Listing.channel == channel)
    return sa.select(Product).where(Product.active.is_(True), Product.id.not_in(listed)).order_by(Product.sku)


def unlisted_counts(channels) -> dict[str, int]:
    return {channel: sa_count(unlisted_products(channel)) for channel in channels}


def sa_count(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))


def files(channel: str) -> sa.Select:
    """The channel's stock files, newest first, with who made them (None: the schedule or a command)."""
    return (sa.select(ChannelStockFile.id, ChannelStockFile.full, ChannelStockFile.rows, ChannelStockFile.changed,
                      ChannelStockFile.filename, ChannelStockFile.made_at, User.name)
            .outerjoin(User, ChannelStockFile.made_by_id == User.id)
            .where(ChannelStockFile.channel == channel)
            .order_by(ChannelStockFile.made_at.desc(), ChannelStockFile.id.desc()))


def open_oversells() -> sa.Select:
    return (sa.select(Oversell, Product).join(Product, Oversell.product_id == Product.id)
            .where(Oversell.cleared_at.is_(None)).order_by(Oversell.detected_at.desc(), Oversell.id.desc()))


def open_oversell_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Oversell.cleared_at.is_(None))) or 0


def oversell_report() -> sa.Select:
    """Oversells by product and channel: how many, units short, first and last found, how many still open."""
    return (sa.select(Product.sku, Product.name, Oversell.channel, sa.func.count().label('times'),
                      sa.func.sum(Oversell.short).label('units'), sa.func.min(Oversell.detected_at).label('first'),
                      sa.func.max(Oversell.detected_at).label('last'),
                      sa.func.sum(sa.case((Oversell.cleared_at.is_(None), 1), else_=0)).label('still_open'))
            .join(Product, Oversell.product_id == Product.id)
            .group_by(Product.sku, Product.name, Oversell.channel)
            .order_by(sa.func.max(Oversell.detected_at).desc(), Product.sku, Oversell.channel))


def listings_without_page_code(channel: str) -> int:
    """Listings sent without the page code the mall's file needs (Rakuten 商品管理番号, Shopify handle)."""
    return db.session.scalar(sa.select(sa.func.count()).where(
        Listing.channel == channel, Listing.paused.is_(False), Listing.page_code == '')) or 0
