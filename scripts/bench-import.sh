#!/usr/bin/env bash
# Import benchmark: `carevault import santedb` on an M-sized encrypted
# SB\x01BK SanteDB backup, against the plain standard-tool pipeline
#   openssl enc -d -aes-256-cbc | (drop the inner magic) | gzip -d | tar -x
# Prints wall time, throughput (MiB of .bin per second) and peak RSS of each
# (/usr/bin/time -v). Not run by the tests.
#
#   scripts/bench-import.sh                # 300 MB clinical database
#   BENCH_MB=100 BENCH_DIR=/data/b scripts/bench-import.sh
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
DIR="${BENCH_DIR:-/var/tmp/carevault-bench-import}"
MB="${BENCH_MB:-300}"
REPS="${BENCH_REPS:-3}"
PASS="bench santedb passphrase"
mkdir -p "$DIR"
for t in openssl gzip tar /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "needs $t (Debian: openssl gzip tar time)" >&2; exit 2; }
done
cargo build --release -q --bin carevault
cargo build --release -q -p carevault-santedb --example make_santedb_fixture
BIN="$REPO/target/release/carevault"
FIX="$DIR/m-$MB.bin"
if [ ! -f "$FIX" ] || [ ! -f "$FIX.keys" ]; then
  "$REPO/target/release/examples/make_santedb_fixture" "$FIX" "$PASS" "$MB" > "$FIX.keys"
fi
read -r OFF KEY IV < "$FIX.keys"
SIZE=$(stat -c %s "$FIX")
HOME_DIR="$DIR/home"
if [ ! -d "$HOME_DIR" ]; then
  "$BIN" demo init "$HOME_DIR" --patients 10 --photos 0 >/dev/null
fi
printf '[encryption]\nwork_factor = 18\n[media]\nrequire_encryption = []\n' > "$HOME_DIR/carevault.toml"
printf '%s\n' "$PASS" > "$DIR/pass"
printf 'new carevault passphrase\n' > "$DIR/newpass"
export CAREVAULT_USER=admin CAREVAULT_PASSWORD=admin-demo-pass

measure() { # label, command...
  local label=$1; shift
  local log="$DIR/time.log"
  sync
  /usr/bin/time -v "$@" > /dev/null 2> "$log"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  python3 - "$label" "$wall" "$rss" "$SIZE" <<'PY'
import sys
label, wall, rss, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
parts = [float(p) for p in wall.split(':')]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
print(f"{label:<28} {secs:7.2f} s  {size / secs / 2**20:7.1f} MiB/s  peak RSS {rss / 1024:7.1f} MiB")
PY
}

echo "fixture: $FIX ($((SIZE / 1048576)) MiB, SB\\x01BK, AES-256-CBC, gzip)"
for r in $(seq 1 "$REPS"); do
  rm -rf "$DIR/out" "$DIR/x"; mkdir -p "$DIR/x"
  measure "carevault import santedb" "$BIN" import santedb "$FIX" --home "$HOME_DIR" \
    --passphrase-file "$DIR/pass" --to "$DIR/out" --encrypt-with-passphrase-file "$DIR/newpass"
  rm -rf "$DIR/out"
  measure "  same, --no-encrypt" "$BIN" import santedb "$FIX" --home "$HOME_DIR" \
    --passphrase-file "$DIR/pass" --to "$DIR/out" --no-encrypt
  measure "  same, --dry-run" "$BIN" import santedb "$FIX" --home "$HOME_DIR" \
    --passphrase-file "$DIR/pass" --to "$DIR" --dry-run
  measure "openssl|gzip -d|tar -x" sh -c \
    "tail -c +$((OFF + 1)) '$FIX' | openssl enc -d -aes-256-cbc -K $KEY -iv $IV | tail -c +6 | gzip -d | tar -x -C '$DIR/x'"
done
echo "data: $(du -sm "$DIR/x" | cut -f1) MiB unpacked; the import also writes a zstd (+ age) carevault backup, the pipeline only unpacks"
