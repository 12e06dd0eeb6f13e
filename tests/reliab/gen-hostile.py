#!/usr/bin/env python3
"""Writes spec-fixtures/hostile/: the hostile corpus of config.json files.

Each case is NAME.json (a whole config, derived from base-config.json, the
output of `skiff spec`) and its expected outcome: NAME.err (a line the
error must contain) or NAME.ok (create must succeed).  The corpus is
committed; this script documents how each case was made and regenerates
it (python3 tests/reliab/gen-hostile.py).  tests/reliab/corpus.py runs
every case (these, spec-fixtures/invalid/ and the bundle-shape cases it
builds itself) through `skiff create`.
"""
import copy, json, os, shutil, sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'spec-fixtures', 'hostile')
BASE = json.load(open(os.path.join(HERE, 'base-config.json')))
cases = []   # (name, config-or-text, expected error or None)


def case(name, patch, err=None):
    c = copy.deepcopy(BASE)
    patch(c)
    cases.append((name, c, err))


def text_case(name, text, err):
    cases.append((name, text, err))


def setp(path, value):
    """A patch setting a dotted path (list indexes as ints)."""
    def p(c):
        cur = c
        keys = path.split('.')
        for k in keys[:-1]:
            k = int(k) if k.isdigit() else k
            if isinstance(cur, dict) and k not in cur:
                cur[k] = {}
            cur = cur[k]
        last = keys[-1]
        last = int(last) if last.isdigit() else last
        cur[last] = value
    return p


def both(*ps):
    def p(c):
        for f in ps:
            f(c)
    return p


