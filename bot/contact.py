"""The candidate's name, e-mail address and phone number: read from a message, checked, normalised.

Each check raises an ``InvalidName``/``InvalidEmail``/``InvalidPhone`` whose reason code
selects the explanation the candidate gets ("an address has one @", "a Belgian mobile number
has ten digits"), so that a wrong answer is corrected rather than just refused.

Phone numbers: Belgian and French numbers only, in national ("0470 12 34 56",
"0470/12.34.56", "06 12 34 56 78", "03 20 12 34 56") or international form ("+32 470...",
"0032 470...", "+33 (0)6..."), normalised to E.164 ("+32470123456"). A ten-digit national
number starting with 045-049 is a Belgian mobile: in France those are landlines of the
south-east, far from the border this service is about.
"""

from __future__ import annotations

import re

from bot.errors import InvalidEmail, InvalidName, InvalidPhone
from bot.text import fold

# What people write before the value itself ("je m'appelle", "mon mail c'est", "ik ben"),
# with or without the apostrophe ("je m appelle", "c est").
_APOSTROPHE = r"(?:\s*['’`]\s*|\s+)"
_LEAD_IN_PHRASES = (
    # names
    rf"je m{_APOSTROPHE}appelle",
    r"je suis",
    rf"moi c{_APOSTROPHE}est",
    rf"mon nom(?: complet)? (?:est|c{_APOSTROPHE}est)",
    r"nom(?: et pr[ée]nom)?\s*:",
    r"ik ben",
    r"ik heet",
    r"mijn (?:volledige )?naam is",
    r"naam\s*:",
    # e-mail addresses
    r"mon (?:adresse )?(?:e-?mail|mail|courriel)",
    r"(?:adresse )?(?:e-?mail|mail|courriel)\s*:",
    r"mijn (?:e-?mail|mail)(?:adres)?(?: is)?",
    r"(?:e-?mail|mail)(?:adres)?\s*:",
    # phone numbers
    r"mon (?:num[ée]ro|num|t[ée]l|t[ée]l[ée]phone|gsm|portable)(?: de t[ée]l[ée]phone)?",
    r"(?:t[ée]l|gsm|telefoon|portable)\s*:",
    r"mijn (?:gsm|nummer|telefoon(?:nummer)?|gsm-?nummer)(?: is)?",
    # complaints before the answer given again: "dat heb ik toch al gezegd: Jan Peeters"
    rf"je (?:vous )?l{_APOSTROPHE}ai d[ée]j[àa] dit",
    r"je vous ai d[ée]j[àa] dit",
    rf"comme je (?:vous )?l{_APOSTROPHE}ai dit",
    r"je r[ée]p[èe]te",
    r"dat heb ik (?:toch )?(?:al|net|daarnet) (?:gezegd|gegeven|getypt)",
    r"ik zei (?:het )?(?:toch )?(?:al)?",
    r"ik heb (?:het )?(?:toch )?al gezegd",
    r"zoals ik (?:al )?zei",
    r"ik zeg het nog eens",
    # "... c'est", "... est", "c'est le", "dat is" after any of them
    rf"c{_APOSTROPHE}est(?: le)?",
    r"dat is",
    r"est(?: le)?",
    r"is",
)
_LEAD_IN = re.compile(rf"^(?:{'|'.join(_LEAD_IN_PHRASES)})(?=[\s,:]|$)\s*[:,]?\s*", re.IGNORECASE)


_OUTER = " \t\"'«»“”.,;:!?"


def strip_lead_in(text: str) -> str:
    """``text`` without outer quotes and punctuation and leading "je m'appelle" / "mijn e-mail is".

    Applied until nothing changes, so "mon mail c'est ..." loses both "mon mail" and "c'est".
    """
    stripped = text.strip(_OUTER)
    while True:
        shorter = _LEAD_IN.sub("", stripped, count=1).strip()
        if shorter == stripped:
            break
        stripped = shorter
    return stripped.strip(_OUTER)


# --- names --------------------------------------------------------------------------------

_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?$")
MAX_NAME_LENGTH = 80


