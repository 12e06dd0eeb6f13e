/* Unit tests of util/json.c: integer bounds, floats refused where an
 * integer is expected, one-line parse errors, generator escaping.  */
#include <config.h>
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util/json.h"

static sk_json *
parse (const char *text)
{
  sk_error_t err = NULL;
  sk_json *j = sk_json_parse (text, strlen (text), "test.json", &err);
  ck_assert_msg (j != NULL, "parse `%s`: %s", text, err ? err->msg : "?");
  return j;
}

/* The error message of reading `text`'s key "v" as T, or NULL on success.  */
#define READ_ERR(text, fn, outp)                                        \
  ({                                                                    \
    _cleanup_json_ sk_json *j_ = parse (text);                          \
    sk_error_t e_ = NULL;                                               \
    char *m_ = NULL;                                                    \
    if (fn (sk_json_get (j_, "v"), "test.json: v", outp, &e_) < 0)      \
      {                                                                 \
        ck_assert_ptr_nonnull (e_);                                     \
        m_ = strdup (e_->msg);                                          \
        sk_error_free (&e_);                                            \
      }                                                                 \
    m_;                                                                 \
  })

START_TEST (test_uint64_bounds)
{
  uint64_t u = 0;
  char *m;
  m = READ_ERR ("{\"v\": 18446744073709551615}", sk_json_uint64, &u);
  ck_assert_ptr_null (m);
  ck_assert_uint_eq (u, UINT64_MAX);
  m = READ_ERR ("{\"v\": 9223372036854775808}", sk_json_uint64, &u);
  ck_assert_ptr_null (m);
  ck_assert_uint_eq (u, (uint64_t) INT64_MAX + 1);
  m = READ_ERR ("{\"v\": 0}", sk_json_uint64, &u);
  ck_assert_ptr_null (m);
  ck_assert_uint_eq (u, 0);
  m = READ_ERR ("{\"v\": 18446744073709551616}", sk_json_uint64, &u);
  ck_assert_str_eq (m, "test.json: v: expected integer in 0..18446744073709551615");
  free (m);
  m = READ_ERR ("{\"v\": -1}", sk_json_uint64, &u);
  ck_assert_str_eq (m, "test.json: v: expected integer in 0..18446744073709551615");
  free (m);
}
END_TEST

START_TEST (test_int64_bounds)
{
  int64_t i = 0;
  char *m;
  m = READ_ERR ("{\"v\": -9223372036854775808}", sk_json_int64, &i);
  ck_assert_ptr_null (m);
  ck_assert (i == INT64_MIN);
  m = READ_ERR ("{\"v\": 9223372036854775807}", sk_json_int64, &i);
  ck_assert_ptr_null (m);
  ck_assert (i == INT64_MAX);
  m = READ_ERR ("{\"v\": 9223372036854775808}", sk_json_int64, &i);
  ck_assert_ptr_nonnull (m);
  ck_assert_ptr_nonnull (strstr (m, "expected integer in -9223372036854775808..9223372036854775807"));
  free (m);
  m = READ_ERR ("{\"v\": -9223372036854775809}", sk_json_int64, &i);
  ck_assert_ptr_nonnull (m);
  free (m);
  m = READ_ERR ("{\"v\": \"12\"}", sk_json_int64, &i);
  ck_assert_str_eq (m, "test.json: v: expected integer");
  free (m);
}
END_TEST

START_TEST (test_floats_rejected)
{
  int64_t i = 0;
  uint64_t u = 0;
  const char *docs[] = { "{\"v\": 1.5}", "{\"v\": 1.0}", "{\"v\": 1e3}", "{\"v\": -2E1}" };
  for (size_t k = 0; k < sizeof docs / sizeof *docs; k++)
    {
      char *m = READ_ERR (docs[k], sk_json_int64, &i);
      ck_assert_str_eq (m, "test.json: v: expected integer");
      free (m);
      m = READ_ERR (docs[k], sk_json_uint64, &u);
      ck_assert_ptr_nonnull (m);
      free (m);
    }
}
END_TEST

START_TEST (test_int_range)
{
  int64_t i = 0;
  sk_error_t err = NULL;
  _cleanup_json_ sk_json *j = parse ("{\"uid\": 4294967296, \"ok\": 4294967295}");
  ck_assert_int_eq (sk_json_int_range (sk_json_get (j, "uid"), "config.json: process.user.uid",
                                       0, UINT32_MAX, &i, &err), -1);
  ck_assert_str_eq (err->msg, "config.json: process.user.uid: expected integer in 0..4294967295");
  sk_error_free (&err);
  ck_assert_int_eq (sk_json_int_range (sk_json_get (j, "ok"), "x", 0, UINT32_MAX, &i, &err), 0);
  ck_assert (i == UINT32_MAX);
}
END_TEST

