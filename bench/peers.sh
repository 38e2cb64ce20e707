#!/usr/bin/env bash
# Our load engine beside the tools users would pick instead — wrk, hey, ab and autocannon — on one
# machine, against one nginx sink that reads every body before answering, with the same connection
# count, duration and bodies: a ~1.7 KB multipart, a ~300 KB compressed JPEG, a ~3.7 MB original.
# Prints requests/s, MB/s, client CPU µs per request and peak RSS per tool, and checks at the sink
# that every tool's bodies arrived byte-exact (a short pass with the sink keeping bodies on disk).
# It ends with the load engine issue's targets, each "held" or "MISSED" within this run.
#
#   bench/peers.sh [connections=32] [seconds=10]
#   BODIES="small" TOOLS="wrk ours ours-httpclient" ROUNDS=1 SCHEMES=http bench/peers.sh   # a subset
#   BEFORE=/path/to/other/uc.dll TOOLS="wrk hey ours ours-before" bench/peers.sh   # two builds of ours
#   TOOLS="wrk ours ours-metrics" bench/peers.sh   # ours with --metrics prometheus, scraped every second
#
# Each tool runs ROUNDS times (3), interleaved with the others so that a noisy minute on a shared
# machine hits every tool alike; the table shows each tool's median round and its ratio to wrk's.
# SCHEMES (http https) adds an HTTPS sink on the next port, TLS 1.3 with a certificate made here;
# over HTTPS the tools are HTTPS_TOOLS (wrk ours). SCHEMES="h2c h2" adds HTTP/2, cleartext with prior
# knowledge and over TLS, where the tools are H2_TOOLS (h2load ours) on one connection carrying
# [connections] streams, h2load (Debian nghttp2-client) the reference; the sink then never ends a
# connection (h2load does not reconnect after nginx's GOAWAY at keepalive_requests).
# THREADS (half the cores, at least 1) is what each multi-threaded client may use: wrk's -t, hey's
# GOMAXPROCS, our socket engine's threads. The sink shares the machine, and every client does better
# leaving it a core; ab and autocannon run on one thread whatever this says.
#
# Loopback only. Installs what it needs from Debian and npm (run as root, as CI does).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
connections="${1:-32}"
seconds="${2:-10}"
threads="${THREADS:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}"
work="$root/bench/peers/work"
rm -rf "$work" && mkdir -p "$work/body" "$work/kept"

need=""
for pair in wrk:wrk hey:hey ab:apache2-utils nginx:nginx-light h2load:nghttp2-client; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need="$need ${pair#*:}"
done
[ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ] || need="$need libnginx-mod-http-echo"
if [ -n "$need" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need
fi
[ -d "$root/bench/peers/node_modules/autocannon" ] || npm ci --prefix "$root/bench/peers" --no-audit --no-fund >/dev/null

echo "building the CLI and the image payloads…"
dotnet build "$root/src/UploadConformance.Cli" -c Release -nologo -v quiet -nodeReuse:false -p:UseSharedCompilation=false >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; exit 2; }
uc="$root/src/UploadConformance.Cli/bin/Release/net10.0/uc.dll"
cache="${UPLOADCONFORMANCE_CACHE:-$HOME/.cache/uploadconformance}"
dotnet "$uc" conform --case 'wx.payload.compressed-ios,wx.payload.original' --out "$work/warmup" >/dev/null

# The sink: /image reads the whole body and answers 200; /kept also keeps each body on disk.
port=18300
cat >"$work/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
daemon off; user root; worker_processes 1;
pid $work/nginx.pid; error_log $work/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/body; proxy_temp_path $work/p; fastcgi_temp_path $work/f; uwsgi_temp_path $work/u; scgi_temp_path $work/s;
  client_max_body_size 64m; client_body_buffer_size 8m;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$port;
    listen 127.0.0.1:$((port + 1)) ssl;
    listen 127.0.0.1:$((port + 2)) http2;
    listen 127.0.0.1:$((port + 3)) ssl http2;
    ssl_certificate $work/sink.pem; ssl_certificate_key $work/sink.key; ssl_protocols TLSv1.3;
    location /image { echo_read_request_body; echo "ok"; }
    location /kept { client_body_in_file_only on; echo_read_request_body; echo "ok"; }
  }
}
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/sink.key" -out "$work/sink.pem" 2>/dev/null
nginx -p "$work" -c "$work/nginx.conf" &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/image" -X POST -d x && break; sleep 0.1; done

