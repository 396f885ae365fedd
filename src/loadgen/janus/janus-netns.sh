#!/usr/bin/env bash
# Janus (Debian package, VideoRoom plugin) as the comparison peer of the load generator, run inside
# a network namespace of its own. Janus never offers loopback candidates for media, and benchmark
# traffic may only go to loopback or to namespaces the run creates, so Janus lives in netns
# "chsfu-janus" and the bots reach it over a veth pair:
#
#   host: chj0 10.203.0.1/24  <--veth-->  chsfu-janus: chj1 10.203.0.2/24 (Janus HTTP :8088, admin :7088)
#
# Usage (as root):
#   janus-netns.sh up [WORKDIR]    install janus if missing, create the namespace, write a private
#                                  config into WORKDIR/conf (default: a new temp dir), start janus and
#                                  print one line: JANUS_PID=.. JANUS_URL=.. JANUS_ADMIN=.. BOT_ADDRESS=.. WORKDIR=..
#   janus-netns.sh down [WORKDIR]  stop janus, delete the namespace and the veth pair; never fails
#   janus-netns.sh status          print what exists
#
# Environment: JANUS_DEBUG_LEVEL (default 4) is passed to janus -d.
#
# G1, G5, ... name the gotchas of the Janus research note (janus-peer.md) behind a setting.
set -euo pipefail

readonly NS=chsfu-janus
readonly HOST_IF=chj0
readonly NS_IF=chj1
readonly HOST_ADDR=10.203.0.1
readonly NS_ADDR=10.203.0.2
readonly PREFIX=24
readonly HTTP_PORT=8088
readonly ADMIN_PORT=7088
readonly ADMIN_SECRET=janusoverlord
readonly RTP_PORTS=20000-40000
readonly START_TIMEOUT_S=20
# Janus log level (0-7); 5 also logs ICE details such as the gathered addresses.
readonly DEBUG_LEVEL=${JANUS_DEBUG_LEVEL:-4}
readonly JANUS_URL="http://${NS_ADDR}:${HTTP_PORT}/janus"
readonly ADMIN_URL="http://${NS_ADDR}:${ADMIN_PORT}/admin"

log() { echo "janus-netns: $*" >&2; }
die() {
  log "$*"
  exit 1
}

require_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (ip netns, veth)"
}

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$NS"; }

# PIDs of janus processes inside the namespace.
ns_janus_pids() {
  ns_exists || return 0
  local pid
  for pid in $(ip netns pids "$NS" 2>/dev/null); do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == janus ]] && echo "$pid"
  done
  return 0
}

# set_opt FILE SECTION KEY VALUE: sets "KEY = VALUE" inside "SECTION: { ... }" of a libconfig-style
# .jcfg file. Replaces the active setting if there is one, else the first "#KEY =" example line,
# else inserts the line before the section's closing brace. VALUE is written verbatim (quote strings).
set_opt() {
  local file=$1 section=$2 key=$3 value=$4 tmp
  grep -q "^${section}:[[:space:]]*{" "$file" || die "$file: no section '$section'"
  tmp=$(mktemp "${file}.XXXXXX")
  awk -v sec="$section" -v key="$key" -v val="$value" '
    function starts(line) { return line ~ ("^" sec ":[ \t]*[{]") }
    # pass 1: find what to replace
    FNR == NR {
      if (starts($0)) { ins = 1; next }
      if (ins && $0 ~ /^[}]/) { ins = 0; next }
      if (ins && $0 ~ ("^[ \t]*" key "[ \t]*=")) active = FNR
      if (ins && !commented && $0 ~ ("^[ \t]*#" key "[ \t]*=")) commented = FNR
      next
    }
    FNR == 1 { target = active ? active : commented }
    starts($0) { ins = 1 }
    ins && $0 ~ /^[}]/ {
      ins = 0
      if (!target) { print "\t" key " = " val; done = 1 }
    }
    FNR == target { print "\t" key " = " val; done = 1; next }
    { print }
    END { if (!done) exit 3 }
  ' "$file" "$file" >"$tmp" || {
    rm -f "$tmp"
    die "$file: could not set $section.$key"
  }
  mv "$tmp" "$file"
}

