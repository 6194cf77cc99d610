#!/usr/bin/env bash
# carevault benchmark: carevault against tar|zstd, tar|zstd|age, restic and
# borg on the same demo data sets, in one run, alternating. Fully automatic
# and idempotent: run it again and it reuses the data sets, replaces its
# scratch files and rewrites the results block of BENCHMARKS.md and
# docs/bench.svg. See BENCHMARKS.md ("How to run") for the details.
#
#   scripts/bench.sh                      # S, M (3 repetitions) and L (1)
#   BENCH_SIZES=S,M scripts/bench.sh      # without L (~4 GB; ~12 GB of scratch)
#   BENCH_REPS=5 BENCH_DIR=/data/bench scripts/bench.sh
#
# Environment:
#   BENCH_DIR      reusable folder for data sets and scratch (/var/tmp/carevault-bench)
#   BENCH_SIZES    comma-separated data sets among S, M, L (S,M,L)
#   BENCH_REPS     repetitions of every measurement (3)
#   BENCH_REPS_L   repetitions for L (1: one takes ~6 min)
#   BENCH_PROFILE  1 = record a perf profile of backup, verify, restore on S (1)
#   BENCH_NO_BUILD 1 = skip `cargo build --release` (0)
#   BENCH_NO_INSTALL 1 = never call apt-get (0)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
export BENCH_DIR="${BENCH_DIR:-/var/tmp/carevault-bench}"
export BENCH_SIZES="${BENCH_SIZES:-S,M,L}"
export BENCH_REPS="${BENCH_REPS:-3}"
export BENCH_REPS_L="${BENCH_REPS_L:-1}"
export BENCH_PROFILE="${BENCH_PROFILE:-1}"
export BENCH_T0="$(date +%s)"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# --- 1. tools ---------------------------------------------------------------
# command -> Debian package
need=()
declare -A pkg=(
  [restic]=restic [borg]=borgbackup [zstd]=zstd [age]=age [age-keygen]=age
  [/usr/bin/time]=time [sqlite3]=sqlite3 [tar]=tar [python3]=python3
)
for c in "${!pkg[@]}"; do
  if ! command -v "$c" >/dev/null 2>&1; then need+=("${pkg[$c]}"); fi
done
want_perf=0
if [[ "$BENCH_PROFILE" == 1 ]] && ! command -v perf >/dev/null 2>&1; then want_perf=1; fi
if ((${#need[@]})) || ((want_perf)); then
  if [[ "${BENCH_NO_INSTALL:-0}" == 1 ]]; then
    if ((${#need[@]})); then log "missing packages: ${need[*]} (BENCH_NO_INSTALL=1)"; exit 1; fi
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    if ((${#need[@]})); then
      mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
      log "installing ${need[*]}"
      apt-get install -y -qq "${need[@]}" >/dev/null
    fi
    if ((want_perf)); then
      # Optional: without perf the profile step is skipped.
      apt-get install -y -qq linux-perf >/dev/null || log "linux-perf not installable: no profiles"
    fi
  fi
fi

# --- 2. build ---------------------------------------------------------------
if [[ "${BENCH_NO_BUILD:-0}" != 1 ]]; then
  # Run from the repository: .cargo/config.toml sets LIBSQLITE3_FLAGS
  # (sqlite_dbpage), and cargo reads it from the current folder only.
  log "cargo build --release"
  cargo build --release --quiet
fi
[[ -x target/release/carevault ]] || { log "target/release/carevault is missing"; exit 1; }
# Other people build in the same target/ folder: measure a private copy, so
# that a rebuild in the middle of the run cannot swap the binary under us.
mkdir -p "$BENCH_DIR/bin"
cp -f target/release/carevault "$BENCH_DIR/bin/carevault.new"
mv -f "$BENCH_DIR/bin/carevault.new" "$BENCH_DIR/bin/carevault"
export BENCH_CV="$BENCH_DIR/bin/carevault"

# --- 3. measure, then write BENCHMARKS.md and docs/bench.svg ----------------
mkdir -p "$BENCH_DIR"
python3 scripts/bench/run.py
python3 scripts/bench/report.py "$BENCH_DIR/results.json"
log "done in $(( $(date +%s) - BENCH_T0 )) s (results: $BENCH_DIR/results.json, BENCHMARKS.md, docs/bench.svg)"