def normalise_name(text: str) -> str:
    """The candidate's first and last name, trimmed.

    Raises:
        InvalidName: ``empty``, ``looks_like_email``, ``digits``, ``invalid_characters``,
            ``too_long`` or ``first_and_last_name`` (a single word).
    """
    name = " ".join(strip_lead_in(text).split())
    if not name:
        raise InvalidName("empty")
    if "@" in name:
        raise InvalidName("looks_like_email")
    if any(c.isdigit() for c in name):
        raise InvalidName("digits")
    if len(name) > MAX_NAME_LENGTH or len(name.split()) > 6:
        raise InvalidName("too_long")
    if not _NAME_CHARS.match(name):
        raise InvalidName("invalid_characters")
    if "?" in text or any(word in NOT_NAME_WORDS for word in _folded_words(name)):
        raise InvalidName("not_a_name")
    if len(name.split()) < 2:
        raise InvalidName("first_and_last_name")
    return name


# Folded words that are in no first or last name but often in what people write in the
# middle of a form: thanks, greetings, yes and no, moments of the day, complaints, questions.
# Name particles (de, van, le, la, du, der, den, ter) and words that are also surnames
# (Blanc, Lebon, Rose, De Wilde, Dag) are not here.
NOT_NAME_WORDS = frozenset(
    """merci bedankt dank danku dankjewel dankuwel thanks thank beaucoup bonjour bonsoir
    salut hallo hello hoi goeiedag goeiemorgen goedemorgen goedemiddag goedenavond revoir
    ziens groetjes oui ouais non nee neen ja jawel ok oke okay akkoord accord plutot liever
    matin matinee apres aprem voormiddag namiddag
    morgens toujours deja dit gezegd zei toch nog waarom pourquoi comment hoe quoi wat
    wanneer quand waar je ik jij vous il hij zij elle nous wij we est is suis heb
    avez hebt pas niet geen rien niets veux voudrais sais weet peux kun
    stop arrete laisse tomber laat maar annuler annuleer inscription inschrijving seance
    sessie impots belastingen telephone gsm email mail adresse adres svp stp alsjeblieft
    aub sorry desole excuses excuseer bonne journee bientot tantot later ciao bye doei daag
    fijne weekend""".split()
)


def _folded_words(text: str) -> list[str]:
    return re.sub(r"['’.-]", " ", fold(text)).split()


# --- e-mail addresses ---------------------------------------------------------------------

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TLD = re.compile(r"^[a-z]{2,24}$|^xn--[a-z0-9-]{2,59}$")

# Providers candidates on both sides of the border use: a domain one typo away from one of
# these ("gmial.com", "hotmail.fe", "skynet.bee") is probably that one.
KNOWN_DOMAINS = frozenset(
    """gmail.com googlemail.com hotmail.com hotmail.fr hotmail.be outlook.com outlook.fr
    outlook.be live.com live.fr live.be msn.com yahoo.com yahoo.fr yahoo.be ymail.com
    icloud.com me.com mail.com gmx.com gmx.fr gmx.net orange.fr wanadoo.fr free.fr sfr.fr
    neuf.fr laposte.net bbox.fr aol.com aol.fr skynet.be telenet.be proximus.be voo.be
    scarlet.be base.be protonmail.com proton.me""".split()
)
_TLD_TYPOS = {"con": "com", "cm": "com", "cmo": "com", "ocm": "com", "comm": "com", "frr": "fr",
              "fe": "fr", "rf": "fr", "bee": "be", "eb": "be", "nte": "net"}  # fmt: skip
MAX_EMAIL_LENGTH = 254


def normalise_email(text: str, confirmed: str | None = None) -> str:
    """The address in ``text`` ("mon mail c'est Jan.Peeters@Telenet.be"), lower-cased.

    Args:
        text: what the candidate wrote.
        confirmed: an address the candidate already sent once after being told it looked
            like a typo; sending the same one again means it is right, and it is accepted.

    Raises:
        InvalidEmail: ``empty``, ``missing_at``, ``several_addresses``, ``several_at``,
            ``spaces``, ``missing_local``,
            ``missing_domain``, ``domain_without_dot``, ``invalid_characters``,
            ``invalid_domain``, ``too_long`` or ``domain_typo`` (with ``suggestion``).
    """
    address = _address_in(text)
    local, _, domain = address.rpartition("@")
    _check_local(local)
    domain = domain.lower().rstrip(".")
    _check_domain(domain)
    address = f"{local}@{domain}".lower()
    if len(address) > MAX_EMAIL_LENGTH or len(local) > 64:
        raise InvalidEmail("too_long")
    suggestion = _likely_domain(domain)
    if suggestion and address != (confirmed or "").lower():
        raise InvalidEmail("domain_typo", suggestion=f"{local.lower()}@{suggestion}", value=address)
    return address


