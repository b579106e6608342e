"""The plain records every order format is read into: what the orders service persists.

Treat them as values: nothing changes a record once a format has built it.  They are not frozen
dataclasses because a frozen one sets each field through object.__setattr__, which made building
the records of a big file many times slower (docs/benchmarks.md, "Figures behind choices in the
code").
"""
import dataclasses
import datetime
from collections.abc import Iterable, Iterator

from importers.base import RowProblem


PAYMENT_METHODS = ('card', 'cod', 'bank_transfer', 'convenience_store', 'paypay', 'other')


@dataclasses.dataclass(slots=True)
class LineRecord:
    """One order line as the file states it."""

    #: file line the row starts on
    line: int
    #: the mall's own id of the line (商品明細ID, order-item-id, LineId), '' when the format has none
    channel_line_id: str
    #: the mall's SKU or item code as text, leading zeros kept; '' when the file gives none
    item_code: str
    jan: str
    name: str
    option_text: str
    quantity: int
    #: yen, tax included; before tax when `tax_excluded` is set
    unit_price: int
    #: percent: 10, 8 (or 0 for a tax-free item); None when the file gives no rate for the line, so that the
    #: orders service takes the rate of the product the line matches
    tax_rate: int | None
    #: the file says unit_price is before tax (Rakuten 税込別 0): the orders service adds the tax, at the
    #: line's rate, once it knows the rate
    tax_excluded: bool = False


@dataclasses.dataclass(slots=True)
class OrderRecord:
    """One order as the file states it, with values normalised (postal code, phones, UTC time, yen)."""

    #: file line of the order's first row
    line: int
    channel: str
    external_order_id: str
    #: timezone-aware, in UTC
    ordered_at: datetime.datetime
    buyer_name: str
    buyer_kana: str
    buyer_email: str
    #: digits only
    buyer_phone: str
    ship_name: str
    ship_kana: str
    #: 7 ASCII digits
    ship_postal_code: str
    ship_prefecture: str
    ship_city: str
    ship_address1: str
    ship_address2: str
    ship_phone: str
    #: one of PAYMENT_METHODS
    payment_method: str
    shipping_fee: int
    cod_fee: int
    #: yen: the total the file states, or lines + shipping + COD fee when it states none
    total: int
    delivery_date: datetime.date | None
    delivery_time_slot: str
    gift_wrap: str
    noshi: str
    customer_comment: str
    lines: list[LineRecord]
    #: the file the order was read from (the orders file, for Yahoo's pair)
    filename: str = ''
    #: yen the customer is billed as the mall states it, after points and coupons (Rakuten 請求金額, Yahoo!
    #: Total less points and mall coupons, Amazon cod-collectible-amount); None when the file does not say
    amount_due: int | None = None


@dataclasses.dataclass
class ParseResult:
    """The orders read from one import and the problems that kept other orders out."""

    orders: list[OrderRecord] = dataclasses.field(default_factory=list)
    problems: list[RowProblem] = dataclasses.field(default_factory=list)


def records(kind: type, columns: dict[str, Iterable]) -> Iterator:
    """Records of a kind (OrderRecord, LineRecord) made from their fields given column by column, each
    field a sequence or a repeat(); the record's every field must be given, and nothing else."""
    fields = [field.name for field in dataclasses.fields(kind)]
    if set(columns) != set(fields):
        raise TypeError(f'{kind.__name__}: missing {sorted(set(fields) - set(columns))}, '
                        f'unknown {sorted(set(columns) - set(fields))}')
    return map(kind, *map(columns.__getitem__, fields))


def lines_total(lines: list[LineRecord]) -> int:
    """Sum of unit price times quantity over the lines."""
    return sum(line.unit_price * line.quantity for line in lines)
