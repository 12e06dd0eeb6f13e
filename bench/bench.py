#!/usr/bin/env python3
"""Compare skiff with crun and runc in one run: every scenario of
bench/README.md (run, seccomp, create/start/delete, exec, state, list,
--version, features, peak RSS, density, concurrency) plus the kernel floor.
Prints a table, writes a markdown report and plots; asserts nothing.

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


def spawn(argv, capture=False, stdout=None):
    """Run argv; return (exit code, rusage of it and the children it
    reaped, stderr text).  wait4() gives the rusage of that one child.

    stderr goes to a file, not a pipe: the container process inherits it and
    keeps it open until /bin/true exits, so reading a pipe to EOF after
    `create` would wait for `start`, which never comes."""
    err = None
    if capture:
        err = open(ERRFILE, "w+b")
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=stdout if stdout is not None else subprocess.DEVNULL,
                             stderr=err if capture else subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        text = ""
        if capture:
            err.seek(0)
            text = err.read().decode(errors="replace")
        return p.returncode, ru, text
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
        self.unsupported = set()
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



def cpu_ms(ru):
    return (ru.ru_utime + ru.ru_stime) * 1000.0


def timed(argv, capture=True, stdout=None):
    """(wall ms, cpu ms, error or None) of one command."""
    t0 = time.perf_counter_ns()
    rc, ru, err = spawn(argv, capture=capture, stdout=stdout)
    wall = (time.perf_counter_ns() - t0) / 1e6
    if rc != 0:
        return wall, cpu_ms(ru), f"{' '.join(argv[3:5])}: exit {rc}: {err.strip()[-300:]}"
    return wall, cpu_ms(ru), None


# ---------------------------------------------------------------- scenarios
# Each returns {metric: value} (wall ms as "<name>", CPU ms as "<name>.cpu")
# or raises Failed.  cid is unique per call.

class Failed(Exception):
    pass


def check(res, rt, cid=None):
    wall, cpu, err = res
    if err:
        if cid:
            rt.cleanup(cid)
        raise Failed(err)
    return wall, cpu


def sc_run(rt, ctx, cid, bundle_key="bundle", name="run"):
    wall, cpu = check(timed(rt.cmd("run", "--bundle", ctx[bundle_key], cid)), rt, cid)
    if os.path.exists(os.path.join(rt.root, cid)):
        rt.cleanup(cid)
    return {name: wall, name + ".cpu": cpu}


def sc_run_seccomp(rt, ctx, cid):
    return sc_run(rt, ctx, cid, "bundle_seccomp", "run-seccomp")


def sc_lifecycle(rt, ctx, cid):
    pidfile = os.path.join(ctx["tmp"], "pid")
    out = {}
    w, c = check(timed(rt.cmd("create", "--bundle", ctx["bundle"], "--pid-file", pidfile, cid)),
                 rt, cid)
    out.update({"create": w, "create.cpu": c})
    with open(pidfile) as f:
        pid = int(f.read().strip())
    w, c = check(timed(rt.cmd("start", cid)), rt, cid)
    out.update({"start": w, "start.cpu": c})
    wait_pid(pid)
    w, c = check(timed(rt.cmd("delete", cid)), rt, cid)
    out.update({"delete": w, "delete.cpu": c})
    return out


def sc_exec(rt, ctx, cid):
    w, c = check(timed(rt.cmd("exec", ctx["sleeper"][rt.name], "/bin/true")), rt)
    return {"exec": w, "exec.cpu": c}


def sc_state(rt, ctx, cid):
    w, c = check(timed(rt.cmd("state", ctx["sleeper"][rt.name])), rt)
    return {"state": w, "state.cpu": c}


def sc_version(rt, ctx, cid):
    w, c = check(timed([rt.binary, "--version"]), rt)
    return {"--version": w, "--version.cpu": c}


def sc_features(rt, ctx, cid):
    """crun 1.8.1 has no `features`: noted once, not counted as failures."""
    if "features" in rt.unsupported:
        return {}
    res = timed(rt.cmd("features"))
    if res[2] and "unknown command" in res[2]:
        rt.unsupported.add("features")
        rt.note = "no `features` command"
        return {}
    w, c = check(res, rt)
    return {"features": w, "features.cpu": c}


def sc_rss(rt, ctx, cid):
    """Peak RSS (KiB) of `run`, by GNU time: not from our own wait4(): a
    child forked from Python starts with Python's resident pages and
    ru_maxrss survives execve."""
    out = os.path.join(ctx["tmp"], "rss")
    rc, _, err = spawn([ctx["time"], "-f", "%M", "-o", out,
                        *rt.cmd("run", "--bundle", ctx["bundle"], cid)], capture=True)
    if rc != 0:
        rt.cleanup(cid)
        raise Failed(f"run (rss): {err.strip()[-300:]}")
    with open(out) as f:
        return {"rss": int(f.read().split()[-1]) / 1024.0}


SCENARIOS = [sc_run, sc_run_seccomp, sc_lifecycle, sc_exec, sc_state, sc_version, sc_features]


def floor_round(ctx, i):
    """The kernel's floor: unshare(1) and bench/floor, same rootfs."""
    out = {}
    if ctx.get("floor"):
        w, c, err = timed([ctx["floor"], os.path.join(ctx["bundle"], "rootfs"),
                           f"skiff-bench-floor-{os.getpid()}-{i}"])
        if err is None:
            out.update({"floor": w, "floor.cpu": c})
    w, c, err = timed(["unshare", "-fpmuin", "--mount-proc", "/bin/true"])
    if err is None:
        out.update({"unshare": w, "unshare.cpu": c})
    return out


