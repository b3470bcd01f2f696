"""French text as the interface needs it: elision before a vowel when it puts a name into a sentence, and
text folded for comparison (``fold``: lower case, accents dropped), and sizes as people read them (``size``:
« 312 Mo », « 1,5 Mo », « 80 Ko », « 95 octets »; the template filter ``|taille``).

``de("Lucas")`` -> « de Lucas », ``de("Emma")`` -> « d'Emma », ``de("Inès")`` -> « d'Inès »,
``de("Anglais")`` -> « d'Anglais », ``de("août")`` -> « d'août ». The template filter ``|de`` (built in to
every template) does the same: ``{% blocktranslate with name=student.first_name|de %}Dossier {{ name }}…``.

The rule: « de » becomes « d' » before a word that starts with a vowel sound — a vowel, accented or not
(« Émilie », « Œdipe »), a « y » followed by a consonant (« Yves », not « Yanis »), or a mute h of a word
listed in ``MUTE_H`` (a first name or a subject: « Hugo », « Hélène », « Histoire-géographie »; any other
h is left alone, since an aspirated h, as in « Hamid », does not elide and cannot be guessed).
Digits never elide (« de 3e A »), nor « onze ». In another language, the name is returned unchanged: the
translation carries its own preposition (« Lucas's record », « Calendar of Emma »).
"""

from __future__ import annotations

import unicodedata

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

VOWELS = set("aeiouàâäéèêëîïôöùûüœæ")
# Words with a mute h, in lower case: the demo's first names and the subjects that start with an h.
MUTE_H = {
    "hugo",
    "hélène",
    "hervé",
    "héloïse",
    "hortense",
    "hubert",
    "hippolyte",
    "horace",
    "honoré",
    "histoire",
    "histoire-géographie",
    "histoire-géo",
}
NO_ELISION = {"onze", "onzième"}


def elides(word: str) -> bool:
    """Whether French elides « de », « le », « que »... before ``word``."""
    first = word.strip().split(" ")[0].lower() if word and word.strip() else ""
    if not first or first in NO_ELISION:
        return False
    if first[0] in VOWELS:
        return True
    if first[0] == "y":
        return len(first) > 1 and first[1] not in VOWELS | {"y"}
    if first[0] == "h":
        return first.rstrip(",.;:") in MUTE_H
    return False


def de(name: object) -> str:
    """« de Lucas », « d'Emma »: the preposition and the name, elided as French wants (see the module)."""
    text = "" if name is None else str(name)
    if not text:
        return ""
    if (get_language() or "fr").split("-")[0] != "fr":
        return text
    return f"d'{text}" if elides(text) else f"de {text}"


def fold(text: str) -> str:
    """Text as a search or a lookup compares it: lower case, without accents (« Mathématiques » ->
    « mathematiques », « Début » -> « debut »); letters without a decomposition (« œ ») are kept."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


MIB = 1024 * 1024


def size(count: int) -> str:
    """A size in bytes as people read it: « 312 Mo », « 1,5 Mo », « 5 Go », « 80 Ko », « 95 octets » (a whole
    number from 10 up or when the tenth is zero; Django's ``filesizeformat`` would write « 312,0 Mo »)."""
    for unit, label in ((1024 * MIB, _("Go")), (MIB, _("Mo")), (1024, _("Ko"))):
        if count >= unit:
            value = count / unit
            whole = value >= 10 or abs(value - round(value)) < 0.05
            shown = number_format(round(value), 0) if whole else number_format(value, 1)
            return f"{shown} {label}"
    return _("%(count)s octets") % {"count": count}
