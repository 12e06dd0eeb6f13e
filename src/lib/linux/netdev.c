/* linux.netDevices (config-linux.md "Network Devices"): move named host
 * interfaces into the container's network namespace over rtnetlink,
 * keeping their permanent global addresses, and set them up.
 *
 * Parent side, once the container's network namespace exists.  The work
 * runs in a short-lived forked helper: it opens a netlink socket in the
 * runtime's namespace, then setns()es into the container's and opens a
 * second one there, so the runtime itself never changes namespace.  */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "linux/linux.h"
#include "linux/attrs.h"
#include "util/cleanup.h"
#include "util/fd.h"

/* ---- validation ----------------------------------------------------------- */

/* dev_valid_name(): < IFNAMSIZ, not "." / "..", no '/', ':' or space.  */
static bool
valid_ifname (const char *n, bool allow_template)
{
  size_t len = n ? strlen (n) : 0;
  if (len == 0 || len >= IFNAMSIZ || strcmp (n, ".") == 0 || strcmp (n, "..") == 0)
    return false;
  for (const char *p = n; *p; p++)
    if (*p == '/' || *p == ':' || *p == ' ' || *p == '\t' || *p == '\n')
      return false;
  const char *pct = strchr (n, '%');
  if (pct == NULL)
    return true;
  /* only one `%d` template, as the kernel's dev_alloc_name() takes */
  return allow_template && pct[1] == 'd' && strchr (pct + 1, '%') == NULL;
}

int
sk_netdev_validate (const struct sk_spec *spec, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  if (l == NULL || l->n_net_devices == 0)
    return 0;
  const char *path = NULL;
  enum sk_ns_mode m = sk_attrs_ns_mode (spec, SK_NS_NETWORK, &path);
  if (m == SK_NS_INHERITED)
    return sk_error_set (err, 0, "config.json: linux.netDevices: requires a new or joined "
                         "network namespace");
  for (size_t i = 0; i < l->n_net_devices; i++)
    {
      const struct sk_net_device *d = &l->net_devices[i];
      if (!valid_ifname (d->host_name, false))
        return sk_error_set (err, 0, "config.json: linux.netDevices: `%s`: invalid interface "
                             "name", d->host_name ? d->host_name : "");
      if (d->name != NULL && !valid_ifname (d->name, true))
        return sk_error_set (err, 0, "config.json: linux.netDevices.%s.name: `%s`: invalid "
                             "interface name", d->host_name, d->name);
      const char *target = d->name ? d->name : d->host_name;
      for (size_t j = 0; j < i; j++)
        {
          const struct sk_net_device *o = &l->net_devices[j];
          const char *ot = o->name ? o->name : o->host_name;
          if (strchr (target, '%') == NULL && strcmp (ot, target) == 0)
            return sk_error_set (err, 0, "config.json: linux.netDevices: two devices would "
                                 "be named `%s` in the container", target);
        }
    }
  return 0;
}

/* ---- rtnetlink ------------------------------------------------------------ */

union nlreq
{
  struct nlmsghdr h;
  char raw[1024];
};

static void
nl_init (union nlreq *r, int type, int flags, const void *body, size_t len)
{
  memset (r, 0, sizeof *r);
  r->h.nlmsg_type = type;
  r->h.nlmsg_flags = NLM_F_REQUEST | flags;
  r->h.nlmsg_len = NLMSG_LENGTH (len);
  memcpy (NLMSG_DATA (&r->h), body, len);
}

