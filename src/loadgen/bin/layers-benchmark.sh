#!/usr/bin/env bash
# Issue 15's bar, measured (docs/benchmarks.md, "Audio layers: CPU per forwarded packet"): the
# load generator's scenario (a), one room of 50 with 3 talking, against one cheenhub-sfu, with
# layers off and on (--layers) in alternating runs, so that both see the same server, the same
# warm JIT and, as far as a shared machine allows, the same neighbours. Without layers the talkers
# send at 64 kbit/s (--bitrate 64000), the packets of the h layer a layered talker is asked for
# on a clean link, so that the two differ in the layer handling alone. Prints one line per run
# and the means; the JSON of every run stays in target/benchmark-layers/. About 20 minutes.
#
#   src/loadgen/bin/layers-benchmark.sh              # 4 pairs of 60 s runs after a 180 s warm-up
#   PAIRS=1 WINDOW=20 WARM=30 src/loadgen/bin/layers-benchmark.sh   # checks the script works
#
# Needs jq. Does not need root (no Janus).
set -euo pipefail
cd "$(dirname "$0")/../../.."

out=target/benchmark-layers
rm -rf "$out" && mkdir -p "$out"
pairs=${PAIRS:-4}
window=${WINDOW:-60}
warm=${WARM:-180}
port=${PORT:-18090}

echo "== build"
mvn -q -B -o -DskipTests -Djacoco.skip=true pre-integration-test
jar=target/cheenhub-loadgen.jar
payara=$(ls target/payara-micro-*.jar | sed -n 1p)
loadgen() { java -jar "$jar" --quiet "$@"; }
load() { echo "$(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"; }

{
  echo "cpu: $(nproc) x $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)"
  echo "java: $(java -version 2>&1 | sed -n 1p)"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} | tee "$out/machine.txt"

server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=
}
trap stop_server EXIT

echo "== cheenhub-sfu (benchmark.sh's settings)"
java -Xms1g -Xmx2g -Dsfu.media.bind-address=127.0.0.1 -Dsfu.media.port=0 \
  -Dsfu.room.max-participants=1000 -Dsfu.auth.anonymous=true \
  -XX:PerfDataSamplingInterval=1000 \
  -jar "$payara" --nohazelcast --disablephonehome --prebootcommandfile payara/pre-boot-commands.asadmin \
  --port "$port" \
  --deploy target/cheenhub-sfu.war --contextroot / > "$out/payara.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break
  sleep 1
done
curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null || { echo "server did not become ready"; exit 1; }
sfu=(--server "http://127.0.0.1:$port/" --server-pid "$server_pid")

load | tee -a "$out/load.txt"
echo "-- warm-up (JIT): 50 participants, 3 talking, ${warm} s, layers off then on"
loadgen "${sfu[@]}" --participants 50 --talkers 3 --duration $((warm / 2)) --bitrate 64000 || true
loadgen "${sfu[@]}" --participants 50 --talkers 3 --duration $((warm / 2)) --layers || true

for pair in $(seq 1 "$pairs"); do
  for mode in off on; do
    flag=(--bitrate 64000)
    [[ $mode == on ]] && flag=(--layers)
    name="a-$mode-$pair"
    echo "-- (a) layers $mode, run $pair: one room of 50, 3 talking, ${window} s"
    load | tee -a "$out/load.txt"
    loadgen "${sfu[@]}" --participants 50 --talkers 3 --duration "$window" --ramp-rate 25 \
      "${flag[@]}" --json "$out/$name.json" > "$out/$name.txt" || true
    load | tee -a "$out/load.txt"
  done
done
stop_server

echo "== results"
printf '%-10s %10s %8s %12s %12s %10s %10s\n' run forwarded loss% 'delay p99' 'server p99' 'cpu/pkt' media/pkt
for f in "$out"/a-*.json; do
  jq -r --arg n "$(basename "$f" .json)" '[$n, .packetsForwarded, .lossPercent,
      .delayMicros.p99 / 1000, .serverLatencyMicros.p99 / 1000, .serverCpuMicrosPerForwarded,
      .serverCpuMicrosPerForwardedByThreads.media] | @tsv' "$f" |
    awk -F'\t' '{ printf "%-10s %10d %8.3f %9.2f ms %9.2f ms %7.2f µs %7.2f µs\n", $1, $2, $3, $4, $5, $6, $7 }'
done | tee "$out/results.txt"
for mode in off on; do
  jq -s --arg m "$mode" '{mode: $m, runs: length,
      cpuPerPacket: (map(.serverCpuMicrosPerForwarded) | add / length),
      mediaPerPacket: (map(.serverCpuMicrosPerForwardedByThreads.media) | add / length),
      lossPercent: (map(.lossPercent) | add / length),
      delayP99Millis: (map(.delayMicros.p99) | add / length / 1000),
      serverP99Millis: (map(.serverLatencyMicros.p99) | add / length / 1000)}' \
    "$out"/a-"$mode"-*.json
done | tee "$out/means.json"