# ---------------------------------------------------------------- density

def meminfo_available_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 0


def runtime_processes(rt):
    """Processes of rt's binary working on rt's --root (a shim or monitor
    left per container would show here; other users of the same binary on
    the machine do not count)."""
    n = 0
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
                if os.path.basename(argv[0].decode(errors="replace")) == \
                        os.path.basename(rt.binary) and rt.root.encode() in argv:
                    n += 1
            except OSError:
                pass
    return n


def median_of(argv, k=5):
    xs = []
    for _ in range(k):
        w, _, err = timed(argv)
        if err:
            raise Failed(err)
        xs.append(w)
    return statistics.median(xs)


def density(rt, ctx, n, checkpoints):
    """n live containers (`run -d` of sleep): the time of each run -d, list
    and state times at the checkpoints, memory and resident runtime
    processes per container."""
    ids = []
    runs = []
    at = []
    mem0 = meminfo_available_kib()
    try:
        for i in range(1, n + 1):
            cid = f"d{i}-{rt.name}-{os.getpid()}"
            w, _ = check(timed(rt.cmd("run", "-d", "--bundle", ctx["bundle_sleep"], cid)), rt, cid)
            ids.append(cid)
            runs.append(w)
            if i in checkpoints:
                # The kernel's share of the growth: bench/floor (same
                # namespaces, mounts and cgroups, no runtime) with i live.
                fl = None
                if ctx.get("floor"):
                    try:
                        fl = median_of([ctx["floor"], os.path.join(ctx["bundle"], "rootfs"),
                                        f"skiff-bench-floor-{os.getpid()}-d{i}"])
                    except Failed:
                        pass
                at.append((i, median_of(rt.cmd("list")), median_of(rt.cmd("state", ids[0])), fl))
        mem = (mem0 - meminfo_available_kib()) / max(n, 1)
        resident = runtime_processes(rt)
        t0 = time.perf_counter_ns()
    finally:
        for cid in ids:
            spawn(rt.cmd("delete", "--force", cid))
    return {"runs": runs, "at": at, "mem_kib": mem, "resident": resident,
            "delete_all_s": (time.perf_counter_ns() - t0) / 1e9}


def concurrent(rt, ctx, k, tag):
    """k `run -d` started at once: wall time until all have returned (each
    returns when its container is running)."""
    ids = [f"c{tag}-{j}-{rt.name}-{os.getpid()}" for j in range(k)]
    t0 = time.perf_counter_ns()
    procs = [subprocess.Popen(rt.cmd("run", "-d", "--bundle", ctx["bundle_sleep"], cid),
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for cid in ids]
    bad = sum(1 for p in procs if p.wait() != 0)
    wall = (time.perf_counter_ns() - t0) / 1e6
    for cid in ids:
        spawn(rt.cmd("delete", "--force", cid))
    reap_strays()
    return wall, bad


# ---------------------------------------------------------------- output

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
    return [l.strip().split()[0] for l in out.splitlines()
            if l.strip() and "ld-linux" not in l and "linux-vdso" not in l]


def machine_line(view):
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} CPUs, kernel {platform.release()}, cgroups: {view}"


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# The targets: skiff / crun at most this (scenario metric -> ratio).
TARGETS = {"run": 0.6, "run.cpu": 0.6, "run-seccomp.cpu": 0.4, "create": 0.6, "start": 0.6,
           "delete": 0.6, "state": 0.6, "--version": 0.6, "features": 0.6, "rss": 0.6,
           "exec": 0.6, "list@max": 0.6}