DEV = {"path": "/dev/hostile", "type": "c", "major": 1, "minor": 3}
# ---- numeric ranges (defect 6): every field against its kernel type ----
R = 'linux.resources.'
ranges = [
    ('dev-major-2p32', 'linux.devices', [dict(DEV, major=4294967296)],
     'linux.devices[0].major: expected integer in 0..4095'),
    ('dev-major-4096', 'linux.devices', [dict(DEV, major=4096)],
     'linux.devices[0].major: expected integer in 0..4095'),
    ('dev-major-neg', 'linux.devices', [dict(DEV, major=-1)],
     'linux.devices[0].major: expected integer in 0..4095'),
    ('dev-minor-2p20', 'linux.devices', [dict(DEV, minor=1048576)],
     'linux.devices[0].minor: expected integer in 0..1048575'),
    ('dev-filemode-010000', 'linux.devices', [dict(DEV, fileMode=0o10000)],
     'linux.devices[0].fileMode: expected integer in 0..4095'),
    ('dev-filemode-2p32', 'linux.devices', [dict(DEV, fileMode=4294967296)],
     'linux.devices[0].fileMode: expected integer in 0..4095'),
    ('dev-uid-minus1', 'linux.devices', [dict(DEV, uid=4294967295)],
     'linux.devices[0].uid: expected integer in 0..4294967294'),
    ('dev-gid-neg', 'linux.devices', [dict(DEV, gid=-5)],
     'linux.devices[0].gid: expected integer in 0..4294967294'),
    ('user-uid-minus1', 'process.user.uid', 4294967295,
     'process.user.uid: expected integer in 0..4294967294'),
    ('user-gid-minus1', 'process.user.gid', 4294967295,
     'process.user.gid: expected integer in 0..4294967294'),
    ('user-uid-2p64', 'process.user.uid', 18446744073709551616,
     'process.user.uid: expected integer in 0..4294967294'),
    ('user-umask-01000', 'process.user.umask', 0o1000,
     'process.user.umask: expected integer in 0..511'),
    ('user-agid-minus1', 'process.user.additionalGids', [1, 4294967295],
     'process.user.additionalGids[1]: expected integer in 0..4294967294'),
    ('console-width-65536', 'process.consoleSize', {"height": 1, "width": 65536},
     'process.consoleSize.width: expected integer in 0..65535'),
    ('console-height-2p32', 'process.consoleSize', {"height": 4294967296, "width": 1},
     'process.consoleSize.height: expected integer in 0..65535'),
    ('sched-nice-20', 'process.scheduler', {"policy": "SCHED_OTHER", "nice": 20},
     'process.scheduler.nice: expected integer in -20..19'),
    ('sched-nice-m21', 'process.scheduler', {"policy": "SCHED_OTHER", "nice": -21},
     'process.scheduler.nice: expected integer in -20..19'),
    ('sched-prio-100', 'process.scheduler', {"policy": "SCHED_FIFO", "priority": 100},
     'process.scheduler.priority: expected integer in 0..99'),
    ('ioprio-8', 'process.ioPriority', {"class": "IOPRIO_CLASS_BE", "priority": 8},
     'process.ioPriority.priority: expected integer in 0..7'),
    ('oom-1001', 'process.oomScoreAdj', 1001, 'process.oomScoreAdj: expected integer in -1000..1000'),
    ('rlimit-2p64', 'process.rlimits', [{"type": "RLIMIT_NOFILE", "hard": 18446744073709551616, "soft": 1}],
     'process.rlimits[0].hard: expected integer in 0..18446744073709551615'),
    ('mem-limit-m2', R + 'memory', {"limit": -2}, 'memory.limit: expected integer in -1..'),
    ('mem-swap-m2', R + 'memory', {"swap": -2}, 'memory.swap: expected integer in -1..'),
    ('mem-resv-2p63', R + 'memory', {"reservation": 9223372036854775808},
     'memory.reservation: expected integer in -1..9223372036854775807'),
    ('mem-swappiness-101', R + 'memory', {"swappiness": 101},
     'memory.swappiness: expected integer in 0..100'),
    ('mem-swappiness-minus1', R + 'memory', {"swappiness": -1},
     'memory.swappiness: expected integer in 0..'),
    ('cpu-shares-262145', R + 'cpu', {"shares": 262145}, 'cpu.shares: expected integer in 0..262144'),
    ('cpu-shares-2p64m1', R + 'cpu', {"shares": 18446744073709551615},
     'cpu.shares: expected integer in 0..262144'),
    ('cpu-quota-m2', R + 'cpu', {"quota": -2}, 'cpu.quota: expected integer in -1..'),
    ('cpu-period-1000001', R + 'cpu', {"period": 1000001}, 'cpu.period: expected integer in 0..1000000'),
    ('cpu-idle-2', R + 'cpu', {"idle": 2}, 'cpu.idle: expected integer in 0..1'),
    ('cpu-rt-runtime-m2', R + 'cpu', {"realtimeRuntime": -2}, 'cpu.realtimeRuntime: expected integer in -1..'),
    ('pids-m2', R + 'pids', {"limit": -2}, 'pids.limit: expected integer in -1..'),
    ('cgdev-major-4096', R + 'devices', [{"allow": True, "type": "c", "major": 4096, "access": "r"}],
     'devices[0].major: expected integer in -1..4095'),
    ('cgdev-minor-m2', R + 'devices', [{"allow": True, "type": "c", "minor": -2, "access": "r"}],
     'devices[0].minor: expected integer in -1..1048575'),
    ('blkio-wdev-major', R + 'blockIO', {"weightDevice": [{"major": 4294967304, "minor": 0, "weight": 10}]},
     'blockIO.weightDevice[0].major: expected integer in 0..4095'),
    ('blkio-tdev-minor', R + 'blockIO', {"throttleReadBpsDevice": [{"major": 8, "minor": 1048576, "rate": 1}]},
     'blockIO.throttleReadBpsDevice[0].minor: expected integer in 0..1048575'),
    ('blkio-weight-65536', R + 'blockIO', {"weight": 65536}, 'blockIO.weight: expected integer in 0..65535'),
    ('rdma-2p31', R + 'rdma', {"mlx5_0": {"hcaHandles": 2147483648}},
     'rdma.mlx5_0.hcaHandles: expected integer in 0..2147483647'),
    ('net-classid-2p32', R + 'network', {"classID": 4294967296},
     'network.classID: expected integer in 0..4294967295'),
    ('hugepage-neg', R + 'hugepageLimits', [{"pageSize": "2MB", "limit": -1}],
     'hugepageLimits[0].limit: expected integer in 0..'),
    ('uidmap-size-0', 'linux.uidMappings', [{"containerID": 0, "hostID": 1000, "size": 0}],
     'linux.uidMappings[0].size: expected integer in 1..4294967295'),
    ('uidmap-wrap', 'linux.uidMappings', [{"containerID": 0, "hostID": 4294967290, "size": 100}],
     'passes 4294967295'),
    ('gidmap-host-minus1', 'linux.gidMappings', [{"containerID": 0, "hostID": 4294967295, "size": 1}],
     'linux.gidMappings[0].hostID: expected integer in 0..4294967294'),
    ('timens-nsec-1e9', 'linux.timeOffsets', {"monotonic": {"secs": 1, "nanosecs": 1000000000}},
     'linux.timeOffsets.monotonic.nanosecs: expected integer in 0..999999999'),
    ('seccomp-errno-4096', 'linux.seccomp', {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 4096},
     'linux.seccomp.defaultErrnoRet: expected integer in 0..4094'),
    ('seccomp-rule-errno-65536', 'linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 65536}]},
     'linux.seccomp.syscalls[0].errnoRet: expected integer in 0..4094'),
    ('seccomp-arg-index-6', 'linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]},
     'args[0].index: expected integer in 0..5'),
    ('seccomp-arg-value-2p64', 'linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"}]}]},
     'args[0].value: expected integer in 0..18446744073709551615'),
    ('hook-timeout-0', 'hooks', {"prestart": [{"path": "/bin/true", "timeout": 0}]},
     'hooks.prestart[0].timeout: expected integer in 1..2147483647'),
    ('hook-timeout-2p31', 'hooks', {"prestart": [{"path": "/bin/true", "timeout": 2147483648}]},
     'hooks.prestart[0].timeout: expected integer in 1..2147483647'),
    ('float-uid', 'process.user.uid', 1.5, 'process.user.uid: expected integer in 0..4294967294'),
    ('exp-uid', 'process.user.uid', 1e3, 'process.user.uid: expected integer in 0..4294967294'),
]
for name, path, value, err in ranges:
    case('range-' + name, setp(path, value), err)

