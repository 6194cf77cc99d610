#!/usr/bin/env python3
"""A second writer of the carevault backup format, written from
docs/FORMAT.md alone, with Python's standard library (tarfile, sqlite3,
hashlib, json) and the standard `zstd` and `age` command-line tools.

    pack.py DATA_DIR OUT.bin plain
    pack.py DATA_DIR OUT.bin age RECOVERY_PUBLIC_KEY

DATA_DIR is an app home's `data/` folder. The result must be a file that
carevault verifies and restores. It deliberately uses what FORMAT.md allows
but carevault itself does not write: Python's header checksum spelling and
record padding, PAX or ustar-prefix names in the payload, an unknown field
in a key slot, uppercase hex digests in the manifest.
"""
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile

SQLITE_MAGIC = b"SQLite format 3\x00"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def snapshot(src, dst):
    """A consistent copy in rollback-journal mode, with its row counts."""
    s = sqlite3.connect(src)
    live_mode = s.execute("PRAGMA journal_mode").fetchone()[0]
    d = sqlite3.connect(dst)
    s.backup(d)
    d.execute("PRAGMA journal_mode=DELETE")
    tables = [r[0] for r in d.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
    counts = {t: d.execute('SELECT count(*) FROM "%s"' % t.replace('"', '""')).fetchone()[0]
              for t in tables}
    d.close()
    s.close()
    return live_mode, counts


def settings(data):
    out = {"realm": "", "sync_endpoint": ""}
    path = os.path.join(data, "config", "app.toml")
    if os.path.exists(path):
        import tomllib
        with open(path, "rb") as f:
            t = tomllib.load(f)
        out = {"realm": t.get("realm", ""), "sync_endpoint": t.get("sync_endpoint", "")}
    return out


def main():
    data, out, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    encrypted = mode == "age"
    work = tempfile.mkdtemp()
    payload_name = "payload.tar.zst.age" if encrypted else "payload.tar.zst"
    recovery = sys.argv[4] if encrypted else None
    sealed = {
        "format": "carevault-backup", "format_version": 1,
        "id": "20261201-090000-5ec0bd1a", "label": "Made by a second implementation",
        "created_at": "2026-12-01T09:00:00Z", "created_by": "implementer",
        "location": "Folder", "encrypted": encrypted, "automatic": False,
        "app_version": "pack.py", "facility": "Test facility", "device": "tablet-py",
        "payload": payload_name,
    }
    if encrypted:
        sealed["recovery_recipients"] = [recovery]

    # 1. The data entries: databases first (as snapshots), then the files.
    entries, members = [], []
    home = os.path.dirname(os.path.abspath(data))
    paths = []
    for root, dirs, files in os.walk(data):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(("-wal", "-shm", "-journal")):
                continue
            paths.append(os.path.join(root, name))
    def is_db(p):
        with open(p, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    for p in sorted(paths, key=lambda p: (not is_db(p), p)):
        rel = os.path.relpath(p, home)
        entry = {"path": rel, "kind": "file"}
        src = p
        if is_db(p):
            src = os.path.join(work, "snap-%d.db" % len(members))
            mode_live, counts = snapshot(p, src)
            entry.update(kind="sqlite", journal_mode=mode_live, row_counts=counts)
        digest = sha256(src)
        # Uppercase for the files (sha256sum -c accepts either case).
        entry.update(size=os.path.getsize(src),
                     sha256=digest if entry["kind"] == "sqlite" else digest.upper())
        entries.append(entry)
        members.append((rel, src))

    manifest = json.dumps({"metadata": sealed, "entries": entries,
                           "settings": settings(data), "snapshot_barrier_ms": 0.0},
                          indent=1).encode() + b"\n"
    sums = "".join("%s  %s\n" % (e["sha256"], e["path"]) for e in entries).encode()

    # 2. The payload tar: PAX names (encrypted) or ustar prefixes (plain).
    tar_path = os.path.join(work, "payload.tar")
    fmt = tarfile.PAX_FORMAT if encrypted else tarfile.USTAR_FORMAT
    with tarfile.open(tar_path, "w", format=fmt) as t:
        for rel, src in members:
            info = t.gettarinfo(src, arcname=rel)
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o644, 0, 0, "", ""
            with open(src, "rb") as f:
                t.addfile(info, f)
        for name, body in (("manifest.json", manifest), ("SHA256SUMS", sums)):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            t.addfile(info, io.BytesIO(body))

    # 3. zstd (one frame, content checksum on), then age to a fresh backup key.
    zst = tar_path + ".zst"
    subprocess.run(["zstd", "-q", "-3", "--check", "-f", tar_path, "-o", zst], check=True)
    parts = [("carevault.json", None)]
    slots = []
    if encrypted:
        keyfile = os.path.join(work, "backup-key.txt")
        subprocess.run(["age-keygen", "-o", keyfile], check=True, capture_output=True)
        public = subprocess.run(["age-keygen", "-y", keyfile], check=True,
                                capture_output=True, text=True).stdout.strip()
        slot = os.path.join(work, "key-recovery.age")
        subprocess.run(["age", "-r", recovery, "-o", slot, keyfile], check=True)
        payload = os.path.join(work, payload_name)
        subprocess.run(["age", "-r", public, "-o", payload, zst], check=True)
        mpath = os.path.join(work, "manifest.json.age")
        subprocess.run(["age", "-r", public, "-o", mpath], input=manifest, check=True)
        slots.append({"name": "key-recovery.age", "kind": "recovery", "sha256": sha256(slot),
                      "note": "a field this version of the format does not define"})
        parts += [("key-recovery.age", slot), (payload_name, payload),
                  ("manifest.json.age", mpath)]
    else:
        mpath = os.path.join(work, "manifest.json")
        with open(mpath, "wb") as f:
            f.write(manifest)
        parts += [(payload_name, zst), ("manifest.json", mpath)]
    payload_file = dict(parts)[payload_name]
    sum_path = os.path.join(work, "payload.sha256")
    with open(sum_path, "w") as f:
        f.write("%s  %s\n" % (sha256(payload_file), payload_name))
    parts.append(("payload.sha256", sum_path))

    readable = dict(sealed, key_slots=slots)
    md_path = os.path.join(work, "carevault.json")
    with open(md_path, "w") as f:
        json.dump(readable, f, indent=2)
    parts[0] = ("carevault.json", md_path)

    # 4. The container: plain ustar, in FORMAT.md's order.
    with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
        for name, src in parts:
            info = t.gettarinfo(src, arcname=name)
            info.mode = 0o644
            with open(src, "rb") as f:
                t.addfile(info, f)


if __name__ == "__main__":
    main()
