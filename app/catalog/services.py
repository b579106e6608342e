"""Creating, changing and finding products."""
import dataclasses
import io
import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.accounts.services import record_audit
from app.catalog.models import Product
from app.database import INT_MAX
from app.errors import UserError
from app.extensions import db
from importers.codes import jan_check_digit


logger = logging.getLogger(__name__)

TAX_RATES = (10, 8)
FIELDS = ('sku', 'name', 'jan', 'price', 'tax_rate', 'weight_g', 'active', 'cost', 'lead_time_days')
#: a supplier's lead time longer than a year is a typing mistake
MAX_LEAD_TIME_DAYS = 365


@dataclasses.dataclass
class ProductData:
    """What a person or a file says a product is, checked but not yet saved."""

    sku: str
    name: str
    jan: str | None
    price: int
    tax_rate: int = 10
    weight_g: int | None = None
    active: bool = True
    #: yen per unit from the supplier, tax excluded (stock value); None while unknown
    cost: int | None = None
    #: days from ordering from the supplier to the units on the shelf (reorder points); None: the default
    lead_time_days: int | None = None


def clean_product_data(data: ProductData) -> ProductData:
    """Check every field that does not need the database; raise UserError naming the field."""
    sku = (data.sku or '').strip()
    if not sku:
        raise UserError(_l('The SKU is required.'), field='sku')
    if len(sku) > 64 or any(c.isspace() for c in sku):
        raise UserError(_l('SKU "%(sku)s" must be at most 64 characters without spaces.', sku=sku), field='sku')
    name = (data.name or '').strip()
    if not name:
        raise UserError(_l('The product name is required.'), field='name')
    if len(name) > 255:
        raise UserError(_l('The product name is longer than 255 characters.'), field='name')
    if data.price is None or data.price < 0:
        raise UserError(_l('The price must be 0 yen or more.'), field='price')
    if data.price > INT_MAX:
        raise UserError(_l('The price must be at most %(n)s yen.', n=f'{INT_MAX:,}'), field='price')
    if data.tax_rate not in TAX_RATES:
        raise UserError(_l('The tax rate must be 10 or 8 (percent).'), field='tax_rate')
    if data.weight_g is not None and data.weight_g < 0:
        raise UserError(_l('The weight must be 0 grams or more.'), field='weight_g')
    if data.weight_g is not None and data.weight_g > INT_MAX:
        raise UserError(_l('The weight must be at most %(n)s grams.', n=f'{INT_MAX:,}'), field='weight_g')
    if data.cost is not None and not 0 <= data.cost <= INT_MAX:
        raise UserError(_l('The cost must be 0 to %(n)s yen.', n=f'{INT_MAX:,}'), field='cost')
    if data.lead_time_days is not None and not 0 <= data.lead_time_days <= MAX_LEAD_TIME_DAYS:
        raise UserError(_l('The lead time must be 0 to %(n)d days.', n=MAX_LEAD_TIME_DAYS), field='lead_time_days')
    return dataclasses.replace(data, sku=sku, name=name, jan=clean_jan(data.jan))


def clean_jan(value: str | None) -> str | None:
    """A JAN as stored (digits only) or None for an empty value; refuses a wrong code with a message."""
    value = (value or '').strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) not in (8, 13):
        raise UserError(_l('JAN "%(jan)s" must be 13 (or 8) digits.', jan=value), field='jan')
    expected = jan_check_digit(value[:-1])
    if expected != int(value[-1]):
        raise UserError(_l('JAN "%(jan)s" has a wrong check digit: the last digit should be %(digit)d.',
                           jan=value, digit=expected), field='jan')
    return value


def _check_unique(data: ProductData, product: Product | None) -> None:
    own_id = product.id if product else None
    clash = db.session.scalar(sa.select(Product).where(Product.sku == data.sku, Product.id != own_id))
    if clash:
        raise UserError(_l('SKU "%(sku)s" is already used by another product (%(name)s).',
                           sku=data.sku, name=clash.name), field='sku')
    if data.jan:
        clash = db.session.scalar(sa.select(Product).where(Product.jan == data.jan, Product.id != own_id))
        if clash:
            raise UserError(_l('JAN %(jan)s is already used by product %(sku)s.', jan=data.jan, sku=clash.sku),
                            field='jan')


