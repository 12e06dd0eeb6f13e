/* The command table: one file per command under src/cli/.  Each command
 * parses its flags, calls exactly one library function and returns the
 * process exit code (>= 0), or -1 with *err set; main.c prints the error.  */
#ifndef SKIFF_CLI_COMMANDS_H
#define SKIFF_CLI_COMMANDS_H

#include <skiff/container.h>
#include "opts.h"

typedef int sk_cmd_fn (const struct sk_global *g, int argc, char **argv, sk_error_t *err);

sk_cmd_fn cmd_create, cmd_start, cmd_run, cmd_state, cmd_kill, cmd_delete, cmd_list,
  cmd_spec, cmd_features, cmd_exec, cmd_pause, cmd_resume, cmd_update, cmd_ps, cmd_events;

#endif
