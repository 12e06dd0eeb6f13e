/* skiff exec: the process to run, from --process FILE or from the
 * container's own config.json process with the command-line overrides
 * applied (runc's rules: args replaced, env appended, --tty decides the
 * terminal, --cap adds to bounding/effective/permitted and to ambient when
 * the process has inheritable capabilities).  */
#include <config.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/container.h>
#include "util/cleanup.h"
#include "util/fs.h"

int sk_exec_build_process (const struct sk_exec_opts *o, struct sk_spec *spec,
                           struct sk_process **proc_out, sk_error_t *err);

static int
strv_push (struct sk_strv *l, const char *s, sk_error_t *err)
{
  char *dup = strdup (s);
  char **nv = dup ? realloc (l->v, (l->n + 2) * sizeof *nv) : NULL;
  if (nv == NULL)
    {
      free (dup);
      return sk_error_set (err, ENOMEM, "exec: process");
    }
  l->v = nv;
  l->v[l->n++] = dup;
  l->v[l->n] = NULL;
  return 0;
}

static void
strv_clear (struct sk_strv *l)
{
  for (size_t i = 0; i < l->n; i++)
    free (l->v[i]);
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

static int
parse_u32 (const char *s, uint32_t *out)
{
  char *end;
  if (s == NULL || !isdigit ((unsigned char) *s))
    return -1;
  errno = 0;
  unsigned long v = strtoul (s, &end, 10);
  if (errno || *end || v > UINT32_MAX)
    return -1;
  *out = (uint32_t) v;
  return 0;
}

static int
replace_str (char **dst, const char *src, sk_error_t *err)
{
  char *d = strdup (src);
  if (d == NULL)
    return sk_error_set (err, ENOMEM, "exec: process");
  free (*dst);
  *dst = d;
  return 0;
}

/* `--env K=V` replaces an existing K (the later value wins, as a shell
 * would see it) or is appended.  */
static int
set_env (struct sk_strv *env, const char *kv, sk_error_t *err)
{
  const char *eq = strchr (kv, '=');
  size_t klen = eq ? (size_t) (eq - kv) : strlen (kv);
  for (size_t i = 0; i < env->n; i++)
    if (strncmp (env->v[i], kv, klen) == 0 && env->v[i][klen] == '=')
      return replace_str (&env->v[i], kv, err);
  return strv_push (env, kv, err);
}

static int
add_cap (struct sk_capabilities *c, const char *name, sk_error_t *err)
{
  _cleanup_free_ char *full = NULL;
  if (asprintf (&full, "%s%s", strncasecmp (name, "CAP_", 4) ? "CAP_" : "", name) < 0)
    return sk_error_set (err, ENOMEM, "exec: --cap");
  for (char *p = full; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  if (strv_push (&c->bounding, full, err) < 0 || strv_push (&c->effective, full, err) < 0
      || strv_push (&c->permitted, full, err) < 0)
    return -1;
  /* Ambient needs the bit in inheritable, which --cap does not set.  */
  if (c->inheritable.n > 0 && strv_push (&c->ambient, full, err) < 0)
    return -1;
  return 0;
}

static int
apply_user (struct sk_process *p, const struct sk_exec_opts *o, sk_error_t *err)
{
  if (o->user)
    {
      _cleanup_free_ char *u = strdup (o->user);
      char *colon = u ? strchr (u, ':') : NULL;
      if (colon)
        *colon = '\0';
      if (u == NULL || parse_u32 (u, &p->user.uid) < 0
          || (colon && parse_u32 (colon + 1, &p->user.gid) < 0))
        return sk_error_set (err, 0, "invalid --user `%s`: expected UID[:GID] (numbers)",
                             o->user);
    }
  for (size_t i = 0; i < o->additional_gids.n; i++)
    {
      uint32_t gid;
      if (parse_u32 (o->additional_gids.v[i], &gid) < 0)
        return sk_error_set (err, 0, "invalid --additional-gids `%s`: expected a number",
                             o->additional_gids.v[i]);
      uint32_t *nv = realloc (p->user.additional_gids,
                              (p->user.n_additional_gids + 1) * sizeof *nv);
      if (nv == NULL)
        return sk_error_set (err, ENOMEM, "exec: --additional-gids");
      nv[p->user.n_additional_gids++] = gid;
      p->user.additional_gids = nv;
    }
  return 0;
}

static int
apply_flags (struct sk_process *p, const struct sk_exec_opts *o, sk_error_t *err)
{
  strv_clear (&p->args);
  for (char **a = o->args; a && *a; a++)
    if (strv_push (&p->args, *a, err) < 0)
      return -1;
  if (o->cwd && replace_str (&p->cwd, o->cwd, err) < 0)
    return -1;
  if (o->apparmor && replace_str (&p->apparmor_profile, o->apparmor, err) < 0)
    return -1;
  if (o->process_label && replace_str (&p->selinux_label, o->process_label, err) < 0)
    return -1;
  if (o->caps.n && p->capabilities == NULL
      && (p->capabilities = calloc (1, sizeof *p->capabilities)) == NULL)
    return sk_error_set (err, ENOMEM, "exec: --cap");
  for (size_t i = 0; i < o->caps.n; i++)
    if (add_cap (p->capabilities, o->caps.v[i], err) < 0)
      return -1;
  for (size_t i = 0; i < o->env.n; i++)
    if (set_env (&p->env, o->env.v[i], err) < 0)
      return -1;
  /* runc: the terminal comes from --tty only, not from config.json.  */
  p->terminal = o->tty;
  p->has_console_size = false;
  if (o->no_new_privs)
    p->no_new_privileges = true;
  return apply_user (p, o, err);
}

static struct sk_process *
load_process_file (const char *path, sk_error_t *err)
{
  _cleanup_free_ char *json = NULL;
  size_t len = 0;
  if (sk_read_regular_file (path, SK_INPUT_FILE_MAX, &json, &len, err) < 0)
    {
      sk_error_prefix (err, "--process");
      return NULL;
    }
  struct sk_process *p = sk_process_parse (json, len, err);
  if (p == NULL)
    sk_error_prefix (err, "--process `%s`", path);
  return p;
}

int
sk_exec_build_process (const struct sk_exec_opts *o, struct sk_spec *spec,
                       struct sk_process **proc_out, sk_error_t *err)
{
  *proc_out = NULL;
  if (o->process)
    return 0;
  if (o->process_path)
    return (*proc_out = load_process_file (o->process_path, err)) ? 0 : -1;
  /* Take the container's process over (the spec is ours and is freed
   * without it).  */
  struct sk_process *p = spec->process;
  spec->process = NULL;
  if (p == NULL && ((p = calloc (1, sizeof *p)) == NULL || (p->cwd = strdup ("/")) == NULL))
    {
      free (p);
      return sk_error_set (err, ENOMEM, "exec: process");
    }
  *proc_out = p;
  return apply_flags (p, o, err);
}
