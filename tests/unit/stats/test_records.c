/* Record store: methods, chunked append and iteration, interning, merge_take,
 * record JSON and memory footprint. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/stats.h"

static void test_methods(void **state)
{
    static const char *const names[] = {"GET", "POST", "PUT", "PATCH", "DELETE",
                                        "HEAD", "OPTIONS", "TRACE", "CONNECT"};

    (void)state;
    for (int m = 0; m < 9; m++) {
        assert_string_equal(ld_method_name((ld_method_t)m), names[m]);
        assert_int_equal(ld_method_parse(names[m]), m);
    }
    assert_string_equal(ld_method_name(LD_M_OTHER), "OTHER");
    assert_string_equal(ld_method_name((ld_method_t)200), "OTHER");
    assert_int_equal(ld_method_parse("get"), LD_M_GET);
    assert_int_equal(ld_method_parse("pAtCh"), LD_M_PATCH);
    assert_int_equal(ld_method_parse("GETS"), LD_M_OTHER);
    assert_int_equal(ld_method_parse(""), LD_M_OTHER);
    assert_int_equal(ld_method_parse(NULL), LD_M_OTHER);
}

static void test_add_iterate_chunks(void **state)
{
    ld_records_t *r = ld_records_new();
    const size_t n = 3 * 65536 + 4321;   /* several full-size chunks */
    const ld_record_t *rec = NULL;
    size_t it = 0, seen = 0;
    uint32_t name = 0;

    (void)state;
    assert_non_null(r);
    name = ld_records_intern(r, "n", 1);
    for (size_t i = 0; i < n; i++) {
        ld_record_t x = {0};
        x.start_ns = i * 7;
        x.latency_us = (uint32_t)i;
        x.name_id = name;
        x.error_id = (i % 10 == 0) ? name : 0;
        x.status = (uint16_t)(i % 600);
        x.method = (uint8_t)(i % 10);
        x.flags = 0xA5;
        assert_int_equal(ld_records_add(r, &x), 0);
        if (i == 1023 || i == 1024 || i == 65535 || i == 65536) {
            assert_int_equal(ld_records_at(r, i)->start_ns, i * 7);   /* boundary */
            assert_int_equal(ld_records_at(r, 0)->start_ns, 0);       /* stable */
        }
    }
    assert_int_equal(ld_records_count(r), n);
    assert_int_equal(ld_records_failed(r), (n + 9) / 10);
    for (size_t i = 0; i < n; i++) {
        rec = ld_records_at(r, i);
        assert_non_null(rec);
        assert_int_equal(rec->start_ns, i * 7);
        assert_int_equal(rec->latency_us, i);
        assert_int_equal(rec->status, i % 600);
        assert_int_equal(rec->method, i % 10);
        assert_int_equal(rec->flags, 0xA5);
    }
    assert_null(ld_records_at(r, n));
    assert_null(ld_records_at(r, n + 100000));
    while ((rec = ld_records_next(r, &it))) {
        assert_int_equal(rec->start_ns, seen * 7);
        seen++;
    }
    assert_int_equal(seen, n);
    assert_null(ld_records_next(r, &it));
    ld_records_clear(r);
    assert_int_equal(ld_records_count(r), 0);
    assert_int_equal(ld_records_failed(r), 0);
    assert_int_equal(ld_records_nstrings(r), 0);
    it = 0;
    assert_null(ld_records_next(r, &it));
    assert_int_equal(ld_records_add_full(r, 1, LD_M_GET, "a", "u", 200, 5, 6, NULL), 0);
    assert_int_equal(ld_records_count(r), 1);
    ld_records_free(r);
}

static void test_add_invalid_id(void **state)
{
    ld_records_t *r = ld_records_new();
    ld_record_t x = {0};

    (void)state;
    x.name_id = 1;   /* nothing interned yet */
    assert_int_equal(ld_records_add(r, &x), LD_EINVAL);
    assert_int_equal(ld_records_count(r), 0);
    x.name_id = 0;
    x.error_id = 7;
    assert_int_equal(ld_records_add(r, &x), LD_EINVAL);
    ld_records_free(r);
    ld_records_free(NULL);
}

