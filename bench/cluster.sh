#!/usr/bin/env bash
# The coordinator's cost: its CPU time per worker-second while N workers (local uc processes) run a
# scenario against the reference server, all on this machine and on loopback. The CPU is read from
# /proc between the coordinator's "listening" line and its last tick, so .NET's start-up is not in it.
#
#   bench/cluster.sh [workers=16] [seconds=30]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workers="${1:-16}"
seconds="${2:-30}"
work="$(mktemp -d -t uc-cluster-bench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
dotnet build "$root/src/UploadConformance.Cli" -c Release -nologo -v quiet >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
uc=(dotnet "$root/src/UploadConformance.Cli/bin/Release/net10.0/uc.dll")

wait_for() { # file pattern -> the first matching line, within 60 s
  for _ in $(seq 600); do
    if line=$(grep -m1 -- "$2" "$1" 2>/dev/null); then echo "$line"; return; fi
    sleep 0.1
  done
  echo "bench/cluster.sh: no '$2' in $1" >&2; cat "$1" >&2; exit 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }

"${uc[@]}" serve --port 0 --quiet >"$work/serve.log" 2>&1 &
pids+=($!)
target="$(wait_for "$work/serve.log" "reference upload server on" | awk '{print $5}')image"
# Two small uploads a second per worker: the coordinator's work grows with workers, not requests.
cat >"$work/scenario.yaml" <<YAML
name: cluster-bench
mix:
  - { name: small, bytes: 2KiB }
load:
  - inject: { rate: $((2 * workers)), interval: 1s, during: ${seconds}s }
thresholds:
  - error_rate < 1%
YAML
"${uc[@]}" coordinate --workers "$workers" --scenario "$work/scenario.yaml" --target "$target" \
  --listen 127.0.0.1:0 --out "$work/coordinator" >"$work/coordinator.log" 2>&1 &
coordinator=$!
pids+=($coordinator)
url="$(wait_for "$work/coordinator.log" "^listening on" | awk '{print $3}' | tr -d ';')"
start=$(cpu_ticks "$coordinator")
for i in $(seq 0 $((workers - 1))); do
  "${uc[@]}" worker --coordinator "$url" --index "$i" --out "$work/worker-$i" >"$work/worker-$i.log" 2>&1 &
  pids+=($!)
done
last=$start
while kill -0 "$coordinator" 2>/dev/null; do
  now=$(cpu_ticks "$coordinator") && [ -n "$now" ] && last=$now
  sleep 0.2
done
wait "$coordinator" || true
hz=$(getconf CLK_TCK)
python3 - "$work/coordinator/results.json" "$workers" "$seconds" "$start" "$last" "$hz" <<'PY'
import json, sys
path, workers, seconds, start, last, hz = sys.argv[1], *map(int, sys.argv[2:6]), int(sys.argv[6])
load = json.load(open(path))['load']
cpu = (last - start) / hz
print(f"{workers} workers × {seconds} s: {load['all']['requests']} requests merged from "
      f"{len(load['workers'])} workers ({sum(1 for w in load['workers'] if w['lost'])} lost)")
print(f"coordinator CPU {cpu:.2f} s after start-up = {cpu / (workers * seconds) * 1e6:.0f} µs per worker-second "
      f"(±{1 / hz / (workers * seconds) * 1e6:.0f} µs: /proc counts in {1000 // hz} ms ticks)")
PY
