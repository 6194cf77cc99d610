#!/usr/bin/env python3
"""Measures carevault against tar|zstd, tar|zstd|age, restic and borg.

Called by scripts/bench.sh (which installs the tools and builds the release
binary); writes $BENCH_DIR/results.json, which scripts/bench/report.py turns
into the results block of BENCHMARKS.md and docs/bench.svg.

Method (see BENCHMARKS.md): warm page cache (nothing is dropped), every
measurement repeated BENCH_REPS times, the tools alternating inside each
repetition (the order rotates from one repetition to the next), `sync` (not
timed) before each run so that no run pays for the previous run's
write-back. Each process of a pipeline runs under GNU time: CPU is the sum
over the processes, peak RSS is reported both as the largest process and as
the sum over the processes of the pipeline (they run at the same time).
Wall time is the whole pipeline's.
"""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# scripts/bench.sh builds target/release/carevault and hands over a private
# copy of it (BENCH_CV), immune to rebuilds by others during the run.
CV = os.environ.get("BENCH_CV") or str(REPO / "target" / "release" / "carevault")
BENCH = Path(os.environ.get("BENCH_DIR", "/var/tmp/carevault-bench"))
SIZES = [s.strip().upper() for s in os.environ.get("BENCH_SIZES", "S,M,L").split(",") if s.strip()]
REPS = max(1, int(os.environ.get("BENCH_REPS", "3")))
# L (~4 GB) takes ~15 min per repetition: one by default.
REPS_L = max(1, int(os.environ.get("BENCH_REPS_L", "1")))
PROFILE = os.environ.get("BENCH_PROFILE", "1") == "1"
T0 = float(os.environ.get("BENCH_T0") or time.time())

# Demo generator parameters, chosen (with du) to hit the sizes asked for.
# Photos are 30-300 KB of random bytes (~165 KB on average, incompressible);
# the clinical database takes ~3 KB per patient.
DATASETS = {
    "S": {"patients": 20_000, "photos": 220, "aim": "~100 MB"},
    "M": {"patients": 100_000, "photos": 900, "aim": "~0.5 GB: 100k patients + ~150 MB of photos"},
    "L": {"patients": 800_000, "photos": 8_000, "aim": "~4 GB"},
}
TINY = {"patients": 200, "photos": 2}

PASSPHRASE = "bench-passphrase-not-a-secret"
ENV = dict(
    os.environ,
    CAREVAULT_USER="admin",
    CAREVAULT_PASSWORD="admin-demo-pass",
    BORG_PASSPHRASE=PASSPHRASE,
    BORG_DISPLAY_PASSPHRASE="no",
    BORG_RELOCATED_REPO_ACCESS_IS_OK="yes",
    BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK="yes",
    BORG_CHECK_I_KNOW_WHAT_I_AM_DOING="YES",
    LC_ALL="C",
)
ENV.pop("CAREVAULT_HOME", None)
ENV.pop("CAREVAULT_PASSPHRASE", None)

q = shlex.quote


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loadavg():
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def sh(cmd, cwd=None, check=True, capture=True):
    """Runs an untimed helper command."""
    p = subprocess.run(
        ["bash", "-o", "pipefail", "-c", cmd],
        cwd=cwd,
        env=ENV,
        capture_output=capture,
        text=True,
    )
    if check and p.returncode != 0:
        raise RuntimeError(f"command failed ({p.returncode}): {cmd}\n{p.stdout}\n{p.stderr}")
    return p.stdout if capture else ""


def rmrf(p):
    p = Path(p)
    if p.is_symlink() or p.is_file():
        p.unlink()
    elif p.exists():
        shutil.rmtree(p)


def allocated(path):
    """Bytes allocated on disk under `path` (like du -s), tolerant of races."""
    total = 0
    stack = [str(path)]
    while stack:
        d = stack.pop()
        try:
            it = os.scandir(d)
        except OSError:
            continue
        with it:
            for e in it:
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                total += st.st_blocks * 512
    return total


def apparent(path):
    total, files = 0, 0
    for root, _dirs, names in os.walk(path):
        for n in names:
            try:
                total += os.lstat(os.path.join(root, n)).st_size
                files += 1
            except OSError:
                pass
    return total, files


