#!/usr/bin/env bash
# The forwarding benchmark (docs/benchmarks.md, "Load generator"): builds the WAR and the load
# generator, measures the loopback UDP floor, starts cheenhub-sfu on Payara Micro and runs the
# standard scenarios against it and what it costs idle afterwards, then Janus VideoRoom in a network
# namespace for scenarios (a) and (c) and idle, and prints the report: both servers side by side
# with issue 17's ratios (CPU per forwarded packet ÷ Janus's, ÷ the UDP floor), then every scenario.
# A full run also writes the report into docs/benchmarks.md. Needs root (the namespace).
#
#   src/loadgen/bin/benchmark.sh                                   # everything (30 to 40 min)
#   src/loadgen/bin/benchmark.sh --scenarios c --servers janus     # a subset
#   src/loadgen/bin/benchmark.sh --scenarios a,c --duration 10 --warm-up 20 \
#     --idle 20 --idle-warm-up 10 --c-listeners 20:20:40           # a smoke run (about 6 min)
#   QUICK=1 src/loadgen/bin/benchmark.sh                           # 10 s windows, 1 min churn
#
# Options (each also an environment variable, the option wins):
#   --scenarios LIST      SCENARIOS    a, b, c, d, comma-separated (default all); Janus runs (a)
#                                      and (c) only
#   --servers LIST        SERVERS      sfu, janus (default both)
#   --duration S          DURATION     the window of (a), (b), each step of (c) and (d)
#                                      (default 60, 20 per step of (c), 300 for (d))
#   --warm-up S           WARM         cheenhub-sfu's JIT warm-up run before the scenarios (180)
#   --idle S              IDLE         idle window after the scenarios, 0 for none (120)
#   --idle-warm-up S      IDLE_WARM    wait before the idle window (60)
#   --c-listeners F:S:M   C_LISTENERS  (c): first listener count, step, most (40:40:400)
#   --doc FILE            DOC          where the report goes besides stdout and target/benchmark;
#   --no-doc              DOC=         default docs/benchmarks.md for a full run, none otherwise
#   --no-build            BUILD=0      use the jars already in target/
#   --quick               QUICK=1      10 s windows, 1 min churn, short warm-ups
#   --slots               SLOTS=1      cheenhub-sfu with speaker slots as configured by default; the
#                                      benchmark turns them off, so that every listener receives every
#                                      talker as in Janus VideoRoom
#   PORT (18080): cheenhub-sfu's HTTP port.
#   SFU_OPTS: more JVM options for cheenhub-sfu, e.g. SFU_OPTS=-Dsfu.media.direct-send=false for
#   a before/after row of a setting (it goes into the report's options line).
set -euo pipefail
cd "$(dirname "$0")/../../.."

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while (($#)); do
  case $1 in
    --scenarios) SCENARIOS=$2; shift ;;
    --servers) SERVERS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --warm-up) WARM=$2; shift ;;
    --idle) IDLE=$2; shift ;;
    --idle-warm-up) IDLE_WARM=$2; shift ;;
    --c-listeners) C_LISTENERS=$2; shift ;;
    --doc) DOC=$2; shift ;;
    --no-doc) DOC= ;;
    --no-build) BUILD=0 ;;
    --quick) QUICK=1 ;;
    --slots) SLOTS=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# A run that changes what is measured is a check, not the page's numbers: it writes no docs
# unless asked to.
full=1
for setting in QUICK DURATION SCENARIOS SERVERS WARM IDLE IDLE_WARM C_LISTENERS SLOTS; do
  [[ -n ${!setting:-} ]] && full=0
done
if [[ -v DOC ]]; then doc=$DOC; elif ((full)); then doc=docs/benchmarks.md; else doc=; fi

