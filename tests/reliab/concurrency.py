#!/usr/bin/env python3
"""Concurrency tests: usage concurrency.py SKIFF SRCDIR.

1. 200 lifecycles (create, state, start, wait stopped, delete) by 8
   workers with distinct ids, while a 9th lists the root again and again
   (every `list` must succeed and be valid JSON).
2. Colliding ids: 25 rounds of 8 workers creating the same id: exactly one
   wins, the others fail with `already exists` and do not disturb it (it is
   still `created` with its init alive afterwards).
3. delete racing create: 40 rounds of a create and a `delete --force` of
   the same id started together: whichever wins, the state is consistent
   (a state dir left is a working `created` container; no state dir means
   no cgroup, process or mount of it).
4. kill, state and delete --force racing each other on a created
   container: each gives success or a clean error, never a crash or hang.
Prints `N passed, N failed`.
"""
import json, os, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rlib

SKIFF, SRC = sys.argv[1], sys.argv[2]
TOKEN = 'skc%d' % os.getpid()
env = rlib.Env(SKIFF, TOKEN)
base = json.load(open(os.path.join(SRC, 'tests/reliab/base-config.json')))
base['process']['args'] = ['true']
with open(os.path.join(env.bundle, 'config.json'), 'w') as f:
    json.dump(base, f)
passed = failed = 0
lock = threading.Lock()


def report(name, problems):
    global passed, failed
    if problems:
        failed += 1
        print('not ok - %s' % name)
        for p in problems[:20]:
            print('#   ' + p)
    else:
        passed += 1
        print('ok - %s' % name)
    sys.stdout.flush()


def sk(*args):
    """Run skiff with its own stdio files (threads must not share them)."""
    import subprocess, tempfile
    with tempfile.TemporaryFile('w+') as o, tempfile.TemporaryFile('w+') as e:
        try:
            p = subprocess.run([SKIFF, '--root', env.root] + list(args), stdin=subprocess.DEVNULL,
                               stdout=o, stderr=e, timeout=120)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = 'hung'
        o.seek(0)
        e.seek(0)
        return rc, o.read(), e.read()


def crashed(rc):
    return rc == 'hung' or (isinstance(rc, int) and rc < 0)


def state(cid):
    rc, out, err = sk('state', cid)
    return (json.loads(out) if rc == 0 else None), rc, err


def lifecycle(cid):
    probs = []
    rc, _, err = sk('create', '--bundle', env.bundle, cid)
    if rc != 0:
        return ['%s: create: %s %s' % (cid, rc, err.strip())]
    st, rc, err = state(cid)
    if st is None or st['status'] != 'created':
        probs.append('%s: state after create: %s' % (cid, st or err))
    rc, _, err = sk('start', cid)
    if rc != 0:
        probs.append('%s: start: %s' % (cid, err.strip()))
    end = time.monotonic() + 60
    while time.monotonic() < end:
        st, rc, err = state(cid)
        if st is None or st['status'] == 'stopped':
            break
        time.sleep(0.02)
    if st is None or st['status'] != 'stopped':
        probs.append('%s: never stopped: %s' % (cid, st or err))
    rc, _, err = sk('delete', cid)
    if rc != 0:
        probs.append('%s: delete: %s' % (cid, err.strip()))
    return probs


def test_distinct():
    stop = threading.Event()
    list_probs = []
    nlist = [0]

    def lister():
        while not stop.is_set():
            rc, out, err = sk('list', '--format', 'json')
            nlist[0] += 1
            try:
                ok = rc == 0 and isinstance(json.loads(out or 'null'), (list, type(None)))
            except ValueError:
                ok = False
            if not ok:
                list_probs.append('list: rc %s out %r err %r' % (rc, out[:200], err.strip()))
    t = threading.Thread(target=lister)
    t.start()
    t0 = time.monotonic()
    with ThreadPoolExecutor(8) as ex:
        results = list(ex.map(lifecycle, ['%s-d%d' % (TOKEN, i) for i in range(200)]))
    stop.set()
    t.join()
    probs = [p for r in results for p in r]
    print('# 200 lifecycles by 8 workers: %.1fs, %d concurrent lists' %
          (time.monotonic() - t0, nlist[0]))
    report('200 lifecycles, 8 workers, distinct ids', probs)
    report('list while containers come and go (%d lists, all valid JSON)' % nlist[0], list_probs)
    report('nothing left after the distinct lifecycles', env.leftovers(TOKEN + '-d'))


