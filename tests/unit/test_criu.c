/* Unit tests of checkpoint/criu.c's protobuf encoding and decoding,
 * against bytes made by protobuf itself (python3's google.protobuf with
 * pycriu's rpc_pb2 from Debian's criu package, serialising the same
 * messages): the wire format CRIU reads and writes.  White-box: the
 * codec is static, so the file is included.  */
#include "checkpoint/criu.c"
#include <check.h>
#include <sched.h>

static char *
hex (const uint8_t *b, size_t n)
{
  char *s = malloc (2 * n + 1);
  for (size_t i = 0; i < n; i++)
    sprintf (s + 2 * i, "%02x", b[i]);
  s[2 * n] = '\0';
  return s;
}

static size_t
unhex (const char *h, uint8_t *out)
{
  size_t n = strlen (h) / 2;
  for (size_t i = 0; i < n; i++)
    sscanf (h + 2 * i, "%2hhx", &out[i]);
  return n;
}

START_TEST (test_encode_dump_request)
{
  struct sk_criu_opts o;
  sk_error_t err = NULL;
  sk_criu_opts_init (&o);
  o.images_dir_fd = 5;
  o.pid = 42;
  o.leave_running = true;
  o.log_level = 4;
  o.log_file = "dump.log";
  o.root = "/r";
  o.manage_cgroups = true;
  o.manage_cgroups_mode = SK_CRIU_CG_DEFAULT;
  ck_assert_int_eq (sk_criu_list_add (&o.ext_mnt, "/data", "/src", -1, &err), 0);
  ck_assert_int_eq (sk_criu_list_add (&o.inherit_fd, "extRootNetNS", NULL, 4, &err), 0);
  ck_assert_int_eq (sk_criu_list_add (&o.external, "net[4026531840]:extRootNetNS", NULL, -1, &err), 0);
  ck_assert_int_eq (sk_criu_list_add (&o.cg_root, "", "/c1", -1, &err), 0);
  o.empty_ns = CLONE_NEWNET;
  o.orphan_pts_master = true;

  struct pb req = { 0 }, sub = { 0 };
  pb_int (&req, 1, SK_CRIU_DUMP);
  encode_opts (&sub, &o);
  pb_bytes (&req, 2, sub.buf, sub.len);
  char *got = hex (req.buf, req.len);
  ck_assert_str_eq (got,
                    "080112720805102a18014804520864756d702e6c6f676a022f72ba010d0a052f6461746112042f737263"
                    "c00101ca01070a0012032f6331da01100a0c657874526f6f744e65744e531004900206aa021c6e65745b"
                    "343032363533313834305d3a657874526f6f744e65744e53b0028080808004900301");
  free (got);
  free (req.buf);
  free (sub.buf);
  sk_criu_opts_clear (&o);
}
END_TEST

START_TEST (test_decode_answers)
{
  uint8_t b[256];
  struct criu_resp r;
  size_t n = unhex ("08021001220308d20938024a114572726f722028782e633a31293a20790a", b);
  ck_assert_int_eq (decode_resp (b, n, &r), 0);
  ck_assert_int_eq (r.type, SK_CRIU_RESTORE);
  ck_assert (r.success);
  ck_assert_int_eq (r.restore_pid, 1234);
  ck_assert_int_eq (r.cr_errno, 2);
  ck_assert_str_eq (r.errmsg, "Error (x.c:1): y");   /* newline dropped */

  n = unhex ("080610012a100a0c706f73742d726573746f7265104d", b);
  ck_assert_int_eq (decode_resp (b, n, &r), 0);
  ck_assert_int_eq (r.type, SK_CRIU_NOTIFY);
  ck_assert_str_eq (r.script, "post-restore");
  ck_assert_int_eq (r.notify_pid, 77);

  n = unhex ("080a1001520b080310111a036162632001", b);
  ck_assert_int_eq (decode_resp (b, n, &r), 0);
  ck_assert_int_eq (r.version[0], 3);
  ck_assert_int_eq (r.version[1], 17);
  ck_assert_int_eq (r.version[2], 1);
}
END_TEST

START_TEST (test_decode_refuses_truncated)
{
  uint8_t b[64];
  struct criu_resp r;
  /* The restore sub-message says 3 bytes, 2 follow.  */
  size_t n = unhex ("08021001220308d2", b);
  ck_assert_int_lt (decode_resp (b, n, &r), 0);
  /* A varint that never ends.  */
  n = unhex ("08ffffffffffffffffffff", b);
  ck_assert_int_lt (decode_resp (b, n, &r), 0);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("criu");
  TCase *tc = tcase_create ("codec");
  tcase_add_test (tc, test_encode_dump_request);
  tcase_add_test (tc, test_decode_answers);
  tcase_add_test (tc, test_decode_refuses_truncated);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? 1 : 0;
}
