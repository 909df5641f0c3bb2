#!/usr/bin/env bash
# Maven through binaryrepo: the time of `mvn package` of a small real project (jackson-databind,
# commons-lang3, junit-jupiter with surefire; the project of the e2e test MavenBuildIT) from an empty local
# repository, resolving straight from the upstream, through binaryrepo with a cold cache, and through
# binaryrepo with a warm cache, side by side. The upstream is the URL of Maven's built-in `central`
# repository, read from the installed Maven's super POM (live: timings depend on the network).
#
# usage: bench/maven.sh [--war FILE] [--reps N] [--out FILE] [--keep]
#   --war FILE   the WAR to run in Tomcat (default: target/binaryrepo.war, built when missing)
#   --reps N     timed builds per scenario (default: 3); every build starts from an empty local repository
#   --out FILE   also append the markdown table to FILE
#   --keep       keep the work directory (/tmp/brmaven.*) afterwards
#
# Cold runs use a fresh repository of binaryrepo each (so an empty cache per run, one Tomcat); the warm
# repository is filled by one untimed build first. Needs mvn, unzip and what scripts/tomcat needs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WAR="" REPS=3 OUT="" KEEP=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --war) WAR="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
        *) echo "maven.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
now() { date +%s.%N; }

if [[ -z $WAR ]]; then
    WAR="$ROOT/target/binaryrepo.war"
    [[ -f $WAR ]] || (cd "$ROOT" && mvn -q -B package -DskipTests) || die "cannot build the WAR"
fi
[[ -f $WAR ]] || die "no WAR at $WAR"

# The upstream: Maven's built-in central repository, as the installed Maven names it.
home=$(mvn --version 2>/dev/null | sed -n 's/\x1b\[[0-9;]*m//g; s/^Maven home: //p')
jar=$(ls "$home"/lib/maven-model-builder-*.jar | head -1)
UPSTREAM=$(unzip -p "$jar" org/apache/maven/model/pom-4.0.0.xml \
    | tr -d '\n' | grep -o '<repository>[[:space:]]*<id>central</id>.*' | grep -o '<url>[^<]*</url>' | head -1 \
    | sed 's/<[^>]*>//g')
[[ -n $UPSTREAM ]] || die "no central repository in the super POM of $jar"

