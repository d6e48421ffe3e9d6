"""Organization codes (GB 11714) and unified social credit codes (GB 32100) for the demo."""

from stdnum.cn import uscc

ORG_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def gb11714_check(body: str) -> str:
    """The 9th character of an organization code (GB 11714): weighted sum mod 11."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def organization_code(index: int, new_style: bool) -> str:
    """A 9-char organization code unique per ``index`` (< 31**6).

    The last six characters are a bijection of the index (multiplying by a number prime
    to 31**6 permutes the residues), so codes look scattered but never collide. Codes
    issued since 2015 start with "MA", older ones with two digits.
    """
    n = (index * 1_000_003 + 104_729) % 31**6
    tail = ""
    for _ in range(6):
        n, digit = divmod(n, 31)
        tail = ORG_CODE_ALPHABET[digit] + tail
    head = "MA" if new_style else f"{13 + index % 87:02d}"
    return head + tail + gb11714_check(head + tail)


def credit_code(prefix: str, division: str, index: int, new_style: bool) -> str:
    """统一社会信用代码 (GB 32100): department and category, division, org code, check digit."""
    first17 = prefix + division + organization_code(index, new_style)
    return first17 + uscc.calc_check_digit(first17)