START_TEST (test_types)
{
  _cleanup_json_ sk_json *j = parse ("{\"s\": \"x\", \"b\": true, \"a\": [1, null], \"o\": {}, \"d\": 1, \"d\": 2}");
  const char *s = NULL;
  bool b = false;
  int64_t i = 0;
  sk_error_t err = NULL;
  ck_assert_int_eq (sk_json_string (sk_json_get (j, "s"), "p", &s, &err), 0);
  ck_assert_str_eq (s, "x");
  ck_assert_int_eq (sk_json_bool (sk_json_get (j, "b"), "p", &b, &err), 0);
  ck_assert (b);
  ck_assert_int_eq (sk_json_string (sk_json_get (j, "b"), "c.json: b", &s, &err), -1);
  ck_assert_str_eq (err->msg, "c.json: b: expected string");
  sk_error_free (&err);
  ck_assert_int_eq (sk_json_bool (sk_json_get (j, "s"), "c.json: s", &b, &err), -1);
  ck_assert_str_eq (err->msg, "c.json: s: expected boolean");
  sk_error_free (&err);
  ck_assert_int_eq (sk_json_type_of (sk_json_get (j, "a")), SK_JSON_ARRAY);
  ck_assert_uint_eq (sk_json_array_len (sk_json_get (j, "a")), 2);
  ck_assert_int_eq (sk_json_type_of (sk_json_array_get (sk_json_get (j, "a"), 1)), SK_JSON_NULL);
  ck_assert_ptr_null (sk_json_array_get (sk_json_get (j, "a"), 2));
  ck_assert_int_eq (sk_json_type_of (sk_json_get (j, "o")), SK_JSON_OBJECT);
  ck_assert_ptr_null (sk_json_get (j, "missing"));
  ck_assert_uint_eq (sk_json_object_len (j), 6);
  ck_assert_str_eq (sk_json_object_key (j, 0), "s");
  /* duplicated key: the last one wins */
  ck_assert_int_eq (sk_json_int64 (sk_json_get (j, "d"), "p", &i, &err), 0);
  ck_assert (i == 2);
  ck_assert_str_eq (sk_json_type_name (SK_JSON_OBJECT), "object");
}
END_TEST

START_TEST (test_parse_error_one_line)
{
  sk_error_t err = NULL;
  const char *bad = "{\n  \"a\": 1,\n  b: 2\n}";
  ck_assert_ptr_null (sk_json_parse (bad, strlen (bad), "config.json", &err));
  ck_assert_ptr_nonnull (err);
  ck_assert_msg (strncmp (err->msg, "config.json: parse error: ", 26) == 0, "%s", err->msg);
  ck_assert_ptr_null (strchr (err->msg, '\n'));
  ck_assert_ptr_null (strstr (err->msg + 26, "parse error"));
  sk_error_free (&err);
  ck_assert_ptr_null (sk_json_parse ("", 0, "config.json", &err));
  ck_assert_str_eq (err->msg, "config.json: parse error: empty document");
  sk_error_free (&err);
  ck_assert_ptr_null (sk_json_parse ("{\"a\": 1", 7, "config.json", &err));
  ck_assert_ptr_nonnull (err);
  sk_error_free (&err);
  /* an embedded NUL must not silently truncate the document */
  ck_assert_ptr_null (sk_json_parse ("{}\0{", 4, "config.json", &err));
  ck_assert_ptr_nonnull (err);
  sk_error_free (&err);
}
END_TEST

START_TEST (test_gen_escaping)
{
  _cleanup_jgen_ sk_jgen *g = sk_jgen_new (false);
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "q", "a\"b\\c\n\t\x01/");
  sk_jgen_kv_string (g, "bad", "x\xff" "y");
  sk_jgen_kv_string (g, "null", NULL);
  sk_jgen_kv_int (g, "neg", INT64_MIN);
  sk_jgen_kv_uint (g, "big", UINT64_MAX);
  sk_jgen_kv_bool (g, "t", true);
  sk_jgen_key (g, "arr");
  sk_jgen_array_open (g);
  sk_jgen_null (g);
  sk_jgen_array_close (g);
  sk_jgen_map_close (g);
  size_t len = 0;
  char *out = sk_jgen_finish (g, &len);
  ck_assert_ptr_nonnull (out);
  ck_assert_uint_eq (len, strlen (out));
  ck_assert_str_eq (out, "{\"q\":\"a\\\"b\\\\c\\n\\t\\u0001/\",\"bad\":\"x\xef\xbf\xbdy\","
                    "\"null\":null,\"neg\":-9223372036854775808,"
                    "\"big\":18446744073709551615,\"t\":true,\"arr\":[null]}");
  /* round trip through the parser */
  sk_error_t err = NULL;
  _cleanup_json_ sk_json *j = sk_json_parse (out, len, "gen", &err);
  ck_assert_ptr_nonnull (j);
  uint64_t u = 0;
  ck_assert_int_eq (sk_json_uint64 (sk_json_get (j, "big"), "big", &u, &err), 0);
  ck_assert_uint_eq (u, UINT64_MAX);
  free (out);
}
END_TEST

START_TEST (test_gen_pretty)
{
  _cleanup_jgen_ sk_jgen *g = sk_jgen_new (true);
  sk_jgen_map_open (g);
  sk_jgen_kv_string (g, "a", "b");
  sk_jgen_map_close (g);
  char *out = sk_jgen_finish (g, NULL);
  ck_assert_ptr_nonnull (out);
  /* indented, and no trailing newline in either mode */
  ck_assert_str_eq (out, "{\n\t\"a\": \"b\"\n}");
  free (out);
}
END_TEST

START_TEST (test_gen_misuse)
{
  _cleanup_jgen_ sk_jgen *g = sk_jgen_new (true);
  sk_jgen_map_open (g);
  sk_jgen_string (g, "value where a key belongs is fine for yajl");
  sk_jgen_map_close (g);
  sk_jgen_map_close (g);   /* one close too many */
  ck_assert_ptr_null (sk_jgen_finish (g, NULL));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("json");
  TCase *tc = tcase_create ("json");
  tcase_add_test (tc, test_uint64_bounds);
  tcase_add_test (tc, test_int64_bounds);
  tcase_add_test (tc, test_floats_rejected);
  tcase_add_test (tc, test_int_range);
  tcase_add_test (tc, test_types);
  tcase_add_test (tc, test_parse_error_one_line);
  tcase_add_test (tc, test_gen_escaping);
  tcase_add_test (tc, test_gen_pretty);
  tcase_add_test (tc, test_gen_misuse);
  suite_add_tcase (s, tc);
  SRunner *sr = srunner_create (s);
  srunner_run_all (sr, CK_NORMAL);
  int failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
