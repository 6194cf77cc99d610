#!/usr/bin/env python3
"""Offsite push over a shaped link: `carevault offsite push` against
`rclone copy` and `aws s3 cp`, the same backup file, the same s3s-fs
server on 127.0.0.1, through the same throttling relay
(scripts/bench/throttle_proxy.py).

Called by scripts/bench-offsite.sh (which installs the peers and builds the
release binary). The data sets are bench.sh's (scripts/bench/run.py,
`ensure_dataset`): made once under $BENCH_DIR and reused. Writes
$BENCH_DIR/offsite/results.json and prints the Markdown table that
BENCHMARKS.md ("Offsite push over a shaped link") holds.

Method: one encrypted backup per data set (default profile); for each link
rate, BENCH_REPS repetitions, the three clients alternating (the order
rotates each repetition), each upload to a fresh key prefix so that
everything is sent; `sync` (untimed) before each run; every client under
GNU time (`/usr/bin/time -v`: peak RSS, CPU). Medians over the
repetitions. Then, once, carevault's own limit (`bandwidth_kib_per_s =
1024`) on the unshaped link.
"""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as benchrun  # noqa: E402  (bench.sh's data sets)

REPO = Path(__file__).resolve().parents[2]
BENCH = benchrun.BENCH
CV = benchrun.CV
S3S_FS = os.environ.get("BENCH_S3S_FS", "/opt/carevault-test/bin/s3s-fs")
AWS = os.environ.get("BENCH_AWS") or shutil.which("aws") or "aws"
RCLONE = os.environ.get("BENCH_RCLONE") or shutil.which("rclone") or "rclone"
REPS = max(1, int(os.environ.get("BENCH_REPS", "3")))
REPS_SLOW = max(1, int(os.environ.get("BENCH_REPS_SLOW", "1")))
# Link rates in bytes per second (MB = 10^6 bytes).
RATES = [int(float(r) * 1_000_000) for r in os.environ.get("BENCH_RATES_MB", "20,1").split(",")]
# A 1 MB/s run of the M backup takes its size in MB seconds: above this,
# the slow rows use the S set's backup instead.
SLOW_LIMIT_S = float(os.environ.get("BENCH_SLOW_LIMIT_S", "300"))
THROTTLE_KIB = 1024
THROTTLE_CHECK = os.environ.get("BENCH_THROTTLE_CHECK", "1") == "1"
AK, SK, BUCKET = "AKBENCHOFFSITE", "bench-offsite-secret-not-a-secret", "bench"
W = BENCH / "offsite"
q = shlex.quote
log = benchrun.log
loadavg = benchrun.loadavg

