"""The font fallback chain, so names in any script or with emoji draw without missing-glyph boxes.

Lato (installed from pip, regular and bold faces) sets every text it covers: Latin, Greek and
Cyrillic. DejaVu Sans follows for the symbols Lato lacks, then the Noto families installed from pip:
CJK and Hangul, Arabic, Devanagari, Thai, the other scripts of South Asia, Georgian, Armenian,
Ethiopic, Hebrew and South-East Asia, Noto Sans Symbols, and Noto Emoji (monochrome: a picture's text
has one colour). Coverage is checked on the chain of files actually drawn for each weight, never on a
family's other files.

What no font of the chain has is drawn by a fallback that keeps the meaning (`drawable`):
- a "fancy" letter or digit (Mathematical Alphanumeric Symbols such as 𝘴𝘭𝘰𝘸𝘦𝘥, fullwidth, circled or
  superscript forms) is drawn as the plain characters it stands for (its NFKC form);
- an emoji's skin-tone modifier and its invisible joiners and tags are left out: a monochrome emoji has
  no skin tone, and a sequence is drawn as the emoji it joins (👨‍👩‍👧 as 👨👩👧);
- a flag (a pair of regional indicator letters) is drawn as its two letters, 🇯🇵 as "JP";
- anything else is left out, and a text with nothing left is drawn as ♪.
"""
from __future__ import annotations

import functools
import importlib
import logging
import unicodedata
from pathlib import Path

from matplotlib import font_manager
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font

log = logging.getLogger(__name__)
# matplotlib warns once per family that has no bold face; the regular face is the intended fallback.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

# The designed face: only the two weights the type scale uses, so "bold" and "normal" find exactly these.
DESIGN_PACKAGE, DESIGN_FILES = "fontpkg_lato", ("Lato-Regular.ttf", "Lato-Bold.ttf")
# Python packages (listed in requirements.txt) and, where a package holds faces the chain has already,
# the files taken from it, in fallback order (None: every upright face it holds).
FONT_PACKAGES: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("fontpkg_noto_sans", None), ("fontpkg_noto_sans_arabic", None), ("fontpkg_noto_sans_devanagari", None),
    ("fontpkg_noto_sans_thai", None), ("cvttf_NotoSansCJK_Regular", None),
    ("manimgx_fonts", tuple(f"NotoSans{script}[wght].ttf" for script in (
        "Bengali", "Tamil", "Telugu", "Kannada", "Malayalam", "Gujarati", "Gurmukhi", "Oriya", "Sinhala",
        "Georgian", "Armenian", "Ethiopic", "Hebrew", "Khmer", "Lao", "Myanmar", "Symbols"))
                      + ("NotoEmoji[wght].ttf",)),
)
DESIGN_FAMILY = "Lato"
SYMBOL_FAMILY = "DejaVu Sans"  # matplotlib's own: arrows, music signs and other symbols
PLACEHOLDER = "♪"
# emoji joiners, variation selectors and the tags of subdivision flags: they draw nothing of their own
INVISIBLE = {"\u200d", "\ufe0f", "\ufe0e", *map(chr, range(0xE0020, 0xE0080))}
SKIN_TONES = set(map(chr, range(0x1F3FB, 0x1F400)))
REGIONAL_A = 0x1F1E6


def _package_font_files(package: str, names: tuple[str, ...] | None) -> list[Path]:
    try:
        module = importlib.import_module(package)
    except ImportError:
        log.warning("Font package %s is not installed; some scripts will not be drawn", package)
        return []
    root = Path(module.__file__).parent
    found = {p.name: p for p in root.rglob("*") if p.suffix.lower() in (".ttf", ".otf") and "Italic" not in p.name}
    return sorted(found.values()) if names is None else [found[name] for name in names if name in found]


@functools.cache
def font_families() -> tuple[str, ...]:
    """Register the bundled fonts once; the family list to hand to matplotlib, in fallback order."""
    families = []
    for path in _package_font_files(DESIGN_PACKAGE, DESIGN_FILES):
        font_manager.fontManager.addfont(str(path))
        families = [DESIGN_FAMILY]
    families.append(SYMBOL_FAMILY)
    for package, names in FONT_PACKAGES:
        for path in _package_font_files(package, names):
            font_manager.fontManager.addfont(str(path))
            family = font_manager.FontProperties(fname=str(path)).get_name()
            if family not in families:
                families.append(family)
    return tuple(families)


@functools.cache
def chain_files(bold: bool) -> tuple[str, ...]:
    """The fallback chain's files for one weight, in order (a family without that weight gives its regular face)."""
    weight = "bold" if bold else "normal"
    files = [findfont(FontProperties(family=family, weight=weight), fallback_to_default=False)
             for family in font_families()]
    return tuple(dict.fromkeys(files))


@functools.cache
def covered(bold: bool) -> frozenset[int]:
    """Every code point some file of the weight's chain draws."""
    codepoints: set[int] = set()
    for path in chain_files(bold):
        codepoints.update(FT2Font(str(path)).get_charmap())
    return frozenset(codepoints)


def _flag_letters(ch: str) -> str | None:
    offset = ord(ch) - REGIONAL_A
    return chr(ord("A") + offset) if 0 <= offset < 26 else None


def _fallback(ch: str, drawn: frozenset[int]) -> str:
    """What stands for a character the chain does not draw: its plain form, a flag's letter, or nothing."""
    if ch in SKIN_TONES:
        return ""
    letter = _flag_letters(ch)
    if letter is not None:
        return letter
    plain = unicodedata.normalize("NFKC", ch)
    if plain != ch and all(ord(c) in drawn or c.isspace() for c in plain):
        return plain
    return ""


def initial(name: str) -> str:
    """The name's first letter as drawn in the name (in bold, with the marks that sit on it), in its title case
    where that is one letter the chain draws: "ana" gives "A", while a Georgian letter stays as written (its
    capitals are for all-caps text, not for the start of a name) and "ß" stays "ß"."""
    text = drawable(name, bold=True)
    end = 1
    while end < len(text) and unicodedata.category(text[end]).startswith("M"):
        end += 1
    titled = text[0].title()
    if len(titled) == 1 and ord(titled) in covered(True):
        return titled + text[1:end]
    return text[:end]


def drawable(text: str, bold: bool = False) -> str:
    """The text as the weight's chain can draw it: each character it lacks replaced by the fallback that keeps
    its meaning (see the module's docstring) or left out; the placeholder if nothing remains."""
    drawn = covered(bold)
    kept = "".join(ch if ord(ch) in drawn and ch not in SKIN_TONES and _flag_letters(ch) is None
                   else _fallback(ch, drawn)
                   for ch in text if ch not in INVISIBLE)
    kept = " ".join(kept.split())
    if not kept:
        return PLACEHOLDER
    return unicodedata.normalize("NFC", kept)
