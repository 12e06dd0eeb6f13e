#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
ip link set lo up
criu check; echo "rc=$?"
criu check --all; echo "rc=$?"
iptables -L; echo "rc=$?"
echo "ok 1 - probe"
