#!/usr/bin/env bash
# Large rooms (issue 16, docs/benchmarks.md "Large rooms"): one room, 3 talking, at 10 ... 500
# participants, on speaker slots (the default) and with slots off (-Dsfu.room.slot-threshold=100000)
# up to OFF_MAX; then the same 200-participant room where every listener publishes an open
# microphone (background noise every 20 ms), with slots on, with and without decrypting the
# publishers in no slot (-Dsfu.room.decrypt-silent). Prints one table row per run.
#
#   src/loadgen/bin/large-room-benchmark.sh
#   STEPS="10 50" DURATION=10 OFF_MAX=50 PUBLISH_AT= src/loadgen/bin/large-room-benchmark.sh
#   STEPS= PUBLISH_PAIRS=2 PUBLISH_OFF_MAX=0 src/loadgen/bin/large-room-benchmark.sh  # the skip A/B only
set -euo pipefail
cd "$(dirname "$0")/../../.."

steps=${STEPS-10 20 30 50 100 200 500} # STEPS= (empty): none
duration=${DURATION:-60}
talkers=${TALKERS:-3}
listen=${LISTEN:-sample:10}   # what listener bots decrypt (the talkers decrypt everything)
off_max=${OFF_MAX:-200}       # largest room also run with slots off
publish_at=${PUBLISH_AT-200}  # open-microphone room size for the decrypt-silent comparison
publish_off_max=${PUBLISH_OFF_MAX:-30} # largest open-microphone room also run with slots off (0: none)
publish_pairs=${PUBLISH_PAIRS:-1} # skip / decrypt-all pairs of the open-microphone room, alternating
warm=${WARM:-60}
port=${PORT:-18390}
out=${OUT:-target/large-room}
rm -rf "$out" && mkdir -p "$out"

if [[ ${BUILD:-1} == 1 ]]; then
  echo "== build"
  mvn -q -o -B package -DskipTests -Djacoco.skip=true
fi
jar=${JAR:-target/cheenhub-loadgen.jar}
war=${WAR:-target/cheenhub-sfu.war}
payara=${PAYARA:-$(ls ~/.m2/repository/fish/payara/extras/payara-micro/*/payara-micro-*.jar | tail -1)}

{
  echo "cpu: $(nproc) x $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "java: $(java -version 2>&1 | sed -n 1p)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "options: steps '$steps', ${duration} s windows, $talkers talking, listeners --listen $listen"
} | tee "$out/machine.txt"

server_pid=
starts=0
stop_server() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=
}
trap stop_server EXIT

start_server() { # extra -D flags
  stop_server
  starts=$((starts + 1)) # a fresh root each time: Payara Micro redeploys what an old root holds
  java -Xms1g -Xmx2g -Dsfu.media.bind-address=127.0.0.1 -Dsfu.media.port=0 \
    -Dsfu.room.max-participants=1000 -Dsfu.auth.anonymous=true -XX:PerfDataSamplingInterval=1000 \
    "$@" -jar "$payara" --nohazelcast --disablephonehome \
    --prebootcommandfile payara/pre-boot-commands.asadmin --port "$port" --rootdir "$out/payara-root-$starts" \
    --deploy "$war" --contextroot / >> "$out/payara.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 180); do
    curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break
    sleep 1
  done
  curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null || { echo "server did not become ready"; exit 1; }
  # The JIT compiles container and media code for minutes after boot: warm it up first.
  echo "-- warm-up: 50 participants, $talkers talking, ${warm} s ($*)"
  duration=$warm run warmup 50 || true
  rm -f "$out"/warmup-*
}

run() { # label participants [extra loadgen options]
  local label=$1 n=$2
  shift 2
  echo "-- $label: $n participants, $talkers talking, ${duration} s $*"
  java -jar "$jar" --quiet --server "http://127.0.0.1:$port/" --server-pid "$server_pid" \
    --participants "$n" --talkers "$talkers" --duration "$duration" --ramp-rate 20 \
    --bot-threads 2 --listen "$listen" --live-heap "$@" --json "$out/$label-$n.json" \
    | tee "$out/$label-$n.txt" || true
  cut -d' ' -f1-3 /proc/loadavg > "$out/$label-$n.load"
}

if [[ -n ${steps// /} ]]; then
  start_server
  for n in $steps; do run slots-on "$n"; done

  start_server -Dsfu.room.slot-threshold=100000
  for n in $steps; do
    if ((n <= off_max)); then run slots-off "$n"; fi
  done
fi

if [[ -n $publish_at ]]; then
  # Alternating pairs: one pair of single runs is inside the scatter of this machine.
  for pair in $(seq 1 "$publish_pairs"); do
    suffix=$( ((pair > 1)) && echo "-$pair" || true)
    start_server
    run "open-mics-skip$suffix" "$publish_at" --listeners-publish
    start_server -Dsfu.room.decrypt-silent=true
    run "open-mics-decrypt-all$suffix" "$publish_at" --listeners-publish
  done
  if ((publish_off_max > 0)); then
    start_server -Dsfu.room.slot-threshold=100000
    run open-mics-slots-off "$publish_off_max" --listeners-publish
  fi
fi
stop_server

echo "== results ($out)"
java -cp "$jar" io.cheenhub.sfu.loadgen.LargeRoomReport "$out" | tee "$out/table.md"
