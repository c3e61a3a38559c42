"""The language a guest's WhatsApp number suggests: a prior for messages too short to tell.

A `wa_id` is the E.164 number without "+": country calling code first (ITU-T E.164, the list
of assigned codes in ITU-T's "List of ITU-T Recommendation E.164 assigned country codes"),
then, inside the North American Numbering Plan (+1), a three-digit area code (NANPA's
assignments). The longest listed prefix wins, so an area code overrides +1. A country is
listed only when nearly everyone there who writes to a hotel writes in one of our languages;
multilingual countries (+41, +32, +352, Quebec's area codes) are listed as None, no prior.
"""

from __future__ import annotations

#: Calling-code prefix → language, or None where the number says nothing useful.
PREFIXES: dict[str, str | None] = {
    # North America (+1, NANP): English, except Spanish-speaking islands and bilingual Quebec.
    "1": "en",
    "1787": "es", "1939": "es",  # Puerto Rico
    "1809": "es", "1829": "es", "1849": "es",  # Dominican Republic
    "1263": None, "1354": None, "1367": None, "1418": None, "1438": None, "1450": None,
    "1468": None, "1514": None, "1579": None, "1581": None, "1819": None, "1873": None,
    # Europe
    "44": "en", "353": "en", "356": "en", "350": "en",  # UK, Ireland, Malta, Gibraltar
    "34": "es",
    "49": "de", "43": "de", "423": "de",  # Germany, Austria, Liechtenstein
    "33": "fr", "377": "fr",  # France, Monaco
    "39": "it", "378": "it", "379": "it",  # Italy (and the Vatican), San Marino
    "351": "pt",
    "41": None, "32": None, "352": None, "376": None,  # Switzerland, Belgium, Luxembourg, Andorra
    # Latin America and the Caribbean
    "52": "es", "53": "es", "54": "es", "56": "es", "57": "es", "58": "es", "51": "es",
    "591": "es", "593": "es", "595": "es", "598": "es",
    "502": "es", "503": "es", "504": "es", "505": "es", "506": "es", "507": "es",
    "55": "pt",
    "501": "en", "592": "en",  # Belize, Guyana
    "509": "fr", "590": "fr", "594": "fr", "596": "fr", "508": "fr",  # Haiti, French overseas
    # Africa
    "240": "es",  # Equatorial Guinea
    "244": "pt", "258": "pt", "238": "pt", "245": "pt", "239": "pt",
    "221": "fr", "223": "fr", "224": "fr", "225": "fr", "226": "fr", "227": "fr", "228": "fr",
    "229": "fr", "241": "fr", "242": "fr", "243": "fr", "262": "fr",
    "27": "en", "233": "en", "234": "en", "254": "en", "256": "en", "260": "en", "263": "en",
    "237": None,  # Cameroon: French and English
    # Asia and Oceania
    "61": "en", "64": "en", "65": "en",  # Australia, New Zealand, Singapore
    "670": "pt",  # Timor-Leste
    "689": "fr", "687": "fr",  # French Polynesia, New Caledonia
}  # fmt: skip

_LONGEST = max(map(len, PREFIXES))
#: E.164 numbers have at most 15 digits; fewer than 7 cannot hold a code and a subscriber.
_MIN_DIGITS, _MAX_DIGITS = 7, 15


def language_for_number(wa_id: str | None) -> str | None:
    """The language most people with this number's country (or area) code write in, or None
    when the code is multilingual, not listed, or `wa_id` is not an E.164 number."""
    if not wa_id:
        return None
    digits = wa_id.strip().removeprefix("+")
    if not (digits.isascii() and digits.isdigit()) or digits.startswith("0"):
        return None
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        return None
    for length in range(min(_LONGEST, len(digits)), 0, -1):
        if digits[:length] in PREFIXES:
            return PREFIXES[digits[:length]]
    return None