# ---- types where another is expected -------------------------------
types = [
    ('root-array', 'root', [], 'root: expected object'),
    ('process-string', 'process', "sh", 'process: expected object'),
    ('args-object', 'process.args', {"0": "sh"}, 'process.args: expected array'),
    ('args-numbers', 'process.args', [1, 2], 'process.args[0]: expected string'),
    ('env-object', 'process.env', {"A": "B"}, 'process.env: expected array'),
    ('cwd-number', 'process.cwd', 0, 'process.cwd: expected string'),
    ('terminal-string', 'process.terminal', "yes", 'process.terminal: expected boolean'),
    ('caps-string', 'process.capabilities', "ALL", 'process.capabilities: expected object'),
    ('mounts-object', 'mounts', {"destination": "/x"}, 'mounts: expected array'),
    ('mount-options-string', 'mounts.0.options', "ro", 'mounts[0].options: expected array'),
    ('namespaces-string', 'linux.namespaces', "pid", 'linux.namespaces: expected array'),
    ('ns-type-number', 'linux.namespaces.0.type', 1, 'linux.namespaces[0].type: expected string'),
    ('hostname-array', 'hostname', ["a"], 'hostname: expected string'),
    ('annotations-array', 'annotations', ["a"], 'annotations: expected object'),
    ('annotation-number', 'annotations', {"a": 1}, 'annotations.a: expected string'),
    ('sysctl-number', 'linux.sysctl', {"net.ipv4.ip_forward": 1}, 'expected string'),
    ('resources-array', 'linux.resources', [], 'linux.resources: expected object'),
    ('memory-limit-string', R + 'memory', {"limit": "1G"}, 'memory.limit: expected integer'),
    ('rlimits-object', 'process.rlimits', {"type": "RLIMIT_NOFILE"}, 'process.rlimits: expected array'),
    ('oci-version-number', 'ociVersion', 1, 'ociVersion: expected string'),
    ('readonly-string', 'root.readonly', "true", 'root.readonly: expected boolean'),
    ('masked-object', 'linux.maskedPaths', {"a": 1}, 'linux.maskedPaths: expected array'),
    ('seccomp-array', 'linux.seccomp', [], 'linux.seccomp: expected object'),
    ('hooks-array', 'hooks', [], 'hooks: expected object'),
    ('uidmap-object', 'linux.uidMappings', {"containerID": 0}, 'linux.uidMappings: expected array'),
]
for name, path, value, err in types:
    case('type-' + name, setp(path, value), err)

