#!/usr/bin/env bash
# Conformance: build the whole default kit, then check every PDF with independent readers
# (qpdf, poppler) rather than our own code:
#   - qpdf --check finds no syntax or stream errors;
#   - pdffonts shows every font embedded and subset;
#   - pdftotext recovers the headline, the edition's name (county editions) and its phone;
#   - pdfinfo reports the layout's page size.
# Usage: bash tests/conformance.sh [out-dir]   (needs qpdf and poppler-utils)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${1:-$(mktemp -d)}
YEAR=2027
CAMPAIGN=trafficking-prevention
COUNTIES=content/$CAMPAIGN/counties.csv
STATEWIDE_PHONE=$(sed -n 's/^phone = "\(.*\)"/\1/p' content/$CAMPAIGN/campaign.toml)

cargo build --locked --release --quiet
./target/release/broadside build --year "$YEAR" --out "$OUT"

declare -A SIZE=(
  [flyer-letter]="612 x 792"
  [factsheet-letter]="612 x 792"
  [poster-18x24]="1296 x 1728"
)

failures=0
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

# The phone column of the county sheet: a county's own number, or the statewide one.
phone_col=$(head -1 "$COUNTIES" | tr ',' '\n' | grep -nx phone | cut -d: -f1)
county_phone() {
  awk -F, -v name="$1" -v col="$phone_col" 'NR > 1 && $1 == name { print $col }' "$COUNTIES"
}

checked=0
while IFS= read -r pdf; do
  checked=$((checked + 1))
  edition=$(basename "$(dirname "$pdf")")
  layout=$(basename "$pdf" .pdf)

  if ! qpdf --check "$pdf" >/tmp/qpdf.$$ 2>&1 || ! grep -q "No syntax or stream encoding errors" /tmp/qpdf.$$; then
    fail "$pdf" "qpdf --check: $(tail -2 /tmp/qpdf.$$)"
  fi

  # pdffonts: skip the two header lines; columns emb and sub are yes/no.
  fonts=$(pdffonts "$pdf" | tail -n +3)
  if [ -z "$fonts" ]; then
    fail "$pdf" "pdffonts lists no fonts"
  elif echo "$fonts" | awk '{ n = NF; if ($(n-4) != "yes" || $(n-3) != "yes") bad = 1 } END { exit !bad }'; then
    fail "$pdf" "a font is not embedded and subset: $fonts"
  fi

  text=$(pdftotext -layout "$pdf" - | tr -s '[:space:]' ' ')
  if ! grep -qi "January is National Slavery & Human Trafficking Prevention Month" <<<"$text"; then
    fail "$pdf" "pdftotext does not recover the headline"
  fi
  phone=$STATEWIDE_PHONE
  if [ "$edition" != statewide ]; then
    name=$(awk -F, -v slug="$edition" 'NR > 1 { s = tolower($1); gsub(/ /, "-", s); if (s == slug) print $1 }' "$COUNTIES")
    if [ -z "$name" ] || ! grep -qi "$name County" <<<"$text"; then
      fail "$pdf" "pdftotext does not recover the county name '$name County'"
    fi
    own=$(county_phone "$name")
    [ -n "$own" ] && phone=$own
  fi
  if ! grep -qF "$phone" <<<"$text"; then
    fail "$pdf" "pdftotext does not recover the phone $phone"
  fi

  if ! pdfinfo "$pdf" | grep -q "Page size: *${SIZE[$layout]} pts"; then
    fail "$pdf" "pdfinfo page size is not ${SIZE[$layout]}: $(pdfinfo "$pdf" | grep 'Page size')"
  fi
done < <(find "$OUT/$YEAR/$CAMPAIGN" -name '*.pdf' | sort)
rm -f /tmp/qpdf.$$

expected=$(( (1 + $(tail -n +2 "$COUNTIES" | grep -c .)) * ${#SIZE[@]} ))
if [ "$checked" -ne "$expected" ]; then
  fail "$OUT" "expected $expected PDFs, found $checked"
fi

echo "conformance: $checked PDFs checked with qpdf, pdffonts, pdftotext and pdfinfo; $failures failure(s)"
[ "$failures" -eq 0 ]
