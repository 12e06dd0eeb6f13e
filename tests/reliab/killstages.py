#!/usr/bin/env python3
"""Kill `create` at every named stage: usage killstages.py SKIFF SRCDIR.

SKIFF must be built with --enable-test-hooks: SKIFF_TEST_STOP_AT=STAGE
makes create stop itself (SIGSTOP) there; this test waits until /proc
says it is stopped, SIGKILLs it, and checks that `state` tells the truth
and that `delete --force` removes every trace (state dir, cgroup in any
hierarchy, mount, process, fd).  Prints `N passed, N failed`.
"""
import json, os, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rlib

SKIFF, SRC = sys.argv[1], sys.argv[2]
TOKEN = 'skk%d' % os.getpid()
env = rlib.Env(SKIFF, TOKEN)
base = json.load(open(os.path.join(SRC, 'tests/reliab/base-config.json')))
# A createRuntime hook, so that the `hooks` stage is a real one.
base['hooks'] = {'createRuntime': [{'path': '/bin/true'}]}
with open(os.path.join(env.bundle, 'config.json'), 'w') as f:
    json.dump(base, f)

# stage -> what `state` must say once create is dead (polled: an init
# whose parent died exits on the closed sync socket).
STAGES = [
    ('claim', 'does not exist'),     # not yet visible under its id
    ('published', 'stopped'),        # dir + lock, creator gone
    ('config', 'stopped'),
    ('cgroup-intent', 'stopped'),    # intent.json on disk, no cgroup yet
    ('cgroup', 'stopped'),           # cgroup made, known from intent.json
    ('spawned', 'stopped'),          # init cloned into it
    ('pid', 'stopped'),
    ('state', 'stopped'),            # state.json written, init waiting
    ('hooks', 'stopped'),
    ('ready', 'created'),            # fully created: the truth is created
]
passed = failed = 0


def check_stage(n, stage, want):
    cid = '%s-%d' % (TOKEN, n)
    probs = []
    e = dict(os.environ, SKIFF_TEST_STOP_AT=stage)
    out = open(os.path.join(env.out, 'create.out'), 'w')
    p = subprocess.Popen([SKIFF, '--root', env.root, 'create', '--bundle', env.bundle, cid],
                         stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=e)
    if not rlib.wait_stopped(p.pid):
        p.kill()
        p.wait()
        out.close()
        return ['create never stopped at `%s`: %s' % (stage, open(out.name).read().strip())]
    p.kill()
    p.wait()
    out.close()
    # state: poll until it says what it must (generous limit, no timing).
    end = time.monotonic() + 60
    got = None
    while time.monotonic() < end:
        rc, o, err = env.run(['state', cid])
        got = json.loads(o)['status'] if rc == 0 else err.strip()
        if want in got:
            break
        time.sleep(0.05)
    if want not in got:
        probs.append('state after kill at `%s`: `%s`, want `%s`' % (stage, got, want))
    rc, _, err = env.run(['delete', '--force', cid])
    if rc != 0 and not (want == 'does not exist' and 'does not exist' in err):
        probs.append('delete --force: %s' % err.strip())
    rc, _, err = env.run(['state', cid])
    if rc == 0 or 'does not exist' not in err:
        probs.append('state after delete --force: rc %s %s' % (rc, err.strip()))
    probs += env.leftovers(cid)
    return probs


t0 = time.monotonic()
try:
    for n, (stage, want) in enumerate(STAGES):
        probs = check_stage(n, stage, want)
        if probs:
            failed += 1
            print('not ok %d kill at `%s`' % (n + 1, stage))
            for pr in probs:
                print('#   ' + pr)
        else:
            passed += 1
            print('ok %d kill at `%s`: state says %s, delete --force leaves nothing'
                  % (n + 1, stage, want))
        sys.stdout.flush()
    stray = rlib.cgroups_named(TOKEN)
    if stray:
        failed += 1
        print('not ok %d no cgroup of this run anywhere: %s' % (len(STAGES) + 1, stray))
    else:
        passed += 1
        print('ok %d no cgroup of this run anywhere' % (len(STAGES) + 1))
finally:
    env.cleanup()
print('# kill stages: %.1fs' % (time.monotonic() - t0))
print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