ROWS = [("run /bin/true, wall (ms)", "run"), ("  CPU (ms)", "run.cpu"),
        ("run + default seccomp, wall (ms)", "run-seccomp"),
        ("  CPU (ms)", "run-seccomp.cpu"),
        ("create (ms)", "create"), ("  CPU (ms)", "create.cpu"),
        ("start (ms)", "start"), ("delete (ms)", "delete"),
        ("exec /bin/true (ms)", "exec"), ("  CPU (ms)", "exec.cpu"),
        ("state (ms)", "state"), ("list with the density's N live (ms)", "list@max"),
        ("--version (ms)", "--version"),
        ("features (ms)", "features"), ("peak RSS of run (MiB)", "rss")]


def cell(xs):
    if not xs:
        return "n/a"
    lo, med, hi = quantiles(xs)
    return f"{med:.2f} [{lo:.2f}-{hi:.2f}]"


def ratio(a, b):
    if not a or not b:
        return None
    mb = statistics.median(b)
    return statistics.median(a) / mb if mb else None


def table(results, names, floor):
    others = [n for n in names if n != "skiff"]
    head = ["scenario, median [p25-p75]"] + names + [f"skiff/{n}" for n in others]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, key in ROWS:
        cells = [cell(results[n].get(key, [])) for n in names]
        for n in others:
            r = ratio(results["skiff"].get(key), results[n].get(key))
            t = TARGETS.get(key) if n == "crun" else None
            mark = "" if r is None or t is None else (" ✓" if r <= t else f" ✗ (target {t})")
            cells.append("n/a" if r is None else f"{r:.2f}x{mark}")
        lines.append("| " + " | ".join([label] + cells) + " |")
    for key, label in (("floor", "bench/floor (same kernel work, no runtime)"),
                       ("unshare", "unshare -fpmuin --mount-proc /bin/true")):
        if floor.get(key):
            r = ratio(results["skiff"].get("run"), floor[key])
            lines.append(f"| floor: {label}, wall (ms) | {cell(floor[key])} "
                         + "| " * (len(head) - 2)
                         + f"skiff run / floor: {r:.2f}x |" if r else "|")
    return lines


def write_report(results_dir, stem, head, out, pngs):
    """The markdown report: the header block, the tables, the plots."""
    md = os.path.join(results_dir, stem + ".md")
    with open(md, "w") as f:
        f.write("# skiff bench " + stem + "\n\n```\n" + "\n".join(head) + "\n```\n")
        f.write("\n".join(out) + "\n\n")
        for p in pngs:
            f.write(f"![{os.path.basename(p)}]({os.path.basename(p)})\n\n"
                    if p.endswith(".png") else p + "\n")
    print(f"\nreport: {md}")


