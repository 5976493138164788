#!/usr/bin/env bash
# Routing decisions per second on one core for 10,000 trunks and 10,000 rules.
#   bench/routing.sh [seconds per measurement, default 5]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mvn -B -q -pl api install -DskipTests
cp_file=$(mktemp)
mvn -B -q -pl api dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=compile
classpath="$root/api/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1)"
# Pinned to one CPU, so the JIT and the collector share the core with the measured thread.
# G1 explicitly: on one CPU the JVM would pick the serial collector, whose breadth-first copying scatters each
# trunk's objects over the heap and costs this cache-bound workload more than half its rate (see docs/benchmarks.md).
pin=()
if command -v taskset >/dev/null 2>&1; then pin=(taskset -c "${BENCH_CPU:-1}"); fi
exec "${pin[@]}" java -Dslf4j.internal.verbosity=ERROR -XX:+UseG1GC -Xms1g -Xmx1g -cp "$classpath" bench/routing/RoutingBenchmark.java "$@"
