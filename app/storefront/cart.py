"""The cart, kept in the customer's session: product ids and quantities, nothing more."""
import dataclasses

import sqlalchemy as sa

from app.catalog.models import Product
from app.extensions import db
from app.inventory.queries import available_by_product


MAX_LINES = 50


@dataclasses.dataclass
class CartLine:
    product: Product
    quantity: int
    available: int

    @property
    def amount(self) -> int:
        return self.product.price * self.quantity


class Cart:
    """A view of ``session['cart']`` ({product id: quantity}); quantities are capped by available stock."""

    def __init__(self, session):
        self.session = session

    @property
    def _items(self) -> dict[str, int]:
        return self.session.setdefault('cart', {})

    def _save(self, items: dict[str, int]) -> None:
        self.session['cart'] = items
        self.session.modified = True

    def set(self, product: Product, quantity: int, *, add: bool = False) -> tuple[int, bool]:
        """Put `quantity` units (or `add` them) in the cart; returns (quantity now, whether it was capped)."""
        items = dict(self._items)
        wanted = quantity + (items.get(str(product.id), 0) if add else 0)
        available = available_by_product([product.id])[product.id]
        capped = wanted > available
        quantity = max(0, min(wanted, available))
        if quantity:
            if str(product.id) not in items and len(items) >= MAX_LINES:
                return items.get(str(product.id), 0), True
            items[str(product.id)] = quantity
        else:
            items.pop(str(product.id), None)
        self._save(items)
        return quantity, capped

    def remove(self, product_id: int) -> None:
        items = dict(self._items)
        items.pop(str(product_id), None)
        self._save(items)

    def clear(self) -> None:
        self._save({})

    def lines(self) -> list[CartLine]:
        """The cart's products still for sale, with what is available of each."""
        ids = [int(pid) for pid in self._items]
        if not ids:
            return []
        products = {p.id: p for p in db.session.scalars(
            sa.select(Product).where(Product.id.in_(ids), Product.published, Product.active))}
        available = available_by_product(products)
        return [CartLine(products[pid], self._items[str(pid)], available[pid]) for pid in ids if pid in products]

    def pairs(self) -> list[tuple[int, int]]:
        return [(int(pid), quantity) for pid, quantity in self._items.items()]

    def __len__(self) -> int:
        return sum(self._items.values())