def _snapshot(product: Product) -> dict:
    return {f: getattr(product, f) for f in FIELDS}


def create_product(data: ProductData, *, actor: User | None) -> Product:
    data = clean_product_data(data)
    _check_unique(data, None)
    product = Product(**dataclasses.asdict(data))
    db.session.add(product)
    db.session.flush()
    record_audit(actor, 'product.created', product, after=_snapshot(product))
    return product


def update_product(product: Product, data: ProductData, *, actor: User | None) -> Product:
    data = clean_product_data(data)
    _check_unique(data, product)
    before = _snapshot(product)
    for name, value in dataclasses.asdict(data).items():
        setattr(product, name, value)
    db.session.flush()
    after = _snapshot(product)
    if before != after:
        changed = [f for f in FIELDS if before[f] != after[f]]
        record_audit(actor, 'product.updated', product, before={f: before[f] for f in changed},
                     after={f: after[f] for f in changed})
    return product


#: Pillow's name of each image format the shop serves, and its type
IMAGE_FORMATS = {'JPEG': 'image/jpeg', 'PNG': 'image/png', 'WEBP': 'image/webp'}
MAX_IMAGE_BYTES = 2 * 1024 * 1024
#: a photo's longest side as stored: more than any shop page shows, and no camera original's size
MAX_IMAGE_SIDE = 2000
MAX_IMAGE_PIXELS = 50_000_000


def shop_photo(data: bytes) -> tuple[bytes, str]:
    """The photo as the shop will serve it, and its type, from the bytes alone (never the declared type).

    It is decoded and written anew: whatever else the file carried (a script after the image data, the
    camera's EXIF with the place it was taken) is gone, it is turned upright, and a huge one is scaled down.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise UserError(_l('The photo is larger than 2 MB.'), field='image')
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in IMAGE_FORMATS:
                raise UserError(_l('The photo must be a JPEG, PNG or WebP image.'), field='image')
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise UserError(_l('The photo has more than %(n)s million pixels.', n=MAX_IMAGE_PIXELS // 10**6),
                                field='image')
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            if kind == 'JPEG' and image.mode not in ('RGB', 'L'):
                image = image.convert('RGB')
            out = io.BytesIO()
            image.save(out, format=kind, **({'quality': 90} if kind in ('JPEG', 'WEBP') else {}))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UserError(_l('The photo must be a JPEG, PNG or WebP image.'), field='image') from None
    return out.getvalue(), IMAGE_FORMATS[kind]


def update_shop_fields(product: Product, *, published: bool, description: str, image: bytes | None = None,
                       remove_image: bool = False, actor: User | None) -> None:
    """What the shop shows of a product: whether it is for sale there, its description and its photo."""
    image_type = ''
    if image is not None:
        image, image_type = shop_photo(image)
    before = {'published': product.published, 'description': product.description}
    product.published, product.description = published, (description or '').strip()
    if image is not None:
        product.image, product.image_type = image, image_type
    elif remove_image:
        product.image, product.image_type = None, ''
    after = {'published': product.published, 'description': product.description}
    if before != after or image is not None or remove_image:
        record_audit(actor, 'product.shop', product, before=before,
                     after={**after, 'image': 'changed' if image is not None or remove_image else 'kept'})
    db.session.flush()


def find_product_by_code(code: str) -> Product | None:
    """The product a scanned or typed code means: a JAN first (what scanners read), then a SKU."""
    code = (code or '').strip()
    if not code:
        return None
    if code.isdigit() and len(code) in (8, 13):
        product = db.session.scalar(sa.select(Product).where(Product.jan == code))
        if product:
            return product
    return db.session.scalar(sa.select(Product).where(Product.sku == code))
