"""Stock per product and location: ``sku,location,on_hand,allocated,available``."""
import dataclasses
from collections.abc import Iterable

from exporters.base import ExportResult, write_csv


HEADER = ('sku', 'location', 'on_hand', 'allocated', 'available')


@dataclasses.dataclass(frozen=True, slots=True)
class StockRecord:
    """The stock of one product at one location."""

    sku: str
    #: the location's code; the warehouse is not named
    location: str
    on_hand: int
    allocated: int
    #: False for a location whose stock is never promised (quarantine, put-back): nothing there is available
    allocatable: bool = True

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated if self.allocatable else 0


def write_stock(levels: Iterable[StockRecord], *, encoding: str = 'utf-8') -> ExportResult:
    rows = ((s.sku, s.location, s.on_hand, s.allocated, s.available) for s in levels)
    return ExportResult(write_csv(HEADER, rows, encoding=encoding), 'stock.csv', 'text/csv')
