#!/usr/bin/env bash
# Offsite push over a shaped link: `carevault offsite push` against
# `rclone copy` and `aws s3 cp`, one encrypted backup of the M demo set,
# an s3s-fs server on 127.0.0.1, a throttling TCP relay on loopback at
# 20 MB/s and 1 MB/s; peak RSS of every client. Then carevault's own
# bandwidth limit on the unshaped link. Prints a Markdown table (see
# BENCHMARKS.md, "Offsite push over a shaped link"); results in
# $BENCH_DIR/offsite/results.json. Not part of the tests.
#
#   scripts/bench-offsite.sh
#   BENCH_REPS=5 BENCH_REPS_SLOW=3 scripts/bench-offsite.sh
#
# Environment:
#   BENCH_DIR         data sets and scratch, shared with scripts/bench.sh (/var/tmp/carevault-bench)
#   BENCH_RATES_MB    link rates in MB/s (20,1)
#   BENCH_REPS        repetitions at the fast rate (3)
#   BENCH_REPS_SLOW   repetitions at the slow rate when it uses the S backup (1)
#   BENCH_SLOW_LIMIT_S  the slow rate uses the S set's backup when the M backup would take longer (300)
#   BENCH_THROTTLE_CHECK 0 = skip the check of carevault's own limit (1; ~4 min)
#   BENCH_S3S_FS      the s3s-fs binary (/opt/carevault-test/bin/s3s-fs, installed by .ci/run)
#   BENCH_NO_BUILD    1 = skip `cargo build --release` (0)
#   BENCH_NO_INSTALL  1 = never call apt-get or pip (0)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
export BENCH_DIR="${BENCH_DIR:-/var/tmp/carevault-bench}"
export BENCH_S3S_FS="${BENCH_S3S_FS:-/opt/carevault-test/bin/s3s-fs}"
T0="$(date +%s)"

log() { printf '[bench-offsite %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# --- 1. tools ---------------------------------------------------------------
need=()
declare -A pkg=([rclone]=rclone [/usr/bin/time]=time [python3]=python3)
for c in "${!pkg[@]}"; do
  if ! command -v "$c" >/dev/null 2>&1; then need+=("${pkg[$c]}"); fi
done
have_aws=0
command -v aws >/dev/null 2>&1 && aws --version >/dev/null 2>&1 && have_aws=1
if ((${#need[@]})) || ((!have_aws)); then
  if [[ "${BENCH_NO_INSTALL:-0}" == 1 ]]; then
    log "missing: ${need[*]} $( ((have_aws)) || echo awscli) (BENCH_NO_INSTALL=1)"; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  ((have_aws)) || need+=(awscli)
  log "installing ${need[*]}"
  if ! apt-get install -y -qq "${need[@]}" >/dev/null; then
    # Debian's awscli may be missing or broken: the rest from apt, aws from pip.
    need=("${need[@]/awscli/}")
    apt-get install -y -qq ${need[@]+"${need[@]}"} >/dev/null
    python3 -m pip install --quiet awscli
  fi
fi
[[ -x "$BENCH_S3S_FS" ]] || { log "s3s-fs is missing at $BENCH_S3S_FS (install it as .ci/run does, or set BENCH_S3S_FS)"; exit 1; }
# Measure the real program, not a version manager's shim around it
# (BENCH_AWS / BENCH_RCLONE, when set, name the programs to measure).
aws_bin="${BENCH_AWS:-$(command -v aws)}"
if [[ "$aws_bin" == */shims/* ]] && command -v pyenv >/dev/null 2>&1; then aws_bin="$(pyenv which aws)"; fi
export BENCH_AWS="$aws_bin" BENCH_RCLONE="${BENCH_RCLONE:-$(command -v rclone)}"

# --- 2. build (as scripts/bench.sh: a private copy of the release binary) ---
if [[ "${BENCH_NO_BUILD:-0}" != 1 ]]; then
  log "cargo build --release"
  cargo build --release --quiet --bin carevault
fi
[[ -x target/release/carevault ]] || { log "target/release/carevault is missing"; exit 1; }
mkdir -p "$BENCH_DIR/bin"
cp -f target/release/carevault "$BENCH_DIR/bin/carevault-offsite.new"
mv -f "$BENCH_DIR/bin/carevault-offsite.new" "$BENCH_DIR/bin/carevault-offsite"
export BENCH_CV="$BENCH_DIR/bin/carevault-offsite"

# --- 3. measure ---------------------------------------------------------------
python3 scripts/bench/offsite.py
log "done in $(( $(date +%s) - T0 )) s (results: $BENCH_DIR/offsite/results.json)"
