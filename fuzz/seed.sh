#!/usr/bin/env bash
# Seeds the fuzz corpora from the checked-in test vectors (real backups made
# by crates/carevault-core/examples/make_vectors.rs), with standard tar only.
# Writes fuzz/corpus/<target>/ (git-ignored; about 200 KB in all).
set -euo pipefail
cd "$(dirname "$0")"
vectors=../crates/carevault-core/tests/vectors
for t in metadata manifest layout verify; do mkdir -p "corpus/$t"; done

for f in "$vectors"/*.bin; do
  name=$(basename "$f" .bin)
  # Whole files for the container and archive readers; the one large vector
  # (swapped-chunks, 137 KiB) would only raise libFuzzer's input length.
  if [ "$(stat -c %s "$f")" -le 16384 ]; then
    cp "$f" "corpus/layout/$name"
    cp "$f" "corpus/verify/$name"
  fi
  # The readable metadata and the clear manifest copy, where tar can read them.
  tar -xOf "$f" carevault.json > "corpus/metadata/$name" 2>/dev/null || rm -f "corpus/metadata/$name"
  tar -xOf "$f" manifest.json > "corpus/manifest/$name" 2>/dev/null || rm -f "corpus/manifest/$name"
done
# The payload's inner manifest of the unencrypted good backup (same bytes, via zstd).
if command -v zstd >/dev/null; then
  tar -xOf "$vectors/good-v1-unencrypted.bin" payload.tar.zst | zstd -dc | tar -xOf - manifest.json > corpus/manifest/inner
fi
for t in metadata manifest layout verify; do
  find "corpus/$t" -type f -empty -delete
  echo "corpus/$t: $(ls "corpus/$t" | wc -l) files, $(du -sk "corpus/$t" | cut -f1) KiB"
done
