"""Shared helpers of the reliability tests (corpus.py, concurrency.py,
killstages.py): a busybox bundle, running skiff, and the "nothing left
behind" checks (state dir, cgroup in any hierarchy, mount, process, fd,
files outside the bundle)."""
import json, os, shutil, signal, subprocess, tempfile, time

CG = '/sys/fs/cgroup'


def busybox():
    for p in ('/bin/busybox', '/usr/bin/busybox'):
        if os.path.exists(p):
            return p
    raise SystemExit('busybox-static is not installed')


def make_rootfs(path):
    os.makedirs(os.path.join(path, 'bin'))
    for d in ('proc', 'dev', 'sys', 'tmp', 'etc', 'root'):
        os.makedirs(os.path.join(path, d))
    shutil.copy(busybox(), os.path.join(path, 'bin', 'busybox'))
    for app in ('sh', 'sleep', 'true', 'cat'):
        os.symlink('busybox', os.path.join(path, 'bin', app))


class Env:
    """A work dir holding a bundle (rootfs + config.json) and a --root."""

    def __init__(self, skiff, token):
        self.skiff = skiff
        self.token = token
        self.work = tempfile.mkdtemp(prefix='skiff-%s-' % token)
        self.bundle = os.path.join(self.work, 'bundle')
        self.root = os.path.join(self.work, 'root')
        self.out = os.path.join(self.work, 'out')
        os.makedirs(self.out)
        make_rootfs(os.path.join(self.bundle, 'rootfs'))
        self.own = own_cgroups()
        self.top = set(os.listdir('/'))

    def run(self, args, timeout=120, env=None, root=None):
        """skiff --root ROOT ARGS; stdio to files (a created container's
        init inherits them, so pipes would never reach EOF)."""
        o = open(os.path.join(self.out, 'stdout'), 'w+')
        e = open(os.path.join(self.out, 'stderr'), 'w+')
        full = [self.skiff, '--root', root or self.root] + args
        try:
            p = subprocess.run(full, stdin=subprocess.DEVNULL, stdout=o, stderr=e,
                               timeout=timeout, env=env)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = 'hung'
        o.seek(0)
        e.seek(0)
        out, err = o.read(), e.read()
        o.close()
        e.close()
        return rc, out, err

    def cleanup(self):
        """Force-delete anything under the root, then remove the work dir."""
        if os.path.isdir(self.root):
            for cid in os.listdir(self.root):
                if not cid.startswith('#'):
                    self.run(['delete', '--force', cid])
        subprocess.run(['umount', '-R', '-l', self.work], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.work, ignore_errors=True)

    def leftovers(self, cid, cgroups_path=None, check_files=True):
        """Everything create may have made for cid that still exists."""
        left = []
        if self.token not in cid:
            cid = self.token     # a bad id: look for anything of this run
        if os.path.isdir(self.root):
            left += ['state dir %s/%s' % (self.root, n) for n in os.listdir(self.root)]
        for p in cgroup_candidates(self.own, cid, cgroups_path):
            if os.path.exists(p):
                left.append('cgroup ' + p)
        with open('/proc/self/mountinfo') as f:
            for line in f:
                if self.work in line or cid in line:
                    left.append('mount ' + line.split()[4])
        left += processes_touching(self.work, cid)
        if check_files:
            extra = set(os.listdir(self.work)) - {'bundle', 'root', 'out'}
            extra |= set(os.listdir(self.bundle)) - {'rootfs', 'config.json'}
            extra |= set(os.listdir('/')) - self.top
            left += ['file ' + n for n in sorted(extra)]
        return left


def own_cgroups():
    paths = set()
    with open('/proc/self/cgroup') as f:
        for line in f:
            p = line.rstrip('\n').split(':', 2)[2]
            while True:
                paths.add(p.rstrip('/') or '')
                if p in ('', '/'):
                    break
                p = os.path.dirname(p)
    return paths


def hierarchies():
    hs = [CG]
    for n in os.listdir(CG):
        p = os.path.join(CG, n)
        if os.path.isdir(p) and not os.path.islink(p):
            hs.append(p)
    return hs


def cgroup_candidates(own, cid, cgroups_path=None):
    out = []
    for h in hierarchies():
        for p in own:
            out.append('%s%s/%s' % (h, p, cid))
        if cgroups_path:
            cp = cgroups_path if cgroups_path.startswith('/') else '/' + cgroups_path
            out.append(h + cp)
            for p in own:
                out.append('%s%s%s' % (h, p, cp))
    return out


def cgroups_named(token):
    """Catch-all: every cgroup dir in any hierarchy whose name has token."""
    found = []
    for dirpath, dirs, _ in os.walk(CG):
        if dirpath.count('/') - CG.count('/') >= 8:
            dirs[:] = []
        found += [os.path.join(dirpath, d) for d in dirs if token in d]
    return sorted(found)


def processes_touching(work, cid):
    """Processes whose command line names cid, whose root or cwd is under
    work, or that hold an fd under work (skiff's own leaks)."""
    me = os.getpid()
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) == me:
            continue
        base = '/proc/' + pid
        try:
            with open(base + '/cmdline', 'rb') as f:
                cmd = f.read().replace(b'\0', b' ').decode(errors='replace')
            if cid in cmd and 'corpus.py' not in cmd:
                found.append('process %s: %s' % (pid, cmd.strip()))
                continue
            for link in ('root', 'cwd'):
                t = os.readlink(base + '/' + link)
                if t.startswith(work):
                    found.append('process %s: %s under %s' % (pid, link, t))
            for fd in os.listdir(base + '/fd'):
                try:
                    t = os.readlink(base + '/fd/' + fd)
                except OSError:
                    continue
                if t.startswith(work):
                    found.append('process %s: fd %s -> %s' % (pid, fd, t))
        except OSError:
            continue
    return found


def wait_stopped(pid, limit=60.0):
    """Poll /proc/pid/stat until the process is stopped (T); False if it
    exited or the (generous) limit passed."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            with open('/proc/%d/stat' % pid) as f:
                st = f.read().rsplit(')', 1)[1].split()[0]
        except OSError:
            return False
        if st in ('T', 't'):
            return True
        if st in ('Z', 'X'):
            return False
        time.sleep(0.01)
    return False


def kill(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def status_of(env, cid):
    rc, out, err = env.run(['state', cid])
    if rc != 0:
        return None, err.strip()
    return json.loads(out)['status'], out