def _address_in(text: str) -> str:
    words = strip_lead_in(text).split()
    if not words:
        raise InvalidEmail("empty")
    candidates = [w.strip("<>()[]\"'«»,;:!?") for w in words if "@" in w]
    if not candidates:
        raise InvalidEmail("missing_at")
    if len(candidates) > 1:
        raise InvalidEmail("several_addresses")
    address = candidates[0].rstrip(".")
    if len(words) > 1 and (address.startswith("@") or address.endswith("@")):
        raise InvalidEmail("spaces")  # "jan @ telenet.be", "jan@ telenet.be"
    if address.count("@") > 1:
        raise InvalidEmail("several_at")
    return address


def _check_local(local: str) -> None:
    if not local:
        raise InvalidEmail("missing_local")
    if not _LOCAL.match(local):
        raise InvalidEmail("invalid_characters")


def _check_domain(domain: str) -> None:
    if not domain:
        raise InvalidEmail("missing_domain")
    if "." not in domain:
        raise InvalidEmail("domain_without_dot")
    labels = domain.split(".")
    if not all(_LABEL.match(label) for label in labels[:-1]) or not _TLD.match(labels[-1]):
        if any(not c.isascii() for c in domain):
            raise InvalidEmail("invalid_characters")
        raise InvalidEmail("invalid_domain")


def _likely_domain(domain: str) -> str | None:
    """The known provider ``domain`` is probably a typo of, or None."""
    if domain in KNOWN_DOMAINS:
        return None
    name, _, tld = domain.rpartition(".")
    fixed = f"{name}.{_TLD_TYPOS[tld]}" if tld in _TLD_TYPOS else None
    if fixed in KNOWN_DOMAINS:
        return fixed
    close = [known for known in KNOWN_DOMAINS if _one_edit_apart(domain, known)]
    return close[0] if len(close) == 1 else None


