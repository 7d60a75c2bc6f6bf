#!/usr/bin/env bash
# Conformance: build the whole default kit, then check every PDF with independent readers
# (qpdf, poppler) rather than our own code:
#   - qpdf --check finds no syntax or stream errors;
#   - pdffonts shows every font embedded and subset;
#   - pdftotext recovers the headline in the edition's language (in logical order), the
#     county's name (county editions) and the edition's phone;
#   - pdfinfo reports the layout's page size, and neither it nor pdffonts prints a warning;
#   - veraPDF (PDF/UA-1) passes every screen PDF of the kit, and (PDF/A-2a) the archival
#     editions of one county; a failure prints the file and the rule it broke.
# Usage: bash tests/conformance.sh [out-dir]   (needs qpdf and poppler-utils)
#        BROADSIDE=target/release/broadside bash tests/conformance.sh   (check that binary)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${1:-$(mktemp -d)}
YEAR=2027
CAMPAIGN=trafficking-prevention
COUNTIES=content/$CAMPAIGN/counties.csv
# The campaign's own phone: `phone` in the campaign file's [vars] table, in either TOML
# quotes (a block further down may hold the `{phone}` placeholder, which a rendered page
# never shows).
STATEWIDE_PHONE=$(awk '/^\[/ { vars = ($0 == "[vars]") }
  vars && /^phone *= */ { sub(/^phone *= *["\047]/, ""); sub(/["\047] *$/, ""); print; exit }' \
  content/$CAMPAIGN/campaign.toml)
if [ -z "$STATEWIDE_PHONE" ] || [[ $STATEWIDE_PHONE == *[{}]* ]]; then
  echo "FAIL: no statewide phone in the [vars] table of content/$CAMPAIGN/campaign.toml (read '$STATEWIDE_PHONE')"
  exit 1
fi

# The binary `cargo test` just built (dev profile: the crate at opt-level 0, dependencies at
# 1), not a second, release build of everything; BROADSIDE names another one. `cargo test
# --no-run` rather than `cargo build`: a test build unifies the dev-dependencies' features
# into the dependency graph, so `cargo build` would compile half the tree again with other
# features, while this is a no-op after `cargo test`.
if [ -z "${BROADSIDE:-}" ]; then
  cargo test --locked --no-run --quiet
  BROADSIDE=${CARGO_TARGET_DIR:-target}/debug/broadside
fi
"$BROADSIDE" build --year "$YEAR" --out "$OUT"

declare -A SIZE=(
  [flyer-letter]="612 x 792"
  [factsheet-letter]="612 x 792"
  [poster-18x24]="1296 x 1728"
)

failures=0
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

# Poppler's readers say nothing on stderr about a file of ours: a print shop or an IT
# person checking one with pdfinfo or pdffonts must not see "Syntax Error" lines.
poppler_quiet() {
  local said
  said=$( {
    pdfinfo "$1" >/dev/null || echo "pdfinfo exits $?"
    pdffonts "$1" >/dev/null || echo "pdffonts exits $?"
  } 2>&1 | sort -u)
  [ -z "$said" ] || fail "$1" "poppler reports: $said"
}

# The phone column of the county sheet: a county's own number, or the statewide one.
phone_col=$(head -1 "$COUNTIES" | tr ',' '\n' | grep -nx phone | cut -d: -f1)

# The headline as written in a language's file (the base campaign for English).
headline() {
  local file=content/$CAMPAIGN/campaign.toml
  [ "$1" != en ] && file=content/$CAMPAIGN/campaign.$1.toml
  awk '/^\[blocks.headline\]/ { getline; sub(/^text = "/, ""); sub(/"$/, ""); print; exit }' "$file"
}
# Compare text without white space (CJK lines break without spaces) and without the bidi
# marks pdftotext adds around right-to-left text. pdftotext also reverses the characters
# of a multi-character ligature in right-to-left text (lam-alef "لا" comes out "ال"), so
# both sides spell that pair one way. (Text here is one line: white space is squeezed
# before, so sed's per-line pass removes all of it.)
normalize() { LC_ALL=C sed -e 's/\xe2\x80[\xaa-\xae]//g' -e 's/لا/ال/g' -e 's/[[:space:]]//g'; }

# What each PDF must say, worked out once rather than per file (the check runs ~8 tools a
# file instead of ~27): each language's headline, as written and normalised; each county's
# name and own phone by its folder's name (the name lower-cased, spaces as hyphens).
declare -A HEADLINE HEADLINE_NORMAL COUNTY_NAME COUNTY_PHONE
for lang in en $(find content/$CAMPAIGN -name 'campaign.*.toml' ! -name campaign.en.toml | sed 's/.*campaign\.\(.*\)\.toml$/\1/'); do
  HEADLINE[$lang]=$(headline "$lang")
  HEADLINE_NORMAL[$lang]=$(normalize <<<"${HEADLINE[$lang]}")
done
while IFS=$'\t' read -r slug name own; do
  COUNTY_NAME[$slug]=$name
  COUNTY_PHONE[$slug]=$own
done < <(awk -F, -v col="$phone_col" 'NR > 1 && $1 != "" { s = tolower($1); gsub(/ /, "-", s); print s "\t" $1 "\t" $col }' "$COUNTIES")

# Checks each PDF named on stdin (the loop below runs two of these at once); prints a FAIL
# line for each problem and, last, how many files it went through.
check_screen_pdfs() {
  local pdf edition name layout lang said info fonts text expected phone own n=0 scratch
  scratch=$(mktemp -d)
  while IFS= read -r pdf; do
    [ -n "$pdf" ] || continue # an empty kit gives one empty line
    n=$((n + 1))
    edition=${pdf%/*}
    edition=${edition##*/}
    name=${pdf##*/}
    name=${name%.pdf}
    layout=${name%%.*}
    lang=en
    [ "$name" != "$layout" ] && lang=${name#*.}

    if ! said=$(qpdf --check "$pdf" 2>&1) || [[ $said != *"No syntax or stream encoding errors"* ]]; then
      fail "$pdf" "qpdf --check: $(tail -2 <<<"$said")"
    fi

    # pdfinfo and pdffonts once each: what they print is checked below, and, as in
    # poppler_quiet, they must say nothing on stderr.
    : >"$scratch/said"
    info=$(pdfinfo "$pdf" 2>>"$scratch/said") || echo "pdfinfo exits $?" >>"$scratch/said"
    if ! fonts=$(pdffonts "$pdf" 2>>"$scratch/said"); then
      echo "pdffonts exits with an error" >>"$scratch/said"
      fail "$pdf" "poppler reports: $(sort -u "$scratch/said")"
      continue
    fi
    [ -s "$scratch/said" ] && fail "$pdf" "poppler reports: $(sort -u "$scratch/said")"

    # pdffonts: skip the two header lines; columns emb and sub are yes/no.
    # (exit codes of our own, apart from awk's 1 and 2 for its own errors)
    awk 'NR > 2 { listed = 1; n = NF; if (n < 5 || $(n-4) != "yes" || $(n-3) != "yes") bad = 1 }
         END { exit bad ? 3 : !listed ? 4 : 0 }' <<<"$fonts" || case $? in
      3) fail "$pdf" "a font is not embedded and subset: $(tail -n +3 <<<"$fonts")" ;;
      4) fail "$pdf" "pdffonts lists no fonts" ;;
      *) fail "$pdf" "pdffonts output unreadable: $fonts" ;;
    esac

    if ! text=$(pdftotext -layout "$pdf" - | tr -s '[:space:]' ' '); then
      fail "$pdf" "pdftotext exits with an error"
      continue
    fi
    expected=${HEADLINE_NORMAL[$lang]:-}
    if [ -z "$expected" ] || ! normalize <<<"$text" | grep -qiF -- "$expected"; then
      fail "$pdf" "pdftotext does not recover the $lang headline '${HEADLINE[$lang]:-}'"
    fi
    phone=$STATEWIDE_PHONE
    if [ "$edition" != statewide ]; then
      name=${COUNTY_NAME[$edition]:-}
      if [ -z "$name" ] || ! grep -qiF -- "$name" <<<"$text"; then
        fail "$pdf" "pdftotext does not recover the county name '$name'"
      fi
      own=${COUNTY_PHONE[$edition]:-}
      [ -n "$own" ] && phone=$own
    fi
    if [ -z "$phone" ] || [[ $text != *"$phone"* ]]; then
      fail "$pdf" "pdftotext does not recover the phone $phone"
    fi

    if [ -z "${SIZE[$layout]:-}" ]; then
      fail "$pdf" "no page size known for layout '$layout' (the SIZE table above)"
    elif [[ ! $info =~ Page\ size:\ *${SIZE[$layout]}\ pts ]]; then
      fail "$pdf" "pdfinfo page size is not ${SIZE[$layout]}: $(grep 'Page size' <<<"$info")"
    fi
  done
  rm -rf "$scratch"
  echo "checked $n"
}

