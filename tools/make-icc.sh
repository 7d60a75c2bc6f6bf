#!/usr/bin/env bash
# Build the default print profile, profiles/FOGRA39-coated-argyll.icc, from Fogra's FOGRA39
# characterization data (offset on coated paper, ISO 12647-2) as Debian's icc-profiles-free
# ships it (zlib licence; see profiles/FOGRA39-coated-argyll.NOTICE). ArgyllCMS's colprof
# turns the measurements into an ICC output profile (device class `prtr`, CMYK → Lab):
#   -qm     medium quality tables
#   -nc     do not embed the measurement data in the profile
#   -l330   total ink limit 330 %, -L95 black limit 95 % (FOGRA39's own limits: 330 / 95)
#   -S      sRGB as the source gamut for the perceptual and saturation tables
# This is our own build from the public data, not ECI's "Coated FOGRA39" profile.
# colprof writes the build time into the header, so each run gives slightly different
# bytes; the committed profile is the one the PDFs embed. Takes a few minutes.
# Needs: apt-get install -y argyll icc-profiles-free. Run from the repository root.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/share/color/icc/FOGRA39L.ti3 "$work/FOGRA39-coated.ti3"
(cd "$work" && colprof -qm -nc -l330 -L95 -S /usr/share/color/icc/sRGB.icc \
  -D "FOGRA39 coated (ArgyllCMS build)" \
  -C "Built with ArgyllCMS from FOGRA39L data (icc-profiles-free, zlib licence)" \
  FOGRA39-coated)
mkdir -p profiles
cp "$work/FOGRA39-coated.icc" profiles/FOGRA39-coated-argyll.icc
ls -l profiles/FOGRA39-coated-argyll.icc