ENV = dict(benchrun.ENV)
# Plain http on loopback: no proxies, no CA bundle (rclone refuses to
# start with AWS_CA_BUNDLE set on its own HTTP transport).
for k in ("AWS_CA_BUNDLE", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    ENV.pop(k, None)


class Done(Exception):
    """The measurements asked for are over."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, name):
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited ({proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not listen on {port}")


def start_s3s(root):
    root.mkdir(parents=True, exist_ok=True)
    (root / BUCKET).mkdir(exist_ok=True)
    port = free_port()
    # The server's keys on its command line: the test server has no other
    # way; the clients read theirs from a file or the environment.
    p = subprocess.Popen(
        [S3S_FS, "--host", "127.0.0.1", "--port", str(port), "--access-key", AK, "--secret-key", SK, str(root)],
        stdout=subprocess.DEVNULL,
        stderr=open(W / "s3s-fs.log", "ab"),
    )
    wait_port(port, p, "s3s-fs")
    return p, port


def start_proxy(target, rate):
    port = free_port()
    p = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "bench" / "throttle_proxy.py"), str(port), str(target), str(rate)],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = p.stdout.readline()
    if not line.startswith("ready"):
        raise RuntimeError(f"throttle_proxy did not start: {line!r}")
    return p, port


def stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def timed_v(argv, env=None):
    """Runs argv under /usr/bin/time -v; wall, user, sys, peak RSS (KiB)."""
    fd, tfile = tempfile.mkstemp(prefix="cvbench-offsite-time-")
    os.close(fd)
    try:
        subprocess.run(["sync"], check=True)
        load = loadavg()[0]
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tfile, *argv], env=env or ENV, capture_output=True, text=True)
        wall = time.perf_counter() - t
        if p.returncode != 0:
            raise RuntimeError(f"failed ({p.returncode}): {' '.join(map(q, argv))}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
        text = Path(tfile).read_text()

        def field(name):
            m = re.search(re.escape(name) + r"[^:]*:\s*([\d.]+)", text)
            return float(m.group(1)) if m else None

        return {
            "wall": wall,
            "user": field("User time (seconds)"),
            "sys": field("System time (seconds)"),
            "rss_kb": int(field("Maximum resident set size (kbytes)") or 0),
            "load1": load,
            "stdout": p.stdout,
        }
    finally:
        os.unlink(tfile)


class Home:
    """A bench.sh data set set up to push offsite: its profile's Public
    folder is a scratch folder holding one fresh encrypted backup."""

    def __init__(self, name):
        self.name = name
        self.home, self.ds = benchrun.ensure_dataset(name, benchrun.DATASETS[name])
        self.work = W / name
        benchrun.rmrf(self.work)
        self.docs = self.work / "docs"
        self.docs.mkdir(parents=True)
        (self.work / "downloads").mkdir()
        self.profile = self.home / "carevault.toml"
        self.saved = self.profile.read_text() if self.profile.exists() else None
        cred = self.home / "private" / "offsite-credentials"
        cred.parent.mkdir(parents=True, exist_ok=True)
        cred.write_text(f"{AK}\n{SK}\n")
        cred.chmod(0o600)
        self.write(endpoint="http://127.0.0.1:1", prefix="unused/")
        passf = self.work / "passphrase.txt"
        passf.write_text(benchrun.PASSPHRASE)
        log(f"{name}: encrypted backup (default profile)")
        out = subprocess.run(
            [CV, "--json", "backup", "--home", str(self.home), "--to", str(self.docs), "--passphrase-file", str(passf)],
            env=ENV, capture_output=True, text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(f"backup failed: {out.stdout}\n{out.stderr}")
        j = json.loads(out.stdout)["backup"]
        p = Path(j["path"])
        self.file = p if p.is_absolute() else self.home / p
        self.size = self.file.stat().st_size
        log(f"{name}: backup {self.file.name}, {self.size / 1e6:.1f} MB")

    def write(self, endpoint, prefix, kib=0):
        self.profile.write_text(
            "# written by scripts/bench/offsite.py (scripts/bench.sh rewrites it)\n"
            f"[media]\npublic = {json.dumps(str(self.docs))}\n"
            f"downloads = {json.dumps(str(self.work / 'downloads'))}\n"
            "external_roots = []\nrequire_encryption = []\n\n"
            f"[offsite]\nendpoint = {json.dumps(endpoint)}\nbucket = {json.dumps(BUCKET)}\n"
            f"prefix = {json.dumps(prefix)}\npart_size_mib = 8\nbandwidth_kib_per_s = {kib}\n"
        )

    def forget_pushes(self):
        benchrun.rmrf(self.home / "private" / "offsite")

    def restore_profile(self):
        if self.saved is None:
            self.profile.unlink(missing_ok=True)
        else:
            self.profile.write_text(self.saved)


def stored(root, prefix):
    files = [p for p in (root / BUCKET / prefix).rglob("*") if p.is_file()]
    return files


def run_client(client, h, port, prefix, root):
    url = f"http://127.0.0.1:{port}"
    if client == "carevault":
        h.forget_pushes()
        h.write(url, prefix)
        r = timed_v([CV, "--json", "offsite", "push", "--all", "--home", str(h.home)])
        copied = json.loads(r["stdout"]).get("copied", [])
        if len(copied) != 1 or copied[0]["size"] != h.size:
            raise RuntimeError(f"carevault pushed {copied}")
        want = root / BUCKET / prefix / "backups" / h.file.name
    elif client == "rclone":
        env = dict(
            ENV,
            RCLONE_CONFIG=str(W / "rclone.conf"),
            RCLONE_CONFIG_BENCH_TYPE="s3",
            RCLONE_CONFIG_BENCH_PROVIDER="Other",
            RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=AK,
            RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=SK,
            RCLONE_CONFIG_BENCH_ENDPOINT=url,
            RCLONE_CONFIG_BENCH_REGION="us-east-1",
        )
        (W / "rclone.conf").touch()
        r = timed_v([RCLONE, "copy", "--s3-no-check-bucket", str(h.file), f"bench:{BUCKET}/{prefix}"], env)
        want = root / BUCKET / prefix / h.file.name
    else:
        env = dict(
            ENV,
            AWS_ACCESS_KEY_ID=AK,
            AWS_SECRET_ACCESS_KEY=SK,
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE=str(W / "aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(W / "aws-credentials"),
        )
        r = timed_v(
            [AWS, "--endpoint-url", url, "s3", "cp", "--only-show-errors", str(h.file), f"s3://{BUCKET}/{prefix}{h.file.name}"],
            env,
        )
        want = root / BUCKET / prefix / h.file.name
    if not want.is_file() or want.stat().st_size != h.size:
        raise RuntimeError(f"{client}: {want} missing or of the wrong size; stored: {stored(root, prefix)}")
    r.pop("stdout", None)
    # Free the disk: the object was checked.
    benchrun.rmrf(root / BUCKET / prefix)
    return r


def median(xs):
    return statistics.median(xs) if xs else None


CLIENTS = ["carevault", "rclone", "aws"]


def main():
    W.mkdir(parents=True, exist_ok=True)
    started = time.time()
    res = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)),
        "load_start": loadavg(),
        "versions": {
            "carevault": subprocess.run([CV, "--version"], capture_output=True, text=True).stdout.strip(),
            "rclone": subprocess.run([RCLONE, "version"], capture_output=True, text=True).stdout.splitlines()[0],
            "aws": (
                lambda p: (p.stdout.strip() or p.stderr.strip() or "?").splitlines()[0]
            )(subprocess.run([AWS, "--version"], capture_output=True, text=True, env=ENV)),
        },
        "rows": [],
    }
    homes = {"M": Home("M")}
    slow_home = homes["M"]
    if min(RATES) and homes["M"].size / min(RATES) > SLOW_LIMIT_S:
        homes["S"] = Home("S")
        slow_home = homes["S"]
    root = W / "s3root"
    benchrun.rmrf(root)
    server, sport = start_s3s(root)
    try:
        for rate in RATES:
            h = slow_home if rate == min(RATES) and len(RATES) > 1 else homes["M"]
            # The slow rate takes minutes per upload: BENCH_REPS_SLOW.
            reps = REPS_SLOW if rate == min(RATES) and len(RATES) > 1 else REPS
            proxy, pport = start_proxy(sport, rate)
            runs = {c: [] for c in CLIENTS}
            try:
                for rep in range(reps):
                    order = CLIENTS[rep % 3:] + CLIENTS[: rep % 3]
                    for c in order:
                        prefix = f"link{rate // 1000}k-rep{rep + 1}-{c}/"
                        log(f"{rate / 1e6:g} MB/s, {h.name} ({h.size / 1e6:.0f} MB), rep {rep + 1}: {c}")
                        t = time.perf_counter()
                        try:
                            r = run_client(c, h, pport, prefix, root)
                        except RuntimeError as e:
                            if c == "carevault":
                                raise
                            # A peer that gives up is a result, not the end
                            # of the benchmark.
                            r = {"failed": str(e).strip().splitlines()[-1][:300], "wall": time.perf_counter() - t}
                            benchrun.rmrf(root / BUCKET / prefix)
                            log(f"  failed after {r['wall']:.0f} s: {r['failed']}")
                            runs[c].append(r)
                            continue
                        log(f"  {r['wall']:.1f} s, {h.size / r['wall'] / 1e6:.2f} MB/s, {r['rss_kb'] / 1024:.1f} MiB")
                        runs[c].append(r)
            finally:
                stop(proxy)
            res["rows"].append({"rate": rate, "set": h.name, "file_bytes": h.size, "reps": reps, "runs": runs})
            Path(W, "results.json").write_text(json.dumps(res, indent=1))
        # carevault's own limit, on the unshaped link.
        h = slow_home
        if not THROTTLE_CHECK:
            raise Done
        log(f"throttle check: {h.name} backup, bandwidth_kib_per_s = {THROTTLE_KIB}, no shaping")
        checks = {}
        for kib in (0, THROTTLE_KIB):
            prefix = f"throttle-{kib}/"
            h.forget_pushes()
            h.write(f"http://127.0.0.1:{sport}", prefix, kib)
            r = timed_v([CV, "--json", "offsite", "push", "--all", "--home", str(h.home)])
            r.pop("stdout", None)
            benchrun.rmrf(root / BUCKET / prefix)
            checks[str(kib)] = r
            log(f"  limit {kib} KiB/s: {r['wall']:.1f} s, {h.size / r['wall'] / 2**20:.2f} MiB/s")
        res["throttle"] = {"set": h.name, "file_bytes": h.size, "kib": THROTTLE_KIB, "runs": checks}
    except Done:
        pass
    finally:
        stop(server)
        for h in homes.values():
            h.forget_pushes()
            h.restore_profile()
            (h.home / "private" / "offsite-credentials").unlink(missing_ok=True)
        benchrun.rmrf(root)
    res["load_end"] = loadavg()
    res["run_s"] = time.time() - started
    res["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    Path(W, "results.json").write_text(json.dumps(res, indent=1))
    print(report(res))


def report(res):
    out = []
    loads = [r["load1"] for row in res["rows"] for c in row["runs"].values() for r in c if "load1" in r]
    end = res.get("load_end") or [float("nan")]
    out.append(
        f"- Run: {res['started']} to {res.get('finished', '?')} ({res.get('run_s', float('nan')) / 60:.1f} min); "
        f"load average (1 min) {res['load_start'][0]:.2f} at the start, {end[0]:.2f} at the end, during the "
        f"timed runs median {median(loads):.2f}, range {min(loads):.2f}–{max(loads):.2f}."
    )
    out.append(f"- Versions: {res['versions']['carevault']}; {res['versions']['rclone']}; {res['versions']['aws']}; s3s-fs 0.14.1.")
    out.append("")
    out.append(
        "| link | file | client | runs | wall s, median (range) | MB/s | ÷ link rate | carevault ÷ client (throughput) "
        "| CPU s (user+sys) | peak RSS MiB |"
    )
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    cv_rss = []
    out_notes = []
    for row in res["rows"]:
        size, rate = row["file_bytes"], row["rate"]
        done = {c: [r for r in rs if "failed" not in r] for c, rs in row["runs"].items()}
        tput = {c: size / median([r["wall"] for r in rs]) for c, rs in done.items() if rs}
        for c, all_runs in row["runs"].items():
            for f in (r for r in all_runs if "failed" in r):
                out_notes.append(
                    f"- `{c}` at {rate / 1e6:g} MB/s ({row['set']} backup) failed after {f['wall']:.0f} s: {f['failed']}"
                )
            rs = done[c]
            if not rs:
                out.append(
                    f"| {rate / 1e6:g} MB/s | {row['set']} backup, {size / 1e6:.0f} MB | `{c}` | {len(all_runs)} | "
                    f"failed (below) | – | – | – | – | – |"
                )
                continue
            walls = [r["wall"] for r in rs]
            rss = median([r["rss_kb"] for r in rs]) / 1024
            cpu = median([(r["user"] or 0) + (r["sys"] or 0) for r in rs])
            if c == "carevault":
                cv_rss += [r["rss_kb"] / 1024 for r in rs]
            rng = f" ({min(walls):.1f}–{max(walls):.1f})" if len(walls) > 1 else ""
            out.append(
                f"| {rate / 1e6:g} MB/s | {row['set']} backup, {size / 1e6:.0f} MB | `{c}` | {len(rs)} | "
                f"{median(walls):.1f}{rng} | {tput[c] / 1e6:.2f} | {tput[c] / rate:.2f}× | "
                f"{tput['carevault'] / tput[c]:.2f}× | {cpu:.2f} | {rss:.1f} |"
            )
    out.append("")
    out.extend(out_notes)
    met = "met" if max(cv_rss) <= 32 else "**not met**"
    out.append(f"- carevault's peak RSS against the 32 MiB target: largest {max(cv_rss):.1f} MiB over every push: {met}.")
    t = res.get("throttle")
    if t:
        lim = t["kib"] * 1024
        r0, r1 = t["runs"]["0"], t["runs"][str(t["kib"])]
        got = t["file_bytes"] / r1["wall"]
        out.append(
            f"- carevault's own limit, unshaped link, {t['set']} backup ({t['file_bytes'] / 1e6:.0f} MB): "
            f"`bandwidth_kib_per_s = {t['kib']}` took {r1['wall']:.1f} s = {got / 2**20:.3f} MiB/s, "
            f"{got / lim:.3f}× the limit (unlimited: {r0['wall']:.1f} s)."
        )
    return "\n".join(out)


if __name__ == "__main__":
    # A stop (kill, Ctrl-C) still stops the servers and restores the profile.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(sys.argv) > 1 and sys.argv[1] == "--report":
        # --report [RESULTS.json ...]: one table from one or more runs
        # (e.g. the fast rate of one run and the slow rate of another).
        files = [Path(a) for a in sys.argv[2:]] or [W / "results.json"]
        parts = [json.loads(f.read_text()) for f in files]
        merged = dict(parts[0])
        merged["rows"] = [row for p in parts for row in p["rows"]]
        merged["throttle"] = next((p["throttle"] for p in parts if p.get("throttle")), None)
        merged["finished"] = parts[-1].get("finished", "?")
        merged["load_end"] = parts[-1].get("load_end")
        merged["run_s"] = sum(p.get("run_s", float("nan")) for p in parts)
        print(report(merged))
    else:
        main()
