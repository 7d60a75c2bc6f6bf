#!/usr/bin/env bash
# Remove TrueType hinting instructions from the bundled text and display fonts, keeping
# every glyph, character, layout feature and name. Hints only matter to screen rasterizers
# at small pixel sizes; in our PDFs they were a quarter of every flyer's bytes (44.6 KB →
# 33.7 KB per flyer). Outlines and metrics are unchanged. The fonts are OFL 1.1 without a
# Reserved Font Name, so a modified copy may keep its name.
# Needs fontTools: pip install fonttools. Run from the repository root after get-fonts.sh.
set -euo pipefail
for f in NotoSans-Regular NotoSans-Bold NotoSans-Italic NotoSans-BoldItalic Oswald-Bold Oswald-SemiBold; do
  pyftsubset "fonts/$f.ttf" --glyphs='*' --unicodes='*' --layout-features='*' \
    --name-IDs='*' --name-languages='*' --no-hinting --notdef-outline --glyph-names \
    --legacy-kern --output-file="fonts/$f.stripped.ttf"
  mv "fonts/$f.stripped.ttf" "fonts/$f.ttf"
done