TIME_FMT = "%e %U %S %M"


def timed(stages, cwd=None, out=None, after=None):
    """Runs `stages` as one pipeline, each process under GNU time.

    `out`: file that receives the pipeline's standard output.
    `after`: commands run (and timed, inside the same wall time) after the
    pipeline succeeded, e.g. an fsync of the output.
    Returns wall, user, sys, cpu, rss_max_kb, rss_sum_kb, load1, stdout.
    """
    tdir = tempfile.mkdtemp(prefix="cvbench-time-")
    try:
        parts = [f"/usr/bin/time -o {tdir}/t{i} -f {q(TIME_FMT)} {s}" for i, s in enumerate(stages)]
        cmd = " | ".join(parts)
        if out:
            cmd += f" > {q(str(out))}"
        for j, a in enumerate(after or []):
            cmd += f" && /usr/bin/time -o {tdir}/a{j} -f {q(TIME_FMT)} {a}"
        load = loadavg()
        t = time.perf_counter()
        p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, env=ENV, capture_output=True)
        wall = time.perf_counter() - t
        if p.returncode != 0:
            raise RuntimeError(
                f"timed command failed ({p.returncode}): {cmd}\n{p.stdout.decode(errors='replace')[-2000:]}"
                f"\n{p.stderr.decode(errors='replace')[-2000:]}"
            )
        procs = []
        for f in sorted(os.listdir(tdir)):
            last = Path(tdir, f).read_text().strip().splitlines()[-1].split()
            procs.append({"wall": float(last[0]), "user": float(last[1]), "sys": float(last[2]), "rss_kb": int(last[3])})
        pipe = [pr for f, pr in zip(sorted(os.listdir(tdir)), procs) if f.startswith("t")]
        user = sum(pr["user"] for pr in procs)
        sys_ = sum(pr["sys"] for pr in procs)
        return {
            "wall": wall,
            "user": user,
            "sys": sys_,
            "cpu": user + sys_,
            "rss_max_kb": max(pr["rss_kb"] for pr in procs),
            "rss_sum_kb": sum(pr["rss_kb"] for pr in pipe),
            "procs": procs,
            "load1": load[0],
            "stdout": p.stdout.decode(errors="replace"),
        }
    finally:
        shutil.rmtree(tdir, ignore_errors=True)


def write_profile(home, work_factor):
    """HOME/carevault.toml: scrypt work factor; unencrypted allowed in a folder.
    Compression stays at its defaults (level 3, workers = cores = 2 here)."""
    Path(home, "carevault.toml").write_text(
        "# written by scripts/bench/run.py\n"
        f"[encryption]\nwork_factor = {work_factor}\n\n"
        "[media]\nrequire_encryption = []\n"
    )


def ensure_dataset(name, spec):
    """Creates BENCH/home-NAME with the demo generator unless it is already
    there with the same parameters (a stamp file records them)."""
    home = BENCH / f"home-{name}"
    stamp = BENCH / f"home-{name}.json"
    want = {"patients": spec["patients"], "photos": spec["photos"], "seed": 1}
    ok = False
    if stamp.exists() and (home / "data").is_dir():
        try:
            ok = json.loads(stamp.read_text()).get("params") == want
        except ValueError:
            ok = False
    if not ok:
        log(f"data set {name}: demo init --patients {spec['patients']} --photos {spec['photos']}")
        rmrf(home)
        rmrf(stamp)
        t = time.perf_counter()
        sh(f"{q(CV)} demo init {q(str(home))} --patients {spec['patients']} --photos {spec['photos']} --seed 1")
        stamp.write_text(json.dumps({"params": want, "init_s": time.perf_counter() - t}) + "\n")
    else:
        log(f"data set {name}: reusing {home}")
    data_bytes, files = apparent(home / "data")
    info = json.loads(stamp.read_text())
    dbs = {p.name: p.stat().st_size for p in sorted((home / "data").glob("*.db"))}
    photos = apparent(home / "data" / "files" / "photos")[0]
    return home, {
        "name": name,
        "aim": spec.get("aim", ""),
        "patients": spec["patients"],
        "photos": spec["photos"],
        "bytes": data_bytes,
        "files": files,
        "du_bytes": allocated(home / "data"),
        "databases": dbs,
        "photo_bytes": photos,
        "init_s": info.get("init_s"),
    }