# ---- hostile values -------------------------------------------------
hostile = [
    ('ns-unknown', 'linux.namespaces', [{"type": "pid"}, {"type": "bogus"}],
     'linux.namespaces[1].type: unknown value `bogus`'),
    ('ns-duplicate', 'linux.namespaces', [{"type": "pid"}, {"type": "pid"}], 'duplicate'),
    ('rlimit-unknown', 'process.rlimits', [{"type": "RLIMIT_EVERYTHING", "hard": 1, "soft": 1}],
     'RLIMIT_EVERYTHING'),
    ('cwd-relative', 'process.cwd', 'tmp', 'process.cwd'),
    ('seccomp-action-unknown', 'linux.seccomp', {"defaultAction": "SCMP_ACT_PWN"}, 'SCMP_ACT_PWN'),
    ('seccomp-arch-unknown', 'linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW",
                                               "architectures": ["SCMP_ARCH_Z80"]}, 'SCMP_ARCH_Z80'),
    ('seccomp-op-unknown', 'linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XOR"}]}]},
     'SCMP_CMP_XOR'),
    ('seccomp-names-empty', 'linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": [], "action": "SCMP_ACT_ERRNO"}]}, 'must contain at least one entry'),
    ('seccomp-notify-no-listener', 'linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}, 'listenerPath'),
    ('seccomp-5000-arg-rules', 'linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
         "args": [{"index": 0, "value": i, "op": "SCMP_CMP_EQ"}]} for i in range(5000)]},
     'profile too large'),
    ('seccomp-5000-names', 'linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["read"] * 5000, "action": "SCMP_ACT_ALLOW"}]}, 'profile too large'),
    ('cgroups-path-dotdot', 'linux.cgroupsPath', '../../../escape', '..'),
    ('sysctl-not-namespaced', 'linux.sysctl', {"kernel.core_pattern": "|/tmp/pwn"}, 'kernel.core_pattern'),
    ('device-path-relative', 'linux.devices', [dict(DEV, path="dev/x")], 'linux.devices[0].path'),
    ('device-type-x', 'linux.devices', [dict(DEV, type="x")], 'linux.devices[0].type'),
    ('hook-path-relative', 'hooks', {"prestart": [{"path": "true"}]}, 'hooks.prestart[0].path'),
    ('idmap-without-userns', 'linux.uidMappings', [{"containerID": 0, "hostID": 100000, "size": 1}],
     'user namespace'),
    ('rootfs-absent-path', 'root.path', '/nonexistent/skiff-hostile-rootfs', 'root.path'),
    ('process-no-args', 'process.args', [], 'process.args'),
    ('oci-version-2', 'ociVersion', '2.0.0', 'unsupported version'),
    ('personality-unknown', 'linux.personality', {"domain": "LINUX_PWN"}, 'LINUX_PWN'),
    ('ioprio-class-unknown', 'process.ioPriority', {"class": "IOPRIO_CLASS_GOLD"}, 'IOPRIO_CLASS_GOLD'),
    ('sched-policy-unknown', 'process.scheduler', {"policy": "SCHED_NOW"}, 'SCHED_NOW'),
    ('time-offsets-no-timens', 'linux.timeOffsets', {"monotonic": {"secs": 1, "nanosecs": 0}}, 'time'),
    ('mem-policy-mode-unknown', 'linux.memoryPolicy', {"mode": "MPOL_ALL"}, 'MPOL_ALL'),
    ('cpu-affinity-letters', 'process.execCPUAffinity', {"initial": "all"}, 'invalid character'),
    ('hugepage-size-bad', R + 'hugepageLimits', [{"pageSize": "2mb", "limit": 1}], 'invalid page size'),
    ('cgdev-access-x', R + 'devices', [{"allow": True, "access": "rwx"}], 'invalid character `x`'),
]
for name, path, value, err in hostile:
    case('hostile-' + name, setp(path, value), err)

# ---- raw text: not JSON, or JSON of the wrong shape -------------------
texts = [
    ('empty-object', '{}', 'ociVersion: missing required property'),
    ('array-doc', '[]', 'config.json: expected an object at the top level'),
    ('null-doc', 'null', 'config.json: expected an object at the top level'),
    ('string-doc', '"config"', 'config.json: expected an object at the top level'),
    ('truncated', '{"ociVersion": "1.3.0", "root": {"path": "rootfs"', 'parse error'),
    ('trailing-garbage', '{"ociVersion": "1.3.0"} xyz', 'parse error'),
    ('nul-byte', '{"ociVersion": "1.3.0"\x00}', 'NUL byte'),
    ('invalid-utf8', b'{"ociVersion": "1.3.0", "hostname": "\xff\xfe"}', 'parse error'),
    ('bom', '\ufeff{"ociVersion": "1.3.0"}', 'parse error'),
    # yajl accepts comments (Go's encoding/json does not): refused before
    # yajl sees them.
    ('comment', '{"ociVersion": "1.3.0" /* c */}', 'config.json: parse error: comments are not JSON'),
    ('line-comment', '{"ociVersion": "1.3.0" // c\n}', 'config.json: parse error: comments are not JSON'),
    # yajl decodes \u0000 to a NUL byte, which would cut a C string short.
    ('nul-escape', '{"ociVersion": "1.3.0", "root": {"path": "rootfs\\u0000/../../etc"}}',
     'config.json: parse error: a string holds \\u0000'),
    ('escaped-backslash-u', '{"ociVersion": "1.3.0", "hostname": "a\\\\u0000"}',
     'root: missing required property'),
    ('single-quotes', "{'ociVersion': '1.3.0'}", 'parse error'),
    ('nan', '{"ociVersion": "1.3.0", "process": {"user": {"uid": NaN}}}', 'parse error'),
    ('deep-10001', '{"annotations": ' + '[' * 10001 + ']' * 10001 + '}',
     'config.json: parse error: nested deeper than 10000 levels'),
    ('deep-objects', '{"a":' * 20000 + '1' + '}' * 20000,
     'config.json: parse error: nested deeper than 10000 levels'),
]
for name, text, err in texts:
    text_case('text-' + name, text, err)