WORK=$(mktemp -d /tmp/brmaven.XXXXXX)
TOMCAT_BASE="$WORK/tomcat-base"
cleanup() {
    "$ROOT/scripts/tomcat" stop --base "$TOMCAT_BASE" >/dev/null 2>&1 || true
    ((KEEP)) && log "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

project() { # DIR: the test project of MavenBuildIT (src/test/java/io/binaryrepo/e2e/MavenTestProject.java)
    mkdir -p "$1/src/main/java/example" "$1/src/test/java/example"
    cat >"$1/pom.xml" <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId><artifactId>greeting</artifactId><version>1.0</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>2.17.2</version></dependency>
    <dependency><groupId>org.apache.commons</groupId><artifactId>commons-lang3</artifactId><version>3.14.0</version></dependency>
    <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5.10.2</version><scope>test</scope></dependency>
  </dependencies>
  <build><plugins>
    <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
    <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
    <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.2.5</version></plugin>
    <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.1</version></plugin>
  </plugins></build>
</project>
POM
    cat >"$1/src/main/java/example/Greeting.java" <<'JAVA'
package example;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.commons.lang3.StringUtils;

public final class Greeting {
    public static String json(String name) throws Exception {
        return new ObjectMapper().writeValueAsString(Map.of("hello", StringUtils.capitalize(name)));
    }
}
JAVA
    cat >"$1/src/test/java/example/GreetingTest.java" <<'JAVA'
package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GreetingTest {
    @Test
    void json() throws Exception {
        assertEquals("{\"hello\":\"World\"}", Greeting.json("world"));
    }
}
JAVA
}

settings() { # FILE URL: a settings file whose only mirror sends everything to URL
    cat >"$1" <<XML
<settings><mirrors><mirror><id>bench</id><mirrorOf>*</mirrorOf><url>$2</url></mirror></mirrors></settings>
XML
}

build() { # SETTINGS: one timed `mvn package` from an empty local repository; prints seconds
    # Runs in a $(...) subshell: a fresh directory per run, and its name left in a file for later.
    local dir
    dir=$(mktemp -d "$WORK/run.XXXXXX")
    echo "$dir" >"$WORK/last-run"
    project "$dir/project"
    local t0 t1
    t0=$(now)
    MAVEN_SKIP_RC=1 mvn -B -q -s "$1" -gs "$1" -Dmaven.repo.local="$dir/m2" -f "$dir/project/pom.xml" package \
        >"$dir/mvn.log" 2>&1 || { tail -30 "$dir/mvn.log" >&2; die "mvn package failed ($dir)"; }
    t1=$(now)
    python3 -c "print(f'{$t1 - $t0:.1f}')"
}

# Repositories: one per cold run, one warm.
CONFIG="$WORK/repositories.yaml"
{
    echo "repositories:"
    for i in $(seq 1 "$REPS") warm; do
        printf '  - name: maven-%s\n    type: maven\n    url: %s\n    metadataTtl: 1h\n' "$i" "$UPSTREAM"
    done
} >"$CONFIG"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log "Tomcat with binaryrepo on 127.0.0.1:$PORT"
"$ROOT/scripts/tomcat" start --base "$TOMCAT_BASE" --port "$PORT" --war "$WAR" --storage "$WORK/cache" \
    --config "$CONFIG" >/dev/null
BR="http://127.0.0.1:$PORT/repo"

settings "$WORK/direct.xml" "$UPSTREAM"
settings "$WORK/warm.xml" "$BR/maven-warm/"
declare -a DIRECT COLD WARM
for i in $(seq 1 "$REPS"); do
    log "run $i/$REPS: straight from upstream"
    DIRECT+=("$(build "$WORK/direct.xml")")
    settings "$WORK/cold-$i.xml" "$BR/maven-$i/"
    log "run $i/$REPS: binaryrepo, cold cache"
    COLD+=("$(build "$WORK/cold-$i.xml")")
done
log "filling the warm cache (untimed)"
build "$WORK/warm.xml" >/dev/null
for i in $(seq 1 "$REPS"); do
    log "run $i/$REPS: binaryrepo, warm cache"
    WARM+=("$(build "$WORK/warm.xml")")
done

# The same files fetched by curl alone, one after the other over one connection: the resolution without
# Maven's own CPU time (compiling, forking surefire), which dominates the builds on a busy machine.
(cd "$(cat "$WORK/last-run")/m2" && find . -type f \( -name '*.jar' -o -name '*.pom' \) | sed 's|^\./||' | sort) >"$WORK/files.txt"
fetch() { # BASE: prints the seconds to GET every file of files.txt from BASE
    local cfg="$WORK/curl.cfg" t0 t1
    sed "s|.*|url = \"$1/&\"\noutput = \"/dev/null\"|" "$WORK/files.txt" >"$cfg"
    t0=$(now)
    curl -sf -K "$cfg" || die "curl failed against $1"
    t1=$(now)
    python3 -c "print(f'{$t1 - $t0:.1f}')"
}
declare -a CURL_DIRECT CURL_WARM
for i in $(seq 1 "$REPS"); do
    log "run $i/$REPS: curl of the build's files, upstream directly and binaryrepo warm"
    CURL_DIRECT+=("$(fetch "${UPSTREAM%/}")")
    CURL_WARM+=("$(fetch "$BR/maven-warm")")
done
NFILES=$(wc -l <"$WORK/files.txt")

stats() { python3 -c "import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f'{statistics.median(v):.1f} | {min(v):.1f} | {max(v):.1f}')" "$@"; }
files=$(find "$WORK/cache/maven/maven-warm/a" -type f | wc -l)
bytes=$(du -sb "$WORK/cache/maven/maven-warm/a" | cut -f1)
TABLE=$(cat <<MD
### Maven: \`mvn package\` of the test project from an empty local repository ($REPS runs each)

| resolving from | median s | min s | max s |
|---|---|---|---|
| upstream directly | $(stats "${DIRECT[@]}") |
| binaryrepo (Tomcat), cold cache | $(stats "${COLD[@]}") |
| binaryrepo (Tomcat), warm cache | $(stats "${WARM[@]}") |
| curl of the build's $NFILES jars and POMs, upstream directly | $(stats "${CURL_DIRECT[@]}") |
| curl of the same, binaryrepo warm cache | $(stats "${CURL_WARM[@]}") |

The build resolves $files files ($((bytes / 1024)) KiB) into the cache. The upstream is live: its
latency is part of the direct and cold timings. Builds include Maven's own CPU time (compiling, forking
surefire); the curl rows are the file transfers alone.
MD
)
echo "$TABLE"
[[ -z $OUT ]] || printf '\n%s\n' "$TABLE" >>"$OUT"
