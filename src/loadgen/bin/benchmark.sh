#!/usr/bin/env bash
# The forwarding benchmark (docs/benchmarks.md, "Load generator"): builds the WAR and the load
# generator, measures the loopback UDP floor, starts cheenhub-sfu on Payara Micro and runs the
# standard scenarios against it and what it costs idle afterwards, then Janus VideoRoom in a network
# namespace for scenario (a) and idle, and writes the results into docs/benchmarks.md. Needs root
# (the namespace) and about 30 minutes.
#
#   src/loadgen/bin/benchmark.sh            # everything
#   QUICK=1 src/loadgen/bin/benchmark.sh    # 10 s windows, 1 min churn: checks the script works
set -euo pipefail
cd "$(dirname "$0")/../../.."

out=target/benchmark
rm -rf "$out" && mkdir -p "$out"
quick=${QUICK:-0}
long=60; churn=300; step=20; warm=180; idle_warm=60; idle=120
if [[ $quick == 1 ]]; then long=10; churn=60; step=10; warm=20; idle_warm=10; idle=20; fi
port=18080

echo "== build"
mvn -q -B -DskipTests pre-integration-test
jar=target/cheenhub-loadgen.jar
payara=$(ls target/payara-micro-*.jar | sed -n 1p)
loadgen() { java -jar "$jar" --quiet "$@"; }

echo "== machine"
{
  echo "cpu: $(nproc) x $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "kernel: $(uname -r)"
  echo "java: $(java -version 2>&1 | sed -n 1p)"
  echo "payara: $(basename "$payara")"
  echo "janus: $(dpkg-query -W -f '${Version}' janus 2>/dev/null || echo 'not installed')"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} | tee "$out/machine.txt"

echo "== loopback UDP floor"
java -cp "$jar" io.cheenhub.sfu.loadgen.UdpFloor 300000 130 | tee "$out/floor.txt"

server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=
}
janus_dir=
stop_janus() {
  if [[ -n $janus_dir ]]; then src/loadgen/janus/janus-netns.sh down "$janus_dir" || true; fi
  janus_dir=
}
trap 'stop_server; stop_janus' EXIT

echo "== cheenhub-sfu"
java -Xms1g -Xmx2g -Dsfu.media.bind-address=127.0.0.1 -Dsfu.media.port=0 \
  -Dsfu.room.max-participants=1000 -Dsfu.auth.anonymous=true \
  -XX:PerfDataSamplingInterval=1000 \
  -jar "$payara" --nohazelcast --disablephonehome --prebootcommandfile payara/pre-boot-commands.asadmin \
  --port "$port" \
  --deploy target/cheenhub-sfu.war --contextroot / > "$out/payara.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 180); do
  curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break
  sleep 1
done
curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null || { echo "server did not become ready"; exit 1; }
sfu=(--server "http://127.0.0.1:$port/" --server-pid "$server_pid")

# Payara's JIT keeps compiling container code (Grizzly, HK2, Hazelcast, metrics) for minutes
# after boot: about 8 % of a core, the same whether or not media flows. Warm it up the way a
# server that has been running for a while is, so the window measures the steady state.
echo "-- warm-up (JIT): 50 participants, 3 talking, ${warm} s"
loadgen "${sfu[@]}" --participants 50 --talkers 3 --duration "$warm" || true

echo "-- (a) one room of 50, 3 talking, ${long} s"
loadgen "${sfu[@]}" --participants 50 --talkers 3 --duration "$long" --ramp-rate 25 \
  --json "$out/a-sfu.json" | tee "$out/a-sfu.txt" || true

echo "-- (b) 10 rooms of 5, 2 talking in each, ${long} s"
loadgen "${sfu[@]}" --rooms 10 --participants 5 --talkers 2 --duration "$long" --ramp-rate 25 \
  --json "$out/b-sfu.json" | tee "$out/b-sfu.txt" || true

echo "-- (c) one room of 10 talkers: listeners added until loss reaches 1 %"
listeners=40
while :; do
  loadgen "${sfu[@]}" --participants $((10 + listeners)) --talkers 10 --duration "$step" \
    --ramp-rate 40 --json "$out/c-sfu-$listeners.json" | tee "$out/c-sfu-$listeners.txt" || true
  loss=$(sed -n 's/.*"lossPercent": *\([0-9.eE+-]*\).*/\1/p' "$out/c-sfu-$listeners.json")
  failed=$(sed -n 's/.*"failed": *\([0-9]*\).*/\1/p' "$out/c-sfu-$listeners.json")
  echo "   $listeners listeners: loss $loss %, failed $failed"
  if awk -v l="$loss" -v f="$failed" 'BEGIN { exit !(l >= 1 || f > 0) }'; then break; fi
  if ((listeners >= 400)); then break; fi
  listeners=$((listeners + 40))
done

echo "-- (d) churn: 20 participants (3 talking), 2 leave+join per second, ${churn} s"
loadgen "${sfu[@]}" --profile churn --participants 20 --talkers 3 --duration "$churn" \
  --churn-rate 2 --json "$out/d-sfu.json" | tee "$out/d-sfu.txt" || true

# What the server costs with no rooms (issue 17): everyone has left, the JIT has seen the load.
echo "-- idle: no rooms, ${idle} s after ${idle_warm} s"
java -cp "$jar" io.cheenhub.sfu.loadgen.server.IdleCpu "$server_pid" "$idle_warm" "$idle" \
  | tee "$out/idle-sfu.txt" || true
stop_server

echo "== Janus VideoRoom (network namespace)"
janus_env=$(src/loadgen/janus/janus-netns.sh up)
echo "$janus_env"
eval "$janus_env"
janus_dir=$WORKDIR
janus=(--target janus --server "$JANUS_URL" --janus-admin "$JANUS_ADMIN" --bind "$BOT_ADDRESS"
  --server-pid "$JANUS_PID")
loadgen "${janus[@]}" --participants 20 --talkers 10 --duration 10 || true
echo "-- (a) one room of 50, 3 talking, ${long} s"
loadgen "${janus[@]}" --participants 50 --talkers 3 --duration "$long" --ramp-rate 25 \
  --json "$out/a-janus.json" | tee "$out/a-janus.txt" || true
echo "-- idle: no rooms, ${idle} s after ${idle_warm} s"
java -cp "$jar" io.cheenhub.sfu.loadgen.server.IdleCpu "$JANUS_PID" "$idle_warm" "$idle" \
  | tee "$out/idle-janus.txt" || true
stop_janus

echo "== docs/benchmarks.md"
java -cp "$jar" io.cheenhub.sfu.loadgen.BenchmarkReport "$out" docs/benchmarks.md
echo "done: $out, docs/benchmarks.md"