# Bodies shaped as our engine's requests: the seed article's three fields, then the file.
python3 - "$work" "$cache" <<'PY'
import glob, hashlib, os, sys
work, cache = sys.argv[1], sys.argv[2]
def image(prefix):
    return open(sorted(glob.glob(os.path.join(cache, prefix + '-*.jpg')))[-1], 'rb').read()
files = {'small': os.urandom(1200), 'compressed': image('compressed-1280x1706'), 'original': image('original-4032x3024')}
b = '----WebKitFormBoundaryPeersBench0001'
for name, data in files.items():
    head = (f'--{b}\r\nContent-Disposition: form-data; name="id"\r\n\r\ntest\r\n'
            f'--{b}\r\nContent-Disposition: form-data; name="a"\r\n\r\n[object Object]\r\n'
            f'--{b}\r\nContent-Disposition: form-data; name="b"\r\n\r\n1,2,3\r\n'
            f'--{b}\r\nContent-Disposition: form-data; name="images"; filename="tmp_0123456789abcdef0123456789abcdef.jpg"\r\n'
            f'Content-Type: image/jpeg\r\n\r\n').encode()
    open(os.path.join(work, name + '.body'), 'wb').write(head + data + f'\r\n--{b}--\r\n'.encode())
    open(os.path.join(work, name + '.sha256'), 'w').write(hashlib.sha256(data).hexdigest())
    open(os.path.join(work, name + '.file'), 'wb').write(data)
open(os.path.join(work, 'content-type'), 'w').write(f'multipart/form-data; boundary={b}')
PY
ctype="$(cat "$work/content-type")"
cat >"$work/sink.yaml" <<EOF
field: images
success: { status: [200], json: [] }
echo: { files: ~, file: ~, fields: ~ }
fetchBack: false
stats: ~
health: /image
EOF

timed() { /usr/bin/time -f "%U %S %M" -o "$work/time" "$@"; }
cpu_rss() { read -r user sys rss <"$work/time"; echo "$user $sys $rss"; }

