"""A believable demo shop: 茶と器の店 (a tea and tableware shop) with stock and one user per role.

Idempotent: products, users and locations are looked up by their natural key, and the opening
stock is received only where the ledger has no demo receipt yet.
"""
import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.services import DEMO_PASSWORD, create_user
from app.catalog.models import Product
from app.catalog.services import ProductData, create_product
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import StockMovement
from importers.codes import with_jan_check_digit


DEMO_USERS = [
    ('admin@kura.example', '管理 太郎', 'admin'),
    ('manager@kura.example', '店長 花子', 'manager'),
    ('clerk@kura.example', '受注 一郎', 'clerk'),
    ('packer@kura.example', '出荷 次郎', 'packer'),
]
DEMO_REFERENCE = 'demo opening stock'
DESCRIPTIONS = {
    'T': '産地から直接仕入れた茶葉を、小さな店で丁寧に詰めました。\n開封後は密閉して冷暗所で保存してください。',
    'W': '窯元から届いた器です。ひとつひとつ手仕事のため、色や形が少しずつ異なります。',
}

# (SKU, name, price incl. tax, tax rate, weight g, opening stock); tea is food: reduced 8% rate
TEA = [
    ('T-0001', '静岡深蒸し煎茶 特上 100g', 1620, 8, 120, 48),
    ('T-0002', '静岡深蒸し煎茶 徳用 300g', 2700, 8, 330, 30),
    ('T-0003', '宇治抹茶 薄茶用 30g缶', 2160, 8, 80, 24),
    ('T-0004', '宇治抹茶 濃茶用 20g缶', 3780, 8, 70, 6),
    ('T-0005', '八女玉露 100g', 3240, 8, 120, 12),
    ('T-0006', '髙橋園の玄米茶 200g', 864, 8, 220, 60),
    ('T-0007', 'ほうじ茶 加賀棒茶 100g', 1080, 8, 120, 40),
    ('T-0008', '知覧茶 ティーバッグ 5g×20', 972, 8, 130, 80),
    ('T-0009', '和紅茶 べにふうき 50g', 1296, 8, 70, 18),
    ('T-0010', '狭山茶 詰め合わせ ギフト箱', 4320, 8, 650, 10),
    ('T-0011', '番茶 京都いり番茶 200g', 756, 8, 220, 35),
    ('T-0012', '水出し煎茶 ティーバッグ 10g×15', 1188, 8, 180, 3),
    ('T-0013', '有機 粉末緑茶 50g', 1404, 8, 70, 0),
    ('00123', '嬉野釜炒り茶 100g（旧品番）', 1512, 8, 120, 15),
]
WARE = [
    ('W-0101', '有田焼 湯呑み 染付 唐草', 2750, 10, 180, 20),
    ('W-0102', '有田焼 湯呑み ペア 桜', 5500, 10, 400, 8),
    ('W-0103', '萩焼 マグカップ 白萩', 3850, 10, 320, 12),
    ('W-0104', '常滑焼 急須 朱泥 300ml', 8800, 10, 380, 5),
    ('W-0105', '南部鉄器 鉄瓶 0.8L', 19800, 10, 1400, 2),
    ('W-0106', '波佐見焼 茶碗 藍', 1980, 10, 200, 25),
    ('W-0107', '九谷焼 小皿 5枚組 ①', 6600, 10, 500, 7),
    ('W-0108', '美濃焼 ティーポット 600ml', 4180, 10, 650, 9),
    ('W-0109', '竹製 茶杓', 1100, 10, 10, 40),
    ('W-0110', '抹茶碗 黒楽 桐箱入', 16500, 10, 700, 1),
    ('W-0111', '茶筅 百本立', 3300, 10, 30, 14),
    ('W-0112', '茶こし ステンレス', 660, 10, 40, 50),
    ('W-0113', '木製 茶托 5枚組 ～欅～', 4400, 10, 350, 6),
    ('W-0114', '耐熱ガラス 冷茶ポット 1L', 2420, 10, 520, 16),
    ('W-0115', '手ぬぐい 茶柄 ㈱蔵オリジナル', 990, 10, 40, 30),
    ('W-0116', '茶葉保存缶 銅製 200g用', 7700, 10, 210, 0),
]


def demo_jan(sku: str, index: int) -> str:
    """A JAN with a Japanese prefix (49) and a correct check digit."""
    return with_jan_check_digit(f'4912345{index:05d}')


def seed() -> str:
    """Load the demo shop; returns a one-line summary of what was added."""
    added_users = added_products = received = 0
    for email, name, role in DEMO_USERS:
        if not db.session.scalar(sa.select(User.id).where(User.email == email)):
            create_user(email, name, DEMO_PASSWORD, role, demo=True)
            added_users += 1
    warehouse = inventory.default_warehouse()
    for zone, items in (('A', TEA), ('B', WARE)):
        for position, (sku, name, price, tax_rate, weight, stock) in enumerate(items):
            product = db.session.scalar(sa.select(Product).where(Product.sku == sku))
            if product is None:
                index = (1 if zone == 'A' else 100) + position
                product = create_product(ProductData(sku=sku, name=name, jan=demo_jan(sku, index), price=price,
                                                     tax_rate=tax_rate, weight_g=weight), actor=None)
                # the demo shop sells everything but the old item code
                product.published = sku != '00123'
                product.description = DESCRIPTIONS.get(sku[0], '')
                added_products += 1
            # two aisles per zone, four bays per aisle, two levels: A-01-01-1 ... B-02-04-2
            code = f'{zone}-{position // 8 + 1:02d}-{position % 8 // 2 + 1:02d}-{position % 2 + 1}'
            location = inventory.get_or_create_location(code, warehouse)
            already = db.session.scalar(sa.select(StockMovement.id).where(
                StockMovement.product_id == product.id, StockMovement.reference == DEMO_REFERENCE).limit(1))
            if stock and not already:
                inventory.receive(product, location, stock, actor=None, reference=DEMO_REFERENCE)
                received += 1
    return (f'demo data: {added_users} users, {added_products} products, {received} stock receipts added '
            f'(logins: {", ".join(u[0] for u in DEMO_USERS)}; password {DEMO_PASSWORD})')
