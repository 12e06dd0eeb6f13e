/* See targets.h.  */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/container.h>
#include <skiff/spec.h>
#include "intent.h"
#include "state.h"
#include "linux/linux.h"
#include "linux/rootfs_int.h"
#include "linux/seccomp_int.h"
#include "targets.h"

int
sk_fuzz_config (const uint8_t *data, size_t size)
{
  sk_error_t err = NULL;
  struct sk_spec *s = sk_spec_parse ((const char *) data, size, &err);
  if (s)
    sk_spec_free (s);
  sk_error_free (&err);
  return 0;
}

int
sk_fuzz_process (const uint8_t *data, size_t size)
{
  sk_error_t err = NULL;
  struct sk_process *p = sk_process_parse ((const char *) data, size, &err);
  if (p)
    sk_process_free (p);
  sk_error_free (&err);
  return 0;
}

int
sk_fuzz_resources (const uint8_t *data, size_t size)
{
  sk_error_t err = NULL;
  struct sk_resources *r = sk_resources_parse ((const char *) data, size, &err);
  if (r)
    sk_resources_free (r);
  sk_error_free (&err);
  return 0;
}

/* state.json both ways (parse, serialize, parse again), and intent.json.  */
int
sk_fuzz_state (const uint8_t *data, size_t size)
{
  sk_error_t err = NULL;
  struct sk_state *st = sk_state_parse ((const char *) data, size, &err);
  sk_error_free (&err);
  if (st)
    {
      if (st->oci_version == NULL)
        st->oci_version = strdup ("1.3.0");
      char *json = sk_state_serialize (st, &err);
      sk_error_free (&err);
      if (json)
        {
          struct sk_state *again = sk_state_parse (json, strlen (json), &err);
          if (again == NULL)
            abort ();         /* what we write, we must read back */
          sk_state_free (again);
          free (json);
        }
      sk_state_free (st);
    }
  struct sk_state *in = calloc (1, sizeof *in);
  if (in)
    {
      sk_intent_parse ((const char *) data, size, in, &err);
      sk_error_free (&err);
      sk_state_free (in);
    }
  return 0;
}

/* First byte picks the parser, the rest is its NUL-terminated input (the
 * mount options split on NUL bytes).  */
int
sk_fuzz_strings (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  char *s = malloc (size);
  if (s == NULL)
    return 0;
  memcpy (s, data + 1, size - 1);
  s[size - 1] = '\0';
  sk_error_t err = NULL;
  int signo = 0;
  switch (data[0] % 3)
    {
    case 0:
      sk_validate_id (s, &err);
      break;
    case 1:
      /* 0 is valid (existence check, as runc: issue 10 item 11).  */
      if (sk_parse_signal (s, &signo, &err) == 0 && (signo < 0 || signo >= 65))
        abort ();
      break;
    default:
      {
        size_t n = 0;
        char *v[65];
        for (char *p = s; p < s + size - 1 && n < 64; p += strlen (p) + 1)
          v[n++] = p;
        v[n] = NULL;
        struct sk_strv sv = { v, n };
        struct sk_mount_opts o;
        memset (&o, 0, sizeof o);
        if (sk_mount_opts_parse (&sv, &o, &err) == 0)
          sk_mount_opts_free (&o);
      }
    }
  sk_error_free (&err);
  free (s);
  return 0;
}

/* A config's linux.seccomp through the size bound and libseccomp, as
 * create does, without touching the on-disk cache.  */
int
sk_fuzz_seccomp (const uint8_t *data, size_t size)
{
  sk_error_t err = NULL;
  struct sk_spec *s = sk_spec_parse ((const char *) data, size, &err);
  sk_error_free (&err);
  if (s == NULL)
    return 0;
  if (s->linux_ && s->linux_->seccomp)
    {
      sk_seccomp_cache_disabled = true;
      struct sk_seccomp_prog *p = sk_seccomp_compile (s->linux_->seccomp, &err);
      if (p)
        sk_seccomp_prog_free (p);
      sk_error_free (&err);
    }
  sk_spec_free (s);
  return 0;
}

const struct sk_fuzz_target sk_fuzz_targets[] = {
  { "config", sk_fuzz_config },
  { "process", sk_fuzz_process },
  { "resources", sk_fuzz_resources },
  { "state", sk_fuzz_state },
  { "strings", sk_fuzz_strings },
  { "seccomp", sk_fuzz_seccomp },
  { NULL, NULL },
};