def test_colliding():
    probs = []
    for r in range(25):
        cid = '%s-c%d' % (TOKEN, r)
        with ThreadPoolExecutor(8) as ex:
            res = list(ex.map(lambda _: sk('create', '--bundle', env.bundle, cid), range(8)))
        wins = [x for x in res if x[0] == 0]
        if len(wins) != 1:
            probs.append('%s: %d creates won' % (cid, len(wins)))
        for rc, _, err in res:
            if rc != 0 and ('container `%s` already exists' % cid) not in err:
                probs.append('%s: loser: rc %s `%s`' % (cid, rc, err.strip()))
        st, rc, err = state(cid)
        if st is None or st['status'] != 'created' or not os.path.exists('/proc/%d' % st['pid']):
            probs.append('%s: winner disturbed: %s' % (cid, st or err))
        rc, _, err = sk('delete', '--force', cid)
        if rc != 0:
            probs.append('%s: delete: %s' % (cid, err.strip()))
        probs += env.leftovers(cid)
    report('colliding ids: 25 rounds x 8 creates, exactly one wins each', probs)


def test_delete_vs_create():
    probs = []
    outcomes = {}
    for r in range(40):
        cid = '%s-r%d' % (TOKEN, r)
        with ThreadPoolExecutor(2) as ex:
            fc = ex.submit(sk, 'create', '--bundle', env.bundle, cid)
            fd = ex.submit(sk, 'delete', '--force', cid)
            c, d = fc.result(), fd.result()
        for what, (rc, _, err) in (('create', c), ('delete', d)):
            if crashed(rc):
                probs.append('%s: %s crashed or hung: %s' % (cid, what, rc))
        if d[0] != 0 and 'does not exist' not in d[2]:
            probs.append('%s: delete: `%s`' % (cid, d[2].strip()))
        key = ('create ok' if c[0] == 0 else 'create failed') + ', ' + \
              ('delete ok' if d[0] == 0 else 'delete: does not exist')
        outcomes[key] = outcomes.get(key, 0) + 1
        exists = os.path.isdir(os.path.join(env.root, cid))
        if exists:
            st, rc, err = state(cid)
            if st is None or st['status'] != 'created':
                probs.append('%s: left in state %s' % (cid, st or err))
            sk('delete', '--force', cid)
        elif c[0] == 0 and d[0] != 0:
            probs.append('%s: create succeeded, delete did not, yet the container is gone' % cid)
        probs += env.leftovers(cid)
    print('# delete vs create outcomes: %s' % outcomes)
    report('delete racing create: 40 rounds, consistent whoever wins', probs)


def test_kill_state_delete():
    probs = []
    for r in range(20):
        cid = '%s-k%d' % (TOKEN, r)
        rc, _, err = sk('create', '--bundle', env.bundle, cid)
        if rc != 0:
            probs.append('%s: create: %s' % (cid, err.strip()))
            continue
        jobs = [('kill', cid, 'KILL'), ('state', cid), ('delete', '--force', cid),
                ('state', cid), ('kill', cid, 'TERM'), ('list',)]
        with ThreadPoolExecutor(len(jobs)) as ex:
            res = list(ex.map(lambda j: (j, sk(*j)), jobs))
        for j, (rc, out, err) in res:
            if crashed(rc):
                probs.append('%s: %s crashed or hung: %s' % (cid, j[0], rc))
            elif rc != 0 and not any(s in err for s in (
                    'does not exist', 'not running', 'no such process', 'container not running')):
                probs.append('%s: %s: `%s`' % (cid, ' '.join(j), err.strip()))
        sk('delete', '--force', cid)
        probs += env.leftovers(cid)
    report('kill, state and delete --force racing: 20 rounds', probs)


t_all = time.monotonic()
try:
    test_distinct()
    test_colliding()
    test_delete_vs_create()
    test_kill_state_delete()
    stray = rlib.cgroups_named(TOKEN)
    report('no cgroup of this run anywhere', ['cgroup ' + s for s in stray])
finally:
    env.cleanup()
print('# concurrency: %.1fs' % (time.monotonic() - t_all))
print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
