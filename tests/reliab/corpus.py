#!/usr/bin/env python3
"""The hostile corpus through `skiff create`: usage corpus.py SKIFF SRCDIR.

Cases: spec-fixtures/invalid/*.json and spec-fixtures/hostile/*.json (each
with NAME.err, a line the error must contain, or NAME.ok: create must
succeed, then `state` says created and `delete --force` works), and the
bundle-shape and command-line cases below (FIFOs, symlinks, huge files,
bad ids, bad options).  After every case: the exit status and the one-line
error (or success), and nothing left behind: no state dir, no cgroup in
any hierarchy, no mount, no process, no fd, no file outside the bundle.
Prints `N passed, N failed` and exits non-zero on any failure.
"""
import json, os, socket, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rlib

SKIFF, SRC = sys.argv[1], sys.argv[2]
TOKEN = 'skh%d' % os.getpid()
env = rlib.Env(SKIFF, TOKEN)
CFG = os.path.join(env.bundle, 'config.json')
BASE = open(os.path.join(SRC, 'tests/reliab/base-config.json'), 'rb').read()
passed = failed = 0
seq = 0


def rm(path):
    if os.path.isdir(path) and not os.path.islink(path):
        os.rmdir(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _is_fifo(path):
    import stat
    try:
        return stat.S_ISFIFO(os.lstat(path).st_mode)
    except OSError:
        return False


def one(name, config, expect, args=None, cid=None, setup=None, undo=None, cgpath=None):
    """Run one case; expect is an error substring or None for success."""
    global passed, failed, seq
    seq += 1
    cid = cid if cid is not None else '%s-%d' % (TOKEN, seq)
    if os.path.lexists(CFG):
        rm(CFG)
    if config is not None:
        with open(CFG, 'wb') as f:
            f.write(config)
    if setup:
        setup()
    t0 = time.monotonic()
    rc, out, err = env.run(['create', '--bundle', env.bundle] + (args or []) + [cid])
    dt = time.monotonic() - t0
    problems = []
    lines = [l for l in err.splitlines() if l.strip()]
    if rc == 'hung':
        problems.append('create hung (killed after 120 s)')
    elif expect is None:
        if rc != 0:
            problems.append('create failed: %s' % err.strip())
        else:
            st, why = rlib.status_of(env, cid)
            if st != 'created':
                problems.append('state after create: %s %s' % (st, why))
            drc, _, derr = env.run(['delete', '--force', cid])
            if drc != 0:
                problems.append('delete --force: %s' % derr.strip())
    else:
        if rc == 0:
            problems.append('create succeeded, expected `%s`' % expect)
            env.run(['delete', '--force', cid])
        elif expect not in err:
            problems.append('error `%s`, expected `%s`' % (err.strip(), expect))
        elif len(lines) != 1:
            problems.append('error is %d lines: %r' % (len(lines), err))
    if undo:
        undo()
    problems += env.leftovers(cid, cgpath)
    if problems:
        failed += 1
        print('not ok %d %s (%.2fs)' % (seq, name, dt))
        for p in problems:
            print('#   ' + p)
        env.cleanup_state()
    else:
        passed += 1
        print('ok %d %s (%.2fs)' % (seq, name, dt))


def cgroups_path_of(text):
    try:
        return json.loads(text).get('linux', {}).get('cgroupsPath')
    except Exception:
        return None


def fixture_cases():
    for sub in ('invalid', 'hostile'):
        d = os.path.join(SRC, 'spec-fixtures', sub)
        for n in sorted(os.listdir(d)):
            if not n.endswith('.json'):
                continue
            stem = os.path.join(d, n[:-5])
            text = open(stem + '.json', 'rb').read()
            if os.path.exists(stem + '.ok'):
                expect = None
            else:
                expect = open(stem + '.err').read().splitlines()[0]
            yield '%s/%s' % (sub, n[:-5]), text, expect, cgroups_path_of(text)


def shape_cases():
    """Bundles and command lines no config file can express."""
    b = env.bundle
    rootfs = os.path.join(b, 'rootfs')
    alt = os.path.join(env.work, 'rootfs-real')
    fifo = os.path.join(env.work, 'fifo')
    sock = os.path.join(env.work, 'sock')
    with_root = lambda p: BASE.replace(b'"path": "rootfs"', b'"path": "%s"' % p.encode())

    def swap_rootfs():
        os.rename(rootfs, alt)
        os.symlink(alt, rootfs)

    def unswap_rootfs():
        os.unlink(rootfs)
        os.rename(alt, rootfs)

    yield dict(name='shape/config-fifo', config=None, expect='not a regular file',
               setup=lambda: os.mkfifo(CFG), undo=lambda: rm(CFG))
    yield dict(name='shape/config-directory', config=None, expect='not a regular file',
               setup=lambda: os.mkdir(CFG), undo=lambda: rm(CFG))
    yield dict(name='shape/config-symlink-dev-zero', config=None, expect='not a regular file',
               setup=lambda: os.symlink('/dev/zero', CFG), undo=lambda: rm(CFG))
    yield dict(name='shape/config-missing', config=None, expect='config.json')
    yield dict(name='shape/config-65MiB-sparse', config=None, expect='larger than',
               setup=lambda: open(CFG, 'wb').truncate(65 << 20))
    deep = b'{"annotations": ' + b'[' * 300000 + b']' * 300000 + b'}'
    yield dict(name='shape/config-300k-levels', config=deep,
               expect='config.json: parse error: nested deeper than 10000 levels')
    yield dict(name='shape/rootfs-symlink', config=BASE, expect='is a symbolic link: refused',
               setup=swap_rootfs, undo=unswap_rootfs)
    yield dict(name='shape/rootfs-symlink-trailing-slash', config=with_root('rootfs/'),
               expect='is a symbolic link: refused', setup=swap_rootfs, undo=unswap_rootfs)
    yield dict(name='shape/rootfs-is-file', config=with_root('config.json'),
               expect='Not a directory')
    yield dict(name='shape/rootfs-dev-null', config=with_root('/dev/null'), expect='root.path')
    yield dict(name='shape/bundle-missing', config=BASE, expect='bundle',
               args=['--bundle', '/nonexistent-skiff-bundle'])
    yield dict(name='shape/preserve-fds-int-max', config=BASE,
               expect='exceed the open file limit', args=['--preserve-fds', '2147483647'])
    yield dict(name='shape/preserve-fds-over-limit', config=BASE,
               expect='exceed the open file limit', args=['--preserve-fds', '1048576'])
    yield dict(name='shape/preserve-fds-negative', config=BASE, expect='preserve-fds',
               args=['--preserve-fds', '-1'])
    yield dict(name='shape/preserve-fds-junk', config=BASE, expect='preserve-fds',
               args=['--preserve-fds', '12abc'])
    for i, bad in enumerate(['', '..', '.', 'a/b', 'a b', 'x' * 2000, 'a\nb', '../../etc',
                             'id;rm', 'ü']):
        yield dict(name='shape/bad-id-%d' % i, config=BASE, expect='invalid container id',
                   cid=bad)
    yield dict(name='shape/pid-file-missing-dir', config=BASE, expect='pid file',
               args=['--pid-file', '/nonexistent-skiff-dir/pid'])
    yield dict(name='shape/console-socket-fifo', config=BASE, expect='console socket',
               args=['--console-socket', fifo], setup=lambda: os.mkfifo(fifo),
               undo=lambda: rm(fifo))
    yield dict(name='shape/console-socket-missing', config=BASE, expect='console socket',
               args=['--console-socket', sock])

    def listen_full():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(sock)
        s.listen(0)
        held.append(s)
        # Fill the backlog so a blocking connect would wait forever.
        for _ in range(4):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect(sock)
            except OSError:
                pass
            held.append(c)

    def unlisten():
        for s in held:
            s.close()
        held.clear()
        rm(sock)
    held = []
    yield dict(name='shape/console-socket-never-accepts', config=BASE,
               expect='not accepting connections', args=['--console-socket', sock],
               setup=listen_full, undo=unlisten)
    yield dict(name='shape/log-fifo-no-reader', config=BASE, expect='open log file',
               global_args=['--log', fifo], setup=lambda: os.mkfifo(fifo),
               undo=lambda: rm(fifo))


def run_shape(c):
    args = c.get('args', [])
    if c.get('global_args'):
        # Global flags come before the command: run by hand.
        global passed, failed, seq
        seq += 1
        cid = '%s-%d' % (TOKEN, seq)
        with open(CFG, 'wb') as f:
            f.write(c['config'])
        c['setup']()
        rc, _, err = env.run(c['global_args'] + ['--root', env.root, 'create', '--bundle',
                                                   env.bundle, cid])
        c['undo']()
        problems = []
        if rc in (0, 'hung') or c['expect'] not in err:
            problems.append('rc %s error `%s`, expected `%s`' % (rc, err.strip(), c['expect']))
        problems += env.leftovers(cid)
        if problems:
            failed += 1
            print('not ok %d %s' % (seq, c['name']))
            for p in problems:
                print('#   ' + p)
        else:
            passed += 1
            print('ok %d %s' % (seq, c['name']))
        return
    one(c['name'], c['config'], c['expect'], args=args, cid=c.get('cid'),
        setup=c.get('setup'), undo=c.get('undo'))


def cleanup_state():
    if os.path.isdir(env.root):
        for cid in os.listdir(env.root):
            if not cid.startswith('#'):
                env.run(['delete', '--force', cid])


env.cleanup_state = cleanup_state
t_all = time.monotonic()
try:
    n = 0
    for name, text, expect, cgpath in fixture_cases():
        one(name, text, expect, cgpath=cgpath)
        n += 1
    for c in shape_cases():
        run_shape(c)
        n += 1
    # Catch-all: any cgroup named for this run, anywhere.
    stray = rlib.cgroups_named(TOKEN)
    if stray:
        failed += 1
        print('not ok %d no cgroup of this run anywhere: %s' % (seq + 1, ' '.join(stray)))
    else:
        passed += 1
        print('ok %d no cgroup of this run anywhere' % (seq + 1))
    print('# corpus: %d cases in %.1fs' % (n, time.monotonic() - t_all))
finally:
    env.cleanup()
print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
