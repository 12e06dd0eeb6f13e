/* Signal names as kill(1), runc and the runtime-tools harness spell them.  */
#include <config.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <skiff/container.h>

static const struct
{
  const char *name;
  int signo;
} signals[] = {
  { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
  { "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "IOT", SIGIOT }, { "BUS", SIGBUS },
  { "FPE", SIGFPE }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
  { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
  { "WINCH", SIGWINCH }, { "IO", SIGIO }, { "POLL", SIGPOLL }, { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

static int
parse_number (const char *s, int *out)
{
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno || end == s || *end)
    return -1;
  *out = (int) v;
  return v == *out ? 0 : -1;
}

int
sk_parse_signal (const char *s, int *signo, sk_error_t *err)
{
  int v;
  if (s == NULL || *s == '\0')
    return sk_error_set (err, 0, "invalid signal ``: empty");
  if (isdigit ((unsigned char) s[0]))
    {
      /* 0 is the existence check of kill(2); runc and kill(1) accept it
       * (scripts and health checks run `kill ID 0`).  */
      if (parse_number (s, &v) < 0 || v < 0 || v > SIGRTMAX)
        return sk_error_set (err, 0, "invalid signal `%s`", s);
      *signo = v;
      return 0;
    }
  const char *name = strncasecmp (s, "SIG", 3) == 0 ? s + 3 : s;
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    if (strcasecmp (name, signals[i].name) == 0)
      {
        *signo = signals[i].signo;
        return 0;
      }
  /* RTMIN, RTMIN+N, RTMAX, RTMAX-N */
  if (strncasecmp (name, "RTMIN", 5) == 0 || strncasecmp (name, "RTMAX", 5) == 0)
    {
      bool min = strncasecmp (name, "RTMIN", 5) == 0;
      int base = min ? SIGRTMIN : SIGRTMAX, off = 0;
      const char *rest = name + 5;
      if (*rest != '\0')
        {
          if ((min && *rest != '+') || (!min && *rest != '-') || parse_number (rest + 1, &off) < 0
              || off < 0)
            return sk_error_set (err, 0, "invalid signal `%s`", s);
        }
      v = min ? base + off : base - off;
      if (v >= SIGRTMIN && v <= SIGRTMAX)
        {
          *signo = v;
          return 0;
        }
    }
  return sk_error_set (err, 0, "invalid signal `%s`", s);
}
