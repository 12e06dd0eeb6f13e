#!/usr/bin/env python3
"""Compare skiff with crun and runc in one run: lifecycle and `run` latency,
peak RSS during create, binary size.  Prints tables; asserts nothing.

Called by bench/run.sh (which checks root and finds the binaries); see
bench/README.md for how to read the output.

Fairness rules this script keeps:
- every runtime runs the same bundle and the same config.json;
- every runtime has its own --root under one temp dir;
- iterations are interleaved (round i runs every runtime once, in an order
  that rotates each round) so drift on a busy machine hits all of them;
- "wait" is the same for all: this process is a child subreaper, so the
  container's init is reparented to it when `create` exits and waitpid()
  returns the moment /bin/true has exited (no polling of `state`).
"""

import argparse
import ctypes
import datetime
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PR_SET_CHILD_SUBREAPER = 36


def die(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def set_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        die(f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")


def reap_strays():
    """Intermediate processes of a runtime (runc's nsexec stages, crun's
    double fork) that exit after being reparented to us."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


ERRFILE = None   # set in main(): where a runtime's stderr goes


def spawn(argv, capture=False):
    """Run argv; return (exit code, peak RSS in KiB of it and the children it
    reaped, stderr text).  wait4() gives the rusage of that one child.

    stderr goes to a file, not a pipe: the container process inherits it and
    keeps it open until /bin/true exits, so reading a pipe to EOF after
    `create` would wait for `start`, which never comes."""
    err = None
    if capture:
        err = open(ERRFILE, "w+b")
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=err if capture else subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        text = ""
        if capture:
            err.seek(0)
            text = err.read().decode(errors="replace")
        return p.returncode, ru.ru_maxrss, text
    finally:
        if err:
            err.close()


def wait_pid(pid):
    """Wait for the container's init to exit.  It is our child (subreaper);
    if a runtime kept it as its own child somehow, poll /proc instead."""
    try:
        os.waitpid(pid, 0)
        return
    except ChildProcessError:
        pass
    while True:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return
        except (FileNotFoundError, ProcessLookupError):
            return
        time.sleep(0.0002)


class Runtime:
    def __init__(self, name, binary, tmp, extra=()):
        self.name = name
        self.binary = binary
        self.root = os.path.join(tmp, f"root-{name}")
        self.extra = list(extra)
        self.note = ""
        os.makedirs(self.root, exist_ok=True)

    def cmd(self, *args):
        return [self.binary, "--root", self.root, *self.extra, *args]

    def version(self):
        try:
            out = subprocess.run([self.binary, "--version"], capture_output=True,
                                 text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return "?"
        lines = out.splitlines()
        first = lines[0] if lines else "?"
        commit = next((l.split(":", 1)[1].strip() for l in lines
                       if l.startswith("commit:")), "")
        return first + (f" (commit {commit})" if commit else "")

    def cleanup(self, cid):
        spawn(self.cmd("delete", "--force", cid))


def on_term(signo, frame):
    raise KeyboardInterrupt


def delete_all(rt):
    """Force-delete every container left under rt's root."""
    try:
        ids = os.listdir(rt.root)
    except OSError:
        return
    for cid in ids:
        if os.path.isdir(os.path.join(rt.root, cid)):
            rt.cleanup(cid)


def lifecycle(rt, bundle, cid, pidfile):
    """create + start + wait + delete; per-step times in ms and create's
    peak RSS in KiB, or None and the error."""
    t0 = time.perf_counter_ns()
    rc, rss, err = spawn(rt.cmd("create", "--bundle", bundle, "--pid-file", pidfile, cid),
                         capture=True)
    t1 = time.perf_counter_ns()
    if rc != 0:
        return None, f"create: {err.strip()}"
    with open(pidfile) as f:
        pid = int(f.read().strip())
    rc, _, err = spawn(rt.cmd("start", cid), capture=True)
    t2 = time.perf_counter_ns()
    if rc != 0:
        rt.cleanup(cid)
        return None, f"start: {err.strip()}"
    wait_pid(pid)
    t3 = time.perf_counter_ns()
    rc, _, err = spawn(rt.cmd("delete", cid), capture=True)
    t4 = time.perf_counter_ns()
    if rc != 0:
        rt.cleanup(cid)
        return None, f"delete: {err.strip()}"
    ms = lambda a, b: (b - a) / 1e6
    return {"total": ms(t0, t4), "create": ms(t0, t1), "start": ms(t1, t2),
            "wait": ms(t2, t3), "delete": ms(t3, t4)}, None


def create_rss(rt, bundle, cid, pidfile, timebin):
    """Peak RSS (KiB) of `create` and the children it reaps, measured by GNU
    time.  Not from our own wait4(): a child forked from Python starts with
    Python's resident pages and ru_maxrss survives execve, so every runtime
    would report Python's ~16 MiB.  time(1) is a small C program whose
    fork before exec adds well under a MiB (printed as the floor)."""
    out = os.path.join(os.path.dirname(pidfile), "rss")
    rc, _, err = spawn([timebin, "-f", "%M", "-o", out,
                        *rt.cmd("create", "--bundle", bundle, "--pid-file", pidfile, cid)],
                       capture=True)
    if rc != 0:
        rt.cleanup(cid)
        return None, f"create (rss): {err.strip()}"
    with open(out) as f:
        rss = int(f.read().split()[-1])
    with open(pidfile) as f:
        pid = int(f.read().strip())
    spawn(rt.cmd("start", cid))
    wait_pid(pid)
    if spawn(rt.cmd("delete", cid))[0] != 0:
        rt.cleanup(cid)
    return rss, None


def run_once(rt, bundle, cid):
    t0 = time.perf_counter_ns()
    rc, _, err = spawn(rt.cmd("run", "--bundle", bundle, cid), capture=True)
    t1 = time.perf_counter_ns()
    if rc != 0:
        rt.cleanup(cid)
        return None, f"run: exit {rc}: {err.strip()}"
    # `run` in the foreground deletes the container (all three do); make
    # sure, outside the timed part, so ids never pile up.
    if os.path.exists(os.path.join(rt.root, cid)):
        rt.cleanup(cid)
    return {"run": (t1 - t0) / 1e6}, None


def probe(rt, bundle, variants):
    """Find flags with which rt can run the bundle at all."""
    errors = []
    for extra in variants:
        rt.extra = list(extra)
        res, err = run_once(rt, bundle, f"bench-probe-{rt.name}-{os.getpid()}")
        reap_strays()
        if res is not None:
            return True, errors
        label = " ".join(extra) or "(default flags)"
        errors.append(f"{label}: {err.splitlines()[-1] if err else 'failed'}")
    return False, errors


def quantiles(xs):
    xs = sorted(xs)
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return q[0], statistics.median(xs), q[2]


def stripped_size(path, tmp):
    out = os.path.join(tmp, "stripped-" + os.path.basename(path))
    try:
        subprocess.run(["strip", "-o", out, path], check=True, capture_output=True)
        return os.path.getsize(out)
    except (OSError, subprocess.CalledProcessError):
        return None


def shared_libs(path):
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    except OSError:
        return []
    libs = []
    for line in out.splitlines():
        name = line.strip().split()[0] if line.strip() else ""
        if name and "ld-linux" not in name and "linux-vdso" not in name:
            libs.append(name)
    return libs


def machine_line():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mode = "cgroup v2"
    if os.path.isdir("/sys/fs/cgroup/unified"):
        mode = "hybrid cgroups (v1 controllers, cgroup2 at /sys/fs/cgroup/unified)"
    elif not os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        mode = "cgroup v1"
    return (f"{model}, {os.cpu_count()} CPUs, kernel {platform.release()}, {mode}")


def fmt_row(label, cells, width):
    return f"{label:<{width}}" + "".join(f"{c:>23}" for c in cells)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=50, help="timed iterations per runtime (default 50)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed rounds first (default 3)")
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--crun", default=shutil.which("crun"))
    ap.add_argument("--runc", default=shutil.which("runc"))
    ap.add_argument("--bundle", required=True, help="bundle made by run.sh")
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--rss-runs", type=int, default=10, help="creates measured for peak RSS")
    a = ap.parse_args()

    global ERRFILE
    ERRFILE = os.path.join(a.tmp, "stderr")
    set_subreaper()
    # SIGTERM like SIGINT: stop timing and delete what is left (run.sh's
    # trap removes the temp dir afterwards).
    signal.signal(signal.SIGTERM, on_term)

    candidates = [("skiff", a.skiff, [[]])]
    skipped = []
    for name, binary, variants in (
        # crun 1.8.1 refuses hybrid cgroup hosts (a v2 hierarchy with
        # controllers next to v1); try the managers that might avoid it.
        ("crun", a.crun, [[], ["--cgroup-manager=disabled"], ["--cgroup-manager=cgroupfs"]]),
        ("runc", a.runc, [[]]),
    ):
        if binary and os.access(binary, os.X_OK):
            candidates.append((name, binary, variants))
        else:
            skipped.append((name, "not installed", []))

    runtimes = []
    for name, binary, variants in candidates:
        rt = Runtime(name, binary, a.tmp)
        ok, errors = probe(rt, a.bundle, variants)
        if ok:
            if errors:
                rt.note = "needs " + " ".join(rt.extra) + "; " + "; ".join(errors)
            runtimes.append(rt)
        else:
            skipped.append((name, rt.version(), errors))
    if not runtimes or runtimes[0].name != "skiff":
        for name, ver, errs in skipped:
            print(f"{name}: {ver}: " + "; ".join(errs), file=sys.stderr)
        die("skiff cannot run the bench bundle: nothing to compare")

    print(f"skiff bench  {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}")
    print(f"machine      {machine_line()}")
    for rt in runtimes:
        extra = f"  [{' '.join(rt.extra)}]" if rt.extra else ""
        print(f"runtime      {rt.name}: {rt.binary}: {rt.version()}{extra}")
    for name, ver, errs in skipped:
        print(f"not compared {name}: {ver}")
        for e in errs:
            print(f"             cannot run here: {e}")
        if name == "crun" and errs:
            print("             (crun needs a pure cgroup v2 host: the VM test layer, see"
                  " shared/notes/vm-testing.md, could host that comparison)")
    print(f"iterations   {a.n} timed (+{a.warmup} warm-up) per runtime, interleaved;"
          " /bin/true from busybox-static, same config.json for all")
    sys.stdout.flush()

    results = {rt.name: {k: [] for k in ("total", "create", "start", "wait", "delete",
                                         "rss", "run")} for rt in runtimes}
    failures = {rt.name: [] for rt in runtimes}
    pidfile = os.path.join(a.tmp, "pid")
    try:
        for i in range(a.warmup + a.n):
            order = runtimes[i % len(runtimes):] + runtimes[:i % len(runtimes)]
            for rt in order:
                cid = f"bench-{rt.name}-{os.getpid()}-{i}"
                res, err = lifecycle(rt, a.bundle, cid, pidfile)
                if res is None:
                    failures[rt.name].append(err)
                elif i >= a.warmup:
                    for k, v in res.items():
                        results[rt.name][k].append(v)
                res, err = run_once(rt, a.bundle, cid + "-run")
                if res is None:
                    failures[rt.name].append(err)
                elif i >= a.warmup:
                    results[rt.name]["run"].append(res["run"])
                reap_strays()
        timebin = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
        rss_floor = None
        if timebin:
            rc, _, _ = spawn([timebin, "-f", "%M", "-o", os.path.join(a.tmp, "rss"), "/bin/true"])
            with open(os.path.join(a.tmp, "rss")) as f:
                rss_floor = int(f.read().split()[-1])
            for i in range(a.rss_runs):
                for rt in runtimes:
                    rss, err = create_rss(rt, a.bundle, f"bench-{rt.name}-{os.getpid()}-rss{i}",
                                          pidfile, timebin)
                    if rss is None:
                        failures[rt.name].append(err)
                    else:
                        results[rt.name]["rss"].append(rss)
                    reap_strays()
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        for rt in runtimes:
            delete_all(rt)
        reap_strays()

    names = [rt.name for rt in runtimes]
    others = names[1:]
    base = results["skiff"]
    width = 33
    print()
    print(fmt_row("median [p25-p75]", names + [f"{n}/skiff" for n in others], width))

    def cell(name, key, scale=1.0):
        xs = results[name][key]
        if not xs:
            return "n/a"
        lo, med, hi = (x * scale for x in quantiles(xs))
        return f"{med:.2f} [{lo:.2f}-{hi:.2f}]"

    def ratio(name, key):
        if not results[name][key] or not base[key]:
            return "n/a"
        b = statistics.median(base[key])
        return f"x{statistics.median(results[name][key]) / b:.2f}" if b else "n/a"

    rows = [("create+start+wait+delete (ms)", "total"),
            ("  create (ms)", "create"),
            ("  start (ms)", "start"),
            ("  wait for exit (ms)", "wait"),
            ("  delete (ms)", "delete"),
            ("run, end to end (ms)", "run")]
    for label, key in rows:
        print(fmt_row(label, [cell(n, key) for n in names] + [ratio(n, key) for n in others],
                      width))
    if timebin:
        print(fmt_row("peak RSS during create (MiB)",
                      [cell(n, "rss", 1 / 1024) for n in names]
                      + [ratio(n, "rss") for n in others], width))
    else:
        print(fmt_row("peak RSS during create", ["n/a: apt-get install time"], width))

    sizes = {}
    for rt in runtimes:
        real = os.path.realpath(rt.binary)
        sizes[rt.name] = (os.path.getsize(real), stripped_size(real, a.tmp), shared_libs(real))

    def size_row(label, idx):
        cells = [f"{sizes[n][idx] / 1024:.0f}" if sizes[n][idx] else "n/a" for n in names]
        b = sizes["skiff"][idx]
        cells += [f"x{sizes[n][idx] / b:.2f}" if b and sizes[n][idx] else "n/a" for n in others]
        print(fmt_row(label, cells, width))
    size_row("binary size, file (KiB)", 0)
    size_row("binary size, stripped (KiB)", 1)
    print(fmt_row("shared libraries (besides ld.so)",
                  [str(len(sizes[n][2])) for n in names], width))
    print()
    print("xR = that runtime's median / skiff's median: above 1 means skiff is faster"
          " or smaller.")
    if timebin:
        print(f"peak RSS: {a.rss_runs} creates each, by {timebin} (max RSS of `create` and the"
              f" children it reaps; floor: /bin/true measures {rss_floor / 1024:.2f} MiB).")
    for rt in runtimes:
        if sizes[rt.name][2]:
            print(f"{rt.name} links: {' '.join(sizes[rt.name][2])}")
        if rt.note:
            print(f"{rt.name}: {rt.note}")
    bad = False
    for name, errs in failures.items():
        if errs:
            bad = True
            print(f"{name}: {len(errs)} failed iterations (not timed); first: {errs[0]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
