#!/usr/bin/env python3
"""Write the bench bundles' config.json files (called by bench/run.sh).

  bundles.py BUNDLE SECCOMP_BUNDLE SLEEP_BUNDLE DOCKER_SECCOMP_JSON

BUNDLE/config.json (from `skiff spec`) is rewritten to run /bin/true;
SECCOMP_BUNDLE gets the same config plus the container engines' default
seccomp profile (podman's /usr/share/containers/seccomp.json, Docker's
format) translated to the OCI form as podman does it for this machine's
architecture; SLEEP_BUNDLE runs `sleep 100000` (density, exec, state).
ociVersion 1.0.2: crun 1.8.1 refuses "1.3.0", all three accept 1.0.2."""
import copy
import json
import platform
import sys

# Docker's archMap names -> OCI; the native architecture and the ones its
# kernel also runs (what podman puts in `architectures`).
ARCHES = {"x86_64": ("amd64", ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
          "aarch64": ("arm64", ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"])}


def oci_seccomp(docker, caps):
    arch, oci_arches = ARCHES.get(platform.machine(), (platform.machine(), []))
    out = {"defaultAction": docker["defaultAction"], "architectures": oci_arches, "syscalls": []}
    if "defaultErrnoRet" in docker:
        out["defaultErrnoRet"] = docker["defaultErrnoRet"]
    for rule in docker.get("syscalls", []):
        inc, exc = rule.get("includes") or {}, rule.get("excludes") or {}
        if inc.get("arches") and arch not in inc["arches"]:
            continue
        if inc.get("caps") and not set(inc["caps"]) <= caps:
            continue
        if exc.get("arches") and arch in exc["arches"]:
            continue
        if exc.get("caps") and set(exc["caps"]) & caps:
            continue
        r = {"names": rule["names"], "action": rule["action"]}
        if rule.get("args"):
            r["args"] = rule["args"]
        if rule.get("errnoRet") is not None:
            r["errnoRet"] = rule["errnoRet"]
        out["syscalls"].append(r)
    return out


def main():
    base, sec, sleep, profile = sys.argv[1:5]
    c = json.load(open(f"{base}/config.json"))
    c["ociVersion"] = "1.0.2"
    c["process"]["terminal"] = False
    c["process"]["args"] = ["/bin/true"]
    json.dump(c, open(f"{base}/config.json", "w"), indent=2)
    s = copy.deepcopy(c)
    caps = set(c["process"]["capabilities"]["bounding"])
    s["linux"]["seccomp"] = oci_seccomp(json.load(open(profile)), caps)
    json.dump(s, open(f"{sec}/config.json", "w"), indent=2)
    z = copy.deepcopy(c)
    z["process"]["args"] = ["/bin/sleep", "100000"]
    json.dump(z, open(f"{sleep}/config.json", "w"), indent=2)


if __name__ == "__main__":
    main()