run_tool() { # tool body url seconds connections -> prints requests
  local tool=$1 body=$2 url=$3 secs=$4 conns=$5 out="$work/out"
  case $tool in
    wrk)
      printf 'wrk.method="POST"\nlocal f=io.open("%s","rb") wrk.body=f:read("*a") f:close()\nwrk.headers["Content-Type"]="%s"\n' "$work/$body.body" "$ctype" >"$work/wrk.lua"
      timed wrk -t"$threads" -c"$conns" -d"${secs}s" -s "$work/wrk.lua" "$url" >"$out" 2>&1
      awk '/requests in/{print $1}' "$out" ;;
    hey)
      GOMAXPROCS="$threads" timed hey -z "${secs}s" -c "$conns" -m POST -T "$ctype" -D "$work/$body.body" "$url" >"$out" 2>&1
      awk '/^ *\[200\]/{print $2; exit}' "$out" ;;
    ab)
      timed ab -k -q -c "$conns" -t "$secs" -n 10000000 -p "$work/$body.body" -T "$ctype" "$url" >"$out" 2>&1
      awk '/Complete requests/{print $3}' "$out" ;;
    h2load) # one connection, as many streams as the others have connections
      timed h2load -D "$secs" -c 1 -m "$conns" -t 1 -d "$work/$body.body" -H "content-type: $ctype" "$url" >"$out" 2>&1
      awk '/^requests:/{print $8}' "$out" ;;
    autocannon)
      timed node "$root/bench/peers/autocannon.js" "$url" "$work/$body.body" "$ctype" "$conns" "$secs" >"$out" 2>&1
      python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])['requests'])" "$out" ;;
    ours|ours-httpclient|ours-before|ours-metrics)
      local mix="{ name: $body, file: $work/$body.file, contentType: image/jpeg }" client=auto build="$uc"
      local metrics=() scraper=""
      [ "$tool" = ours-httpclient ] && client=httpclient
      [ "$tool" = ours-before ] && build="${BEFORE:?ours-before needs BEFORE=<path of another uc.dll>}"
      if [ "$tool" = ours-metrics ]; then # live metrics on, and scraped every second as Prometheus would
        local mport
        mport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        metrics=(--metrics "prometheus:127.0.0.1:$mport")
        (for _ in $(seq $((secs + 60))); do sleep 1; curl -s -o /dev/null "http://127.0.0.1:$mport/metrics" || true; done) &
        scraper=$!
      fi
      local shape="connections: $conns" http=()
      # HTTP/2 as h2load runs it: one connection carrying the copies as streams.
      case $url in *:$((port + 2))/*|*:$((port + 3))/*) shape="connections: 1"$'\n'"streams: $conns"; http=(--http 2) ;; esac
      printf 'name: peers\ncheck: none\nclient: %s\n%s\nmix:\n  - %s\nload:\n  - keepConstant: { copies: %s, during: %ss }\n' "$client" "$shape" "$mix" "$conns" "$secs" >"$work/ours.yaml"
      rm -rf "$work/ours-out"
      DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT="$threads" timed dotnet "$build" load --target "$url" --ca "$work/sink.pem" --profile "$work/sink.yaml" --scenario "$work/ours.yaml" --out "$work/ours-out" "${metrics[@]}" "${http[@]}" >"$out" 2>&1 || true
      [ -n "$scraper" ] && { kill "$scraper" 2>/dev/null || true; wait "$scraper" 2>/dev/null || true; }
      python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['load']['all']['ok'])" "$work/ours-out/results.json" ;;
  esac
}

verify() { # tool body base-url -> "ok N" or "BAD …": every kept body's file part equals the source file
  local tool=$1 body=$2 base=$3
  rm -rf "$work/body" && mkdir -p "$work/body"
  run_tool "$tool" "$body" "$base/kept" 1 2 >/dev/null || true
  python3 - "$work/body" "$work/$body.sha256" <<'PY'
import glob, hashlib, os, shutil, sys
want = open(sys.argv[2]).read().strip()
kept = [p for p in glob.glob(os.path.join(sys.argv[1], '**', '*'), recursive=True) if os.path.isfile(p)]
bad = 0
for path in kept:
    raw = open(path, 'rb').read()
    if b'filename="uc-probe.jpg"' in raw:
        continue  # ours sends one probe upload first, to stop early on a URL that takes no uploads
    boundary = raw.split(b'\r\n', 1)[0]
    start = raw.index(b'\r\n\r\n', raw.index(b'filename=')) + 4
    end = raw.rindex(b'\r\n' + boundary + b'--')
    if hashlib.sha256(raw[start:end]).hexdigest() != want:
        bad += 1
        shutil.copy(path, os.path.join(os.path.dirname(sys.argv[2]), f'bad-{bad}.body'))
print(f"BAD {bad} of {len(kept)}" if bad or not kept else f"ok {len(kept)}")
PY
}

printf '\n%s connections, %s client thread(s), %s s each, median of %s interleaved rounds, nginx sink reading every body;\nCPU and RSS are whole processes (ours includes .NET start-up)\n\n' "$connections" "$threads" "$seconds" "${ROUNDS:-3}"
printf '%-11s %-6s %-16s %12s %10s %14s %10s %8s %8s  %s\n' body scheme tool requests/s MB/s "CPU µs/req" "RSS MB" "rps/ref" "CPU/ref" "bytes at sink"
for body in ${BODIES:-small compressed original}; do
  size=$(stat -c %s "$work/$body.body")
  for scheme in ${SCHEMES:-http https}; do
    base="http://127.0.0.1:$port"
    tools="${TOOLS:-wrk hey ab autocannon ours ours-httpclient}"
    case $scheme in
      https) base="https://127.0.0.1:$((port + 1))"; tools="${HTTPS_TOOLS:-wrk ours}" ;;
      h2c) base="http://127.0.0.1:$((port + 2))"; tools="${H2_TOOLS:-h2load ours}" ;;
      h2) base="https://127.0.0.1:$((port + 3))"; tools="${H2_TOOLS:-h2load ours}" ;;
    esac
    : >"$work/rounds"
    for round in $(seq "${ROUNDS:-3}"); do
      for tool in $tools; do
        requests=$(run_tool "$tool" "$body" "$base/image" "$seconds" "$connections" || echo 0)
        read -r user sys rss < <(cpu_rss)
        echo "$tool ${requests:-0} $user $sys $rss" >>"$work/rounds"
      done
    done
    for tool in $tools; do echo "$tool $(verify "$tool" "$body" "$base")"; done >"$work/checks"
    python3 - "$body" "$scheme" "$seconds" "$size" "$work/rounds" "$work/checks" <<'PY'
import statistics, sys
body, scheme, secs, size, rounds, checks = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
check = dict(line.split(' ', 1) for line in open(checks).read().splitlines())
runs = {}
for line in open(rounds).read().splitlines():
    tool, req, user, sys_, rss = line.split()
    req = int(req or 0)
    cpu = (float(user) + float(sys_)) * 1e6 / req if req else float('nan')
    runs.setdefault(tool, []).append((req / secs, cpu, int(rss) / 1024))
median = {tool: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs), max(r[2] for r in rs)) for tool, rs in runs.items()}
# The reference: wrk over HTTP/1.1, h2load over HTTP/2.
wrk = median.get('wrk') or median.get('h2load')
for tool, (rps, cpu, rss) in median.items():
    vs = f"{rps / wrk[0]:8.2f} {cpu / wrk[1]:8.2f}" if wrk and wrk[0] else f"{'-':>8} {'-':>8}"
    print(f"{body:<11} {scheme:<6} {tool:<16} {rps:12,.0f} {rps * size / 1e6:10.1f} {cpu:14.1f} {rss:10.1f} {vs}  {check.get(tool, '?')}", flush=True)
    with open(rounds.rsplit('/', 1)[0] + '/medians', 'a') as medians:
        medians.write(f"{body} {scheme} {tool} {rps} {cpu}\n")
PY
  done
done

# The issue's targets, as ratios within this run.
python3 - "$work/medians" <<'PY'
import sys
m = {}
for line in open(sys.argv[1]).read().splitlines():
    body, scheme, tool, rps, cpu = line.split()
    m[(body, scheme, tool)] = (float(rps), float(cpu))
def ratio(body, tool, other, i, scheme='http'):
    a, b = m.get((body, scheme, tool)), m.get((body, scheme, other))
    return a[i] / b[i] if a and b and b[i] else None
checks = [
    ("small: ours ≥ 0.8× wrk's requests/s", ratio('small', 'ours', 'wrk', 0), lambda r: r >= 0.8),
    ("small: ours ≥ 2× hey's requests/s", ratio('small', 'ours', 'hey', 0), lambda r: r >= 2),
    ("small: ours' CPU µs/request ≤ 1.25× wrk's", ratio('small', 'ours', 'wrk', 1), lambda r: r <= 1.25),
    ("original: ours ≥ 0.95× wrk's MB/s", ratio('original', 'ours', 'wrk', 0), lambda r: r >= 0.95),
    # The HTTP/2 issue's targets.
    ("https small: ours ≥ 0.9× wrk's requests/s", ratio('small', 'ours', 'wrk', 0, 'https'), lambda r: r >= 0.9),
]
for scheme in ('h2c', 'h2'):
    checks += [
        (f"{scheme} small: ours ≥ 0.9× h2load's requests/s", ratio('small', 'ours', 'h2load', 0, scheme),
         lambda r: r >= 0.9),
        (f"{scheme} small: ours' CPU µs/request ≤ 1.3× h2load's", ratio('small', 'ours', 'h2load', 1, scheme),
         lambda r: r <= 1.3),
        (f"{scheme} compressed: ours ≥ 0.9× h2load's requests/s", ratio('compressed', 'ours', 'h2load', 0, scheme),
         lambda r: r >= 0.9),
    ]
print()
for text, r, ok in checks:
    print(f"{'-' if r is None else 'held' if ok(r) else 'MISSED':<7} {text}" + ("" if r is None else f": {r:.2f}"))
PY
