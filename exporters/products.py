"""Products as the same CSV the product import reads."""
import dataclasses
from collections.abc import Iterable

from exporters.base import ExportResult, write_csv
from importers.products import HEADER


@dataclasses.dataclass(frozen=True, slots=True)
class ProductRecord:
    """One product as the export writes it: the fields of the product import, in its order."""

    sku: str
    name: str
    jan: str | None
    price: int
    tax_rate: int
    weight_g: int | None
    active: bool


def write_products(products: Iterable[ProductRecord], *, encoding: str = 'utf-8') -> ExportResult:
    rows = ((p.sku, p.name, p.jan, p.price, p.tax_rate, p.weight_g, p.active) for p in products)
    return ExportResult(write_csv(HEADER, rows, encoding=encoding), 'products.csv', 'text/csv')
