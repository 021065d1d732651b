/*
 * Compiling LD_start_test arguments into a plan: task forms (list, legacy
 * {"get": {...}}, {"mode", "tasks"}), defaults, and positioned errors for
 * bad fields. Also the run_if/skip_if predicates.
 */
#include "testutil.h"

#include <string.h>

#include "engine/engine_int.h"

typedef struct fx {
    ld_doc_t *doc;
    ld_args_t args;
    bool bound;
    ld_params_t *params;
    ld_test_plan_t *plan;
    ld_diag_t d;
} fx_t;

static int compile(fx_t *f, const char *text)
{
    memset(f, 0, sizeof(*f));
    f->params = ld_params_new();
    f->doc = ld_doc_parse(text, strlen(text), "plan.json", LD_FMT_JSON, &f->d);
    assert_non_null(f->doc);
    if (ld_args_bind(ld_doc_root(f->doc), "plan.json", &f->args, &f->d)) {
        print_message("bind failed: %s\n", f->d.msg);
        return -1000;
    }
    f->bound = true;
    return ld_test_plan_new(&f->args, f->params, &f->plan, &f->d);
}

static void fx_free(fx_t *f)
{
    ld_test_plan_free(f->plan);
    if (f->bound)
        ld_args_release(&f->args);
    ld_doc_free(f->doc);
    ld_params_free(f->params);
}

/* Expect an error with code and a message containing msg, positioned at
   the first occurrence of at in text (ASCII text: columns are bytes). */
static void expect_error(const char *text, int code, const char *msg,
                         const char *at)
{
    fx_t f;
    const char *hit = strstr(text, at);
    unsigned line = 1, col = 1;
    int rc;
    assert_non_null(hit);
    for (const char *c = text; c < hit; c++, col++)
        if (*c == '\n') {
            line++;
            col = 0;
        }
    rc = compile(&f, text);
    print_message("%d %u:%u %s\n", rc, f.d.pos.line, f.d.pos.col, f.d.msg);
    assert_int_equal(rc, code);
    assert_null(f.plan);
    assert_non_null(strstr(f.d.msg, msg));
    assert_string_equal(f.d.file, "plan.json");
    assert_int_equal(f.d.pos.line, line);
    assert_int_equal(f.d.pos.col, col);
    fx_free(&f);
}

#define HEAD                                                                   \
    "[\"LD_start_test\", {\"user_detail_dict\": {\"user\": "                   \
    "\"fast_http_user\"},\n"

static void test_task_forms(void **state)
{
    fx_t f;
    (void)state;
    assert_int_equal(compile(&f, HEAD " \"tasks\": [{\"request_url\": \"/a\"},"
                                      " {\"method\": \"POST\", \"url\": \"/b\","
                                      "  \"json\": {\"x\": 1}}]}]"),
                     0);
    assert_int_equal(f.plan->ntasks, 2);
    assert_int_equal(f.plan->mode, LD__MODE_SEQUENCE);
    assert_int_equal(f.plan->tasks[0].method, LD_M_GET); /* default */
    assert_int_equal(f.plan->tasks[1].method, LD_M_POST);
    assert_string_equal(f.plan->tasks[0].url_lit, "http://localhost/a");
    assert_string_equal(f.plan->tasks[0].name_lit, "/a");
    assert_int_equal(f.plan->user_count, 50);
    assert_true(f.plan->spawn_rate == 10);
    assert_true(f.plan->test_time == 60);
    assert_false(f.plan->open);
    fx_free(&f);

    /* legacy form keyed by method */
    assert_int_equal(
        compile(&f,
                HEAD " \"user_count\": 3, \"test_time\": null,"
                     " \"tasks\": {\"get\": {\"request_url\":"
                     " \"http://h/x\"}, \"delete\": {\"request_url\":"
                     " \"http://h/y?a=1\", \"params\": {\"b\": \"c d\"}}}}]"),
        0);
    assert_int_equal(f.plan->ntasks, 2);
    assert_int_equal(f.plan->tasks[0].method, LD_M_GET);
    assert_int_equal(f.plan->tasks[1].method, LD_M_DELETE);
    assert_string_equal(f.plan->tasks[1].url_lit, "http://h/y?a=1&b=c+d");
    assert_true(f.plan->test_time < 0);
    assert_int_equal(f.plan->user_count, 3);
    fx_free(&f);

    /* {"mode", "tasks"} with weights, think time, throttle, retry */
    assert_int_equal(compile(&f, HEAD
                             " \"host\": \"http://127.0.0.1:9/\","
                             " \"tasks\": {\"mode\": \"weighted\", \"tasks\": ["
                             "  {\"request_url\": \"/a\", \"weight\": 3,"
                             "   \"think_time\": {\"min\": 1, \"max\": 2},"
                             "   \"throttle\": {\"key\": \"k\", \"rps\": 5}},"
                             "  {\"request_url\": \"b\", \"weight\": 1,"
                             "   \"throttle\": {\"key\": \"k\", \"rps\": 50},"
                             "   \"retry\": {\"transient\": 1}}]}}]"),
                     0);
    assert_int_equal(f.plan->mode, LD__MODE_WEIGHTED);
    assert_true(f.plan->total_weight == 4);
    assert_true(f.plan->tasks[0].think.min_s == 1 &&
                f.plan->tasks[0].think.max_s == 2);
    assert_ptr_equal(f.plan->tasks[0].bucket, f.plan->tasks[1].bucket);
    assert_true(f.plan->tasks[0].bucket->rps == 5); /* first one wins */
    assert_true(f.plan->tasks[0].bucket->burst == 5);
    assert_string_equal(f.plan->tasks[1].url_lit, "http://127.0.0.1:9/b");
    assert_true(f.plan->tasks[1].retry.on);
    assert_int_equal(f.plan->tasks[1].retry.budget[LD__RETRY_TRANSIENT], 1);
    assert_int_equal(f.plan->tasks[1].retry.budget[LD__RETRY_FLAKY], 2);
    fx_free(&f);
}

