#!/usr/bin/env bash
# Fleet index benchmark: `carevault fleet` on a bucket of DEVICES tablets x
# BACKUPS backups, each backup a sidecar and a status event (the objects
# the index reads; no backup files). Reports wall time and peak RSS
# (/usr/bin/time -v), the CPU time of carevault and of the server, and the
# listing requests, of a first index, of an incremental one after 1% of the
# devices made one more backup, and of a full run (`--full`) after it. Not
# run by the tests.
#
# The bucket is s3s-fs on 127.0.0.1. s3s-fs keeps each object as the file
# <root>/<bucket>/<key> (and its ETag is the MD5 of the file when no
# metadata file is beside it), so the fill writes the files straight into
# its folder rather than through the S3 API: 400,000 PUTs would take far
# longer than the index being measured.
#
#   scripts/bench-fleet.sh                          # 10,000 devices x 20 backups
#   BENCH_DEVICES=1000 scripts/bench-fleet.sh       # a scaled-down run
#   BENCH_DIR=/data/b BENCH_NO_BUILD=1 BENCH_BIN=target/debug/carevault scripts/bench-fleet.sh
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
DIR="${BENCH_DIR:-/var/tmp/carevault-bench-fleet}"
DEVICES="${BENCH_DEVICES:-10000}"
BACKUPS="${BENCH_BACKUPS:-20}"
S3S_FS="${CAREVAULT_S3S_FS:-/opt/carevault-test/bin/s3s-fs}"
BUCKET=fleet-bench
AK=benchkey
SK=bench-secret-0123456789
for t in python3 /usr/bin/time "$S3S_FS"; do
  command -v "$t" >/dev/null || { echo "needs $t (Debian: python3 time; s3s-fs: see .ci/run)" >&2; exit 2; }
done
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  cargo build --release -q --bin carevault
fi
BIN="${BENCH_BIN:-$REPO/target/release/carevault}"
ROOT="$DIR/s3"
STAMP="$ROOT/.fill-$DEVICES-$BACKUPS"
if [ ! -f "$STAMP" ]; then
  rm -rf "$ROOT"
  mkdir -p "$ROOT/$BUCKET"
  echo "filling $DEVICES devices x $BACKUPS backups into $ROOT/$BUCKET ..."
  start=$(date +%s.%N)
  python3 "$REPO/scripts/bench/fleet_fill.py" "$ROOT/$BUCKET/tablets" "$DEVICES" "$BACKUPS" 0
  touch "$STAMP"
  echo "fill: $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
fi
# Start from the filled state (an earlier run's extra backups removed).
find "$ROOT/$BUCKET/tablets" -name '*-extra*' -delete
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$S3S_FS" --host 127.0.0.1 --port "$PORT" --access-key "$AK" --secret-key "$SK" "$ROOT" >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break
  sleep 0.1
done
export CAREVAULT_S3_ENDPOINT="http://127.0.0.1:$PORT" CAREVAULT_S3_ACCESS_KEY=$AK CAREVAULT_S3_SECRET_KEY=$SK
INDEX="$DIR/fleet.sqlite"
rm -f "$INDEX" "$INDEX-wal" "$INDEX-shm"

srv_cpu() { # the server's CPU time so far, in clock ticks
  awk '{print $14 + $15}' "/proc/$SRV/stat"
}

measure() { # label [extra fleet arguments]
  local label=$1 out="$DIR/$1.json" tv="$DIR/$1.time" before after
  shift
  before=$(srv_cpu)
  /usr/bin/time -v "$BIN" --json fleet --store "s3://$BUCKET/tablets/" --index "$INDEX" "$@" >"$out" 2>"$tv"
  after=$(srv_cpu)
  python3 - "$label" "$out" "$tv" "$(( after - before ))" "$(getconf CLK_TCK)" <<'PY'
import json, re, sys
label, out, tv, srv_ticks, hz = sys.argv[1:]
r = json.load(open(out))["refresh"]
t = open(tv).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
parts = [float(p) for p in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
cpu = sum(float(re.search(rf"{w} time \(seconds\): (\S+)", t).group(1)) for w in ("User", "System"))
extra = "".join(f", {k} {r[k]}" for k in ("requests", "full") if k in r)
print(f"{label}: {secs:.1f} s, peak RSS {rss / 1024:.1f} MiB; listed {r['listed']}, read {r['read']}, "
      f"unchanged {r['unchanged']}{extra}; CPU: carevault {cpu:.1f} s, server {int(srv_ticks) / int(hz):.1f} s")
PY
}
measure first
# 1% of the devices make one more backup.
python3 "$REPO/scripts/bench/fleet_fill.py" "$ROOT/$BUCKET/tablets" "$DEVICES" 1 "$((DEVICES / 100 > 0 ? DEVICES / 100 : 1))"
measure incremental
# The full run (every 10th, or --full) relists every folder from its start.
measure full --full
echo "index file: $(du -h "$INDEX" | cut -f1); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
