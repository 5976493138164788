#!/usr/bin/env bash
# Regenerates crds/ from the resource classes in api/ (fabric8 crd-generator-maven-plugin), the copy the Helm
# chart ships in charts/dialtone/crds/ (HelmChartIT fails when the two differ), and docs/reference.md, the
# field reference written from them (ReferenceDocTest fails when it is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl api process-classes
rm -f crds/*.yml charts/dialtone/crds/*.yml
cp api/target/classes/META-INF/fabric8/*.yml crds/
cp crds/*.yml charts/dialtone/crds/
mvn -B -q -pl api test -Dtest=ReferenceDocTest -Ddialtone.reference.write=true
echo "crds/, charts/dialtone/crds/ and docs/reference.md updated:"
ls -1 crds/