static void test_models_and_shapes(void **state)
{
    fx_t f;
    (void)state;
    assert_int_equal(compile(&f,
                             HEAD " \"arrival_rate\": {\"stages\": ["
                                  "  {\"duration\": 2, \"rate\": 10},"
                                  "  {\"duration\": 1, \"rate\": 20}]},"
                                  " \"max_in_flight\": 7,"
                                  " \"tasks\": [{\"request_url\": \"/\"}]}]"),
                     0);
    assert_true(f.plan->open);
    assert_int_equal(f.plan->max_in_flight, 7);
    assert_true(f.plan->test_time < 0); /* the schedule decides */
    assert_true(ld__arrival_time(&f.plan->arrival, 25) == 2.25);
    fx_free(&f);

    assert_int_equal(compile(&f, HEAD
                             " \"load_shape\": \"spike\", \"shape_config\":"
                             " {\"baseline_users\": 2, \"spike_users\": 9},"
                             " \"tasks\": [{\"request_url\": \"/\"}]}]"),
                     0);
    assert_int_equal(f.plan->shape.kind, LD__SHAPE_SPIKE);
    assert_int_equal(f.plan->shape.nstages, 3);
    assert_true(ld__shape_duration(&f.plan->shape) == 90);
    assert_true(ld__shape_peak(&f.plan->shape) == 9);
    assert_true(f.plan->test_time < 0);
    fx_free(&f);

    assert_int_equal(compile(&f,
                             HEAD " \"load_shape\": \"soak\", \"test_time\": 5,"
                                  " \"shape_config\": {\"users\": 30},"
                                  " \"tasks\": [{\"request_url\": \"/\"}]}]"),
                     0);
    assert_true(f.plan->shape.rate == 3);
    assert_true(f.plan->test_time == 5); /* explicit: cuts the shape */
    fx_free(&f);
}

