#!/usr/bin/env bash
# Runs every Jazzer fuzz target in turn (docs/benchmarks.md#fuzzing) and prints one line per target:
# executions, fuzzing seconds (wall time with Maven if the run ended early), corpus size and the
# finding, if any. Each target stops at the first finding or
# after EXECUTIONS executions (default 10 million) or MAX_DURATION (default 24h).
#
#   src/build/fuzz-all.sh                          # all seven targets, 10 M executions each
#   EXECUTIONS=1000000 src/build/fuzz-all.sh Demux  # only the targets whose name contains "Demux"
#
# Logs: target/fuzz/<target>.log. The corpus each run grows stays in .cifuzz-corpus/ (git-ignored).
set -uo pipefail
cd "$(dirname "$0")/../.."

EXECUTIONS=${EXECUTIONS:-10000000}
MAX_DURATION=${MAX_DURATION:-24h}
TARGETS=(
  'SdpFuzzTest#parseNegotiateAndReadAnswer'
  'RtpFuzzTest#rtpHeaderExtensionsAndRed'
  'RtpFuzzTest#rtcpCompoundAndViews'
  'DemuxFuzzTest#classifyThenCheckHeaders'
  'MessageCodecFuzzTest#decode'
  'TokenVerifierFuzzTest#verify'
  'TokenVerifierFuzzTest#claims'
)
filter=${1:-}
mkdir -p target/fuzz
mvn -q -B -o -DskipTests -Djacoco.skip=true test-compile || exit 1
printf '%-45s %12s %8s %8s  %s\n' target executions seconds corpus finding
status=0
for t in "${TARGETS[@]}"; do
  [[ -n $filter && $t != *"$filter"* ]] && continue
  log="target/fuzz/${t//#/.}.log"
  start=$(date +%s)
  JAZZER_FUZZ=1 mvn -B -o test -Djacoco.skip=true -Djazzer.hooks=true \
    -Djazzer.max_executions="$EXECUTIONS" -Djazzer.max_duration="$MAX_DURATION" \
    -Dsurefire.failIfNoSpecifiedTests=false -Dtest="$t" >"$log" 2>&1
  rc=$?
  seconds=$(($(date +%s) - start))
  # libFuzzer's summary "Done N runs in S second(s)", else its last progress line "#N …".
  done_line=$(grep -aoE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
  runs=$(grep -oE '[0-9]+' <<<"$done_line" | sed -n 1p)
  fuzz_seconds=$(grep -oE '[0-9]+' <<<"$done_line" | sed -n 2p)
  [[ -n $fuzz_seconds ]] && seconds=$fuzz_seconds
  [[ -z $runs ]] && runs=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  corpus=$(grep -aoE 'corp: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  finding=none
  if ((rc != 0)); then
    finding=$(grep -aE '== Java Exception:|AssertionError|Exception' "$log" | head -1 | cut -c1-120)
    [[ -z $finding ]] && finding="mvn exit $rc, see $log"
    status=1
  fi
  printf '%-45s %12s %8s %8s  %s\n' "$t" "${runs:-?}" "$seconds" "${corpus:-?}" "$finding"
done
exit $status
