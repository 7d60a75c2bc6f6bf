#!/usr/bin/env bash
# Validates PDFs with veraPDF, the validator the accessibility and archiving communities
# use. Installs veraPDF (the "greenfield" command-line app) from Maven Central on first use
# into a cache folder, then runs every file through one JVM.
#
#   tools/verapdf.sh FLAVOUR FILE.pdf...     FLAVOUR: ua1 (PDF/UA-1), 2a (PDF/A-2a), ...
#   tools/verapdf.sh --install               only install it
#
# Prints one line per failing file with the rule it broke (clause, test number and
# veraPDF's description) and a summary line. Exit 0 when every file passes, 1 when any
# fails, 3 when veraPDF cannot be installed (needs java and mvn).
# Env: VERAPDF_CACHE (default ~/.cache/broadside-verapdf), VERAPDF_VERSION (default below).
set -euo pipefail

flavour=${1:?usage: tools/verapdf.sh FLAVOUR FILE.pdf... | tools/verapdf.sh --install}
shift
# --install: only fetch veraPDF (CI does it while cargo compiles).
[ "$flavour" = --install ] || [ $# -gt 0 ] || { echo "tools/verapdf.sh: no files" >&2; exit 2; }

cache=${VERAPDF_CACHE:-$HOME/.cache/broadside-verapdf}
# 1.28.2 is the newest release whose dependencies all resolve from Maven Central here.
version=${VERAPDF_VERSION:-1.28.2}
lib=$cache/$version/lib

if [ ! -f "$lib/.complete" ]; then
  command -v java >/dev/null && command -v mvn >/dev/null ||
    { echo "tools/verapdf.sh: veraPDF needs java and mvn" >&2; exit 3; }
  mkdir -p "$cache/$version"
  cat >"$cache/$version/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>broadside</groupId><artifactId>verapdf-cli</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.verapdf.apps</groupId><artifactId>greenfield-apps</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
EOF
  echo "tools/verapdf.sh: installing veraPDF $version from Maven Central..." >&2
  if ! mvn -B -q -f "$cache/$version/pom.xml" -Dmaven.repo.local="$cache/m2" \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$lib" >"$cache/install.log" 2>&1; then
    echo "tools/verapdf.sh: installing veraPDF failed; see $cache/install.log" >&2
    tail -5 "$cache/install.log" >&2
    exit 3
  fi
  touch "$lib/.complete"
fi
[ "$flavour" = --install ] && exit 0

report=$(mktemp)
trap 'rm -f "$report"' EXIT
# veraPDF exits non-zero when a file fails; its machine-readable report says which rule.
# Long runs are faster with the JVM's full JIT, so no TieredStopAtLevel here.
java -Xmx1g -XX:+UseSerialGC -cp "$lib/*" org.verapdf.apps.GreenfieldCliWrapper \
  --flavour "$flavour" --format mrr --maxfailuresdisplayed 2 "$@" >"$report" 2>/dev/null || true

python3 - "$report" "$flavour" "$version" "$#" <<'PY'
import sys, xml.etree.ElementTree as ET
report, flavour, version, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
try:
    root = ET.parse(report).getroot()
except ET.ParseError as e:
    print(f"veraPDF gave no readable report ({e}):")
    print(open(report, errors="replace").read()[-2000:])
    sys.exit(1)
passed = failed = 0
for job in root.iter("job"):
    name = job.findtext("item/name")
    result = job.find("validationReport")
    if result is None:
        failed += 1
        print(f"FAIL {name}: veraPDF could not validate it ({job.findtext('taskException/exceptionMessage') or 'no report'})")
        continue
    if result.get("isCompliant") == "true":
        passed += 1
        continue
    failed += 1
    for rule in result.iter("rule"):
        if rule.get("status") != "failed":
            continue
        message = rule.findtext("check/errorMessage") or ""
        print(f"FAIL {name}: {rule.get('specification')} {rule.get('clause')}-{rule.get('testNumber')} "
              f"({rule.get('failedChecks')} checks): {rule.findtext('description').strip()} — {message.strip()}")
print(f"veraPDF {version} ({flavour}): {passed} of {expected} passed, {failed} failed")
sys.exit(0 if passed == expected and failed == 0 else 1)
PY