static void test_positioned_errors(void **state)
{
    (void)state;
    expect_error(
        HEAD
        " \"tasks\": [\n  {\"method\": \"fetch\", \"request_url\": \"/\"}]}]",
        LD_EINVAL, "unsupported HTTP method \"fetch\"", "\"fetch");
    expect_error(
        HEAD " \"tasks\": [{\"request_url\": \"/\",\n   \"timeout\": \"x\"}]}]",
        LD_ETYPE, "\"timeout\" must be a number", "\"x");
    expect_error(HEAD
                 " \"tasks\": [{\"request_url\": \"/\", \"timeout\": -1}]}]",
                 LD_EINVAL, "\"timeout\" must be > 0", "-1");
    expect_error(HEAD " \"tasks\": [{\"method\": \"get\"}]}]", LD_EINVAL,
                 "no \"request_url\"", "{\"method");
    expect_error(
        HEAD
        " \"tasks\": {\"mode\": \"random\", \"tasks\": [{\"url\": \"/\"}]}}]",
        LD_EINVAL, "unknown mode \"random\"", "\"random");
    expect_error(
        HEAD
        " \"tasks\": [{\"url\": \"/\", \"run_if\": {\"equal\": [1, 1]}}]}]",
        LD_EINVAL, "run_if needs one of", "{\"equal\"");
    expect_error(
        HEAD " \"tasks\": [{\"url\": \"/\", \"skip_if\": {\"equals\": [1]}}]}]",
        LD_EINVAL, "takes a list of two values", "[1]");
    expect_error(
        HEAD " \"tasks\": [{\"url\": \"/\", \"throttle\": {\"burst\": 2}}]}]",
        LD_EINVAL, "\"throttle\" needs \"rps\"", "{\"burst");
    expect_error(
        HEAD
        " \"tasks\": [{\"url\": \"/\", \"think_time\": {\"min\": \"a\"}}]}]",
        LD_ETYPE, "min and max must be numbers", "\"a\"");
    expect_error(
        HEAD
        " \"tasks\": [{\"url\": \"/\", \"headers\": {\"A\": {\"b\": 1}}}]}]",
        LD_ETYPE, "\"headers\" value of \"A\"", "{\"b\"");
    expect_error(
        HEAD
        " \"tasks\": [{\"url\": \"/\", \"auth\": {\"type\": \"digest\"}}]}]",
        LD_EINVAL, "auth \"type\" must be", "\"digest");
    expect_error(
        HEAD " \"tasks\": [{\"url\": \"/\", \"retry\": {\"transient\": -1}}]}]",
        LD_EINVAL, "retry \"transient\" must be between", "-1");
    expect_error(HEAD " \"tasks\": [{\"url\": \"/\", \"weight\": \"x\"}]}]",
                 LD_ETYPE, "task \"weight\" must be a number", "\"x\"");
    expect_error(
        HEAD " \"tasks\": {\"mode\": \"weighted\", \"tasks\": [{\"url\": \"/\","
             " \"weight\": 0}]}}]",
        LD_EINVAL, "weighted mode needs a task with weight > 0", "[{");
    expect_error(HEAD " \"tasks\": []}]", LD_EINVAL, "\"tasks\" is empty",
                 "[]");
    expect_error(HEAD " \"tasks\": [3]}]", LD_ETYPE, "a task must be an object",
                 "3]");
    expect_error(HEAD
                 " \"tasks\": [{\"url\": \"/\", \"http_version\": \"3\"}]}]",
                 LD_EINVAL, "unknown http_version \"3\"", "\"3\"");
    expect_error(HEAD
                 " \"tasks\": [{\"url\": \"/\", \"files\": {\"f\": 1.5}}]}]",
                 LD_ETYPE, "the content of a file must be a string", "1.5");
    expect_error(HEAD " \"arrival_rate\": -5, \"tasks\": [{\"url\": \"/\"}]}]",
                 LD_EINVAL, "\"arrival_rate\" must be > 0", "-5");
    expect_error(HEAD " \"spawn_rate\": 0, \"tasks\": [{\"url\": \"/\"}]}]",
                 LD_EINVAL, "\"spawn_rate\" must be > 0", "0,");
    expect_error(HEAD
                 " \"load_shape\": \"stages\", \"tasks\": [{\"url\": \"/\"}]}]",
                 LD_EINVAL, "needs shape_config", "\"stages");
    expect_error("[\"LD_start_test\", {\"user_detail_dict\": {\"user\":\n"
                 " \"websocket_user\"}, \"tasks\": [{\"url\": \"/\"}]}]",
                 LD_EUNAVAIL, "\"websocket_user\" is not supported yet",
                 "\"websocket_user");
    expect_error(
        HEAD " \"runner_mode\": \"master\", \"tasks\": [{\"url\": \"/\"}]}]",
        LD_EUNAVAIL, "runner_mode \"master\"", "\"master");
}

static void test_predicates(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_scope_t *s = ld_scope_new(p);
    ld_diag_t d;
    json_t *v;
    struct {
        const char *json;
        bool expect;
    } cases[] = {
        {"true", true},
        {"0", false},
        {"\"${var.yes}\"", true},
        {"\"${var.no}\"", false},
        {"\"${var.missing}\"", false},
        {"\"  None \"", false},
        {"{\"equals\": [\"${var.yes}\", \"ok\"]}", true},
        {"{\"EQUALS\": [\"${var.n}\", 2.0]}", true},
        {"{\"not_equals\": [\"${var.n}\", 2]}", false},
        {"{\"in\": [\"${var.yes}\", [\"a\", \"ok\"]]}", true},
        {"{\"in\": [\"k\", \"look\"]}", true},
        {"{\"in\": [\"z\", {\"z\": 1}]}", true},
        {"{\"in\": [\"z\", null]}", false},
        {"{\"truthy\": \"${var.scoped}\"}", true},
        {"{\"truthy\": []}", false},
        {"{\"ignored\": 1, \"truthy\": 1}", true},
    };
    (void)state;
    v = json_string("ok");
    ld_params_set_var(p, "yes", v);
    json_decref(v);
    v = json_false();
    ld_params_set_var(p, "no", v);
    v = json_integer(2);
    ld_params_set_var(p, "n", v);
    json_decref(v);
    ld_scope_set_str(s, "scoped", "1", 1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ld_doc_t *doc = ld_doc_parse(cases[i].json, strlen(cases[i].json), "p",
                                     LD_FMT_JSON, &d);
        ld__pred_t *pred = NULL;
        assert_non_null(doc);
        assert_int_equal(
            ld__pred_compile(ld_doc_root(doc), "run_if", "p", &pred, &d), 0);
        print_message("%s -> %d\n", cases[i].json, ld__pred_eval(pred, p, s));
        assert_int_equal(ld__pred_eval(pred, p, s), cases[i].expect);
        ld__pred_free(pred);
        ld_doc_free(doc);
    }
    ld_scope_free(s);
    ld_params_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_task_forms),
        cmocka_unit_test(test_models_and_shapes),
        cmocka_unit_test(test_positioned_errors),
        cmocka_unit_test(test_predicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
