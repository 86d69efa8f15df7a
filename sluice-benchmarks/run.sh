#!/usr/bin/env bash
# Runs one benchmark harness by hand: ./sluice-benchmarks/run.sh LogAppendBenchmark [args]
# Builds the module first (quietly). Never part of ./mvnw verify.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$root/tools/find-jdk.sh"
(cd "$root" && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -pl sluice-benchmarks -am package)
cls=$1; shift
extra=()
case $cls in
  analytics.*)
    # Apache Flink (TollBenchmark's peer) on Java 17+: the flags of env.java.opts.all in Flink's
    # config.yaml; on Java 23+ also sun.misc.Unsafe memory access without a warning (Pekko).
    extra=(--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
      --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
      --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
      --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
      --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
      --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
      --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
      --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED)
    if [ "$(sluice_jdk_major "$JAVA_HOME")" -ge 23 ]; then extra+=(--sun-misc-unsafe-memory-access=allow); fi
    ;;
esac
exec "$JAVA_HOME/bin/java" -Xms1g -Xmx2g --enable-native-access=ALL-UNNAMED "${extra[@]}" ${BENCH_JAVA_OPTS:-} \
  -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" "io.sluice.benchmarks.$cls" "$@"