# Two workers, each on every other file: the machine's two cores. A worker is a subshell,
# so it reports through its output (FAIL lines, then its count), not through `failures`;
# one that stopped early is caught by the count below.
pdfs=$(find "$OUT/$YEAR/$CAMPAIGN" -name '*.pdf' | sort)
reports=$(mktemp -d)
awk 'NR % 2 == 1' <<<"$pdfs" | check_screen_pdfs >"$reports/1" &
worker1=$!
awk 'NR % 2 == 0' <<<"$pdfs" | check_screen_pdfs >"$reports/2" &
worker2=$!
wait "$worker1" || fail "$OUT" "the first checking worker stopped (exit $?)"
wait "$worker2" || fail "$OUT" "the second checking worker stopped (exit $?)"
# Everything the workers said (a failure's detail can run over several lines) but their counts.
grep -hv '^checked [0-9]*$' "$reports"/1 "$reports"/2 || true
failures=$((failures + $(cat "$reports"/1 "$reports"/2 | grep -c '^FAIL ' || true)))
checked=$(awk '/^checked / { n += $2 } END { print n + 0 }' "$reports"/1 "$reports"/2)
rm -rf "$reports"

# Statewide in every language of the campaign; each county in each language of its row.
languages=$(( 1 + $(find content/$CAMPAIGN -name 'campaign.*.toml' | wc -l) ))
county_editions=$(awk -F, 'NR > 1 && NF { n = split($3, l, /[; ]+/); c = 0; for (i = 1; i <= n; i++) if (l[i] != "") c++; total += (c ? c : 1) } END { print total }' "$COUNTIES")
expected=$(( (languages + county_editions) * ${#SIZE[@]} ))
if [ "$checked" -ne "$expected" ]; then
  fail "$OUT" "expected $expected PDFs, found $checked"
fi

# Print mode: pdfinfo reads back a BleedBox the layout's bleed (9 pt) around a TrimBox of
# the page size, inside a larger MediaBox; PDF 1.6 (PDF/X-4's version) with an XMP
# metadata stream; qpdf and pdffonts as above. tests/pdfx.rs checks the PDF/X-4 keys.
PRINT_OUT=$(mktemp -d)
"$BROADSIDE" build --print --county alameda --year "$YEAR" --out "$PRINT_OUT" 2>/dev/null
printed=0
while IFS= read -r pdf; do
  printed=$((printed + 1))
  layout=$(basename "$pdf" .print.pdf)
  boxes=$(pdfinfo -box "$pdf")
  poppler_quiet "$pdf"
  read -r _ tx0 ty0 tx1 ty1 <<<"$(grep '^TrimBox:' <<<"$boxes")"
  read -r _ bx0 by0 bx1 by1 <<<"$(grep '^BleedBox:' <<<"$boxes")"
  read -r _ mx0 my0 mx1 my1 <<<"$(grep '^MediaBox:' <<<"$boxes")"
  ok=$(awk -v t="$tx0 $ty0 $tx1 $ty1" -v b="$bx0 $by0 $bx1 $by1" -v m="$mx0 $my0 $mx1 $my1" -v size="${SIZE[$layout]}" 'BEGIN {
    split(t, T, " "); split(b, B, " "); split(m, M, " "); split(size, S, " x ");
    bleed = (T[1] - B[1] == 9 && T[2] - B[2] == 9 && B[3] - T[3] == 9 && B[4] - T[4] == 9);
    inside = (M[1] <= B[1] && M[2] <= B[2] && M[3] >= B[3] && M[4] >= B[4]);
    trim = (T[3] - T[1] == S[1] && T[4] - T[2] == S[2]);
    print (bleed && inside && trim) ? "yes" : "no" }')
  [ "$ok" = yes ] || fail "$pdf" "print boxes wrong: $(grep Box <<<"$boxes" | tr '\n' ' ')"
  qpdf --check "$pdf" >/dev/null 2>&1 || fail "$pdf" "qpdf --check fails"
  info=$(pdfinfo "$pdf")
  version=$(sed -n 's/^PDF version: *//p' <<<"$info")
  [ "$version" = 1.6 ] || fail "$pdf" "PDF/X-4 files are PDF 1.6, pdfinfo reports '$version'"
  grep -q '^Metadata Stream: *yes' <<<"$info" || fail "$pdf" "pdfinfo finds no XMP metadata stream"
  fonts=$(pdffonts "$pdf" | tail -n +3)
  if [ -z "$fonts" ] || echo "$fonts" | awk '{ n = NF; if ($(n-4) != "yes" || $(n-3) != "yes") bad = 1 } END { exit !bad }'; then
    fail "$pdf" "a font is not embedded and subset: $fonts"
  fi
done < <(find "$PRINT_OUT" -name '*.print.pdf' | sort)
[ "$printed" -eq 3 ] || fail "$PRINT_OUT" "expected 3 print PDFs, found $printed"

# Tiling: the poster on Letter sheets — every page Letter-sized (either way round), qpdf
# clean, fonts embedded, and pdftotext finds each sheet's label.
TILE_OUT=$(mktemp -d)
"$BROADSIDE" build --tile letter --county alameda --layout poster-18x24 --year "$YEAR" --out "$TILE_OUT" 2>/dev/null
tiles=$TILE_OUT/$YEAR/$CAMPAIGN/alameda/poster-18x24.tiles-letter.pdf
if [ ! -f "$tiles" ]; then
  fail "$tiles" "not built"
else
  qpdf --check "$tiles" >/dev/null 2>&1 || fail "$tiles" "qpdf --check fails"
  poppler_quiet "$tiles"
  pdffonts "$tiles" | tail -n +3 | awk '{ n = NF; if ($(n-4) != "yes" || $(n-3) != "yes") bad = 1 } END { exit bad }' \
    || fail "$tiles" "a font is not embedded and subset"
  pages=$(pdfinfo "$tiles" | awk '/^Pages:/ { print $2 }')
  sizes=$(pdfinfo -f 1 -l "$pages" "$tiles" | grep -c -E 'size: *(612 x 792|792 x 612) pts')
  [ "$sizes" -eq "$pages" ] || fail "$tiles" "$((pages - sizes)) of $pages pages are not Letter"
  for ((n = 2; n <= pages; n++)); do
    pdftotext -f "$n" -l "$n" "$tiles" - | grep -qE 'row [0-9]+, column [0-9]+ of [0-9]+×[0-9]+' \
      || fail "$tiles" "page $n has no sheet label"
  done
  echo "conformance: tiled poster, $pages Letter pages checked"
fi
# Accessibility: veraPDF's PDF/UA-1 profile over every screen PDF of the kit and the
# tiled poster; then the archival editions (--archive) against PDF/A-2a.
started=$SECONDS
mapfile -t screen < <(find "$OUT/$YEAR/$CAMPAIGN" -name '*.pdf' | sort)
# The tiled poster is tagged like the poster and claims PDF/UA-1 too.
if [ -f "$tiles" ]; then screen+=("$tiles"); fi
if ! bash tools/verapdf.sh ua1 "${screen[@]}"; then
  fail "$OUT" "veraPDF PDF/UA-1 (see the FAIL lines above)"
fi
ARCHIVE_OUT=$(mktemp -d)
"$BROADSIDE" build --archive --county alameda --year "$YEAR" --out "$ARCHIVE_OUT" 2>/dev/null
mapfile -t archived < <(find "$ARCHIVE_OUT" -name '*.archive.pdf' | sort)
[ "${#archived[@]}" -eq 3 ] || fail "$ARCHIVE_OUT" "expected 3 archival PDFs, found ${#archived[@]}"
for pdf in "${archived[@]}"; do poppler_quiet "$pdf"; done
if ! bash tools/verapdf.sh 2a "${archived[@]}"; then
  fail "$ARCHIVE_OUT" "veraPDF PDF/A-2a (see the FAIL lines above)"
fi
echo "veraPDF: ${#screen[@]} screen PDFs (PDF/UA-1) and ${#archived[@]} archival PDFs (PDF/A-2a) in $((SECONDS - started)) s"

echo "conformance: $checked PDFs checked with qpdf, pdffonts, pdftotext and pdfinfo, and $printed print PDFs' boxes, version and fonts with pdfinfo and pdffonts; $failures failure(s)"
[ "$failures" -eq 0 ]
