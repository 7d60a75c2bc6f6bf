#!/usr/bin/env bash
# Builds the whole default kit four ways (screen, print, tiles, archive) with a given binary
# into fresh folders and writes the SHA-256 of every PDF, sorted by path, to a list: a
# refactor that must not change output compares the list from before with the list from after.
#
#   tools/same_bytes.sh BINARY LIST          # record
#   tools/same_bytes.sh BINARY LIST --check  # record into LIST.new and compare with LIST
#
# Fresh output folders, because the manifest skips documents whose inputs are unchanged.
set -euo pipefail
bin=$(realpath "$1")
list=$2
mode=${3:-record}
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# A fixed year: the default is "the upcoming observance", which moves with the clock.
year=2027
cd "$repo"
"$bin" --quiet build --year $year --out "$scratch/screen"
"$bin" --quiet build --year $year --out "$scratch/print" --print
"$bin" --quiet build --year $year --out "$scratch/tiles" --tile letter --layout poster-18x24
"$bin" --quiet build --year $year --out "$scratch/archive" --archive
out=$list
[ "$mode" = --check ] && out=$list.new
(cd "$scratch" && find . -name '*.pdf' -print0 | sort -z | xargs -0 sha256sum) > "$out"
echo "$(wc -l < "$out") PDFs hashed into $out"
if [ "$mode" = --check ]; then
    if diff -u "$list" "$out" > "$out.diff"; then
        echo "same bytes: all $(wc -l < "$out") PDFs identical"
        rm -f "$out.diff"
    else
        echo "DIFFERENT: $(grep -c '^+[0-9a-f]' "$out.diff" || true) PDFs changed (see $out.diff)"
        exit 1
    fi
fi
