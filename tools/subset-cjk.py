#!/usr/bin/env python3
"""Cut the committed Chinese (Traditional) and Korean font subsets from Debian's Noto Sans CJK.

Recipe (Debian bookworm; needs fontTools: `pip install fonttools`):
    apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb x
    python3 tools/subset-cjk.py x/usr/share/fonts/opentype/noto fonts/cjk

Coverage: Traditional Chinese = Big5 level 1 (the 5,401 common hanzi) plus Big5 symbols;
Korean = all 11,172 Hangul syllables and compatibility jamo. Both keep CJK punctuation and
full-width forms, and every OpenType layout feature. A character outside a subset (a rare
hanzi in a name, say) is reported by broadside as a missing glyph, never drawn as a box;
load the full fonts with --font-dir for such text.
"""
import sys
from pathlib import Path
from fontTools import subset
from fontTools.ttLib import TTCollection

src, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)

common = set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0)) | set(range(0x2010, 0x2070))
common |= {0x00B7, 0x2027}

def big5_level1():
    chars = set()
    for lead in range(0xA1, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            code = bytes([lead, trail])
            if code >= b"\xc6\x7f":
                continue
            try:
                chars.add(ord(code.decode("big5")))
            except UnicodeDecodeError:
                pass
    return chars

hangul = set(range(0xAC00, 0xD7A4)) | set(range(0x3130, 0x3190))
# Index of each face in the Noto Sans CJK collections.
faces = {"TC": (3, big5_level1()), "KR": (1, hangul)}

for weight in ("Regular", "Bold"):
    collection = TTCollection(str(src / f"NotoSansCJK-{weight}.ttc"))
    for tag, (index, chars) in faces.items():
        font = collection.fonts[index]
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.drop_tables = []
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(chars | common))
        subsetter.subset(font)
        path = out / f"NotoSansCJK{tag}-{weight}-subset.otf"
        font.save(str(path))
        print(path, path.stat().st_size)
