/* libsystemd, loaded on first use (dlopen "libsystemd.so.0").
 *
 * Only --systemd-cgroup (and `features` asking whether the driver would
 * work) talks to systemd.  Linking libsystemd into skiff made every other
 * command pay for it: ld.so mapped libsystemd and what it pulls in
 * (libgcrypt, liblzma, libzstd, liblz4, libgpg-error) and resolved their
 * relocations on every start, twice for create/run/exec (the CVE-2019-5736
 * re-exec): ~875,000 of the 1,134,000 instructions of `skiff --version`.
 *
 * configure still finds libsystemd-dev, for <systemd/sd-bus.h>; nothing
 * is linked.  sdbus_load.c defines each sd_bus_* function skiff calls
 * under its own name, as a jump through a table that sk_sdbus_load fills
 * with dlsym, so the driver's code reads as plain sd-bus.  A function the
 * driver starts using must be added to the list in sdbus_load.c (the link
 * fails until it is).  */
#ifndef SKIFF_CGROUP_SDBUS_LOAD_H
#define SKIFF_CGROUP_SDBUS_LOAD_H

#include <skiff/error.h>

#define SK_LIBSYSTEMD_SONAME "libsystemd.so.0"

/* Load libsystemd and resolve every function the driver uses, once per
 * process.  Fails with one line naming the library and what failed (not
 * installed, or too old to have a function).  Until it succeeded, none
 * of the sd_bus_* functions may be called.  */
int sk_sdbus_load (sk_error_t *err);

#endif
