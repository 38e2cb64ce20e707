#!/usr/bin/env bash
# Many slow uploads in flight on one generator: N copies of a closed scenario, each sending a 62 KB
# photo at 5 kB/s (about 12 s an upload), against an nginx sink that reads every body into memory (one
# descriptor per upload: the reference server holds a socket and a file each, so on this machine's
# hard limit of 20,000 it serves fewer than 10,000 at once). Prints the generator's peak RSS (from
# /usr/bin/time), its open descriptors at the busiest second, and the run's counts. BEFORE=<uc.dll>
# runs another build the same way first.
#
#   bench/slow-uploads.sh [copies=10000] [seconds=25]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copies="${1:-10000}"
seconds="${2:-25}"
work="$(mktemp -d -t uc-slow-bench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
for need in /usr/bin/time:time /usr/sbin/nginx:nginx-light /usr/lib/nginx/modules/ngx_http_echo_module.so:libnginx-mod-http-echo; do
  [ -e "${need%%:*}" ] || { echo "bench/slow-uploads.sh: needs ${need##*:} (apt-get install ${need##*:})" >&2; exit 2; }
done
dotnet build "$root/src/UploadConformance.Cli" -c Release -nologo -v quiet >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
ours="$root/src/UploadConformance.Cli/bin/Release/net10.0/uc.dll"
# As many descriptors as allowed: the generator needs one per upload in flight, and so does the server.
ulimit -n "$(ulimit -Hn)"

cat >"$work/scenario.yaml" <<YAML
name: slow-uploads-bench
maxInFlight: $copies
connections: $copies
mix:
  - { name: photo, image: compressed-android, rate: 5kB }
load:
  - keepConstant: { copies: $copies, during: ${seconds}s }
YAML

# The sink: reads each body into memory (no temp file) and answers 200.
port=18350
mkdir -p "$work/body"
cat >"$work/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
daemon off; user root; worker_processes 1; worker_rlimit_nofile $(ulimit -Hn);
pid $work/nginx.pid; error_log $work/error.log;
events { worker_connections $((2 * copies)); }
http {
  access_log off;
  client_body_temp_path $work/body; proxy_temp_path $work/p; fastcgi_temp_path $work/f; uwsgi_temp_path $work/u;
  scgi_temp_path $work/s; client_max_body_size 8m; client_body_buffer_size 128k; keepalive_requests 100000;
  server { listen 127.0.0.1:$port backlog=16384; location /image { echo_read_request_body; echo "{}"; } }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/image" -X POST -d x && break; sleep 0.1; done
curl -s -o /dev/null "http://127.0.0.1:$port/image" -X POST -d x \
  || { echo "bench/slow-uploads.sh: the nginx sink did not start" >&2; cat "$work/error.log" >&2; exit 1; }
cat >"$work/sink.yaml" <<YAML
field: images
success: { status: [200], json: [] }
echo: { files: ~, file: ~, fields: ~ }
fetchBack: false
stats: ~
health: ~
YAML

run() { # label uc.dll
  local target="http://127.0.0.1:$port/image"
  /usr/bin/time -v dotnet "$2" load --scenario "$work/scenario.yaml" --target "$target" --profile "$work/sink.yaml" \
    --out "$work/out-$1" \
    >"$work/load-$1.log" 2>"$work/time-$1.log" &
  local client=$!
  local most=0
  while kill -0 "$client" 2>/dev/null; do
    for p in $(pgrep -P "$client" 2>/dev/null) "$client"; do
      n=$(ls "/proc/$p/fd" 2>/dev/null | wc -l)
      if [ "$n" -gt "$most" ]; then most=$n; fi
    done
    sleep 1
  done
  wait "$client" && code=0 || code=$?
  local rss
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-$1.log" || true)
  local totals
  totals=$(grep -E '^  all ' "$work/load-$1.log" | awk '{print "requests " $2 ", ok " $3 ", failed " $4 ", p50 " $8 " ms"}' || true)
  printf '%-7s exit %s · peak RSS %s KB (%s MiB) · most descriptors %s · %s\n' "$1" "$code" "$rss" \
    "$((rss / 1024))" "$most" "${totals:-no results: the generator died}"
  grep -hE "^(uc: |stopped early|  errors: )" "$work/load-$1.log" "$work/time-$1.log" 2>/dev/null | head -3 || true
}

echo "$copies slow uploads (62 KB at 5 kB/s) for ${seconds}s, one generator:"
if [ -n "${BEFORE:-}" ]; then run before "$BEFORE"; fi
run ours "$ours"
