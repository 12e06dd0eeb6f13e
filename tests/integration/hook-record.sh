#!/bin/sh
# hook-record.sh OUTDIR KIND [ARG...]: the OCI hook used by hooks.bats.
# Records what the hook sees into OUTDIR: KIND.json (the state on stdin),
# KIND.ns (namespace links), KIND.env (its exact environment), KIND.args,
# and appends KIND to OUTDIR/order.  Runs on the host (dash) and inside the
# container (busybox sh) alike; hooks get no PATH of their own.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
out=$1
kind=$2
cat >"$out/$kind.json"
for ns in mnt pid net uts ipc cgroup user; do
  echo "$ns=$(readlink /proc/self/ns/$ns)"
done >"$out/$kind.ns"
# Our pid as the mounted /proc numbers it ($$ is wrong for createContainer,
# which runs in the container's pid namespace under the host's /proc).
me=$(cut -d' ' -f4 /proc/self/stat)
tr '\0' '\n' </proc/"$me"/environ >"$out/$kind.env"
echo "$*" >"$out/$kind.args"
echo "$kind" >>"$out/order"