def keys():
    kd = BENCH / "keys"
    kd.mkdir(parents=True, exist_ok=True)
    passf = kd / "passphrase.txt"
    passf.write_text(PASSPHRASE)
    key = kd / "age.key"
    if not key.exists():
        sh(f"age-keygen -o {q(str(key))}")
    rcpt = sh(f"age-keygen -y {q(str(key))}").strip()
    return passf, key, rcpt


def bench_size(name, spec, passf, agekey, rcpt):
    home, ds = ensure_dataset(name, spec)
    W = BENCH / "work" / name
    rmrf(W)
    W.mkdir(parents=True)
    ENV["RESTIC_PASSWORD_FILE"] = str(passf)
    ENV["RESTIC_CACHE_DIR"] = str(W / "restic-cache")
    ENV["BORG_BASE_DIR"] = str(W / "borg-base")
    restic_repo, borg_repo = W / "restic-repo", W / "borg-repo"
    R = W / "restore"
    cvh = q(CV)
    H = q(str(home))
    res = {"dataset": ds, "runs": {}, "outputs": {}, "barrier_ms": {}, "order": {}}
    files = {}

    def cv_backup(tag, wf, encrypted):
        outdir = W / f"cv-{tag.replace(' ', '-')}"

        def prep():
            rmrf(outdir)
            outdir.mkdir()
            write_profile(home, wf)

        how = f"--passphrase-file {q(str(passf))}" if encrypted else "--no-encrypt"

        def post(r):
            j = json.loads(r["stdout"])["backup"]
            files[tag] = Path(j["path"]) if Path(j["path"]).is_absolute() else home / j["path"]
            res["outputs"][f"cv backup {tag}"] = j["size"]
            res["barrier_ms"].setdefault(tag, []).append(j["barrier_ms"])

        return {
            "name": f"cv backup {tag}",
            "prep": prep,
            "stages": [f"{cvh} --json backup --home {H} --to {q(str(outdir))} {how}"],
            "post": post,
        }

    def tar_zstd(tag, threads, age=False, fsync=False):
        out = W / (f"{tag}{'-fsync' if fsync else ''}.tar.zst" + (".age" if age else ""))
        stages = [f"tar -cf - -C {H} data", f"zstd -3 -T{threads} -q -c"]
        if age:
            stages.append(f"age -r {q(rcpt)}")
        label = f"tar|zstd -3 -T{threads}" + ("|age" if age else "") + (" +fsync" if fsync else "")

        def prep():
            rmrf(out)

        def post(r):
            res["outputs"][label] = out.stat().st_size
            files[label] = out

        return {
            "name": label,
            "prep": prep,
            "stages": stages,
            "out": out,
            "after": [f"sync {q(str(out))}"] if fsync else None,
            "post": post,
        }

    def restic_backup():
        def prep():
            rmrf(restic_repo)
            rmrf(W / "restic-cache")
            sh(f"restic -r {q(str(restic_repo))} init -q")

        def post(r):
            res["outputs"]["restic backup"] = allocated(restic_repo)

        return {
            "name": "restic backup",
            "prep": prep,
            "stages": [f"restic -r {q(str(restic_repo))} backup -q {q(str(home / 'data'))}"],
            "post": post,
        }

    def borg_create():
        def prep():
            rmrf(borg_repo)
            rmrf(W / "borg-base")
            sh(f"borg init --encryption=repokey {q(str(borg_repo))}")

        def post(r):
            res["outputs"]["borg create zstd,3"] = allocated(borg_repo)

        return {
            "name": "borg create zstd,3",
            "prep": prep,
            "stages": [f"borg create --compression zstd,3 {q(str(borg_repo))}::bench data"],
            "cwd": home,
            "post": post,
        }

    backup_ops = [
        cv_backup("enc wf18", 18, True),
        tar_zstd("t1", 1),
        cv_backup("enc wf10", 10, True),
        tar_zstd("t0", 0),
        cv_backup("plain", 18, False),
        tar_zstd("t1", 1, age=True),
        restic_backup(),
        tar_zstd("t0", 0, age=True),
        borg_create(),
        tar_zstd("t1", 1, fsync=True),
    ]
    # Untimed warm-up: read the whole data set once, so that the first
    # timed run does not pay for a cold page cache (it decided L's single
    # repetition before: the first tool ran 1.6× slower than the others).
    sh(f"find {H}/data -type f -exec cat {{}} + > /dev/null")
    run_group(name, "backup", backup_ops, res)
    write_profile(home, 18)

    pf = f"--passphrase-file {q(str(passf))}"

    def cv_verify(tag):
        return {
            "name": f"cv verify {tag}",
            "stages": [f"{cvh} verify {q(str(files[tag]))} --home {H} " + (pf if tag != "plain" else "")],
        }

    t1 = files["tar|zstd -3 -T1"]
    t1age = files["tar|zstd -3 -T1|age"]
    verify_ops = [
        cv_verify("enc wf18"),
        {"name": "zstd -t", "stages": [f"zstd -t -q {q(str(t1))}"]},
        cv_verify("enc wf10"),
        {"name": "age -d|zstd -t", "stages": [f"age -d -i {q(str(agekey))} {q(str(t1age))}", "zstd -t -q -"]},
        cv_verify("plain"),
    ]
    run_group(name, "verify", verify_ops, res)

    def fresh_restore_dir():
        rmrf(R)
        R.mkdir()

    def cv_restore(tag):
        return {
            "name": f"cv restore {tag}",
            "prep": lambda: rmrf(R),
            "stages": [f"{cvh} restore --yes {q(str(files[tag]))} --home {q(str(R / 'home'))} " + (pf if tag != "plain" else "")],
        }

    restore_ops = [
        cv_restore("enc wf18"),
        {"name": "zstd -d|tar -x", "prep": fresh_restore_dir,
         "stages": [f"zstd -d -q -c {q(str(t1))}", f"tar -xf - -C {q(str(R))}"]},
        cv_restore("enc wf10"),
        {"name": "age -d|zstd -d|tar -x", "prep": fresh_restore_dir,
         "stages": [f"age -d -i {q(str(agekey))} {q(str(t1age))}", "zstd -d -q -c", f"tar -xf - -C {q(str(R))}"]},
        cv_restore("plain"),
        {"name": "restic restore", "prep": fresh_restore_dir,
         "stages": [f"restic -r {q(str(restic_repo))} restore latest -q --target {q(str(R))}"]},
        {"name": "borg extract", "prep": fresh_restore_dir,
         "stages": [f"borg extract {q(str(borg_repo))}::bench"], "cwd": R},
        {"name": "zstd -d|tar -x +fsync", "prep": fresh_restore_dir,
         "stages": [f"zstd -d -q -c {q(str(t1))}", f"tar -xf - -C {q(str(R))}"],
         "after": [f"find {q(str(R))} -type f -exec sync {{}} +"]},
    ]
    run_group(name, "restore", restore_ops, res)
    rmrf(R)

    # One more backup of each carevault kind, sampled every 50 ms: extra disk
    # used (home + destination, allocated blocks) and the process's RSS.
    res["sampled"] = {}
    for tag, wf, enc in [("enc wf18", 18, True), ("enc wf10", 10, True), ("plain", 18, False)]:
        res["sampled"][tag] = sampled_backup(home, W / "sampled", wf, enc, passf)
    write_profile(home, 18)

    if PROFILE and name == SIZES[0]:
        res["profiles"] = profiles(home, W, files, passf)

    # Keep the carevault files for inspection; drop the big peers' outputs.
    for p in [restic_repo, borg_repo, W / "restic-cache", W / "borg-base", W / "sampled"] + list(W.glob("*.tar.zst*")):
        rmrf(p)
    return res


