"""Codes as printed and scanned: carriers' tracking numbers and JAN (EAN-13 and JAN-8) product codes.

Here, in the lowest format layer, so that the screens and services of ``app/`` and the format code
(importers, exporters, labels) check and clean a code the same way.

- Tracking numbers of Yamato, Sagawa and Japan Post: 12 digits, the last the first 11 mod 7 ("7DR"),
  printed 4-4-4 and as NW-7 ``A{12 digits}A`` (docs/formats.md §7).
- JAN: the GS1 check digit, the last of 13 (or 8) digits.
"""
from importers.base import normalize_digits


def code_text(value: str | None) -> str:
    """A code as typed, scanned or read from a file, without the hyphens and spaces people put in it:
    '４４４４-１３７５ ８７０３' -> '444413758703'."""
    return normalize_digits(value or '').replace('-', '').replace(' ', '')


# ------------------------------------------------------------------------------------------------ tracking numbers

def tracking_check_digit(body: str) -> int:
    """The check digit for the 11 digits before it."""
    if not (len(body) == 11 and body.isascii() and body.isdigit()):
        raise ValueError(f'a tracking number body has 11 digits, not {body!r}')
    return int(body) % 7


def with_tracking_check_digit(body: str) -> str:
    return body + str(tracking_check_digit(body))


def is_tracking_number(number: str) -> bool:
    """Whether `number` (hyphens and spaces allowed) is 12 digits whose last is the first 11 mod 7."""
    digits = code_text(number)
    return (len(digits) == 12 and digits.isascii() and digits.isdigit()
            and int(digits[:11]) % 7 == int(digits[11]))


def formatted_tracking(number: str) -> str:
    """As printed on labels: 4-4-4 digits."""
    return f'{number[:4]}-{number[4:8]}-{number[8:]}' if len(number) == 12 else number


def scanned_tracking_number(code: str) -> str | None:
    """The 12 digits a scanned label's NW-7 barcode (or its printed digits) carries, or None.

    The scanner may pass on the start and stop letters (A-D) of NW-7.
    """
    digits = code_text(code).strip('ABCDabcd')
    return digits if len(digits) == 12 and digits.isascii() and digits.isdigit() else None


# ------------------------------------------------------------------------------------------------ JAN

def jan_check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (12 for EAN-13, 7 for JAN-8).

    Counting from the right, digits in odd positions weigh 3 and the others 1 (the check digit
    itself is position 1, so the rightmost body digit weighs 3).
    """
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def with_jan_check_digit(body: str) -> str:
    return body + str(jan_check_digit(body))


def is_valid_jan(code: str) -> bool:
    """Whether `code` is 13 (or 8) ASCII digits ending in their check digit."""
    return (code.isascii() and code.isdigit() and len(code) in (8, 13)
            and jan_check_digit(code[:-1]) == int(code[-1]))
