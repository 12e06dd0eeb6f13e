/* config.json top level: ociVersion, root, mounts, hooks, annotations,
 * hostname (config.md), and the entry points of spec.h.  process and
 * linux are parsed in spec_process.c and spec_linux.c.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "spec/spec_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* config.md "Root": path REQUIRED (on Linux the whole object is).  */
static int
parse_root (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_root *r = out;
  if (SP_REQUIRE (v, path, err, "path") < 0
      || sp_str (v, path, "path", &r->path, err) < 0
      || sp_bool (v, path, "readonly", &r->readonly, NULL, err) < 0)
    return -1;
  return 0;
}

/* config.md "Mounts": destination REQUIRED; uidMappings and gidMappings
 * come together.  A relative destination is allowed "for compatibility
 * with old tools" and means relative to `/`, so it is not refused here.  */
static int
parse_mount (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_mount *m = out;
  if (SP_REQUIRE (v, path, err, "destination") < 0
      || sp_str (v, path, "destination", &m->destination, err) < 0
      || sp_str (v, path, "type", &m->type, err) < 0
      || sp_str (v, path, "source", &m->source, err) < 0
      || sp_strv (v, path, "options", NULL, &m->options, err) < 0
      || sp_id_mappings (v, path, "uidMappings", &m->uid_mappings, err) < 0
      || sp_id_mappings (v, path, "gidMappings", &m->gid_mappings, err) < 0)
    return -1;
  if ((sp_get (v, "uidMappings") == NULL) != (sp_get (v, "gidMappings") == NULL))
    return sk_error_set (err, 0, "%s: uidMappings and gidMappings must be given together",
                         path);
  return 0;
}

/* config.md "POSIX-platform Hooks": path REQUIRED and absolute, timeout
 * greater than zero.  */
static int
parse_hook (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_hook *h = out;
  int64_t timeout = 0;
  if (SP_REQUIRE (v, path, err, "path") < 0
      || sp_str (v, path, "path", &h->path, err) < 0
      || sp_check_absolute (h->path, path, "path", err) < 0
      || sp_strv (v, path, "args", NULL, &h->args, err) < 0
      || sp_strv (v, path, "env", NULL, &h->env, err) < 0
      || sp_range (v, path, "timeout", 1, INT32_MAX, &timeout, &h->has_timeout, err) < 0)
    return -1;
  h->timeout = (int32_t) timeout;
  return 0;
}

static int
parse_hooks (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_hooks *h = out;
  static const struct
  {
    const char *name;
    size_t offset;
  } lists[] = {
    { "prestart", offsetof (struct sk_hooks, prestart) },
    { "createRuntime", offsetof (struct sk_hooks, create_runtime) },
    { "createContainer", offsetof (struct sk_hooks, create_container) },
    { "startContainer", offsetof (struct sk_hooks, start_container) },
    { "poststart", offsetof (struct sk_hooks, poststart) },
    { "poststop", offsetof (struct sk_hooks, poststop) },
  };
  for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
    {
      struct sk_hook_list *l = (struct sk_hook_list *) ((char *) h + lists[i].offset);
      if (sp_array (v, path, lists[i].name, sizeof *l->v, parse_hook, &l->v, &l->n, err) < 0)
        return -1;
    }
  return 0;
}

/* config.md: ociVersion "MUST be in SemVer v2.0.0 format".  Only the
 * MAJOR.MINOR.PATCH core is checked; any pre-release or build suffix is
 * kept as written.  */
static int
check_version (const char *v, const char *path, sk_error_t *err)
{
  char p[SP_PATH_LEN];
  const char *s = v;
  for (int part = 0; part < 3; part++)
    {
      size_t n = strspn (s, "0123456789");
      if (n == 0 || (n > 1 && s[0] == '0') || (part < 2 && s[n] != '.'))
        goto bad;
      s += n + (part < 2);
    }
  if (*s == '\0' || *s == '-' || *s == '+')
    return 0;
bad:
  sp_key (p, path, "ociVersion");
  return sk_error_set (err, 0, "%s: `%s` is not a SemVer version", p, v);
}

static int
parse_spec (const sk_json *v, const char *key, const char *path, void *out, sk_error_t *err)
{
  struct sk_spec *s = out;
  if (SP_REQUIRE (v, path, err, "ociVersion", "root") < 0
      || sp_str (v, path, "ociVersion", &s->oci_version, err) < 0
      || sp_object (v, path, "root", sizeof *s->root, parse_root, &s->root, err) < 0
      || sp_str (v, path, "hostname", &s->hostname, err) < 0
      || sp_str (v, path, "domainname", &s->domainname, err) < 0
      || sp_array (v, path, "mounts", sizeof *s->mounts, parse_mount, &s->mounts, &s->n_mounts,
                   err) < 0
      || sp_inline (v, path, "hooks", parse_hooks, &s->hooks, err) < 0
      || sp_kvs (v, path, "annotations", &s->annotations, err) < 0
      || sp_object (v, path, "process", sizeof *s->process, sp_process, &s->process, err) < 0
      || sp_object (v, path, "linux", sizeof *s->linux_, sp_linux, &s->linux_, err) < 0)
    return -1;
  return check_version (s->oci_version, path, err);
}

static void
spec_free (void *p)
{
  sk_spec_free (p);
}

struct sk_spec *
sk_spec_parse (const char *json, size_t len, sk_error_t *err)
{
  return sp_parse_document (json, len, "config.json", sizeof (struct sk_spec), parse_spec,
                            spec_free, err);
}

/* Read config.json whole; *raw receives the bytes (NUL-terminated).  A
 * FIFO or an oversized file is refused rather than waited on.  */
static int
read_config (const char *path, char **raw, size_t *raw_len, sk_error_t *err)
{
  return sk_read_regular_file (path, SK_INPUT_FILE_MAX, raw, raw_len, err);
}

struct sk_spec *
sk_spec_load_raw (const char *path, char **raw, size_t *raw_len, sk_error_t *err)
{
  *raw = NULL;
  *raw_len = 0;
  if (read_config (path, raw, raw_len, err) < 0)
    return NULL;
  struct sk_spec *spec = sk_spec_parse (*raw, *raw_len, err);
  if (spec == NULL)
    {
      free (*raw);
      *raw = NULL;
    }
  return spec;
}

struct sk_spec *
sk_spec_load (const char *path, sk_error_t *err)
{
  _cleanup_free_ char *raw = NULL;
  size_t len;
  return sk_spec_load_raw (path, &raw, &len, err);
}

static void
process_free (void *p)
{
  sk_process_free (p);
}

/* exec --process: the same object as config.json's `process`.  */
struct sk_process *
sk_process_parse (const char *json, size_t len, sk_error_t *err)
{
  return sp_parse_document (json, len, "process.json", sizeof (struct sk_process), sp_process,
                            process_free, err);
}

static void
resources_free (void *p)
{
  sk_resources_free (p);
}

/* update --resources: a LinuxResources object.  */
struct sk_resources *
sk_resources_parse (const char *json, size_t len, sk_error_t *err)
{
  return sp_parse_document (json, len, "resources.json", sizeof (struct sk_resources),
                            sp_resources, resources_free, err);
}

const struct sk_namespace *
sk_spec_namespace (const struct sk_spec *spec, enum sk_ns_type t)
{
  if (spec == NULL || spec->linux_ == NULL)
    return NULL;
  for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
    if (spec->linux_->namespaces[i].type == t)
      return &spec->linux_->namespaces[i];
  return NULL;
}
