#!/usr/bin/env bash
# Console measurements the criterion benches cannot take: resident memory with a large inventory,
# time to the first frame, and the bytes written to the terminal while idle and per scroll step.
#
# The real binary runs with `--demo --demo-fleet <file>` (the simulator's `large` fleet scaled to
# $INSTANCES instances) under `script` (which records every byte the console writes to its terminal)
# inside a private tmux server.
#
# Usage: benches/measure.sh [path/to/opsdeck]     (default: the release-fast build)
#   INSTANCES=25000 benches/measure.sh              (fleet size; default 25000 ≈ 100k resources)
#   REFRESH_SAMPLES=12 benches/measure.sh           (also: RSS every 10 s with a refresh every 10 s)
# Needs: tmux, script (util-linux), bc, /proc.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${1:-$TARGET/release-fast/opsdeck}"
INSTANCES="${INSTANCES:-25000}"
W=160
H=48
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --profile release-fast)" >&2; exit 2; }
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 2; }
command -v script >/dev/null || { echo "script (util-linux) is required" >&2; exit 2; }

WORK="$(mktemp -d)"
SOCK="opsdeck-measure-$$"
T="tmux -L $SOCK -f /dev/null"
cleanup() { $T kill-server 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

sed "s/^instances = .*/instances = $INSTANCES/" "$ROOT/assets/fleets/large.toml" > "$WORK/fleet.toml"
mkdir -p "$WORK/config" "$WORK/state"
# Auto-refresh off for the idle measurement: nothing but the clock may change the screen.
printf '[ui]\nrefresh_seconds = 0\n' > "$WORK/config/config.toml"
OUT="$WORK/tty.out"

# 1. Time to first frame: the console started straight in the pane (the time is taken by the shell
#    just before it execs the binary), compared with the log line the first frame writes.
mkdir -p "$WORK/state1"
$T new-session -d -s f -x $W -y $H \
  "date +%s.%N > '$WORK/t0'; exec env OPSDECK_STATE_DIR='$WORK/state1' OPSDECK_CONFIG_DIR='$WORK/config' '$BIN' --demo --demo-fleet '$WORK/fleet.toml'"
for _ in $(seq 1 100); do grep -q 'first frame' "$WORK/state1/opsdeck.log" 2>/dev/null && break; sleep 0.1; done
FIRST_LINE=$(grep 'first frame' "$WORK/state1/opsdeck.log" | head -1)
FIRST_AT=$(date -d "$(echo "$FIRST_LINE" | cut -d' ' -f1)" +%s.%N)
FIRST_MS=$(echo "($FIRST_AT - $(cat "$WORK/t0")) * 1000" | bc -l | xargs printf '%.1f')
FIRST_LOOP=$(echo "$FIRST_LINE" | sed 's/.*first frame ms=\([0-9.]*\).*/\1/' | xargs printf '%.2f')
$T send-keys -t f q

# 2. Everything else under `script`, which records every byte the console writes to its terminal.
$T new-session -d -s m -x $W -y $H \
  "env OPSDECK_STATE_DIR='$WORK/state' OPSDECK_CONFIG_DIR='$WORK/config' script -q -f -c \"'$BIN' --demo --demo-fleet '$WORK/fleet.toml'\" '$OUT'"

wait_for() { # needle, seconds
  local deadline=$((SECONDS + $2))
  until $T capture-pane -p -t m | grep -q -- "$1"; do
    [ $SECONDS -lt $deadline ] || { echo "timed out waiting for: $1" >&2; $T capture-pane -p -t m >&2; exit 1; }
    sleep 0.1
  done
}
size() { stat -c %s "$OUT"; }

opsdeck_pid() { # the opsdeck process under the pane's `script`
  local p
  p=$($T display -p -t m '#{pane_pid}')
  for _ in 1 2 3 4; do
    local c
    c=$(ps -o pid= --ppid "$p" | head -1 | tr -d ' ')
    [ -n "$c" ] || break
    p=$c
    [ "$(ps -o comm= -p "$p")" = "opsdeck" ] && { echo "$p"; return; }
  done
  echo "$p"
}

wait_for "Instances (" 120
wait_for "data <1m old" 300
sleep 2
PID=$(opsdeck_pid)
RESOURCES=$(grep -o 'resources=[0-9]*' "$WORK/state/opsdeck.log" | tail -1 | cut -d= -f2)
RSS_KB=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
HWM_KB=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")

# Idle: six windows of 10 s with nothing typed.
IDLE=()
for _ in 1 2 3 4 5 6; do
  a=$(size); sleep 10; b=$(size); IDLE+=($((b - a)))
done

# One scroll step (j), twenty times.
STEPS=()
for _ in $(seq 1 20); do
  a=$(size); $T send-keys -t m j; sleep 0.3; b=$(size); STEPS+=($((b - a)))
done
$T send-keys -t m q

# 3. Optional: RSS under auto-refresh (every 10 s), sampled every 10 s.
REFRESH_RSS=()
if [ "${REFRESH_SAMPLES:-0}" -gt 0 ]; then
  mkdir -p "$WORK/config3" "$WORK/state3"
  printf '[ui]\nrefresh_seconds = 10\n' > "$WORK/config3/config.toml"
  $T new-session -d -s r -x $W -y $H \
    "exec env OPSDECK_STATE_DIR='$WORK/state3' OPSDECK_CONFIG_DIR='$WORK/config3' '$BIN' --demo --demo-fleet '$WORK/fleet.toml'"
  RPID=$($T display -p -t r '#{pane_pid}')
  for _ in $(seq 1 "$REFRESH_SAMPLES"); do
    sleep 10
    REFRESH_RSS+=($(( $(awk '/VmRSS/ {print $2}' "/proc/$RPID/status") / 1024 )))
  done
  $T send-keys -t r q
fi

echo "instances in fleet:        $INSTANCES"
echo "resources in inventory:    ${RESOURCES:-?}"
echo "RSS after load:            $((RSS_KB / 1024)) MB (peak $((HWM_KB / 1024)) MB)"
echo "first frame:               ${FIRST_MS} ms from launch (${FIRST_LOOP} ms from the start of the event loop)"
echo "bytes written, 10 s idle:  ${IDLE[*]}"
echo "bytes per scroll step:     ${STEPS[*]}"
[ ${#REFRESH_RSS[@]} -eq 0 ] || echo "RSS (MB) every 10 s, refreshing every 10 s: ${REFRESH_RSS[*]} ($(grep -c 'inventory refreshed' "$WORK/state3/opsdeck.log") refreshes)"
