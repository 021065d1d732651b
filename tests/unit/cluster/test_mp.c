/*
 * Locust protocol messages: the exact bytes of the simple ones (as the
 * master's own msgpack writes them), strings always valid UTF-8 str, the
 * stats report's shape, decoding that rejects what is not [str, any, str],
 * and a master's stats CSV read back into a summary.
 */
#include "testutil.h"

#include <string.h>

#include "cluster/cluster_int.h"

static void hex_equal(const ld__mp_t *m, const char *hex)
{
    char got[512] = "";
    size_t k = 0;
    for (size_t i = 0; i < m->sb.size && k + 3 < sizeof(got); i++)
        k += (size_t)snprintf(got + k, sizeof(got) - k, "%s%02x", i ? " " : "",
                              (unsigned char)m->sb.data[i]);
    assert_string_equal(got, hex);
}

static void test_simple_bytes(void **state)
{
    ld__mp_t m;
    (void)state;
    ld__mp_init(&m);
    ld__mp_begin(&m, "client_ready");
    ld__mp_int(&m, -1);
    ld__mp_end(&m, "vm_ab");
    hex_equal(&m, "93 ac 63 6c 69 65 6e 74 5f 72 65 61 64 79 ff a5 76 6d 5f "
                  "61 62");
    ld__mp_free(&m);
    ld__mp_init(&m);
    ld__mp_simple(&m, "spawning", "vm_ab");
    hex_equal(&m, "93 a8 73 70 61 77 6e 69 6e 67 c0 a5 76 6d 5f 61 62");
    ld__mp_free(&m);
    ld__mp_init(&m);
    ld__mp_double(&m, 1795314707.2472732);
    hex_equal(&m, "cb 41 da c0 95 04 cf d3 53");
    ld__mp_free(&m);
}

static void test_utf8_is_fixed(void **state)
{
    static const char *const bad[] = {
        "\xff",         "a\xc3",        "\xc0\xaf",         /* overlong */
        "\xed\xa0\x80", /* surrogate */ "\xf4\x90\x80\x80", /* > U+10FFFF */
    };
    ld__mp_t m;
    (void)state;
    assert_int_equal(ld__utf8_fixed_len("h\xc3\xa9llo \xe2\x82\xac", 10), 10);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_not_equal(ld__utf8_fixed_len(bad[i], strlen(bad[i])),
                             strlen(bad[i]));
    ld__mp_init(&m);
    ld__mp_str(&m, "a\xff");
    hex_equal(&m, "a4 61 ef bf bd"); /* "a" U+FFFD, as str */
    ld__mp_free(&m);
}

static void test_decode(void **state)
{
    static const unsigned char ack[] = {0x93, 0xa3, 'a', 'c', 'k', 0x81, 0xa5,
                                        'i', 'n', 'd', 'e', 'x', 0x02, 0xa5,
                                        'v', 'm', '_', 'a', 'b'};
    ld__msg_t m;
    double idx = -1;
    (void)state;
    assert_int_equal(ld__msg_decode(ack, sizeof(ack), &m), 0);
    assert_true(ld__msg_is(&m, "ack"));
    assert_false(ld__msg_is(&m, "ac"));
    assert_true(ld__mp_num(ld__mp_get(m.data, "index"), &idx));
    assert_true(idx == 2);
    assert_null(ld__mp_get(m.data, "nope"));
    ld__msg_free(&m);
    /* trailing bytes, 2-array, bin type, truncated: all refused */
    {
        unsigned char trail[sizeof(ack) + 1];
        memcpy(trail, ack, sizeof(ack));
        trail[sizeof(ack)] = 0xc0;
        assert_int_equal(ld__msg_decode(trail, sizeof(trail), &m),
                         LD_ESYNTAX);
        ld__msg_free(&m);
    }
    assert_int_equal(ld__msg_decode("\x92\xa1x\xc0", 4, &m), LD_ESYNTAX);
    ld__msg_free(&m);
    assert_int_equal(ld__msg_decode("\x93\xc4\x01x\xc0\xa1y", 7, &m),
                     LD_ESYNTAX);
    ld__msg_free(&m);
    assert_int_equal(ld__msg_decode(ack, sizeof(ack) - 1, &m), LD_ESYNTAX);
    ld__msg_free(&m);
}

static const msgpack_object *get(const msgpack_object *map, const char *k)
{
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (map->via.map.ptr[i].key.type == MSGPACK_OBJECT_STR &&
            map->via.map.ptr[i].key.via.str.size == strlen(k) &&
            !memcmp(map->via.map.ptr[i].key.via.str.ptr, k, strlen(k)))
            return &map->via.map.ptr[i].val;
    return NULL;
}

