# Sourced by ./sluice, ./mvnw and .ci/run. Exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME, then the newest under /usr/lib/jvm (or $SLUICE_JVM_DIRS), then `java` on PATH.
# When none is found it prints what it looked at and exits the calling script with status 2.

sluice_jdk_major() {
  # Prints the feature version (17, 21, 25, ...) of the JDK at $1, or nothing.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  else
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  [ "$v" = "1" ] && v=8
  printf '%s' "$v"
}

sluice_find_jdk() {
  seen=""
  if [ -n "${JAVA_HOME:-}" ]; then
    m=$(sluice_jdk_major "$JAVA_HOME")
    [ -n "$m" ] && [ "$m" -ge 21 ] && return 0
    seen="JAVA_HOME=$JAVA_HOME (${m:-not a JDK})"
  fi
  best=""; best_m=0
  for d in ${SLUICE_JVM_DIRS:-/usr/lib/jvm}/*; do
    [ -L "$d" ] && continue
    m=$(sluice_jdk_major "$d")
    [ -n "$m" ] || continue
    seen="$seen${seen:+, }$d ($m)"
    if [ "$m" -ge 21 ] && [ "$m" -gt "$best_m" ]; then best=$d; best_m=$m; fi
  done
  if [ -z "$best" ] && command -v java >/dev/null 2>&1; then
    d=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    m=$(sluice_jdk_major "$d")
    seen="$seen${seen:+, }java on PATH: $d (${m:-not a JDK})"
    [ -n "$m" ] && [ "$m" -ge 21 ] && best=$d
  fi
  if [ -z "$best" ]; then
    echo "sluice: a JDK 21 or newer is needed; none found. Looked at: ${seen:-nothing}." >&2
    echo "sluice: install one (for example: apt-get install openjdk-21-jdk-headless) or set JAVA_HOME to it." >&2
    exit 2
  fi
  JAVA_HOME=$best
  export JAVA_HOME
}

sluice_find_jdk
