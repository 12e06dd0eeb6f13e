#!/usr/bin/env bats
# `skiff features` (features.md, features-linux.md; runtime-spec v1.3.0).

load helpers

# Python over the features JSON in $output: `f` is the dict.
feat () {
  python3 -c "import json,sys; f=json.loads(sys.stdin.read()); $1" <<<"$output"
}

@test "features: valid against features-schema.json" {
  run "$SKIFF" features
  assert_status 0
  echo "$output" >"$TEST_DIR/features.json"
  validate_schema features-schema.json "$TEST_DIR/features.json"
}

@test "features: ociVersionMin 1.0.0, ociVersionMax 1.3.0, all hooks" {
  run "$SKIFF" features
  assert_status 0
  feat 'assert f["ociVersionMin"] == "1.0.0" and f["ociVersionMax"] == "1.3.0", f'
  feat 'assert f["hooks"] == ["prestart","createRuntime","createContainer","startContainer","poststart","poststop"], f["hooks"]'
}

@test "features: the eight namespaces and every capability of this kernel" {
  run "$SKIFF" features
  assert_status 0
  feat 'assert sorted(f["linux"]["namespaces"]) == sorted(["cgroup","ipc","mount","network","pid","time","user","uts"])'
  last=$(cat /proc/sys/kernel/cap_last_cap)
  feat "c=f['linux']['capabilities']; assert len(c) == $last + 1, len(c); assert c[0] == 'CAP_CHOWN' and 'CAP_SYS_ADMIN' in c"
}

@test "features: seccomp lists what works here" {
  run "$SKIFF" features
  assert_status 0
  feat 's=f["linux"]["seccomp"]; assert s["enabled"] is True
assert set(s["operators"]) == {"SCMP_CMP_NE","SCMP_CMP_LT","SCMP_CMP_LE","SCMP_CMP_EQ","SCMP_CMP_GE","SCMP_CMP_GT","SCMP_CMP_MASKED_EQ"}
for a in ["SCMP_ACT_KILL","SCMP_ACT_KILL_PROCESS","SCMP_ACT_KILL_THREAD","SCMP_ACT_TRAP","SCMP_ACT_ERRNO","SCMP_ACT_TRACE","SCMP_ACT_ALLOW","SCMP_ACT_LOG","SCMP_ACT_NOTIFY"]:
    assert a in s["actions"], a
assert "SCMP_ARCH_X86_64" in s["archs"] and "SCMP_ARCH_X86" in s["archs"]
assert set(s["supportedFlags"]) <= set(s["knownFlags"])
assert "SECCOMP_FILTER_FLAG_LOG" in s["supportedFlags"]'
}

@test "features: every advertised seccomp flag and arch is accepted by run" {
  # features-linux.md: the runtime MUST support every supportedFlags entry.
  run "$SKIFF" features
  assert_status 0
  flags=$(feat 'print(" ".join(f["linux"]["seccomp"]["supportedFlags"]))')
  archs=$(feat 'print(" ".join(f["linux"]["seccomp"]["archs"]))')
  cfg "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW',
       'flags': '$flags'.split(), 'architectures': '$archs'.split(),
       'syscalls': [{'names': ['getcwd'], 'action': 'SCMP_ACT_ERRNO'}]}"
  run_container /probe syscall getcwd
  assert_status 0
  assert_output_contains "errno=1"
}

@test "features: LSMs and Intel RDT report the host's truth" {
  run "$SKIFF" features
  assert_status 0
  aa=False; [ -d /sys/kernel/security/apparmor ] && grep -q Y /sys/module/apparmor/parameters/enabled 2>/dev/null && aa=True
  se=False; [ -e /sys/fs/selinux/enforce ] && se=True
  rdt=False; grep -qw resctrl /proc/filesystems && rdt=True
  feat "l=f['linux']; assert l['apparmor']['enabled'] is $aa and l['selinux']['enabled'] is $se and l['intelRdt']['enabled'] is $rdt, l"
  feat 'l=f["linux"]; assert l["cgroup"] == {"v1": True, "v2": True, "systemd": False, "systemdUser": False, "rdma": True}, l["cgroup"]'
  feat 'assert f["linux"]["mountExtensions"]["idmap"]["enabled"] is True'
}

@test "features: mountOptions has the common names, no duplicates" {
  run "$SKIFF" features
  assert_status 0
  feat 'm=f["mountOptions"]; assert "bind" in m and "rbind" in m and "nosuid" in m and len(m) == len(set(m))'
}