def gnuplot(tmp, outdir, stem, results, names, dens,
            plot_title="latency per scenario: median, quartiles, whiskers to 1.5 IQR"):
    """Latency distributions (box per runtime and scenario) and the density
    curve, as PNG; skipped with a note when gnuplot is missing."""
    gp = shutil.which("gnuplot")
    if not gp:
        return ["(plots skipped: gnuplot not installed; apt-get install gnuplot-nox)"]
    keys = [k for k in ("run", "run-seccomp", "create", "start", "delete", "exec", "state",
                        "features", "--version")
            if any(results[n].get(k) for n in names)]
    # Box statistics computed here and drawn as candlesticks: gnuplot's own
    # boxplot style refuses blocks of fewer than ~5 samples.  One data block
    # per runtime, one line per scenario: x q1 whisker-low whisker-high q3
    # median; whiskers reach the furthest sample within 1.5 IQR.
    data = os.path.join(tmp, "lat.dat")
    clauses = []
    with open(data, "w") as f:
        for ni, n in enumerate(names):
            for ki, k in enumerate(keys):
                xs = sorted(results[n].get(k, []))
                if not xs:
                    continue
                q1, med, q3 = quantiles(xs)
                iqr = q3 - q1
                lo = min(x for x in xs if x >= q1 - 1.5 * iqr)
                hi = max(x for x in xs if x <= q3 + 1.5 * iqr)
                pos = ki * (len(names) + 1) + ni
                f.write(f"{pos} {q1} {lo} {hi} {q3} {med}\n")
            f.write("\n\n")
    for ni, n in enumerate(names):
        clauses.append(f'"{data}" index {ni} using 1:2:3:4:5 with candlesticks whiskerbars '
                       f'lc {ni + 1} lw 1.5 title "{n}"')
        clauses.append(f'"{data}" index {ni} using 1:6:6:6:6 with candlesticks '
                       f'lc {ni + 1} lw 2.5 notitle')
    xt = ", ".join(f'"{k}" {ki * (len(names) + 1) + (len(names) - 1) / 2}'
                   for ki, k in enumerate(keys))
    png1 = os.path.join(outdir, stem + "-latency.png")
    script = f"""set terminal pngcairo size 1400,600 noenhanced
set output "{png1}"
set title "{plot_title}"
set ylabel "ms (log)"
set logscale y
set boxwidth 0.8
set xtics ({xt})
set xrange [-1:{len(keys) * (len(names) + 1) - 1}]
set key top left
plot {", ".join(clauses)}
"""
    notes = []
    if dens:
        dd = os.path.join(tmp, "dens.dat")
        png2 = os.path.join(outdir, stem + "-density.png")
        idx = [n for n in names if n in dens]
        # Points, then a running median over 25 containers per runtime: the
        # three clouds overlap, the lines are what one reads.
        with open(dd, "w") as f:
            for n in idx:
                for i, v in enumerate(dens[n]["runs"], 1):
                    f.write(f"{i} {v}\n")
                f.write("\n\n")
            for n in idx:
                runs = dens[n]["runs"]
                for i in range(len(runs)):
                    w = runs[max(0, i - 12):i + 13]
                    f.write(f"{i + 1} {statistics.median(w)}\n")
                f.write("\n\n")
        series = ", ".join(
            [f'"{dd}" index {i} using 1:2 with points pt 7 ps 0.25 lc {names.index(n) + 1} '
             'notitle' for i, n in enumerate(idx)]
            + [f'"{dd}" index {len(idx) + i} using 1:2 with lines lw 2.5 '
               f'lc {names.index(n) + 1} title "{n} run -d, running median of 25"'
               for i, n in enumerate(idx)])
        script += f"""set output "{png2}"
unset logscale y
set autoscale x
set title "density: time of the i-th run -d with i-1 containers live (dots: each run)"
set xlabel "containers live"
set ylabel "ms"
set xtics auto
set key on
plot {series}
"""
        notes.append(png2)
    sp = os.path.join(tmp, "plot.gp")
    with open(sp, "w") as f:
        f.write(script)
    r = subprocess.run([gp, sp], capture_output=True, text=True)
    if r.returncode != 0:
        for p in [png1] + notes:
            if os.path.exists(p) and os.path.getsize(p) == 0:
                os.unlink(p)
        return [f"(gnuplot failed: {r.stderr.strip()[-200:]})"]
    return [png1] + notes


def probe(rt, ctx, variants):
    """Find flags with which rt can run the bundle at all."""
    errors = []
    for extra in variants:
        rt.extra = list(extra)
        try:
            sc_run(rt, ctx, f"bench-probe-{rt.name}-{os.getpid()}")
            reap_strays()
            return True, errors
        except Failed as e:
            errors.append(f"{' '.join(extra) or '(default flags)'}: "
                          f"{str(e).splitlines()[-1] if str(e) else 'failed'}")
    return False, errors


# ---------------------------------------------------------------- VM mode

VM_ROWS = [("run /bin/true", "run"), ("run + default seccomp", "run-seccomp"),
           ("create", "create"), ("start", "start"), ("delete", "delete"),
           ("exec /bin/true", "exec"), ("state", "state"), ("--version", "--version")]