# ---- must succeed (create, then delete) ---------------------------------
ok = [
    ('base', lambda c: None),
    ('unknown-properties', both(setp('x-vendor', {"deep": [[[[1]]]]}),
                                setp('process.x-unknown', 1), setp('linux.x', "y"))),
    ('duplicate-keys-last-wins', None),
    ('unicode-hostname-annotations', both(setp('annotations', {"ключ": "значение", "emoji": "\U0001F600"}))),
    ('many-annotations', setp('annotations', {"k%d" % i: "v" * 100 for i in range(500)})),
    ('deep-9000-ignored-property', None),
    ('long-env', setp('process.env', ["PATH=/bin"] + ["V%d=%s" % (i, "x" * 200) for i in range(500)])),
    ('dev-major-4095', setp('linux.devices', [dict(DEV, major=4095, minor=1048575, fileMode=0o7777,
                                                   uid=4294967294, gid=0)])),
    ('uid-max', setp('process.user', {"uid": 0, "gid": 0, "additionalGids": [4294967294]})),
    ('umask-0777', setp('process.user.umask', 0o777)),
    ('seccomp-4000-names', setp('linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["read"] * 4000, "action": "SCMP_ACT_ALLOW"}]})),
    ('seccomp-errno-4094', setp('linux.seccomp', {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4094}]})),
    # config.md: unknown capabilities are logged as warnings, not refused.
    ('cap-unknown-warned', setp('process.capabilities', {"bounding": ["CAP_TAKE_OVER"]})),
    # config.md allows a relative destination "for compatibility" (as /x).
    ('mount-dest-relative', setp('mounts', [{"destination": "relative", "type": "tmpfs",
                                             "source": "tmpfs"}])),
    ('cgdev-wildcard-minus1', setp(R + 'devices', [{"allow": False, "access": "rwm"},
                                                  {"allow": True, "type": "c", "major": -1, "minor": -1,
                                                   "access": "m"}])),
    ('many-tmpfs-mounts', lambda c: c['mounts'].extend(
        [{"destination": "/tmp/m%d" % i, "type": "tmpfs", "source": "tmpfs"} for i in range(50)])),
    ('long-hostname-63', setp('hostname', 'h' * 63)),
    ('console-65535', setp('process.consoleSize', {"height": 65535, "width": 65535})),
    ('timens-nsec-max', both(setp('linux.timeOffsets', {"monotonic": {"secs": 1, "nanosecs": 999999999}}),
                             lambda c: c['linux']['namespaces'].append({"type": "time"}))),
    ('null-optionals', both(setp('hostname', None), setp('annotations', None))),
]
for name, patch in ok:
    if patch is not None:
        case('ok-' + name, patch, None)
# Texts that must succeed.
base_text = json.dumps(BASE)
text_case('ok-duplicate-keys-last-wins',
          base_text[:-1] + ', "hostname": "first", "hostname": "second"}', None)
text_case('ok-deep-9000-ignored-property',
          base_text[:-1] + ', "x-deep": ' + '[' * 9000 + ']' * 9000 + '}', None)

if os.path.isdir(OUT):
    shutil.rmtree(OUT)
os.makedirs(OUT)
for name, c, err in cases:
    if isinstance(c, (dict, list)):
        c = json.dumps(c, ensure_ascii=False)
        if len(c) < 100000:
            c = json.dumps(json.loads(c), indent=1, ensure_ascii=False)
    if isinstance(c, str):
        c = c.encode('utf-8')
    with open(os.path.join(OUT, name + '.json'), 'wb') as f:
        f.write(c)
    if err is None:
        open(os.path.join(OUT, name + '.ok'), 'w').close()
    else:
        with open(os.path.join(OUT, name + '.err'), 'w') as f:
            f.write(err + '\n')
print('%d cases in %s' % (len(cases), os.path.relpath(OUT)), file=sys.stderr)