static void test_intern(void **state)
{
    ld_records_t *r = ld_records_new();
    char buf[64];
    const char *first = NULL;
    uint32_t a = 0, b = 0;

    (void)state;
    a = ld_records_intern(r, "alpha", 5);
    b = ld_records_intern(r, "beta", 4);
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_int_equal(ld_records_intern(r, "alpha", 5), a);
    assert_int_equal(ld_records_intern(r, "alphabet", 5), a);   /* len-bounded */
    assert_int_equal(ld_records_intern(r, "alp", 3), 3);
    assert_int_equal(ld_records_intern(r, "", 0), 4);
    assert_int_equal(ld_records_intern(r, "", 0), 4);
    assert_string_equal(ld_records_str(r, a), "alpha");
    assert_string_equal(ld_records_str(r, 3), "alp");
    assert_string_equal(ld_records_str(r, 4), "");
    assert_string_equal(ld_records_str(r, 0), "");
    assert_string_equal(ld_records_str(r, 999), "");
    assert_int_equal(ld_records_find(r, "beta", 4), b);
    assert_int_equal(ld_records_find(r, "gamma", 5), 0);
    assert_int_equal(ld_records_nstrings(r), 4);
    first = ld_records_str(r, a);
    /* many strings: table and arena grow, ids stay dense, pointers stay put */
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(buf, sizeof(buf), "http://127.0.0.1/item/%d", i);
        assert_int_equal(ld_records_intern(r, buf, (size_t)n), (uint32_t)(5 + i));
    }
    assert_ptr_equal(ld_records_str(r, a), first);
    for (int i = 0; i < 100000; i += 997) {
        int n = snprintf(buf, sizeof(buf), "http://127.0.0.1/item/%d", i);
        assert_int_equal(ld_records_find(r, buf, (size_t)n), (uint32_t)(5 + i));
        assert_string_equal(ld_records_str(r, (uint32_t)(5 + i)), buf);
    }
    /* a big string (own arena block) between small ones */
    {
        size_t big = 300 * 1024;
        char *s = malloc(big + 1);
        uint32_t id = 0;
        memset(s, 'x', big);
        s[big] = '\0';
        id = ld_records_intern(r, s, big);
        assert_int_not_equal(id, 0);
        assert_int_equal(ld_records_intern(r, "after-big", 9), id + 1);
        assert_int_equal(strlen(ld_records_str(r, id)), big);
        assert_int_equal(ld_records_intern(r, s, big), id);
        free(s);
    }
    assert_string_equal(ld_records_str(r, b), "beta");
    ld_records_free(r);
}

static void test_add_full(void **state)
{
    ld_records_t *r = ld_records_new();
    const ld_record_t *rec = NULL;

    (void)state;
    assert_int_equal(ld_records_add_full(r, 10, LD_M_POST, "login", "http://h/login",
                                         201, 1234, 99, NULL), 0);
    assert_int_equal(ld_records_add_full(r, 20, LD_M_GET, NULL, "http://h/x",
                                         0, 5, 0, "connection refused"), 0);
    assert_int_equal(ld_records_add_full(r, 30, LD_M_GET, "login", "http://h/login",
                                         70000, 5, 0, ""), 0);
    assert_int_equal(ld_records_count(r), 3);
    assert_int_equal(ld_records_failed(r), 2);
    rec = ld_records_at(r, 0);
    assert_int_equal(rec->method, LD_M_POST);
    assert_int_equal(rec->status, 201);
    assert_int_equal(rec->latency_us, 1234);
    assert_int_equal(rec->resp_len, 99);
    assert_int_equal(rec->error_id, 0);
    assert_string_equal(ld_records_str(r, rec->name_id), "login");
    rec = ld_records_at(r, 1);
    assert_int_equal(rec->name_id, 0);
    assert_string_equal(ld_records_str(r, rec->error_id), "connection refused");
    rec = ld_records_at(r, 2);
    assert_int_equal(rec->status, 65535);                 /* saturated */
    assert_int_not_equal(rec->error_id, 0);               /* "" is still a failure */
    assert_int_equal(rec->name_id, ld_records_at(r, 0)->name_id);
    assert_int_equal(ld_records_nstrings(r), 5);
    ld_records_free(r);
}