def vm_report(a):
    """The VM bench (run.sh --vm): vm-guest.sh's `# bench SCENARIO RUNTIME
    WALL_US CPU_US EXIT` lines from the serial log -> ratios only."""
    results, info, fails, errors = {}, [], {}, {}
    with open(a.vm_log, errors="replace") as f:
        for line in f:
            line = line.strip().replace("\r", "")
            if line.startswith("# bench "):
                parts = line.split()
                if len(parts) != 7:
                    continue
                sc, rt, wall, cpu, rc = parts[2], parts[3], int(parts[4]), int(parts[5]), parts[6]
                if sc.startswith("warmup-"):
                    continue
                if rc != "0":
                    fails.setdefault(rt, []).append(f"{sc}: exit {rc}")
                    continue
                r = results.setdefault(rt, {})
                r.setdefault(sc, []).append(wall / 1000.0)
                r.setdefault(sc + ".cpu", []).append(cpu / 1000.0)
            elif line.startswith("# bench-error "):
                parts = line.split(None, 4)
                if len(parts) == 5 and not parts[2].startswith("warmup-"):
                    errors.setdefault(parts[3].rstrip(":"), []).append(
                        f"{parts[2]}: {parts[4]}")
            elif line.startswith(("# bench-info", "# bench-version", "# bench-skip",
                                  "# skiff-vm:", "check-vm: accel", "ok ", "not ok ")):
                info.append(line)
    names = [n for n in ("skiff", "crun", "runc") if n in results]
    stamp = datetime.datetime.now(datetime.timezone.utc)
    head = [f"skiff bench in the cgroup v2 VM  {stamp:%Y-%m-%d %H:%M UTC}",
            f"host         {machine_line('host, running the VM')}",
            f"rounds       {a.n} timed (+1 warm-up) in the guest, runtimes in an order rotating "
            "each round, same bundles and config.json for all",
            *info]
    print("\n".join(head))
    if "skiff" not in results:
        print("bench: no skiff measurement in the VM log (see the guest output above)",
              file=sys.stderr)
        return 1
    others = [n for n in names if n != "skiff"]
    hdr = ["scenario (ratio of medians, TCG emulation)"]
    for n in others:
        hdr += [f"skiff/{n} wall", f"skiff/{n} CPU"]
    out = ["", "| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    for label, key in VM_ROWS:
        cells = []
        for n in others:
            for k in (key, key + ".cpu"):
                r = ratio(results["skiff"].get(k), results[n].get(k))
                cells.append("n/a" if r is None else f"{r:.2f}x")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out += ["", "samples per cell: " + ", ".join(
        f"{n} {len(results[n].get('run', []))}" for n in names) + " (run row)",
        f"host load average (1/5/15 min): {a.load_before or '?'} before, {loadavg()} after.",
        "Emulated times (qemu TCG) are not comparable with anything; only the ratios "
        "are reported.  skiff/X below 1: skiff is faster."]
    for n, errs in fails.items():
        why = errors.get(n, [errs[0]])[0]
        out.append(f"{n}: {len(errs)} failed commands (not timed); first: {why}")
    print("\n".join(out))
    if a.results:
        os.makedirs(a.results, exist_ok=True)
        stem = stamp.strftime("%Y%m%d-%H%M%S") + "-vm"
        pngs = gnuplot(a.tmp, a.results, stem, results, names, {},
                       plot_title="VM (TCG emulation): latency per scenario, emulated ms; "
                             "compare runtimes, not values")
        write_report(a.results, stem, head, out, pngs)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=50, help="timed rounds (default 50)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed rounds first (default 3)")
    ap.add_argument("--rss-runs", type=int, default=10)
    ap.add_argument("--density", type=int, default=1000,
                    help="live containers for the density curve (0: skip)")
    ap.add_argument("--concurrency", default="20,100",
                    help="concurrent run -d batch sizes (empty: skip)")
    ap.add_argument("--skiff", required=True)
    ap.add_argument("--crun", default=shutil.which("crun"))
    ap.add_argument("--runc", default=shutil.which("runc"))
    ap.add_argument("--floor", help="bench/floor binary")
    ap.add_argument("--bundle")
    ap.add_argument("--bundle-seccomp")
    ap.add_argument("--bundle-sleep")
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--view", default="host", help="what cgroup layout the runtimes see")
    ap.add_argument("--results", help="directory for the markdown report and plots")
    ap.add_argument("--vm-log", help="report the VM bench from this serial log (run.sh --vm)")
    ap.add_argument("--load-before", help="load average when the VM bench started")
    a = ap.parse_args()
    if a.vm_log:
        return vm_report(a)
    if not (a.bundle and a.bundle_seccomp and a.bundle_sleep):
        ap.error("--bundle, --bundle-seccomp and --bundle-sleep are required")

    global ERRFILE
    ERRFILE = os.path.join(a.tmp, "stderr")
    set_subreaper()
    signal.signal(signal.SIGTERM, on_term)
    ctx = {"bundle": a.bundle, "bundle_seccomp": a.bundle_seccomp,
           "bundle_sleep": a.bundle_sleep, "tmp": a.tmp, "floor": a.floor,
           "time": "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None}
    load_before = loadavg()

    candidates = [("skiff", a.skiff, [[]])]
    skipped = []
    for name, binary, variants in (
        ("crun", a.crun, [[], ["--cgroup-manager=cgroupfs"]]),
        ("runc", a.runc, [[]]),
    ):
        if binary and os.access(binary, os.X_OK):
            candidates.append((name, binary, variants))
        else:
            skipped.append((name, "not installed", []))
    runtimes = []
    for name, binary, variants in candidates:
        rt = Runtime(name, binary, a.tmp)
        ok, errors = probe(rt, ctx, variants)
        if ok:
            runtimes.append(rt)
        else:
            skipped.append((name, rt.version(), errors))
    if not runtimes or runtimes[0].name != "skiff":
        for name, ver, errs in skipped:
            print(f"{name}: {ver}: " + "; ".join(errs), file=sys.stderr)
        die("skiff cannot run the bench bundle: nothing to compare")
    names = [rt.name for rt in runtimes]

    head = [f"skiff bench  {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
            f"machine      {machine_line(a.view)}"]
    for rt in runtimes:
        extra = f"  [{' '.join(rt.extra)}]" if rt.extra else ""
        head.append(f"runtime      {rt.name}: {rt.binary}: {rt.version()}{extra}")
    for name, ver, errs in skipped:
        head.append(f"not compared {name}: {ver}" + "".join(f"; {e}" for e in errs))
    head.append(f"rounds       {a.n} timed (+{a.warmup} warm-up), every scenario once per "
                "runtime per round, order rotating; same bundle and config.json for all")
    print("\n".join(head))
    sys.stdout.flush()

    results = {n: {} for n in names}
    floor = {}
    failures = {n: [] for n in names}
    dens = {}
    conc = {}
    ctx["sleeper"] = {}
    try:
        for rt in runtimes:
            cid = f"sleeper-{rt.name}-{os.getpid()}"
            check(timed(rt.cmd("run", "-d", "--bundle", a.bundle_sleep, cid)), rt, cid)
            ctx["sleeper"][rt.name] = cid
        for i in range(a.warmup + a.n):
            order = runtimes[i % len(runtimes):] + runtimes[:i % len(runtimes)]
            for sc in SCENARIOS:
                for rt in order:
                    try:
                        res = sc(rt, ctx, f"b{i}-{sc.__name__[3:]}-{rt.name}-{os.getpid()}")
                    except Failed as e:
                        failures[rt.name].append(str(e))
                        continue
                    finally:
                        reap_strays()
                    if i >= a.warmup:
                        for k, v in res.items():
                            results[rt.name].setdefault(k, []).append(v)
            if i >= a.warmup:
                for k, v in floor_round(ctx, i).items():
                    floor.setdefault(k, []).append(v)
        if ctx["time"]:
            for i in range(a.rss_runs):
                for rt in runtimes:
                    try:
                        res = sc_rss(rt, ctx, f"rss{i}-{rt.name}-{os.getpid()}")
                        results[rt.name].setdefault("rss", []).append(res["rss"])
                    except Failed as e:
                        failures[rt.name].append(str(e))
                    reap_strays()
        for rt in runtimes:
            rt.cleanup(ctx["sleeper"].pop(rt.name))
        for k in [int(x) for x in a.concurrency.split(",") if x.strip()]:
            for rep in range(3):
                for rt in runtimes:
                    wall, bad = concurrent(rt, ctx, k, f"{k}r{rep}")
                    conc.setdefault((rt.name, k), []).append(wall)
                    if bad:
                        failures[rt.name].append(f"concurrent {k}: {bad} run -d failed")
        if a.density > 0:
            cps = sorted({1, 10, 100, 250, 500, 750, a.density} & set(range(1, a.density + 1)))
            for rt in runtimes:
                print(f"density: {rt.name}, {a.density} containers ...", file=sys.stderr)
                try:
                    dens[rt.name] = density(rt, ctx, a.density, set(cps))
                    top = dens[rt.name]["at"][-1]
                    results[rt.name]["list@max"] = [top[1]]
                except Failed as e:
                    failures[rt.name].append(f"density: {e}")
                reap_strays()
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        for rt in runtimes:
            delete_all(rt)
        reap_strays()

    out = ["", *table(results, names, floor)]
    if conc:
        out += ["", "| concurrent `run -d`, wall until all running (ms, median of 3) | "
                + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
        for k in sorted({k for _, k in conc}):
            out.append(f"| {k} at once | " + " | ".join(
                f"{statistics.median(conc[(n, k)]):.0f}" if (n, k) in conc else "n/a"
                for n in names) + " |")
    if dens:
        out += ["", f"| density ({a.density} live `sleep` containers) | "
                + " | ".join(n for n in names if n in dens) + " |",
                "|---|" + "---|" * len(dens)]
        dn = [n for n in names if n in dens]
        first = lambda n: statistics.median(dens[n]["runs"][:10])
        last = lambda n: statistics.median(dens[n]["runs"][-10:])
        out.append("| run -d, first 10 / last 10 (ms) | " + " | ".join(
            f"{first(n):.1f} / {last(n):.1f} ({last(n) / first(n):.2f}x)" for n in dn) + " |")
        for j, (cnt, _, _, _) in enumerate(dens[dn[0]]["at"]):
            out.append(f"| list / state with {cnt} live (ms) | " + " | ".join(
                f"{dens[n]['at'][j][1]:.1f} / {dens[n]['at'][j][2]:.1f}"
                if j < len(dens[n]["at"]) else "n/a" for n in dn) + " |")
        if all(dens[n]["at"] and dens[n]["at"][0][3] for n in dn):
            out.append("| bench/floor with 1 / N live (ms), during this runtime's curve | "
                       + " | ".join(
                           f"{dens[n]['at'][0][3]:.1f} / {dens[n]['at'][-1][3]:.1f} "
                           f"({dens[n]['at'][-1][3] / dens[n]['at'][0][3]:.2f}x)"
                           for n in dn) + " |")
        out.append("| memory per container (KiB, MemAvailable drop / N) | " + " | ".join(
            f"{dens[n]['mem_kib']:.0f}" for n in dn) + " |")
        out.append("| runtime processes resident with all live | " + " | ".join(
            str(dens[n]["resident"]) for n in dn) + " |")
        out.append("| delete --force of all (s) | " + " | ".join(
            f"{dens[n]['delete_all_s']:.1f}" for n in dn) + " |")
    out += ["", "| binary | file (KiB) | stripped (KiB) | shared libraries |", "|---|---|---|---|"]
    for rt in runtimes:
        real = os.path.realpath(rt.binary)
        st = stripped_size(real, a.tmp)
        out.append(f"| {rt.name} | {os.path.getsize(real) / 1024:.0f} | "
                   f"{st / 1024:.0f} | {' '.join(shared_libs(real))} |" if st else
                   f"| {rt.name} | {os.path.getsize(real) / 1024:.0f} | n/a | |")
    load_after = loadavg()
    out += ["", f"load average (1/5/15 min): {load_before} before, {load_after} after.",
            "skiff/X: skiff's median divided by X's (below 1: skiff is faster or smaller); "
            "✓/✗ against the target for crun (bench/README.md)."]
    for rt in runtimes:
        if rt.note:
            out.append(f"{rt.name}: {rt.note} (its row is n/a)")
    for n, errs in failures.items():
        if errs:
            out.append(f"{n}: {len(errs)} failed iterations (not timed); first: {errs[0]}")
    print("\n".join(out))
    if a.results:
        os.makedirs(a.results, exist_ok=True)
        stem = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
        pngs = gnuplot(a.tmp, a.results, stem, results, names, dens)
        write_report(a.results, stem, head, out, pngs)
    return 1 if any(failures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
