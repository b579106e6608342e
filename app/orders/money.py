"""Money as the shop counts it: integer yen, prices tax included."""


def included_tax(amount: int, rate: int) -> int:
    """The consumption tax inside a tax-included amount, rounded down (the usual 内税 display)."""
    return amount * rate // (100 + rate)
