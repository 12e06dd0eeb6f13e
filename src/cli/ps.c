/* skiff ps [--format table|json] ID [ps options]
 *
 * json prints the pids of the container's cgroup as an array; table runs
 * the host's ps(1) with the given options (default -ef) and keeps its
 * header and the lines whose PID column is one of the container's.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "commands.h"
#include "util/cleanup.h"
#include "util/json.h"

static int
print_json (const pid_t *pids, size_t n, sk_error_t *err)
{
  _cleanup_jgen_ sk_jgen *j = sk_jgen_new (false);
  if (j == NULL)
    return sk_error_set (err, ENOMEM, "ps");
  sk_jgen_array_open (j);
  for (size_t i = 0; i < n; i++)
    sk_jgen_int (j, pids[i]);
  sk_jgen_array_close (j);
  _cleanup_free_ char *s = sk_jgen_finish (j, NULL);
  if (s == NULL)
    return sk_error_set (err, ENOMEM, "ps");
  printf ("%s\n", s);
  return 0;
}

/* Index of the PID column in ps's header, -1 when there is none.  */
static int
pid_column (const char *header)
{
  _cleanup_free_ char *copy = strdup (header);
  int col = 0;
  for (char *save = NULL, *t = copy ? strtok_r (copy, " \t\n", &save) : NULL; t;
       t = strtok_r (NULL, " \t\n", &save), col++)
    if (strcmp (t, "PID") == 0)
      return col;
  return -1;
}

static bool
line_in (const char *line, int col, const pid_t *pids, size_t n)
{
  _cleanup_free_ char *copy = strdup (line);
  char *save = NULL, *t = copy ? strtok_r (copy, " \t\n", &save) : NULL;
  for (int i = 0; t && i < col; i++)
    t = strtok_r (NULL, " \t\n", &save);
  if (t == NULL)
    return false;
  long pid = strtol (t, NULL, 10);
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static int
print_table (const pid_t *pids, size_t n, char **ps_args, int n_args, sk_error_t *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return sk_error_set (err, errno, "ps: pipe");
  pid_t child = fork ();
  if (child < 0)
    return sk_error_set (err, errno, "ps: fork");
  if (child == 0)
    {
      char *argv[n_args + 3];
      char dflt[] = "-ef", ps[] = "ps";
      argv[0] = ps;
      for (int i = 0; i < n_args; i++)
        argv[i + 1] = ps_args[i];
      if (n_args == 0)
        argv[++n_args] = dflt;
      argv[n_args + 1] = NULL;
      dup2 (p[1], 1);
      execvp ("ps", argv);
      _exit (127);
    }
  close (p[1]);
  _cleanup_fclose_ FILE *in = fdopen (p[0], "r");
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;
  int col = -1;
  bool header = true;
  while (in && getline (&line, &cap, in) > 0)
    {
      if (header)
        {
          col = pid_column (line);
          fputs (line, stdout);
          header = false;
        }
      else if (col >= 0 && line_in (line, col, pids, n))
        fputs (line, stdout);
    }
  int status;
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return sk_error_set (err, 0, "ps: `ps` failed (exit status %d)",
                         WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  if (col < 0)
    return sk_error_set (err, 0, "ps: no `PID` column in the output of ps");
  return 0;
}

int
cmd_ps (const struct sk_global *g, int argc, char **argv, sk_error_t *err)
{
  static const struct sk_cmd_help h = {
    "ps", "ps [options] ID [ps options]",
    "List the processes of a container: as a JSON array of pids, or as the host's\n"
    "ps(1) table (default options -ef) limited to the container's processes."
  };
  const char *format = "table";
  const struct sk_opt opts[] = {
    { "format", 'f', SK_OPT_STRING, &format, "table|json", "output format (default table)" },
    { NULL, 0, 0, NULL, NULL, NULL },
  };
  int first;
  int r = sk_opts_parse (&h, opts, argc, argv, &first, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (sk_opts_want_args (&h, argc, argv, first, 1, -1, err) < 0)
    return -1;
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    return sk_error_set (err, 0, "ps: invalid format `%s`: expected table or json", format);
  if (strcmp (format, "json") == 0 && argc - first > 1)
    return sk_error_set (err, 0, "ps: ps options cannot be combined with --format json");
  _cleanup_free_ pid_t *pids = NULL;
  size_t n;
  if (sk_container_pids (g, argv[first], &pids, &n, err) < 0)
    return -1;
  if (strcmp (format, "json") == 0)
    return print_json (pids, n, err);
  return print_table (pids, n, argv + first + 1, argc - first - 1, err);
}