static void test_merge_take(void **state)
{
    ld_records_t *dst = ld_records_new();
    ld_records_t *src = ld_records_new();
    const ld_record_t *rec = NULL;
    char name[32], url[64];

    (void)state;
    /* dst knows some strings in another order than src */
    assert_int_equal(ld_records_add_full(dst, 1, LD_M_GET, "b", "http://h/b", 200, 1, 1, NULL), 0);
    assert_int_equal(ld_records_merge_take(dst, src), 0);   /* empty src */
    assert_int_equal(ld_records_count(dst), 1);
    for (int i = 0; i < 70000; i++) {   /* src spans more than one chunk */
        snprintf(name, sizeof(name), "%s", i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c");
        snprintf(url, sizeof(url), "http://h/%d", i % 50);
        assert_int_equal(ld_records_add_full(src, 100 + (uint64_t)i, LD_M_PUT, name, url,
                                             i % 7 ? 200 : 0, (uint32_t)i, 3,
                                             i % 7 ? NULL : "boom"), 0);
    }
    assert_int_equal(ld_records_merge_take(dst, src), 0);
    assert_int_equal(ld_records_count(src), 0);
    assert_int_equal(ld_records_failed(src), 0);
    assert_int_equal(ld_records_nstrings(src), 0);
    assert_int_equal(ld_records_count(dst), 70001);
    assert_int_equal(ld_records_failed(dst), 10000);
    for (int i = 0; i < 70000; i++) {
        rec = ld_records_at(dst, 1 + (size_t)i);
        snprintf(url, sizeof(url), "http://h/%d", i % 50);
        assert_int_equal(rec->start_ns, 100 + (uint64_t)i);
        assert_string_equal(ld_records_str(dst, rec->name_id),
                            i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c");
        assert_string_equal(ld_records_str(dst, rec->url_id), url);
        assert_string_equal(ld_records_str(dst, rec->error_id), i % 7 ? "" : "boom");
        assert_int_equal(rec->error_id == 0, i % 7 != 0);
    }
    /* "b" was not duplicated: dst has b, http://h/b, a, c, 50 urls, boom */
    assert_int_equal(ld_records_nstrings(dst), 2 + 2 + 50 + 1);
    /* src is reusable */
    assert_int_equal(ld_records_add_full(src, 5, LD_M_GET, "z", NULL, 200, 1, 1, NULL), 0);
    assert_int_equal(ld_records_intern(src, "z", 1), 1);
    assert_int_equal(ld_records_merge_take(dst, src), 0);
    rec = ld_records_at(dst, 70001);
    assert_string_equal(ld_records_str(dst, rec->name_id), "z");
    assert_int_equal(ld_records_merge_take(dst, dst), LD_EINVAL);
    ld_records_free(dst);
    ld_records_free(src);
}

/* reorder: across chunk boundaries (200k records span 9 chunks), every
 * cycle shape; anything but a permutation is refused with nothing moved. */
static void test_reorder(void **state)
{
    size_t n = 200000, base = 7;
    ld_records_t *r = ld_records_new();
    uint32_t *to = malloc(n * sizeof(*to));

    (void)state;
    assert_non_null(to);
    for (size_t i = 0; i < base + n; i++)
        assert_int_equal(ld_records_add_full(r, i, LD_M_GET, "/n", NULL, 200,
                                             1, 0, NULL),
                         0);
    /* Reverse, except a fixed point and one swapped pair. */
    for (size_t i = 0; i < n; i++)
        to[i] = (uint32_t)(n - 1 - i);
    to[10] = 10;
    to[n - 11] = (uint32_t)(n - 11);
    to[20] = 21;
    to[21] = 20;
    to[n - 21] = (uint32_t)(n - 22);
    to[n - 22] = (uint32_t)(n - 21);
    assert_int_equal(ld_records_reorder(r, base, to), 0);
    for (size_t i = 0; i < base; i++)
        assert_int_equal(ld_records_at(r, i)->start_ns, i);
    for (size_t j = 0; j < n; j++) {
        uint64_t from = ld_records_at(r, base + j)->start_ns - base;
        uint64_t want = n - 1 - j;
        if (j == 10 || j == n - 11)
            want = j;
        else if (j == 20 || j == 21)
            want = 41 - j;
        else if (j == n - 21 || j == n - 22)
            want = j == n - 21 ? n - 22 : n - 21;
        assert_int_equal(from, want);
    }
    /* Not a permutation: out of range, then a duplicate. */
    for (size_t i = 0; i < n; i++)
        to[i] = (uint32_t)i;
    to[n - 1] = (uint32_t)n;
    assert_int_equal(ld_records_reorder(r, base, to), LD_EINVAL);
    to[n - 1] = 0;
    assert_int_equal(ld_records_reorder(r, base, to), LD_EINVAL);
    assert_int_equal(ld_records_at(r, base)->start_ns, base + n - 1);
    assert_int_equal(ld_records_reorder(r, base + n, to), 0);   /* empty */
    free(to);
    ld_records_free(r);
}

static void test_to_json(void **state)
{
    ld_records_t *r = ld_records_new();
    json_t *j = NULL;

    (void)state;
    assert_int_equal(ld_records_add_full(r, 1, LD_M_GET, "home", "http://h/", 200,
                                         1499, 512, NULL), 0);
    assert_int_equal(ld_records_add_full(r, 2, LD_M_DELETE, "del", "http://h/d", 0,
                                         1500, 0, "timeout"), 0);
    assert_int_equal(ld_records_add_full(r, 3, LD_M_OTHER, NULL, "http://h/\xff\xfe",
                                         404, 0, 0, "bad \xc3"), 0);

    j = ld_record_to_json(r, ld_records_at(r, 0));
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 7);
    assert_string_equal(json_string_value(json_object_get(j, "Method")), "GET");
    assert_string_equal(json_string_value(json_object_get(j, "test_url")), "http://h/");
    assert_string_equal(json_string_value(json_object_get(j, "name")), "home");
    assert_true(json_is_string(json_object_get(j, "status_code")));
    assert_string_equal(json_string_value(json_object_get(j, "status_code")), "200");
    assert_true(json_is_integer(json_object_get(j, "response_time_ms")));
    assert_int_equal(json_integer_value(json_object_get(j, "response_time_ms")), 1);
    assert_true(json_is_integer(json_object_get(j, "response_length")));
    assert_int_equal(json_integer_value(json_object_get(j, "response_length")), 512);
    assert_true(json_is_null(json_object_get(j, "error")));
    json_decref(j);

    j = ld_record_to_json(r, ld_records_at(r, 1));
    assert_string_equal(json_string_value(json_object_get(j, "Method")), "DELETE");
    assert_true(json_is_null(json_object_get(j, "status_code")));
    assert_int_equal(json_integer_value(json_object_get(j, "response_time_ms")), 2);
    assert_string_equal(json_string_value(json_object_get(j, "error")), "timeout");
    json_decref(j);

    /* no name gives ""; invalid UTF-8 is replaced, never dropped */
    j = ld_record_to_json(r, ld_records_at(r, 2));
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "Method")), "OTHER");
    assert_string_equal(json_string_value(json_object_get(j, "name")), "");
    assert_string_equal(json_string_value(json_object_get(j, "test_url")),
                        "http://h/\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(json_string_value(json_object_get(j, "error")), "bad \xEF\xBF\xBD");
    assert_string_equal(json_string_value(json_object_get(j, "status_code")), "404");
    assert_int_equal(json_integer_value(json_object_get(j, "response_time_ms")), 0);
    json_decref(j);
    ld_records_free(r);
}

