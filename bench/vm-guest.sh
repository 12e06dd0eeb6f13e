# The VM bench's guest side (bench/run.sh --vm copies it into the initramfs
# of tests/vm/run-vm.sh and runs it there under `vmtime reap`; busybox sh).
#
#   sh vm-guest.sh BENCHDIR
#
# BENCHDIR holds the three bundles, vmtime and vm.conf (ROUNDS, WARMUP,
# RUNTIMES: "name:/path/in/guest ...").
# Every round runs each scenario once per runtime, the runtimes in an order
# that rotates each round, and prints one `# bench SCENARIO RUNTIME WALL_US
# CPU_US EXIT` line per timed command (vmtime); the host turns them into
# medians and ratios (bench.py --vm-log).  Times under TCG emulation mean
# nothing by themselves: only the ratios are reported.
D=$1
. "$D/vm.conf"
T=$D/vmtime
ALL=$RUNTIMES

rt_root () { echo "/run/bench-root-$1"; }
# r NAME ARGS...: the runtime NAME with its --root.
r () {
  n=$1
  shift
  "$(bin_of "$n")" --root "$(rt_root "$n")" "$@"
}
bin_of () {
  for e in $ALL; do [ "${e%%:*}" = "$1" ] && echo "${e#*:}"; done
}
tm () { "$T" time "$@"; }

# Wait for a container's init to be gone (vmtime reap reaps it).
wait_gone () {
  while [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; do
    usleep 2000
  done
}

echo "# bench-info kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, cgroup2: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
RTS=
for e in $ALL; do
  n=${e%%:*}
  b=${e#*:}
  [ -x "$b" ] || { echo "# bench-skip $n: $b not in the guest"; continue; }
  mkdir -p "$(rt_root "$n")"
  echo "# bench-version $n $("$b" --version 2>&1 | head -1)"
  if r "$n" run --bundle "$D/bundle" probe-"$n" </dev/null >/tmp/probe.out 2>&1; then
    RTS="$RTS $n"
  else
    echo "# bench-skip $n: cannot run the bundle: $(tail -1 /tmp/probe.out)"
  fi
  r "$n" delete --force probe-"$n" >/dev/null 2>&1
done
set -- $RTS
NRT=$#
[ "$NRT" -gt 0 ] || { echo "not ok 1 - bench: no runtime can run the bundle"; exit 1; }

for n in $RTS; do
  r "$n" run -d --bundle "$D/bundle-sleep" "sleeper-$n" </dev/null >/dev/null 2>&1 \
    || echo "# bench-skip exec/state for $n: run -d failed"
done

i=0
while [ "$i" -lt $((WARMUP + ROUNDS)) ]; do
  p=""
  [ "$i" -lt "$WARMUP" ] && p="warmup-"
  # Rotate: round i starts with runtime (i mod NRT).
  order=
  k=0
  for n in $RTS $RTS; do
    [ "$k" -ge $((i % NRT)) ] && [ "$k" -lt $((i % NRT + NRT)) ] && order="$order $n"
    k=$((k + 1))
  done
  for n in $order; do
    id=r$i-$n
    tm "${p}run" "$n" "$(bin_of "$n")" --root "$(rt_root "$n")" run --bundle "$D/bundle" "$id"
    r "$n" delete --force "$id" >/dev/null 2>&1
  done
  for n in $order; do
    id=s$i-$n
    tm "${p}run-seccomp" "$n" "$(bin_of "$n")" --root "$(rt_root "$n")" run --bundle "$D/bundle-seccomp" "$id"
    r "$n" delete --force "$id" >/dev/null 2>&1
  done
  for n in $order; do
    id=l$i-$n
    rm -f /tmp/pid
    tm "${p}create" "$n" "$(bin_of "$n")" --root "$(rt_root "$n")" create --bundle "$D/bundle" --pid-file /tmp/pid "$id"
    pid=$(cat /tmp/pid 2>/dev/null)
    tm "${p}start" "$n" "$(bin_of "$n")" --root "$(rt_root "$n")" start "$id"
    [ -n "$pid" ] && wait_gone "$pid"
    tm "${p}delete" "$n" "$(bin_of "$n")" --root "$(rt_root "$n")" delete "$id"
    r "$n" delete --force "$id" >/dev/null 2>&1
  done
  for n in $order; do
    tm "${p}exec" "$n" "$(bin_of "$n")" --root "$(rt_root "$n")" exec "sleeper-$n" /bin/true
  done
  for n in $order; do
    tm "${p}state" "$n" "$(bin_of "$n")" --root "$(rt_root "$n")" state "sleeper-$n"
  done
  for n in $order; do
    tm "${p}--version" "$n" "$(bin_of "$n")" --version
  done
  echo "# bench-round $i done after $(cut -d' ' -f1 /proc/uptime)s of uptime"
  i=$((i + 1))
done

for n in $RTS; do
  r "$n" delete --force "sleeper-$n" >/dev/null 2>&1
done
echo "ok 1 - bench: $ROUNDS rounds of $NRT runtimes"
