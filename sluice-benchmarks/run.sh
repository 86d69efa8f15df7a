#!/usr/bin/env bash
# Runs one benchmark harness by hand: ./sluice-benchmarks/run.sh LogAppendBenchmark [args]
# Builds the module first (quietly). Never part of ./mvnw verify.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$root/tools/find-jdk.sh"
(cd "$root" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -pl sluice-benchmarks -am package)
cls=$1; shift
exec "$JAVA_HOME/bin/java" -Xms1g -Xmx2g --enable-native-access=ALL-UNNAMED ${BENCH_JAVA_OPTS:-} \
  -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" "io.sluice.benchmarks.$cls" "$@"
