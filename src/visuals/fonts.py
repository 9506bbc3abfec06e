"""The font fallback chain, so names in any covered script draw without missing-glyph boxes.

Lato (installed from pip, regular and bold faces) sets every text it covers: Latin, Greek and
Cyrillic. DejaVu Sans follows for the symbols Lato lacks, then the Noto families installed from pip
for CJK, Arabic, Devanagari and Thai. Characters no font covers (most emoji among them) are removed
before drawing rather than drawn as boxes.
"""
from __future__ import annotations

import functools
import importlib
import logging
import unicodedata
from pathlib import Path

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

log = logging.getLogger(__name__)
# matplotlib warns once per family that has no bold face; the regular face is the intended fallback.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

# The designed face: only the two weights the type scale uses, so "bold" and "normal" find exactly these.
DESIGN_PACKAGE, DESIGN_FILES = "fontpkg_lato", ("Lato-Regular.ttf", "Lato-Bold.ttf")
# Python packages (listed in requirements.txt) whose font files cover the other scripts
FONT_PACKAGES = ("fontpkg_noto_sans", "fontpkg_noto_sans_arabic", "fontpkg_noto_sans_devanagari",
                 "fontpkg_noto_sans_thai", "cvttf_NotoSansCJK_Regular")
DESIGN_FAMILY = "Lato"
SYMBOL_FAMILY = "DejaVu Sans"  # matplotlib's own: arrows, music signs and other symbols
PLACEHOLDER = "♪"
INVISIBLE = {"\u200d", "\ufe0f", "\ufe0e"}  # emoji joiners and variation selectors


def _package_font_files(package: str) -> list[Path]:
    try:
        module = importlib.import_module(package)
    except ImportError:
        log.warning("Font package %s is not installed; some scripts will not be drawn", package)
        return []
    root = Path(module.__file__).parent
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in (".ttf", ".otf") and "Italic" not in p.name)


@functools.cache
def font_families() -> tuple[str, ...]:
    """Register the bundled fonts once; the family list to hand to matplotlib, in fallback order."""
    families = []
    for path in _package_font_files(DESIGN_PACKAGE):
        if path.name in DESIGN_FILES:
            font_manager.fontManager.addfont(str(path))
            families = [DESIGN_FAMILY]
    families.append(SYMBOL_FAMILY)
    for package in FONT_PACKAGES:
        for path in _package_font_files(package):
            font_manager.fontManager.addfont(str(path))
            family = font_manager.FontProperties(fname=str(path)).get_name()
            if family not in families:
                families.append(family)
    return tuple(families)


@functools.cache
def _covered_codepoints() -> frozenset[int]:
    font_families()
    covered: set[int] = set()
    for entry in font_manager.fontManager.ttflist:
        if entry.name in font_families():
            covered.update(FT2Font(entry.fname).get_charmap())
    return frozenset(covered)


def drawable(text: str) -> str:
    """The text with characters no bundled font covers removed; a placeholder if none remain."""
    covered = _covered_codepoints()
    kept = "".join(ch for ch in text if ch not in INVISIBLE and (ord(ch) in covered or ch.isspace()))
    kept = " ".join(kept.split())
    if not kept:
        return PLACEHOLDER
    return unicodedata.normalize("NFC", kept)
