#!/usr/bin/env bash
# Build the bundled print profiles in profiles/ from public characterization data as
# Debian's icc-profiles-free ships it (zlib licence; see profiles/*.NOTICE):
#   GRACoL-TR006-argyll.icc   CGATS TR 006: GRACoL, US commercial sheetfed offset on grade 1
#                             coated paper (the default: a California agency prints in the US)
#   SWOP-TR003-argyll.icc     CGATS TR 003: SWOP, US publication web offset, grade 3 coated
#   FOGRA39-coated-argyll.icc FOGRA39: European offset on coated paper (ISO 12647-2)
# ArgyllCMS's colprof turns each set of measurements into an ICC output profile (device class
# `prtr`, CMYK → Lab):
#   -qm     medium quality tables
#   -nc     do not embed the measurement data in the profile
#   -l -L   total ink and black limits: GRACoL 340 / 95, SWOP 300 / 95, FOGRA39 330 / 95 (each
#           condition's own total area coverage)
#   -S      sRGB as the source gamut for the perceptual and saturation tables
# These are our own builds from the public data, not IDEAlliance's or ECI's profiles.
# colprof writes the build time into the header, so each run gives slightly different
# bytes; the committed profiles are the ones the PDFs embed. Takes a few minutes each.
# Usage: tools/make-icc.sh [GRACoL|SWOP|FOGRA39]… (all three by default).
# Needs: apt-get install -y argyll icc-profiles-free. Run from the repository root.
set -euo pipefail
data=/usr/share/color/icc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build() { # name, data file, ink limit, description, copyright tag
  local name=$1 ti3=$2 ink=$3 desc=$4 copyright=$5
  cp "$data/$ti3" "$work/$name.ti3"
  (cd "$work" && colprof -qm -nc -l"$ink" -L95 -S "$data/sRGB.icc" \
    -D "$desc" -C "$copyright" \
    "$name")
  mkdir -p profiles
  cp "$work/$name.icc" "profiles/$name.icc"
  ls -l "profiles/$name.icc"
}
for which in "${@:-GRACoL SWOP FOGRA39}"; do
  for one in $which; do
    case $one in
      GRACoL) build GRACoL-TR006-argyll TR006.ti3 340 \
        "GRACoL coated #1, CGATS TR 006 (ArgyllCMS build)" \
        "Built with ArgyllCMS from CGATS TR 006 characterization data (icc-profiles-free)" ;;
      SWOP) build SWOP-TR003-argyll TR003.ti3 300 \
        "SWOP coated #3, CGATS TR 003 (ArgyllCMS build)" \
        "Built with ArgyllCMS from CGATS TR 003 characterization data (icc-profiles-free)" ;;
      FOGRA39) build FOGRA39-coated-argyll FOGRA39L.ti3 330 \
        "FOGRA39 coated (ArgyllCMS build)" \
        "Built with ArgyllCMS from FOGRA39L data (icc-profiles-free, zlib licence)" ;;
      *) echo "unknown profile $one (GRACoL, SWOP or FOGRA39)" >&2; exit 2 ;;
    esac
  done
done
