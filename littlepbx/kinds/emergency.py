"""Emergency numbers by the organization's country: its phones may always dial them, whatever
their call limit, through the organization's upstream with its emergency caller ID; and no
extension, group or other internal number may be one of them.

Only numbers of three digits or more are listed, so that no two-digit extension is taken."""
from __future__ import annotations

EMERGENCY_NUMBERS: dict[str, tuple[str, ...]] = {
    "US": ("911",), "CA": ("911",), "MX": ("911",), "GB": ("999", "112"), "IE": ("112", "999"),
    "DE": ("112", "110"), "AT": ("112", "133", "144"), "CH": ("112", "117", "118", "144"), "FR": ("112",),
    "BE": ("112",), "NL": ("112",), "LU": ("112",), "ES": ("112",), "PT": ("112",), "IT": ("112",),
    "DK": ("112",), "SE": ("112",), "NO": ("112", "110", "113"), "FI": ("112",), "PL": ("112", "997", "998", "999"),
    "CZ": ("112", "155", "158"), "AU": ("000", "112"), "NZ": ("111",), "IN": ("112",), "ZA": ("112", "10111"),
    "BR": ("190", "192", "193"), "JP": ("110", "119"),
}
COUNTRIES = tuple(sorted(EMERGENCY_NUMBERS))
# Each country's calling code: a "+" number beginning with another one is a call abroad.
CALLING_CODES: dict[str, str] = {
    "US": "1", "CA": "1", "MX": "52", "GB": "44", "IE": "353", "DE": "49", "AT": "43", "CH": "41", "FR": "33",
    "BE": "32", "NL": "31", "LU": "352", "ES": "34", "PT": "351", "IT": "39", "DK": "45", "SE": "46", "NO": "47",
    "FI": "358", "PL": "48", "CZ": "420", "AU": "61", "NZ": "64", "IN": "91", "ZA": "27", "BR": "55", "JP": "81",
}


def emergency_numbers(country: str) -> tuple[str, ...]:
    """The emergency numbers of ``country`` (ISO 3166 alpha-2)."""
    return EMERGENCY_NUMBERS.get(country, ("112",))


def calling_code(country: str) -> str:
    """The calling code of ``country`` (ISO 3166 alpha-2), without the "+"."""
    return CALLING_CODES.get(country, "")