static void
nl_attr (union nlreq *r, int type, const void *data, size_t len)
{
  struct rtattr *a = (struct rtattr *) (r->raw + NLMSG_ALIGN (r->h.nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH (len);
  memcpy (RTA_DATA (a), data, len);
  r->h.nlmsg_len = NLMSG_ALIGN (r->h.nlmsg_len) + RTA_ALIGN (a->rta_len);
}

static int
nl_open (void)
{
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    return -1;
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Send one request and wait for its ACK; returns 0 or -1 with errno.  */
static int
nl_call (int fd, union nlreq *r)
{
  static uint32_t seq;
  r->h.nlmsg_seq = ++seq;
  r->h.nlmsg_flags |= NLM_F_ACK;
  if (send (fd, &r->h, r->h.nlmsg_len, 0) < 0)
    return -1;
  char buf[8192];
  for (;;)
    {
      ssize_t n = recv (fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK (h, (size_t) n);
           h = NLMSG_NEXT (h, n))
        {
          if (h->nlmsg_seq != r->h.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
            continue;
          struct nlmsgerr *e = NLMSG_DATA (h);
          if (e->error == 0)
            return 0;
          errno = -e->error;
          return -1;
        }
    }
}

struct saved_addr
{
  struct ifaddrmsg ifa;
  uint32_t flags;
  unsigned char local[16], address[16], broadcast[16];
  size_t alen;
  bool has_local, has_address, has_broadcast;
};

struct addr_list
{
  struct saved_addr *v;
  size_t n;
};

static void
keep_addr (struct addr_list *out, struct ifaddrmsg *ifa, size_t len)
{
  struct saved_addr s = { .ifa = *ifa, .flags = ifa->ifa_flags };
  for (struct rtattr *a = IFA_RTA (ifa); RTA_OK (a, len); a = RTA_NEXT (a, len))
    {
      size_t l = RTA_PAYLOAD (a) > 16 ? 16 : RTA_PAYLOAD (a);
      if (a->rta_type == IFA_FLAGS && RTA_PAYLOAD (a) >= 4)
        memcpy (&s.flags, RTA_DATA (a), 4);
      else if (a->rta_type == IFA_LOCAL)
        memcpy (s.local, RTA_DATA (a), (s.alen = l)), s.has_local = true;
      else if (a->rta_type == IFA_ADDRESS)
        memcpy (s.address, RTA_DATA (a), (s.alen = l)), s.has_address = true;
      else if (a->rta_type == IFA_BROADCAST)
        memcpy (s.broadcast, RTA_DATA (a), l), s.has_broadcast = true;
    }
  /* config-linux.md: permanent addresses of global scope only.  */
  if (!(s.flags & IFA_F_PERMANENT) || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
    return;
  struct saved_addr *v = realloc (out->v, (out->n + 1) * sizeof *v);
  if (v == NULL)
    return;
  out->v = v;
  v[out->n++] = s;
}

/* The device's addresses, before the move flushes them.  */
static int
dump_addrs (int fd, int ifindex, struct addr_list *out)
{
  struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
  union nlreq r;
  nl_init (&r, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof ifa);
  r.h.nlmsg_seq = 0x5ade;
  if (send (fd, &r.h, r.h.nlmsg_len, 0) < 0)
    return -1;
  char buf[16384];
  for (;;)
    {
      ssize_t n = recv (fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK (h, (size_t) n);
           h = NLMSG_NEXT (h, n))
        {
          if (h->nlmsg_type == NLMSG_DONE)
            return 0;
          if (h->nlmsg_type == NLMSG_ERROR)
            {
              errno = -((struct nlmsgerr *) NLMSG_DATA (h))->error;
              return -1;
            }
          struct ifaddrmsg *m = NLMSG_DATA (h);
          if (h->nlmsg_type == RTM_NEWADDR && (int) m->ifa_index == ifindex)
            keep_addr (out, m, IFA_PAYLOAD (h));
        }
    }
}

static int
add_addr (int fd, int ifindex, const struct saved_addr *s)
{
  struct ifaddrmsg ifa = s->ifa;
  ifa.ifa_index = ifindex;
  union nlreq r;
  nl_init (&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, &ifa, sizeof ifa);
  uint32_t flags = s->flags & (IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_NOPREFIXROUTE
                               | IFA_F_MANAGETEMPADDR | IFA_F_MCAUTOJOIN);
  if (s->has_local)
    nl_attr (&r, IFA_LOCAL, s->local, s->alen);
  if (s->has_address)
    nl_attr (&r, IFA_ADDRESS, s->address, s->alen);
  if (s->has_broadcast)
    nl_attr (&r, IFA_BROADCAST, s->broadcast, 4);
  nl_attr (&r, IFA_FLAGS, &flags, sizeof flags);
  return nl_call (fd, &r);
}

static int
link_set (int fd, int ifindex, int nsfd, const char *name, bool up)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
  if (up)
    ifi.ifi_flags = ifi.ifi_change = IFF_UP;
  union nlreq r;
  nl_init (&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
  if (nsfd >= 0)
    {
      uint32_t v = nsfd;
      nl_attr (&r, IFLA_NET_NS_FD, &v, sizeof v);
    }
  if (name != NULL)
    nl_attr (&r, IFLA_IFNAME, name, strlen (name) + 1);
  return nl_call (fd, &r);
}

/* ---- the helper ----------------------------------------------------------- */

/* What must be read in the runtime's namespace, before the move flushes
 * the addresses and before the helper leaves for the container's.  */
struct host_dev
{
  int ifindex;
  struct addr_list addrs;
};

static int
read_host_dev (int hostfd, const struct sk_net_device *d, struct host_dev *h, sk_error_t *err)
{
  h->ifindex = if_nametoindex (d->host_name);
  if (h->ifindex == 0)
    return sk_error_set (err, errno, "`%s`: no such network interface", d->host_name);
  if (dump_addrs (hostfd, h->ifindex, &h->addrs) < 0)
    return sk_error_set (err, errno, "`%s`: read its addresses", d->host_name);
  return 0;
}

/* Runs in the container's network namespace; hostfd still talks to the
 * runtime's.  */
static int
move_one (int hostfd, int nsfd, const struct sk_net_device *d, const struct host_dev *h,
          sk_error_t *err)
{
  const char *target = d->name ? d->name : d->host_name;
  if (strchr (target, '%') == NULL && if_nametoindex (target) != 0)
    return sk_error_set (err, EEXIST, "`%s`: a device named `%s` already exists in the "
                         "container's network namespace", d->host_name, target);
  /* Move under a private temporary name, then rename inside: the only way
   * to find the device again when the kernel fills in a `%d` template.  */
  char tmp[IFNAMSIZ];
  snprintf (tmp, sizeof tmp, "skmv%x", (unsigned) getpid () & 0xfffffff);
  if (link_set (hostfd, h->ifindex, nsfd, tmp, false) < 0)
    return sk_error_set (err, errno, "`%s`: move into the container's network namespace%s",
                         d->host_name, errno == EINVAL ? " (a netns-local device such as "
                         "`lo` or a bridge cannot move)" : "");
  _cleanup_close_ int nsnl = nl_open ();
  if (nsnl < 0)
    return sk_error_set (err, errno, "`%s`: netlink socket in the container", d->host_name);
  int nidx = if_nametoindex (tmp);
  if (nidx == 0)
    return sk_error_set (err, errno, "`%s`: find it after the move", d->host_name);
  if (link_set (nsnl, nidx, -1, target, false) < 0)
    return sk_error_set (err, errno, "`%s`: rename to `%s`", d->host_name, target);
  for (size_t i = 0; i < h->addrs.n; i++)
    if (add_addr (nsnl, nidx, &h->addrs.v[i]) < 0)
      return sk_error_set (err, errno, "`%s`: restore its address", d->host_name);
  if (link_set (nsnl, nidx, -1, NULL, true) < 0)
    return sk_error_set (err, errno, "`%s`: set it up", d->host_name);
  return 0;
}

/* A forked process about to _exit: nothing is freed.  */
static int
helper (const struct sk_linux *l, int nsfd, sk_error_t *err)
{
  int hostfd = nl_open ();
  if (hostfd < 0)
    return sk_error_set (err, errno, "netlink socket");
  struct host_dev *h = calloc (l->n_net_devices, sizeof *h);
  if (h == NULL)
    return sk_error_set (err, ENOMEM, "netlink");
  for (size_t i = 0; i < l->n_net_devices; i++)
    if (read_host_dev (hostfd, &l->net_devices[i], &h[i], err) < 0)
      return -1;
  if (setns (nsfd, CLONE_NEWNET) < 0)
    return sk_error_set (err, errno, "enter the container's network namespace");
  for (size_t i = 0; i < l->n_net_devices; i++)
    if (move_one (hostfd, nsfd, &l->net_devices[i], &h[i], err) < 0)
      return -1;
  return 0;
}

/* The helper's error comes back over a pipe: errno, then the message.  */
static int
run_helper (const struct sk_linux *l, int nsfd, sk_error_t *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return sk_error_set (err, errno, "linux.netDevices: pipe");
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (p[0]), close (p[1]);
      return sk_error_set (err, errno, "linux.netDevices: fork");
    }
  if (pid == 0)
    {
      sk_error_t e = NULL;
      close (p[0]);
      if (helper (l, nsfd, &e) == 0)
        _exit (0);
      (void) !write (p[1], &e->errnum, sizeof e->errnum);
      (void) !write (p[1], e->msg, strlen (e->msg));
      _exit (1);
    }
  close (p[1]);
  char buf[1024] = "";
  int errnum = 0;
  ssize_t n = sk_read_all (p[0], &errnum, sizeof errnum);
  ssize_t m = n == sizeof errnum ? sk_read_all (p[0], buf, sizeof buf - 1) : 0;
  buf[m > 0 ? m : 0] = '\0';
  close (p[0]);
  int status;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (n == sizeof errnum)
    return sk_error_set (err, errnum, "linux.netDevices: %s", buf);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return sk_error_set (err, 0, "linux.netDevices: helper process failed");
  return 0;
}

int
sk_netdev_move (const struct sk_spec *spec, pid_t pid, sk_error_t *err)
{
  const struct sk_linux *l = spec->linux_;
  if (l == NULL || l->n_net_devices == 0)
    return 0;
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int) pid);
  _cleanup_close_ int nsfd = open (path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0)
    return sk_error_set (err, errno, "linux.netDevices: open `%s`", path);
  return run_helper (l, nsfd, err);
}

/* ---- loopback (child side) ------------------------------------------------ */

/* A new network namespace starts with `lo` down.  runc brings it up in
 * every network namespace it creates (not in the spec); services that
 * listen on or talk to 127.0.0.1 inside the container (databases, health
 * checks, sidecars in a pod that shares the namespace) need it.  Called by
 * init inside the namespace; a joined namespace (path) is left alone: it
 * belongs to whoever made it.  */
int
sk_netdev_loopback_up (const struct sk_spec *spec, sk_error_t *err)
{
  const struct sk_namespace *ns = sk_spec_namespace (spec, SK_NS_NETWORK);
  if (ns == NULL || ns->path != NULL)
    return 0;
  _cleanup_close_ int fd = nl_open ();
  if (fd < 0)
    return sk_error_set (err, errno, "netlink socket in the container's network namespace");
  int index = (int) if_nametoindex ("lo");
  if (index == 0)
    return sk_error_set (err, errno, "find `lo` in the container's network namespace");
  if (link_set (fd, index, -1, NULL, true) < 0)
    return sk_error_set (err, errno, "bring `lo` up");
  return 0;
}