static void test_memory_1m(void **state)
{
    ld_records_t *r = ld_records_new();
    char url[64];
    uint32_t names[10], urls[1000];
    size_t mem = 0;

    (void)state;
    for (int i = 0; i < 10; i++) {
        int n = snprintf(url, sizeof(url), "task-%d", i);
        names[i] = ld_records_intern(r, url, (size_t)n);
    }
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(url, sizeof(url), "http://127.0.0.1:8080/api/v1/items/%d", i);
        urls[i] = ld_records_intern(r, url, (size_t)n);
    }
    for (uint32_t i = 0; i < 1000000; i++) {
        ld_record_t x = {0};
        x.start_ns = i;
        x.latency_us = i;
        x.name_id = names[i % 10];
        x.url_id = urls[i % 1000];
        assert_int_equal(ld_records_add(r, &x), 0);
    }
    mem = ld_records_memsize(r);
    assert_true(mem >= 1000000 * sizeof(ld_record_t));
    if (mem > 40u * 1024 * 1024)
        fail_msg("1e6 records take %zu bytes", mem);
    ld_records_free(r);
    assert_int_equal(sizeof(ld_record_t), 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_add_iterate_chunks),
        cmocka_unit_test(test_add_invalid_id),
        cmocka_unit_test(test_intern),
        cmocka_unit_test(test_add_full),
        cmocka_unit_test(test_merge_take),
        cmocka_unit_test(test_reorder),
        cmocka_unit_test(test_to_json),
        cmocka_unit_test(test_memory_1m),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