def reps_for(size):
    return REPS_L if size == "L" else REPS


def run_group(size, group, ops, res):
    n = len(ops)
    reps = reps_for(size)
    for rep in range(reps):
        k = rep % n
        order = ops[k:] + ops[:k]
        res["order"].setdefault(group, []).append([o["name"] for o in order])
        for op in order:
            if op.get("prep"):
                op["prep"]()
            os.sync()
            r = timed(op["stages"], cwd=op.get("cwd"), out=op.get("out"), after=op.get("after"))
            if op.get("post"):
                op["post"](r)
            r.pop("stdout", None)
            res["runs"].setdefault(op["name"], []).append(r)
            log(
                f"{size} {group} rep {rep + 1}/{reps}: {op['name']:<26} {r['wall']:7.2f} s  "
                f"cpu {r['cpu']:6.2f} s  rss {r['rss_max_kb'] / 1024:6.1f} MiB  load {r['load1']:.2f}"
            )


def sampled_backup(home, outdir, wf, encrypted, passf):
    rmrf(outdir)
    outdir.mkdir(parents=True)
    write_profile(home, wf)
    scratch = home / "private" / ".snapshot-scratch"  # used only by the no-sqlite_dbpage fallback
    rmrf(scratch)
    os.sync()
    base = allocated(home) + allocated(outdir)
    args = [CV, "--json", "backup", "--home", str(home), "--to", str(outdir)]
    args += ["--passphrase-file", str(passf)] if encrypted else ["--no-encrypt"]
    samples = []
    t = time.perf_counter()
    p = subprocess.Popen(args, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    status = Path(f"/proc/{p.pid}/status")
    while p.poll() is None:
        s0 = time.perf_counter()
        rss = 0
        try:
            m = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            rss = int(m.group(1)) if m else 0
        except OSError:
            pass
        extra = allocated(home) + allocated(outdir) - base
        samples.append((round(s0 - t, 3), extra, rss))
        time.sleep(max(0.0, 0.05 - (time.perf_counter() - s0)))
    wall = time.perf_counter() - t
    out, err = p.communicate()
    if p.returncode != 0:
        raise RuntimeError(f"sampled backup failed: {err.decode(errors='replace')}")
    size = json.loads(out)["backup"]["size"]
    after = allocated(home) + allocated(outdir) - base
    rss = [s[2] for s in samples if s[2]]
    late = [s[2] for s in samples if s[2] and s[0] >= wall * 0.5]
    rmrf(outdir)
    return {
        "wall": wall,
        "file_size": size,
        "peak_extra_bytes": max([s[1] for s in samples] + [after]),
        "final_extra_bytes": after,
        "samples": len(samples),
        "dbpage_fallback_used": scratch.exists(),
        "rss_peak_sampled_kb": max(rss) if rss else None,
        "rss_second_half_max_kb": max(late) if late else None,
        "rss_timeline": [(s[0], s[2]) for s in samples],
    }


def entries_scaling():
    """Verify time against the number of files: the tiny demo home plus N
    small files (64 random bytes each), N = 10,000 and 40,000. Linear code
    takes the same time per entry at both sizes."""
    tiny = BENCH / "home-tiny"
    out = {}
    for n in (10_000, 40_000):
        home = BENCH / f"home-files-{n}"
        stamp = BENCH / f"home-files-{n}.json"
        if not (stamp.exists() and (home / "data").is_dir()):
            rmrf(home)
            shutil.copytree(tiny, home, symlinks=True)
            extra = home / "data" / "files" / "extra"
            extra.mkdir(parents=True)
            for i in range(n):
                (extra / f"note-{i:08d}-0123456789abcdef.txt").write_bytes(os.urandom(64))
            stamp.write_text(json.dumps({"files": n}) + "\n")
        write_profile(home, 10)
        dest = BENCH / "work" / f"files-{n}"
        rmrf(dest)
        dest.mkdir(parents=True)
        b = timed([f"{q(CV)} --json backup --home {q(str(home))} --to {q(str(dest))} --no-encrypt"])
        f = json.loads(b.pop("stdout"))["backup"]["path"]
        runs = []
        for _ in range(REPS):
            r = timed([f"{q(CV)} verify {q(f)} --home {q(str(home))}"])
            r.pop("stdout", None)
            runs.append(r)
        out[str(n)] = {"backup": b, "verify": runs, "file_size": Path(f).stat().st_size}
        log(f"{n} files: backup {b['wall']:.2f} s, verify {sorted(r['wall'] for r in runs)[len(runs) // 2]:.2f} s "
            f"(cpu {sorted(r['cpu'] for r in runs)[len(runs) // 2]:.2f} s)")
        rmrf(dest)
    return out


def listing(passf):
    """1,000 copies of one small backup in a folder; time `carevault list --in`."""
    tiny, _ = ensure_dataset("tiny", TINY)
    write_profile(tiny, 10)
    src = BENCH / "list-src"
    rmrf(src)
    src.mkdir()
    j = json.loads(sh(f"{q(CV)} --json backup --home {q(str(tiny))} --to {q(str(src))} --passphrase-file {q(str(passf))}"))
    f = Path(j["backup"]["path"])
    d = BENCH / "list-1000"
    rmrf(d)
    d.mkdir()
    for i in range(1000):
        shutil.copyfile(f, d / f"Backup-copy-{i:04d}.bin")
    empty = BENCH / "list-empty"
    rmrf(empty)
    empty.mkdir()
    n = len(json.loads(sh(f"{q(CV)} --json list --home {q(str(tiny))} --in {q(str(d))}"))["backups"])
    runs = {"list 1000": [], "list empty folder": []}
    for rep in range(max(5, REPS)):
        for label, folder in [("list 1000", d), ("list empty folder", empty)][:: 1 if rep % 2 == 0 else -1]:
            r = timed([f"{q(CV)} list --home {q(str(tiny))} --in {q(str(folder))}"])
            r.pop("stdout", None)
            runs[label].append(r)
    log(f"listing: {n} backups listed")
    slow = listing_slow_card(tiny, d)
    return {"listed": n, "file_size": f.stat().st_size, "runs": runs, "slow_card": slow}


# A slow SD card: reads throttled to SLOW_IOPS operations and SLOW_BPS bytes
# a second (a cheap card's random and sequential reads), by the kernel's
# block throttling (blkio cgroup, v1) on a loop device holding an ext4 image.
# dm-delay is not used: this machine's kernel has no device mapper.
SLOW_IOPS = int(os.environ.get("BENCH_SLOW_IOPS", "500"))
SLOW_BPS = int(os.environ.get("BENCH_SLOW_BPS", str(20 * 1000 * 1000)))


def listing_slow_card(tiny, src):
    """`carevault list` of the 1,000 backups of `src` from a throttled loop
    device, page cache dropped before every run; `{"skipped": why}` when the
    machine cannot throttle a block device."""
    cg = Path("/sys/fs/cgroup/blkio")
    if os.geteuid() != 0 or not (cg / "blkio.throttle.read_iops_device").exists() or not shutil.which("losetup"):
        why = "needs root, losetup and the blkio cgroup (v1) with block throttling"
        log(f"slow-card listing skipped: {why}")
        return {"skipped": why}
    img, mnt, group = BENCH / "sdcard.img", BENCH / "sdcard", cg / "carevault-bench-sdcard"
    need = sum(p.stat().st_size for p in src.iterdir())
    rmrf(img)
    sh(f"truncate -s {need * 3 // 2 + 64 * 1024 * 1024} {q(str(img))} && mkfs.ext4 -q -F {q(str(img))}")
    loop = sh(f"losetup --find --show {q(str(img))}").strip()
    mnt.mkdir(exist_ok=True)
    try:
        sh(f"mount {q(loop)} {q(str(mnt))}")
        try:
            card, empty = mnt / "list-1000", mnt / "list-empty"
            shutil.copytree(src, card)
            empty.mkdir()
            sh("sync")
            rdev = os.stat(loop).st_rdev
            dev = f"{os.major(rdev)}:{os.minor(rdev)}"
            group.mkdir(exist_ok=True)
            (group / "blkio.throttle.read_iops_device").write_text(f"{dev} {SLOW_IOPS}\n")
            (group / "blkio.throttle.read_bps_device").write_text(f"{dev} {SLOW_BPS}\n")
            runs = {"list 1000": [], "list empty folder": []}
            for rep in range(max(3, REPS)):
                for label, folder in [("list 1000", card), ("list empty folder", empty)][:: 1 if rep % 2 == 0 else -1]:
                    sh("sync && echo 3 > /proc/sys/vm/drop_caches")
                    cmd = f"{q(CV)} list --home {q(str(tiny))} --in {q(str(folder))}"
                    r = timed([f"sh -c {q(f'echo $$ > {group}/tasks && exec {cmd}')}"])
                    r.pop("stdout", None)
                    runs[label].append(r)
            t = sorted(r["wall"] for r in runs["list 1000"])[len(runs["list 1000"]) // 2]
            log(f"slow-card listing: {t:.2f} s (median)")
            return {"iops": SLOW_IOPS, "bps": SLOW_BPS, "runs": runs}
        finally:
            sh(f"umount {q(str(mnt))}", check=False)
    finally:
        sh(f"losetup -d {q(loop)}", check=False)
        try:
            group.rmdir()
        except OSError:
            pass
        rmrf(img)


def writer_stall(passf, src_home):
    """Backups of a copy of a data set while `carevault demo write --rate
    100` commits, and 2 s after each: the writer's longest change and its
    99th percentile (what the app's user waits for), not only the barrier."""
    wh = BENCH / "writer-home"
    rmrf(wh)
    shutil.copytree(src_home, wh, symlinks=True)
    write_profile(wh, 10)
    out = BENCH / "writer-out"
    wr = subprocess.Popen(
        [CV, "--json", "demo", "write", str(wh), "--rate", "100"], env=ENV,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    barrier, walls = [], []
    try:
        time.sleep(1.5)
        for i in range(5):
            rmrf(out)
            out.mkdir()
            t = time.perf_counter()
            j = json.loads(sh(f"{q(CV)} --json backup --home {q(str(wh))} --to {q(str(out))} --passphrase-file {q(str(passf))}"))
            walls.append(time.perf_counter() - t)
            barrier.append(j["backup"]["barrier_ms"])
            if wr.poll() is not None:
                raise RuntimeError("the demo writer stopped early: " + wr.stderr.read().decode(errors="replace"))
            time.sleep(2.0)
    finally:
        wr.send_signal(signal.SIGINT)
        try:
            o, e = wr.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            wr.kill()
            o, e = wr.communicate()
    stats = json.loads(o) if o.strip() else {"error": e.decode(errors="replace")}
    rmrf(out)
    rmrf(wh)
    log(f"writer: barrier {barrier} ms, writer longest wait {stats.get('longest_wait_ms')} ms, "
        f"longest change {stats.get('longest_commit_ms')} ms, p99 {stats.get('p99_commit_ms')} ms")
    return {"barrier_ms": barrier, "backup_wall_s": walls, "writer": stats}


def perf_top(data, sort, limit=12):
    rep = sh(
        f"perf report -i {q(str(data))} --no-children --sort {sort} --stdio -g none --percent-limit 0.5 2>/dev/null",
        check=False,
    )
    rows = []
    for line in rep.splitlines():
        m = re.match(r"^\s+([\d.]+)%\s+(.*?)\s*$", line)
        if m and not line.lstrip().startswith("#"):
            rows.append([float(m.group(1)), re.sub(r"\s{2,}.*$", "", m.group(2))])
    return rows[:limit]


def profiles(home, W, files, passf):
    """perf record (cpu-clock samples, 999 Hz) of backup, verify and restore."""
    if not shutil.which("perf"):
        log("perf is not installed: no profiles")
        return None
    out = {}
    pdir = W / "perf"
    rmrf(pdir)
    pdir.mkdir()
    write_profile(home, 10)
    bdir = pdir / "backup-out"
    bdir.mkdir()
    pf = ["--passphrase-file", str(passf)]
    cmds = {
        "backup (enc wf10)": [CV, "backup", "--home", str(home), "--to", str(bdir)] + pf,
        "verify (enc wf10)": [CV, "verify", str(files["enc wf10"]), "--home", str(home)] + pf,
        "restore (enc wf10)": [CV, "restore", str(files["enc wf10"]), "--home", str(pdir / "restore-home")] + pf,
    }
    for label, cmd in cmds.items():
        data = pdir / (label.split()[0] + ".data")
        t = time.perf_counter()
        p = subprocess.run(["perf", "record", "-q", "-F", "999", "-o", str(data), "--"] + cmd, env=ENV, capture_output=True)
        wall = time.perf_counter() - t
        if p.returncode != 0:
            log(f"perf record failed for {label}: {p.stderr.decode(errors='replace')[-500:]}")
            continue
        out[label] = {
            "wall_s": wall,
            "symbols": perf_top(data, "symbol", 15),
            "threads": perf_top(data, "comm", 6),
            "dso": perf_top(data, "dso", 6),
            "data": str(data),
        }
        log(f"profiled {label}")
    rmrf(pdir / "restore-home")
    rmrf(bdir)
    write_profile(home, 18)
    return out


def machine():
    lscpu = sh("lscpu", check=False)
    model = re.search(r"Model name:\s*(.*)", lscpu)
    mem = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    osr = Path("/etc/os-release").read_text() if Path("/etc/os-release").exists() else ""
    pretty = re.search(r'PRETTY_NAME="(.*)"', osr)

    def v(cmd):
        return sh(cmd + " 2>&1", check=False).strip().splitlines()[0] if shutil.which(cmd.split()[0]) else "missing"

    hypervisor = re.search(r"Hypervisor vendor:\s*(.*)", lscpu)
    return {
        "cpu": model.group(1).strip() if model else "?",
        "cores": os.cpu_count(),
        "hypervisor": hypervisor.group(1).strip() if hypervisor else None,
        "ram_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "kernel": os.uname().release,
        "os": pretty.group(1) if pretty else "?",
        "flags": [f for f in ("aes", "sha_ni", "avx2", "avx512f") if re.search(rf"\b{f}\b", lscpu)],
        "fs": sh(f"df -T {q(str(BENCH))} | tail -1", check=False).split()[1:2],
        "versions": {
            "carevault": sh(f"{q(CV)} --version", check=False).strip(),
            "git": sh("git -C " + q(str(REPO)) + " describe --always --dirty", check=False).strip(),
            "rustc": v("rustc --version"),
            "zstd": v("zstd --version"),
            "age": v("age --version"),
            "tar": v("tar --version"),
            "restic": v("restic version"),
            "borg": v("borg --version"),
            "sqlite3": v("sqlite3 --version")[:40],
        },
    }


def main():
    for s in SIZES:
        if s not in DATASETS:
            sys.exit(f"unknown size {s!r} in BENCH_SIZES (S, M, L)")
    BENCH.mkdir(parents=True, exist_ok=True)
    started = time.time()
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
        "reps": REPS,
        "reps_l": REPS_L,
        "sizes_run": SIZES,
        "machine": machine(),
        "load_start": loadavg(),
        "sizes": {},
    }
    passf, agekey, rcpt = keys()
    for name in SIZES:
        log(f"=== data set {name}")
        results["sizes"][name] = bench_size(name, DATASETS[name], passf, agekey, rcpt)
        results["sizes"][name]["load_after"] = loadavg()
        # Write partial results as we go (a long L run can be inspected).
        Path(BENCH, "results.json").write_text(json.dumps(results, indent=1))
    log("=== listing 1,000 backups")
    results["listing"] = listing(passf)
    log("=== verify time against the number of files")
    results["entries"] = entries_scaling()
    log("=== the app's commit latency under backups")
    # The WAL backlog grows with the backup's duration: M when it is run.
    chosen = "M" if "M" in SIZES else next(n for n in ("S", "L") if n in SIZES)
    results["writer"] = writer_stall(passf, BENCH / f"home-{chosen}")
    results["writer"]["set"] = chosen
    results["load_end"] = loadavg()
    results["run_s"] = time.time() - started
    results["script_s"] = time.time() - T0
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    Path(BENCH, "results.json").write_text(json.dumps(results, indent=1))
    log(f"measurements done in {results['run_s']:.0f} s")


if __name__ == "__main__":
    main()