long=60; churn=300; step=20; warm=180; idle_warm=60; idle=120
if [[ ${QUICK:-0} == 1 ]]; then long=10; churn=60; step=10; warm=20; idle_warm=10; idle=20; fi
if [[ -n ${DURATION:-} ]]; then long=$DURATION; churn=$DURATION; step=$DURATION; fi
warm=${WARM:-$warm}; idle=${IDLE:-$idle}; idle_warm=${IDLE_WARM:-$idle_warm}
IFS=: read -r c_from c_step c_max <<<"${C_LISTENERS:-40:40:400}"
scenarios=,${SCENARIOS:-a,b,c,d},
servers=,${SERVERS:-sfu,janus},
# Speaker slots (issue 16) forward 3 loudest talkers to each listener in a room of more than 8:
# in (c), 3 of 10 talkers where Janus forwards all 10, and each slot change reads as loss in the
# bots' stamps. Off, both servers do the same work in every scenario; (a) has 3 talkers, 3 slots.
slots=(-Dsfu.room.slot-threshold=100000)
[[ ${SLOTS:-0} == 1 ]] && slots=()
port=${PORT:-18080}
read -r -a sfu_opts <<< "${SFU_OPTS:-}"
for n in "$long" "$churn" "$step" "$warm" "$idle" "$idle_warm" "$c_from" "$c_step" "$c_max" "$port"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "not a whole number: '$n'" >&2; exit 2; }
done
((c_from > 0 && c_step > 0)) || { echo "--c-listeners: FROM and STEP must be positive" >&2; exit 2; }
for s in ${scenarios//,/ }; do
  [[ $s =~ ^[abcd]$ ]] || { echo "--scenarios: no scenario '$s' (a, b, c, d)" >&2; exit 2; }
done
for s in ${servers//,/ }; do
  [[ $s =~ ^(sfu|janus)$ ]] || { echo "--servers: no server '$s' (sfu, janus)" >&2; exit 2; }
done
runs() { [[ $scenarios == *,$1,* ]]; }
on() { [[ $servers == *,$1,* ]]; }

out=target/benchmark
rm -rf "$out" && mkdir -p "$out"
phase() { printf '%s [%2d:%02d] %s\n' "$1" $((SECONDS / 60)) $((SECONDS % 60)) "${*:2}"; }

if [[ ${BUILD:-1} != 0 ]]; then
  phase "==" "build"
  mvn -q -B -DskipTests pre-integration-test
fi
jar=target/cheenhub-loadgen.jar
payaras=(target/payara-micro-*.jar)
payara=${payaras[0]}
loadgen() { java -jar "$jar" --quiet "$@"; }

phase "==" "machine"
{
  echo "nproc: $(nproc)"
  echo "cpu model: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)"
  echo "cpu: $(nproc) x $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | sed -n 1p)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "kernel: $(uname -r)"
  echo "java: $(java -version 2>&1 | sed -n 1p)"
  echo "payara: $(basename "$payara")"
  echo "janus: $(dpkg-query -W -f '${Version}' janus 2>/dev/null || echo 'not installed')"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  list() { local l=${1#,}; l=${l%,}; echo "${l//,/ }"; }
  echo "options: scenarios $(list "$scenarios"), servers $(list "$servers"), windows ${long} s, (c) steps ${step} s from ${c_from} by ${c_step} to ${c_max}, churn ${churn} s, warm-up ${warm} s, idle ${idle} s after ${idle_warm} s, speaker slots $( ((${#slots[@]})) && echo off || echo 'as configured')${SFU_OPTS:+, cheenhub-sfu with $SFU_OPTS}"
} | tee "$out/machine.txt"

phase "==" "loopback UDP floor"
java -cp "$jar" io.cheenhub.sfu.loadgen.UdpFloor 300000 130 | tee "$out/floor.txt"

server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=
}
janus_dir=
stop_janus() {
  if [[ -n $janus_dir ]]; then
    src/loadgen/janus/janus-netns.sh down "$janus_dir" || true
    cp "$janus_dir/janus.log" "$out/janus.log" 2>/dev/null || true
    rm -rf "$janus_dir"
  fi
  janus_dir=
}
trap 'stop_server; stop_janus' EXIT
trap 'exit 130' INT TERM HUP

# The scenarios both servers run; NAME (sfu, janus) names the result files, the rest is the load
# generator's server options.

# scenario_a NAME LOADGEN-ARGS...: one room of 50, 3 talking.
scenario_a() {
  local name=$1
  shift
  phase "--" "(a) one room of 50, 3 talking, ${long} s"
  loadgen "$@" --participants 50 --talkers 3 --duration "$long" --ramp-rate 25 \
    --json "$out/a-$name.json" | tee "$out/a-$name.txt" || true
}

# scenario_c NAME LOADGEN-ARGS...: one room of 10 talkers, listeners added until loss reaches 1 %,
# a bot fails or a run gives no result; each step a fresh room.
scenario_c() {
  local name=$1 listeners=$c_from json loss failed
  shift
  phase "--" "(c) one room of 10 talkers: listeners added until loss reaches 1 %"
  while :; do
    json=$out/c-$name-$listeners.json
    loadgen "$@" --participants $((10 + listeners)) --talkers 10 --duration "$step" \
      --ramp-rate 40 --json "$json" | tee "$out/c-$name-$listeners.txt" || true
    if [[ ! -s $json ]]; then
      echo "   $listeners listeners: no result, stopping"
      break
    fi
    loss=$(sed -n 's/.*"lossPercent": *\([0-9.eE+-]*\).*/\1/p' "$json")
    failed=$(sed -n 's/.*"failed": *\([0-9]*\).*/\1/p' "$json")
    echo "   $listeners listeners: loss $loss %, failed $failed"
    if awk -v l="$loss" -v f="$failed" 'BEGIN { exit !(l >= 1 || f > 0) }'; then break; fi
    if ((listeners >= c_max)); then break; fi
    listeners=$((listeners + c_step))
  done
}

# idle_reading NAME PID: what the server costs with no rooms (issue 17), everyone gone, after the
# load has warmed it up.
idle_reading() {
  phase "--" "idle: no rooms, ${idle} s after ${idle_warm} s"
  java -cp "$jar" io.cheenhub.sfu.loadgen.server.IdleCpu "$2" "$idle_warm" "$idle" \
    | tee "$out/idle-$1.txt" || true
}

if on sfu; then
  phase "==" "cheenhub-sfu"
  if curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null; then
    echo "something already answers on port $port: set PORT" >&2
    exit 1
  fi
  java -Xms1g -Xmx2g -Dsfu.media.bind-address=127.0.0.1 -Dsfu.media.port=0 \
    -Dsfu.room.max-participants=1000 -Dsfu.auth.anonymous=true "${slots[@]}" \
    -XX:PerfDataSamplingInterval=1000 "${sfu_opts[@]}" \
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
  if ((warm > 0)); then
    phase "--" "warm-up (JIT): 50 participants, 3 talking, ${warm} s"
    loadgen "${sfu[@]}" --participants 50 --talkers 3 --duration "$warm" || true
  fi

  if runs a; then scenario_a sfu "${sfu[@]}"; fi

  if runs b; then
    phase "--" "(b) 10 rooms of 5, 2 talking in each, ${long} s"
    loadgen "${sfu[@]}" --rooms 10 --participants 5 --talkers 2 --duration "$long" --ramp-rate 25 \
      --json "$out/b-sfu.json" | tee "$out/b-sfu.txt" || true
  fi

  if runs c; then scenario_c sfu "${sfu[@]}"; fi

  if runs d; then
    phase "--" "(d) churn: 20 participants (3 talking), 2 leave+join per second, ${churn} s"
    loadgen "${sfu[@]}" --profile churn --participants 20 --talkers 3 --duration "$churn" \
      --churn-rate 2 --json "$out/d-sfu.json" | tee "$out/d-sfu.txt" || true
  fi

  if ((idle > 0)); then idle_reading sfu "$server_pid"; fi
  stop_server
fi

if on janus; then
  phase "==" "Janus VideoRoom (network namespace)"
  janus_env=$(src/loadgen/janus/janus-netns.sh up)
  echo "$janus_env"
  eval "$janus_env"
  janus_dir=$WORKDIR
  # Janus has no heap to sample, and a sample walks the Admin API over every handle: only at the
  # window's edges, so that its CPU in the window is forwarding.
  janus=(--target janus --server "$JANUS_URL" --janus-admin "$JANUS_ADMIN" --bind "$BOT_ADDRESS"
    --server-pid "$JANUS_PID" --sample-every 0)
  loadgen "${janus[@]}" --participants 20 --talkers 10 --duration 10 || true
  if runs a; then scenario_a janus "${janus[@]}"; fi
  if runs c; then scenario_c janus "${janus[@]}"; fi
  if ((idle > 0)); then idle_reading janus "$JANUS_PID"; fi
  stop_janus
fi

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
phase "==" "report${doc:+ (also into $doc)}"
java -cp "$jar" io.cheenhub.sfu.loadgen.BenchmarkReport "$out" ${doc:+"$doc"} | tee "$out/report.md"
phase "==" "done: $out${doc:+, $doc}"
