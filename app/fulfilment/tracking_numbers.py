"""Japanese parcel tracking numbers (Yamato, Sagawa, Japan Post): 12 digits, the last = first 11 mod 7 ("7DR")."""


def check_digit(body: str) -> int:
    """The check digit for the 11 digits before it."""
    if not (len(body) == 11 and body.isascii() and body.isdigit()):
        raise ValueError(f'a tracking number body has 11 digits, not {body!r}')
    return int(body) % 7


def is_valid(number: str) -> bool:
    digits = number.replace('-', '').strip()
    return (len(digits) == 12 and digits.isascii() and digits.isdigit()
            and int(digits[:11]) % 7 == int(digits[11]))


def with_check_digit(body: str) -> str:
    return body + str(check_digit(body))


def formatted(number: str) -> str:
    """As printed on labels: 4-4-4 digits."""
    return f'{number[:4]}-{number[4:8]}-{number[8:]}' if len(number) == 12 else number
