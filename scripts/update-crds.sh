#!/usr/bin/env bash
# Regenerates crds/ from the resource classes in api/ (fabric8 crd-generator-maven-plugin).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl api process-classes
rm -f crds/*.yml
cp api/target/classes/META-INF/fabric8/*.yml crds/
echo "crds/ updated:"
ls -1 crds/