static void test_stats_shape(void **state)
{
    ld_live_kv_t buckets[] = {{2, 3}, {150, 1}};
    ld_live_kv_t rps[] = {{1795314707, 4}};
    ld_live_kv_t fps[] = {{1795314707, 1}};
    ld_live_entry_t e = {(char *)(uintptr_t)"/x", "GET", 4, 1, 156.5, 1.5,
                         150.0, 52, 1795314707.5, buckets, 2, rps, 1, fps, 1};
    ld_live_error_t err = {(char *)(uintptr_t)"/x", "GET",
                           (char *)(uintptr_t)"HTTP 503", 1};
    ld_live_stats_t st;
    ld__cls_t cls = {(char *)(uintptr_t)"Web", 3, 0};
    const msgpack_object *d, *tot, *ent, *rt;
    ld__msg_t m;
    ld__mp_t mp;
    (void)state;
    memset(&st, 0, sizeof(st));
    st.start_ts = 1795314704.0;
    st.entries = &e;
    st.n = 1;
    st.total.name = (char *)(uintptr_t)"Aggregated";
    st.total.method = "";
    st.errors = &err;
    st.nerrors = 1;
    ld__mp_init(&mp);
    ld__mp_stats(&mp, &st, &cls, 1, false, "vm_ab");
    assert_int_equal(mp.err, 0);
    assert_int_equal(ld__msg_decode(mp.sb.data, mp.sb.size, &m), 0);
    assert_true(ld__msg_is(&m, "stats"));
    d = m.data;
    assert_int_equal(d->via.map.size, 5);
    tot = get(d, "stats_total");
    /* an empty window: nil minimum and last timestamp, never 0 */
    assert_int_equal(get(tot, "min_response_time")->type, MSGPACK_OBJECT_NIL);
    assert_int_equal(get(tot, "last_request_timestamp")->type,
                     MSGPACK_OBJECT_NIL);
    ent = &get(d, "stats")->via.array.ptr[0];
    assert_int_equal(ent->via.map.size, 14);
    assert_int_equal(get(ent, "num_requests")->via.u64, 4);
    assert_true(get(ent, "min_response_time")->via.f64 == 1.5);
    rt = get(ent, "response_times");
    assert_int_equal(rt->via.map.size, 2);
    assert_int_equal(rt->via.map.ptr[1].key.type,
                     MSGPACK_OBJECT_POSITIVE_INTEGER);
    assert_int_equal(rt->via.map.ptr[1].key.via.u64, 150);
    assert_int_equal(get(ent, "num_fail_per_sec")->via.map.ptr[0].key.via.u64,
                     1795314707);
    assert_int_equal(get(d, "errors")->via.map.size, 1);
    assert_int_equal(get(d, "errors")->via.map.ptr[0].key.via.str.size, 64);
    assert_int_equal(get(get(d, "user_classes_count"), "Web")->via.u64, 3);
    assert_int_equal(get(d, "user_count")->via.u64, 3);
    ld__msg_free(&m);
    ld__mp_free(&mp);
}

static void test_summary_from_csv(void **state)
{
    ld_diag_t d;
    json_t *s = ld_cluster_summary_from_csv(tu_fixture("cluster/stats.csv"),
                                            &d);
    json_t *q;
    (void)state;
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(s, "totals"), "requests")),
                     2290);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(s, "totals"), "failures")),
                     10);
    q = json_object_get(json_object_get(s, "per_name"), "a, \"quoted\" name");
    assert_non_null(q);
    assert_true(json_real_value(json_object_get(q, "p95_ms")) == 32);
    assert_true(json_real_value(json_object_get(q, "failure_rate")) == 1.0);
    assert_true(json_real_value(json_object_get(
                    json_object_get(s, "latency_overall"), "p99_ms")) == 30);
    json_decref(s);
    assert_null(ld_cluster_summary_from_csv(tu_fixture("cluster/lib.sh"), &d));
    assert_int_equal(d.code, LD_ESYNTAX);
}

static void test_class_names(void **state)
{
    ld_doc_t *doc;
    ld_args_t args;
    ld_diag_t d;
    char name[64];
    const char *text =
        "[\"LD_start_test\", {\"user_detail_dict\": {\"class_name\": "
        "\"Shop_1\"}, \"tasks\": []}]";
    (void)state;
    doc = ld_doc_parse(text, strlen(text), "t.json", LD_FMT_JSON, &d);
    assert_non_null(doc);
    assert_int_equal(ld_args_bind(ld_doc_root(doc), "t.json", &args, &d), 0);
    assert_int_equal(ld_cluster_class_name(&args, 3, name, sizeof(name), &d),
                     0);
    assert_string_equal(name, "Shop_1");
    ld_args_release(&args);
    ld_doc_free(doc);
    text = "[\"LD_start_test\", {\"user_detail_dict\": {\"class_name\": "
           "\"9 bad\"}, \"tasks\": []}]";
    doc = ld_doc_parse(text, strlen(text), "t.json", LD_FMT_JSON, &d);
    assert_int_equal(ld_args_bind(ld_doc_root(doc), "t.json", &args, &d), 0);
    assert_int_equal(ld_cluster_class_name(&args, 0, name, sizeof(name), &d),
                     LD_EINVAL);
    assert_int_equal(d.pos.line, 1);
    ld_args_release(&args);
    ld_doc_free(doc);
    text = "[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": []}]";
    doc = ld_doc_parse(text, strlen(text), "t.json", LD_FMT_JSON, &d);
    assert_int_equal(ld_args_bind(ld_doc_root(doc), "t.json", &args, &d), 0);
    assert_int_equal(ld_cluster_class_name(&args, 0, name, sizeof(name), &d),
                     0);
    assert_string_equal(name, "LoadDensityUser");
    assert_int_equal(ld_cluster_class_name(&args, 1, name, sizeof(name), &d),
                     0);
    assert_string_equal(name, "LoadDensityUser2");
    ld_args_release(&args);
    ld_doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_bytes),
        cmocka_unit_test(test_utf8_is_fixed),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_stats_shape),
        cmocka_unit_test(test_summary_from_csv),
        cmocka_unit_test(test_class_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
