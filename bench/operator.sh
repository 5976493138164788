#!/usr/bin/env bash
# Operator reconcile time on a real kube-apiserver + etcd, with one gateway process standing in for a pod:
#   bench/operator.sh [N, default 1000]
# Applies N SipTrunks and N DispatchRules with one `kubectl apply --server-side` and prints the time until every
# one of them is Propagated=True (the gateway runs a revision with its generation), then edits one trunk and
# prints the time until the edit is live on the gateway and until that trunk is Propagated=True again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000}
"$root/scripts/install-test-tools.sh" >/dev/null
cd "$root"
mvn -B -q install -DskipTests -pl api,gateway,operator -am
mvn -B -pl e2e verify -Dsurefire.skip=true -Dit.test=OperatorScaleBenchmark -Ddialtone.bench.resources="$n" \
  -Dfailsafe.failIfNoSpecifiedTests=false 2>&1 | grep -E 'BENCH|Tests run:|FAIL|ERROR\]' | sed 's/^.*BENCH //'
