#!/usr/bin/env bash
# Regenerates crds/ from the resource classes in api/ (fabric8 crd-generator-maven-plugin), and the copy the Helm
# chart ships in charts/dialtone/crds/ (HelmChartIT fails when the two differ).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl api process-classes
rm -f crds/*.yml charts/dialtone/crds/*.yml
cp api/target/classes/META-INF/fabric8/*.yml crds/
cp crds/*.yml charts/dialtone/crds/
echo "crds/ and charts/dialtone/crds/ updated:"
ls -1 crds/
