#!/usr/bin/env bash
# What a change costs on the hot path: two release builds of sigap, BEFORE and AFTER, run in
# turn (before, after, before, after, ...) on one machine, so that both meet the same noise.
# Each round: intake on an empty SQLite database (16 clients), then reads of a seeded
# database (the API's ticket, and the queue and ticket pages signed in as a browser, 8
# clients). The same sigap-bench (AFTER's) drives both. Prints each run's figures, then per
# measure the median over the rounds of each build and AFTER against BEFORE.
#
#   bench/overhead.sh BEFORE_DIR AFTER_DIR [ROUNDS]
#
# BEFORE_DIR and AFTER_DIR each hold a release `sigap` and `sigap-bench`, e.g. from `cargo
# build --release -p sigap -p sigap-bench` in two checkouts. BEFORE's tools seed the database
# (a newer sigap migrates a copy of it; an older one refuses a newer schema). Environment:
# SIGAP_BENCH_TICKETS (default 20000) seeded tickets; SIGAP_BENCH_INTAKE_SECONDS (20),
# SIGAP_BENCH_READ_SECONDS (10); SIGAP_LOG (warn) of the servers.
set -euo pipefail
before="$(cd "$1" && pwd)"
after="$(cd "$2" && pwd)"
rounds="${3:-3}"
tickets="${SIGAP_BENCH_TICKETS:-20000}"
intake_seconds="${SIGAP_BENCH_INTAKE_SECONDS:-20}"
read_seconds="${SIGAP_BENCH_READ_SECONDS:-10}"
export SIGAP_LOG="${SIGAP_LOG:-warn}"
bench="$after/sigap-bench"

work="$(mktemp -d)"
server=""
stop_server() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  server=""
}
trap 'stop_server; rm -rf "$work"' EXIT
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

# serve BIN DATA_DIR: starts a server and waits for /healthz.
serve() {
  SIGAP_DATA_DIR="$2" SIGAP_LISTEN="127.0.0.1:$port" SIGAP_PROOF=off \
    SIGAP_REPORTS_PER_HOUR=0 SIGAP_REPORTS_PER_HOUR_WITHOUT_PROOF=0 \
    "$1" serve >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.25
  done
  echo "the server did not start" >&2
  exit 1
}

echo "seeding $tickets tickets"
"$before/sigap-bench" seed --data-dir "$work/seeded" --count "$tickets" >/dev/null
password="overhead-$(date +%s)-Bench!"
SIGAP_DATA_DIR="$work/seeded" "$before/sigap" user add --email bench@example.go.id \
  --name Bench --role auditor --password-stdin <<<"$password" >/dev/null
token="$(SIGAP_DATA_DIR="$work/seeded" "$before/sigap" token create --email bench@example.go.id)"

results="$work/results.jsonl"
for round in $(seq 1 "$rounds"); do
  for side in before after; do
    bin="${!side}/sigap"
    mkdir -p "$work/empty"
    serve "$bin" "$work/empty"
    "$bench" intake --url "$base" --clients 16 --seconds "$intake_seconds" --pid "$server" \
      --label "$side" | tail -n1 | tee -a "$results"
    stop_server
    rm -rf "$work/empty"
    cp -a "$work/seeded" "$work/copy"
    serve "$bin" "$work/copy"
    SIGAP_BENCH_PASSWORD="$password" "$bench" read --url "$base" --token "$token" \
      --login bench@example.go.id --kinds get,page_queue,page_ticket --clients 8 \
      --seconds "$read_seconds" --label "$side" | tail -n1 | tee -a "$results"
    stop_server
    rm -rf "$work/copy"
  done
  echo "round $round of $rounds done" >&2
done

python3 - "$results" <<'EOF'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
figures = {}
def add(side, name, value):
    figures.setdefault(name, {}).setdefault(side, []).append(value)
for r in runs:
    side = r["label"]
    if r["bench"] == "intake":
        add(side, "intake reports/s", r["rate_per_s"])
        add(side, "intake p50 ms", r["latency"]["p50_ms"])
        add(side, "intake p99 ms", r["latency"]["p99_ms"])
    else:
        for kind, k in r["kinds"].items():
            add(side, f"{kind} req/s", k["rate_per_s"])
            add(side, f"{kind} p50 ms", k["p50_ms"])
            add(side, f"{kind} p99 ms", k["p99_ms"])
print(f"\n{'measure':<22}{'before':>10}{'after':>10}{'change':>9}   (medians of the rounds)")
for name, sides in figures.items():
    b = statistics.median(sides.get("before", [0]))
    a = statistics.median(sides.get("after", [0]))
    change = (a - b) / b * 100 if b else 0.0
    print(f"{name:<22}{b:>10.2f}{a:>10.2f}{change:>+8.1f}%")
EOF
