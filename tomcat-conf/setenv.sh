# binaryrepo: JVM options for Tomcat. catalina.sh sources $CATALINA_BASE/bin/setenv.sh (or, when that does
# not exist, $CATALINA_HOME/bin/setenv.sh) on every start.
#   Tomcat from the Apache distribution: $CATALINA_BASE/bin/setenv.sh
#   Debian's tomcat10 package:           /var/lib/tomcat10/bin/setenv.sh (create bin/)
#   scripts/tomcat:                      copies this file into its CATALINA_BASE
# It is sourced by catalina.sh, a POSIX sh script: no bash syntax, no `set -e`, no `exit`.
# Works with Java 17 and later.

# Heap. binaryrepo streams blobs between the network and disk and never holds one in memory, so the
# heap does not grow with blob sizes; 1g is plenty for hundreds of concurrent downloads.
BINARYREPO_HEAP="${BINARYREPO_HEAP:-1g}"

CATALINA_OPTS="${CATALINA_OPTS:-} -Xms256m -Xmx${BINARYREPO_HEAP}"
# Fail fast instead of limping on: systemd (Restart=) or the operator restarts Tomcat.
CATALINA_OPTS="$CATALINA_OPTS -XX:+ExitOnOutOfMemoryError"
# Seed SecureRandom (TLS to upstream registries, Tomcat's session ids) from the non-blocking source,
# so start-up never waits for entropy on a fresh VM.
CATALINA_OPTS="$CATALINA_OPTS -Djava.security.egd=file:/dev/./urandom"
# UTF-8 everywhere (the default from Java 18 on; Java 17 follows the locale).
CATALINA_OPTS="$CATALINA_OPTS -Dfile.encoding=UTF-8 -Dsun.jnu.encoding=UTF-8"
CATALINA_OPTS="$CATALINA_OPTS -Djava.awt.headless=true"

# Optional: system properties win over the context descriptor's <Parameter> values (tomcat-conf/binaryrepo.xml),
# so one line here redirects binaryrepo without editing the descriptor. Set them in Tomcat's environment
# (systemd: Environment=BINARYREPO_STORAGE_DIR=...) or uncomment the lines below.
# BINARYREPO_STORAGE_DIR=/srv/binaryrepo
# BINARYREPO_CONFIG=/etc/binaryrepo/repositories.yml
# BINARYREPO_PUBLIC_URL=https://docker-remote.example.com
if [ -n "${BINARYREPO_STORAGE_DIR:-}" ]; then
    CATALINA_OPTS="$CATALINA_OPTS -Dbinaryrepo.storage.dir=$BINARYREPO_STORAGE_DIR"
fi
if [ -n "${BINARYREPO_CONFIG:-}" ]; then
    CATALINA_OPTS="$CATALINA_OPTS -Dbinaryrepo.config=$BINARYREPO_CONFIG"
fi
if [ -n "${BINARYREPO_PUBLIC_URL:-}" ]; then
    CATALINA_OPTS="$CATALINA_OPTS -Dbinaryrepo.publicUrl=$BINARYREPO_PUBLIC_URL"
fi
export CATALINA_OPTS
