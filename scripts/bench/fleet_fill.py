"""Writes a fleet's sidecars and status events as s3s-fs files.

fleet_fill.py DIR DEVICES BACKUPS EXTRA
  EXTRA == 0: DEVICES devices x BACKUPS backups under DIR/<facility>/<device>/
  EXTRA  > 0: one more backup (named *-extra*) for each of the first EXTRA devices
"""
import json
import os
import sys
import time

root, devices, backups, extra = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
now = int(time.time())


def ts(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)


def one(fac, dev, bid, made, seq):
    base = os.path.join(root, fac, dev)
    name = f"Backup-{bid}.bin"
    size = 40_000_000 + seq * 1000
    write(os.path.join(base, "backups", name + ".json"), {
        "file": name, "size": size, "sha256": "ab" * 32, "signed_by": dev,
        "metadata": {"format": "carevault-backup", "format_version": 1, "id": bid,
                     "label": f"Automatic backup {ts(made)}", "created_at": ts(made),
                     "created_by": "auto", "location": "Private", "encrypted": True,
                     "automatic": True, "app_version": "0.1.0", "facility": fac,
                     "key_slots": []}})
    up = made + 300
    stamp = time.strftime("%Y%m%dT%H%M%S.000Z", time.gmtime(up))
    write(os.path.join(base, "events", f"{stamp}-{bid}.json"), {
        "event": "offsite-copy", "backup": bid, "file": name, "size": size,
        "sha256": "ab" * 32, "etag": "0" * 32 + "-5", "made": ts(made),
        "verified": ts(made + 60), "checked": "container, readable metadata, key slots, device signature",
        "uploaded": ts(up), "audit_head": {"seq": seq, "hash": f"{seq:064x}"}})


count = extra if extra else devices
for d in range(count):
    fac = f"facility-{d // 50:04d}"
    dev = f"{d:016x}"
    base = os.path.join(root, fac, dev)
    if extra:
        one(fac, dev, f"20990101-extra-{d}", now - 60, 10_000)
        continue
    os.makedirs(os.path.join(base, "backups"), exist_ok=True)
    os.makedirs(os.path.join(base, "events"), exist_ok=True)
    for b in range(backups):
        made = now - (backups - b) * 86_400
        one(fac, dev, f"{d:06d}-{b:04d}", made, 100 + b * 10)
