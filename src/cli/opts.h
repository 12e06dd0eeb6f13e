/* A small runc-compatible option parser: `--name value`, `--name=value`,
 * Go-style single-dash `-name value`, short aliases (`-b DIR`), boolean
 * flags (`--detach`, `--detach=true`), repeatable list options.  Options
 * come before positional arguments (as urfave/cli requires); parsing stops
 * at the first positional argument or at `--`.  */
#ifndef SKIFF_CLI_OPTS_H
#define SKIFF_CLI_OPTS_H

#include <stdbool.h>
#include <skiff/error.h>
#include <skiff/spec.h>

enum sk_opt_kind
{
  SK_OPT_BOOL,     /* bool * */
  SK_OPT_STRING,   /* const char ** */
  SK_OPT_INT,      /* int * (non-negative) */
  SK_OPT_LIST,     /* struct sk_strv * (appended; free with sk_opts_free_list) */
};

struct sk_opt
{
  const char *name;        /* long name without dashes */
  char short_name;         /* 0 if none */
  enum sk_opt_kind kind;
  void *target;
  const char *arg;         /* placeholder in help, e.g. "DIR" */
  const char *help;
};

struct sk_cmd_help
{
  const char *name;
  const char *usage;       /* "create [options] ID" */
  const char *summary;
};

/* Parse; *first_arg is set to the index of the first positional argument.
 * Returns 0, -1 with *err set, or 1 when --help was printed.  */
int sk_opts_parse (const struct sk_cmd_help *h, const struct sk_opt *opts,
                   int argc, char **argv, int *first_arg, sk_error_t *err);
void sk_opts_print_help (const struct sk_cmd_help *h, const struct sk_opt *opts);
void sk_opts_free_list (struct sk_strv *l);

/* Socket activation for create/run: N from LISTEN_FDS when LISTEN_PID is
 * unset or ours (sd_listen_fds' rule), else 0.  */
int sk_opts_listen_fds (sk_error_t *err);

/* Require exactly n positional args (naming them in the error).  */
int sk_opts_want_args (const struct sk_cmd_help *h, int argc, char **argv, int first_arg,
                       int min, int max, sk_error_t *err);

#endif
