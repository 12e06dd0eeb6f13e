/* The sd-bus functions of the systemd cgroup driver, resolved at run time
 * from libsystemd.so.0 (see sdbus_load.h for why).  */
#include <config.h>

#ifdef HAVE_SYSTEMD
#  include <dlfcn.h>
#  include <errno.h>
#  include <stdarg.h>
#  include <stddef.h>
#  include <string.h>
#  include <systemd/sd-bus.h>
#  include "cgroup/sdbus_load.h"

/* Every function the driver calls: return type, name, parameters, the
 * names to pass on.  The variadic ones are below, over their va_list
 * forms.  */
#  define SK_SDBUS_FUNCS(X)                                                              \
  X (int, sd_bus_open_system, (sd_bus **b), (b))                                          \
  X (int, sd_bus_open_user, (sd_bus **b), (b))                                            \
  X (sd_bus *, sd_bus_flush_close_unref, (sd_bus *b), (b))                                \
  X (sd_bus_message *, sd_bus_message_unref, (sd_bus_message *m), (m))                    \
  X (sd_bus_slot *, sd_bus_slot_unref, (sd_bus_slot *s), (s))                             \
  X (int, sd_bus_message_new_method_call,                                                 \
     (sd_bus *b, sd_bus_message **m, const char *dest, const char *path, const char *iface, \
      const char *member), (b, m, dest, path, iface, member))                             \
  X (int, sd_bus_message_open_container, (sd_bus_message *m, char type, const char *c),   \
     (m, type, c))                                                                        \
  X (int, sd_bus_message_close_container, (sd_bus_message *m), (m))                       \
  X (int, sd_bus_message_append_array,                                                    \
     (sd_bus_message *m, char type, const void *ptr, size_t size), (m, type, ptr, size))  \
  X (int, sd_bus_message_append_strv, (sd_bus_message *m, char **l), (m, l))              \
  X (int, sd_bus_call,                                                                    \
     (sd_bus *b, sd_bus_message *m, uint64_t usec, sd_bus_error *e, sd_bus_message **r),  \
     (b, m, usec, e, r))                                                                  \
  X (int, sd_bus_match_signal,                                                            \
     (sd_bus *b, sd_bus_slot **s, const char *sender, const char *path, const char *iface, \
      const char *member, sd_bus_message_handler_t cb, void *ud),                         \
     (b, s, sender, path, iface, member, cb, ud))                                         \
  X (int, sd_bus_process, (sd_bus *b, sd_bus_message **r), (b, r))                        \
  X (int, sd_bus_wait, (sd_bus *b, uint64_t usec), (b, usec))                             \
  X (int, sd_bus_get_property_string,                                                     \
     (sd_bus *b, const char *dest, const char *path, const char *iface, const char *member,  \
      sd_bus_error *e, char **ret), (b, dest, path, iface, member, e, ret))                \
  X (int, sd_bus_error_has_name, (const sd_bus_error *e, const char *name), (e, name))    \
  X (void, sd_bus_error_free, (sd_bus_error *e), (e))                                     \
  X (int, sd_bus_message_appendv, (sd_bus_message *m, const char *types, va_list ap),     \
     (m, types, ap))                                                                      \
  X (int, sd_bus_message_readv, (sd_bus_message *m, const char *types, va_list ap),       \
     (m, types, ap))

static struct sdbus_fns
{
#  define X(ret, name, params, args) ret (*name) params;
  SK_SDBUS_FUNCS (X)
#  undef X
} fn;

static const struct
{
  const char *name;
  size_t off;
} syms[] = {
#  define X(ret, name, params, args) { #name, offsetof (struct sdbus_fns, name) },
  SK_SDBUS_FUNCS (X)
#  undef X
};

int
sk_sdbus_load (sk_error_t *err)
{
  static int loaded;   /* commands are single-threaded */
  if (loaded)
    return 0;
  /* RTLD_LOCAL: nothing else in skiff can bind to it by accident.  The
   * handle is kept for the life of the process.  */
  void *h = dlopen (SK_LIBSYSTEMD_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    {
      /* dlerror names the library: "libsystemd.so.0: cannot open ...".  */
      const char *why = dlerror ();
      return sk_error_set (err, 0, "--systemd-cgroup: load %s (install the Debian package "
                           "`libsystemd0`)", why ? why : SK_LIBSYSTEMD_SONAME);
    }
  for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
    {
      void *p = dlsym (h, syms[i].name);
      if (p == NULL)
        {
          dlclose (h);
          return sk_error_set (err, 0, "--systemd-cgroup: " SK_LIBSYSTEMD_SONAME " has no `%s` "
                               "(libsystemd 240 or later is needed)", syms[i].name);
        }
      memcpy ((char *) &fn + syms[i].off, &p, sizeof p);
    }
  loaded = 1;
  return 0;
}

/* The functions themselves, under sd-bus's names and prototypes.  */
#  define X(ret, name, params, args) \
  ret name params { return fn.name args; }
SK_SDBUS_FUNCS (X)
#  undef X

int
sd_bus_message_append (sd_bus_message *m, const char *types, ...)
{
  va_list ap;
  va_start (ap, types);
  int r = fn.sd_bus_message_appendv (m, types, ap);
  va_end (ap);
  return r;
}

int
sd_bus_message_read (sd_bus_message *m, const char *types, ...)
{
  va_list ap;
  va_start (ap, types);
  int r = fn.sd_bus_message_readv (m, types, ap);
  va_end (ap);
  return r;
}

/* sd_bus_call_methodv is libsystemd 246+: the same, in three steps.  */
int
sd_bus_call_method (sd_bus *b, const char *dest, const char *path, const char *iface,
                    const char *member, sd_bus_error *e, sd_bus_message **reply,
                    const char *types, ...)
{
  sd_bus_message *m = NULL;
  int r = fn.sd_bus_message_new_method_call (b, &m, dest, path, iface, member);
  if (r >= 0 && types && *types)
    {
      va_list ap;
      va_start (ap, types);
      r = fn.sd_bus_message_appendv (m, types, ap);
      va_end (ap);
    }
  if (r >= 0)
    r = fn.sd_bus_call (b, m, 0, e, reply);
  fn.sd_bus_message_unref (m);
  return r;
}
#endif