write_config() {
  local workdir=$1 conf=$1/conf
  mkdir -p "$conf"
  cp /etc/janus/*.jcfg "$conf/"

  local core=$conf/janus.jcfg
  set_opt "$core" general configs_folder "\"$conf\""
  set_opt "$core" general session_timeout 120
  set_opt "$core" general event_loops 2
  set_opt "$core" general admin_secret "\"$ADMIN_SECRET\""
  # The namespace has no default route, so Janus's own address probe finds nothing and falls
  # back to 127.0.0.1 (used in the SDP c= line); name the address.
  set_opt "$core" general interface "\"$NS_ADDR\""
  set_opt "$core" media rtp_port_range "\"$RTP_PORTS\""
  # G1: the namespace veth is the only interface Janus may gather candidates on.
  set_opt "$core" nat ice_enforce_list "\"$NS_IF\""
  set_opt "$core" plugins disable "\"libjanus_voicemail.so,libjanus_recordplay.so,libjanus_lua.so,libjanus_duktape.so,libjanus_sip.so,libjanus_nosip.so,libjanus_audiobridge.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so\""
  # Only the HTTP transport: the load generator speaks the HTTP JSON API (WebSockets disabled).
  set_opt "$core" transports disable "\"libjanus_rabbitmq.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_websockets.so\""

  local http=$conf/janus.transport.http.jcfg
  set_opt "$http" general json '"compact"'
  set_opt "$http" general http true
  set_opt "$http" general port "$HTTP_PORT"
  set_opt "$http" general ip "\"$NS_ADDR\""
  set_opt "$http" admin admin_http true
  set_opt "$http" admin admin_port "$ADMIN_PORT"
  set_opt "$http" admin admin_ip "\"$NS_ADDR\""

  local ws=$conf/janus.transport.websockets.jcfg
  set_opt "$ws" general ws false
  set_opt "$ws" general ws_ip "\"$NS_ADDR\""
}

create_netns() {
  ip netns add "$NS"
  ip link add "$HOST_IF" type veth peer name "$NS_IF" netns "$NS"
  # IPv4 only on the link: no link-local v6 addresses for Janus or the bots to trip over.
  sysctl -qw "net.ipv6.conf.${HOST_IF}.disable_ipv6=1" || true
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.${NS_IF}.disable_ipv6=1" || true
  ip addr add "${HOST_ADDR}/${PREFIX}" dev "$HOST_IF"
  ip link set "$HOST_IF" up
  ip -n "$NS" addr add "${NS_ADDR}/${PREFIX}" dev "$NS_IF"
  ip -n "$NS" link set "$NS_IF" up
  ip -n "$NS" link set lo up
}

cmd_up() {
  require_root
  if ! command -v janus >/dev/null 2>&1; then
    log "janus not installed, installing the Debian package"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends janus >&2
  fi
  if ns_exists || ip link show "$HOST_IF" >/dev/null 2>&1; then
    die "namespace $NS or link $HOST_IF already exists; run '$0 down' first"
  fi

  local workdir=${1:-}
  if [[ -z $workdir ]]; then
    workdir=$(mktemp -d /tmp/chsfu-janus.XXXXXX)
  else
    mkdir -p "$workdir"
    workdir=$(cd "$workdir" && pwd)
  fi
  rm -f "$workdir/janus.pid" "$workdir/janus.log"
  write_config "$workdir"

  # From here on, any failure (set -e, die) removes what was created.
  trap 'log "up failed, cleaning up"; cmd_down "$workdir" >/dev/null 2>&1 || true' EXIT
  create_netns

  # setsid in a non-interactive shell execs in place (the job is not a group leader), so $! is the
  # janus PID; it is still checked against the processes in the namespace below.
  ip netns exec "$NS" setsid janus -C "$workdir/conf/janus.jcfg" -F "$workdir/conf" \
    -L "$workdir/janus.log" -o -N -d "$DEBUG_LEVEL" </dev/null >"$workdir/janus.stdout" 2>&1 &
  local pid=$!
  local deadline=$((SECONDS + START_TIMEOUT_S)) up=0
  while ((SECONDS < deadline)); do
    if curl -sf --max-time 2 "$JANUS_URL/info" >/dev/null 2>&1; then
      up=1
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if ((!up)); then
    log "janus exited or did not answer on $JANUS_URL/info within ${START_TIMEOUT_S}s; log tail:"
    tail -n 30 "$workdir/janus.log" "$workdir/janus.stdout" >&2 2>/dev/null || true
    exit 1
  fi
  if [[ $(cat "/proc/$pid/comm" 2>/dev/null) != janus ]]; then
    pid=$(ns_janus_pids | head -n 1)
    [[ -n $pid ]] || die "janus answers but its PID was not found in $NS"
  fi
  echo "$pid" >"$workdir/janus.pid"
  trap - EXIT

  # Janus logs the candidate addresses per handle, at level 5 only ("Adding 10.203.0.2 to the
  # addresses to gather candidates for"); at startup it names the SDP address.
  if ! grep -q "Using ${NS_ADDR} as local IP" "$workdir/janus.log"; then
    log "warning: janus.log does not show ${NS_ADDR} as local IP"
  fi

  echo "JANUS_PID=$pid JANUS_URL=$JANUS_URL JANUS_ADMIN=$ADMIN_URL BOT_ADDRESS=$HOST_ADDR WORKDIR=$workdir"
}

# Sends TERM to the PIDs, waits up to 10 s, then KILL.
stop_pids() {
  local pids=("$@") pid i
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  log "janus did not stop on TERM, killing ${pids[*]}"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.2
}

cmd_down() {
  require_root
  local workdir=${1:-} pids=() pid
  if [[ -n $workdir && -f $workdir/janus.pid ]]; then
    pid=$(cat "$workdir/janus.pid" 2>/dev/null || true)
    # Only if that PID is still a janus (not a recycled PID).
    if [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == janus ]]; then
      pids+=("$pid")
    fi
  fi
  while read -r pid; do
    [[ -n $pid && ! " ${pids[*]} " =~ " $pid " ]] && pids+=("$pid")
  done < <(ns_janus_pids)
  stop_pids "${pids[@]}"
  [[ -n $workdir ]] && rm -f "$workdir/janus.pid"

  if ns_exists; then
    local left
    left=$(ip netns pids "$NS" 2>/dev/null | tr '\n' ' ')
    [[ -z $left ]] || log "warning: processes still in $NS: $left (namespace stays alive until they exit)"
    ip netns delete "$NS" 2>/dev/null || true
  fi
  # The host end goes away with the namespace end; delete it explicitly in case it did not.
  ip link delete "$HOST_IF" 2>/dev/null || true
  return 0
}

cmd_status() {
  if ns_exists; then
    echo "netns $NS: present"
    ip -br -n "$NS" addr 2>/dev/null | sed 's/^/  /'
  else
    echo "netns $NS: absent"
  fi
  if ip link show "$HOST_IF" >/dev/null 2>&1; then
    echo "link $HOST_IF: present"
    ip -br addr show "$HOST_IF" | sed 's/^/  /'
  else
    echo "link $HOST_IF: absent"
  fi
  local pids
  pids=$(ns_janus_pids | tr '\n' ' ')
  if [[ -n $pids ]]; then
    echo "janus: running (pid $pids)"
  else
    echo "janus: not running in $NS"
  fi
  if curl -sf --max-time 2 "$JANUS_URL/info" >/dev/null 2>&1; then
    echo "api: $JANUS_URL answers"
  else
    echo "api: $JANUS_URL does not answer"
  fi
}

case ${1:-} in
  up) cmd_up "${2:-}" ;;
  down) cmd_down "${2:-}" ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 up [WORKDIR] | down [WORKDIR] | status" >&2
    exit 2
    ;;
esac