def _one_edit_apart(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = (diff + [0, 0])[:2]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


# Addresses that must never receive mail: the reserved example domains of RFC 2606.
def is_reserved_address(address: str) -> bool:
    """True for example.org-style and .invalid/.test addresses (demo data)."""
    domain = address.rpartition("@")[2].lower()
    tld = domain.rpartition(".")[2]
    return tld in ("invalid", "test", "example", "localhost") or domain.endswith(
        ("example.org", "example.com", "example.net")
    )


# --- phone numbers ------------------------------------------------------------------------

_PHONE_TEXT = re.compile(r"\+?\(?\d[\d\s./()-]*\d")
_ALLOWED_PHONE = re.compile(r"^\+?[\d\s./()-]+$")
# Words that say "no phone number" when the form asks for one.
_NO_PHONE = re.compile(
    r"\b(?:pas de|sans|aucun|pas|non|nee|neen|geen|liever niet|niet|zonder|skip|overslaan"
    r"|passer|je prefere pas|je n ai pas|ik heb geen|je ne veux pas|rien)\b"
)


def says_no_phone(text: str) -> bool:
    """True when the candidate declines to give a number ("pas de téléphone", "geen gsm")."""
    folded = fold(text).replace("'", " ").replace("’", " ")
    return not any(c.isdigit() for c in folded) and bool(_NO_PHONE.search(folded))


def normalise_phone(text: str) -> str:
    """The Belgian or French number in ``text``, in E.164 form ("+32470123456").

    Raises:
        InvalidPhone: ``empty``, ``invalid_characters``, ``several_numbers``, ``too_short``,
            ``too_long``, ``unsupported_country`` or ``invalid_number``.
    """
    raw = _number_in(text)
    international = raw.startswith(("+", "00"))
    digits = re.sub(r"\D", "", raw.replace("(0)", ""))
    if international:
        digits = digits[2:] if raw.startswith("00") else digits
        for code, national in (("32", _belgian), ("33", _french)):
            if digits.startswith(code):
                return national("0" + digits[len(code) :].lstrip("0"))
        raise InvalidPhone("unsupported_country")
    if not digits.startswith("0"):
        raise InvalidPhone("invalid_number" if len(digits) >= 8 else "too_short")
    if len(digits) == 9:
        return _belgian(digits)
    if len(digits) == 10:
        return (
            _belgian(digits)
            if digits.startswith(("045", "046", "047", "048", "049"))
            else _french(digits)
        )
    raise InvalidPhone("too_short" if len(digits) < 9 else "too_long")


def _number_in(text: str) -> str:
    """The number in ``text``: the whole text, or the one number of a sentence around it."""
    stripped = strip_lead_in(text)
    if not stripped:
        raise InvalidPhone("empty")
    if _ALLOWED_PHONE.match(stripped):
        return stripped
    numbers = list(_PHONE_TEXT.finditer(stripped))
    if not numbers:
        raise InvalidPhone("invalid_characters")
    if len([n for n in numbers if len(re.sub(r"\D", "", n.group(0))) >= 6]) > 1:
        raise InvalidPhone("several_numbers")
    found = max(numbers, key=lambda n: len(n.group(0)))
    glued = (
        stripped[found.end() : found.end() + 1]
        + stripped[max(found.start() - 1, 0) : found.start()]
    )
    if re.search(r"[^\W\d_]", glued):
        raise InvalidPhone("invalid_characters")  # "0470abc123": a typo, not a sentence
    return found.group(0)


def _belgian(national: str) -> str:
    """E.164 of a Belgian national number: 0 + 8 digits (landline) or 04xx + 6 (mobile)."""
    significant = national[1:]
    if len(significant) < 8:
        raise InvalidPhone("too_short")
    if len(significant) > 9:
        raise InvalidPhone("too_long")
    if len(significant) == 9 and not significant.startswith(("45", "46", "47", "48", "49")):
        raise InvalidPhone("invalid_number")
    if significant[0] == "0":
        raise InvalidPhone("invalid_number")
    return f"+32{significant}"


def _french(national: str) -> str:
    """E.164 of a French national number: 0 + 9 digits, not starting with 00."""
    significant = national[1:]
    if len(significant) < 9:
        raise InvalidPhone("too_short")
    if len(significant) > 9:
        raise InvalidPhone("too_long")
    if significant[0] == "0":
        raise InvalidPhone("invalid_number")
    return f"+33{significant}"


def is_e164(value: str) -> bool:
    """True for a Belgian or French number already in E.164 form."""
    return bool(re.fullmatch(r"\+32\d{8,9}|\+33\d{9}", value))


def format_phone(e164: str) -> str:
    """A readable international form: "+32 470 12 34 56", "+32 2 512 34 56", "+33 6 12 34 56 78"."""
    code, rest = e164[1:3], e164[3:]
    if code == "32" and len(rest) == 8 and rest[0] in "2349":
        groups = [rest[0], rest[1:4], rest[4:6], rest[6:]]  # Brussels, Antwerp, Liège, Ghent
    else:
        head = 1 if code == "33" else 3 if len(rest) == 9 else 2
        groups = [rest[:head]] + [rest[i : i + 2] for i in range(head, len(rest), 2)]
    return " ".join([f"+{code}", *groups])


# --- several details in one message ------------------------------------------------------
# "Je m'appelle Léa Moreau, lea.moreau@gmail.com, 0470 12 34 56": each detail is found where
# it stands, so that a form fills every question the message answers and asks only the rest.

_EMAIL_IN_TEXT = re.compile(r"[^\s<>()\[\]\"'«»,;:!?]+@[^\s<>()\[\]\"'«»,;:!?]+")
_NAME_LEAD_IN = re.compile(
    rf"(?:je m{_APOSTROPHE}appelle|mon nom(?: complet)? (?:est|c{_APOSTROPHE}est)"
    rf"|moi c{_APOSTROPHE}est|nom(?: et pr[ée]nom)?\s*:|mijn (?:volledige )?naam is|ik heet"
    r"|naam\s*:)\s*",
    re.IGNORECASE,
)
# "je suis Mehdi Haddad", "ik ben Lotte Declercq": a name only when two capitalised words
# follow ("je suis frontalier", "ik ben lasser" are not names).
_NAME_INTRODUCED = re.compile(
    rf"(?i:\b(?:je suis|moi,? c{_APOSTROPHE}est|ici|ik ben|hier is|dit is))\s+"
    r"(?=[A-ZÀ-ÖØ-Ý][\w'’-]+\s+(?:(?i:de|van|der|den|le|la|du|des|d')\s*)*[A-ZÀ-ÖØ-Ý])"
)
# What ends a name in a sentence: punctuation, a digit, or the next detail's words.
_NAME_END = re.compile(
    r"[,;:()\[\]!?\d@]|\s(?:et|en|mon|ma|mes|mijn|e-?mail|mail|gsm|t[ée]l|telefoon|num[ée]ro"
    r"|nummer|adresse|adres|pour|voor|je|ik|j)\b|\.\s|\.$",
    re.IGNORECASE,
)


def find_email(text: str) -> str | None:
    """The one e-mail address written somewhere in ``text``, normalised, or None."""
    found = _EMAIL_IN_TEXT.findall(text)
    if len(found) != 1:
        return None
    try:
        return normalise_email(found[0].rstrip("."))
    except InvalidEmail:
        return None


def find_phone(text: str) -> str | None:
    """The one Belgian or French number written somewhere in ``text``, in E.164, or None."""
    without_email = _EMAIL_IN_TEXT.sub(" ", text)
    numbers = [
        n.group(0)
        for n in _PHONE_TEXT.finditer(without_email)
        if len(re.sub(r"\D", "", n.group(0))) >= 9
    ]
    if len(numbers) != 1:
        return None
    try:
        return normalise_phone(numbers[0])
    except InvalidPhone:
        return None


def find_name(text: str) -> str | None:
    """The name after "je m'appelle" / "mijn naam is" / "nom :" in a longer message, or None."""
    lead_in = _NAME_LEAD_IN.search(text) or _NAME_INTRODUCED.search(text)
    if not lead_in:
        return None
    rest = text[lead_in.end() :]
    end = _NAME_END.search(rest)
    try:
        return normalise_name(rest[: end.start()] if end else rest)
    except InvalidName:
        return None


# Parts of a message listing its details: between commas, semicolons, lines or " - ".
_DETAIL_PARTS = re.compile(r"[,;\n]| - ")
# Folded words that pick a session or a moment, never a name ("celle du mardi", "de eerste").
_CHOICE_WORDS = frozenset(
    """celle celui session seance sessie infosessie reunion deze die degene
    lundi mardi mercredi jeudi vendredi samedi dimanche
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
    premiere premier deuxieme troisieme derniere dernier eerste tweede derde laatste
    janvier fevrier avril juin juillet aout septembre octobre novembre decembre
    januari februari maart juni juli augustus oktober""".split()
)


def name_among_details(text: str) -> str | None:
    """The name a message gives before it is asked: after "je m'appelle" / "mijn naam is"
    (:func:`find_name`), or, in a message that lists its details ("la 2, Jan Peeters,
    jan@telenet.be, 0470 12 34 56"), the one part between commas that is a name. None when
    there is none, or when two parts could be one (nothing is guessed)."""
    found = find_name(text)
    if found or (find_email(text) is None and find_phone(text) is None):
        return found
    names = []
    for part in _DETAIL_PARTS.split(without_contact_details(text)):
        part = part.strip(_OUTER)
        if not part or _CHOICE_WORDS.intersection(_folded_words(part)):
            continue
        try:
            names.append(normalise_name(part))
        except InvalidName:
            continue
    return names[0] if len(names) == 1 else None


def without_contact_details(text: str) -> str:
    """``text`` without its e-mail addresses and phone numbers (which look like dates)."""
    return _PHONE_TEXT.sub(" ", _EMAIL_IN_TEXT.sub(" ", text))


def read_name(text: str) -> str:
    """The name a message answering "what is your name?" gives: the whole message, or the
    name in "Jan Peeters, jan@telenet.be, 0470 12 34 56" / "mijn naam is Jan Peeters en ...".

    Raises:
        InvalidName: the reason the whole message is not a name.
    """
    try:
        return normalise_name(text)
    except InvalidName as whole:
        found = find_name(text)
        if found:
            return found
        if whole.reason not in ("looks_like_email", "digits", "invalid_characters"):
            raise
        first = re.split(r"[,;/\n]", without_contact_details(text).strip(_OUTER))[0]
        try:
            return normalise_name(first)
        except InvalidName:
            raise whole from None
