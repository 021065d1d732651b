/*
 * cursor.c - what may be typed at a cursor in an action document, for
 * completion. The text is usually broken while someone types, so this is
 * not the parser: a small tolerant scanner runs from a known point (the
 * start of the enclosing action, or of the document) to the cursor, keeping
 * a stack of open containers with the key or index each was opened under,
 * and maps that path onto the registry: action list, command name, keyword
 * or positional arguments, tasks, task fields, nested shapes.
 */
#include "lint/lint_int.h"

#include <string.h>

#define MAX_FRAMES 64
#define KEYS_SCAN_MAX (256u * 1024u)

typedef enum role {
    R_UNKNOWN,
    R_ROOT_OBJ, /* {"load_density": ...} */
    R_ACTIONS,  /* a list of actions */
    R_ACTION,   /* ["cmd", args] */
    R_KWARGS,
    R_POSARGS,
    R_TASK_LIST,
    R_TASKS_OBJ, /* {"mode", "tasks"} or the legacy {"get": {...}} */
    R_TASK,
    R_SHAPE_LIST,
    R_SHAPE_OBJ
} role_t;

typedef struct frame {
    char type; /* '[' or '{' */
    role_t role;
    bool after_colon; /* object: a key was given, its value follows */
    bool have_key;
    size_t index; /* array: element index; object: member index */
    size_t start; /* offset of the bracket */
    char key[48];
    char first[96]; /* action: the command name */
    const ld_command_t *cmd;
    const ld_shape_t *shape;
} frame_t;

typedef struct scan {
    const char *t;
    size_t len;
    frame_t f[MAX_FRAMES];
    size_t depth;    /* frames in use */
    size_t overflow; /* frames deeper than MAX_FRAMES */
} scan_t;

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_delim(char c)
{
    return is_ws(c) || c == ',' || c == ':' || c == '[' || c == ']' ||
           c == '{' || c == '}' || c == '"';
}

/* End of a string token starting at the quote i: the closing quote, or the
   line end / text end when it is unterminated (*closed false). */
static size_t string_end(const char *t, size_t len, size_t i, bool *closed)
{
    size_t j = i + 1;

    *closed = false;
    while (j < len) {
        char c = t[j];

        if (c == '\\') {
            j += 2;
            continue;
        }
        if (c == '"') {
            *closed = true;
            return j;
        }
        if (c == '\n' || c == '\r')
            return j;
        j++;
    }
    return len;
}

/* ---- roles ---- */

static role_t param_role(const ld_command_t *c, const ld_param_t *p, char type,
                         const ld_shape_t **shape)
{
    const ld_shape_t *s;

    if (!p || !p->shape)
        return R_UNKNOWN;
    if (!strcmp(p->shape, "tasks"))
        return type == '[' ? R_TASK_LIST : R_TASKS_OBJ;
    if (!strcmp(p->shape, "actions"))
        return c && !strcmp(c->name, "LD_execute_action")
                   ? (type == '[' ? R_ACTIONS : R_ROOT_OBJ)
                   : R_UNKNOWN;
    if (!(s = ld_shape_find(p->shape)))
        return R_UNKNOWN;
    *shape = s;
    if (s->list)
        return type == '[' ? R_SHAPE_LIST : R_UNKNOWN;
    return type == '{' ? R_SHAPE_OBJ : R_UNKNOWN;
}

static role_t shape_role(const char *name, char type, const ld_shape_t **shape)
{
    const ld_shape_t *s = ld_shape_find(name);

    if (!s)
        return R_UNKNOWN;
    *shape = s;
    if (s->list)
        return type == '[' ? R_SHAPE_LIST : R_UNKNOWN;
    return type == '{' ? R_SHAPE_OBJ : R_UNKNOWN;
}

/* The role of a container opened (with type) inside frame p. */
static role_t child_role(const frame_t *p, char type, frame_t *child)
{
    const ld_param_t *prm = NULL;
    const ld_field_t *fld;
    const ld_shape_key_t *sk;

    switch (p->role) {
    case R_ROOT_OBJ:
        return p->have_key && !strcmp(p->key, "load_density") && type == '['
                   ? R_ACTIONS
                   : R_UNKNOWN;
    case R_ACTIONS:
        return type == '[' ? R_ACTION : R_UNKNOWN;
    case R_ACTION:
        if (p->index != 1)
            return R_UNKNOWN;
        child->cmd = ld_registry_find(p->first);
        return type == '{' ? R_KWARGS : R_POSARGS;
    case R_KWARGS:
        if (p->cmd && p->have_key)
            prm = ld_command_param(p->cmd, p->key, NULL);
        child->cmd = p->cmd;
        return param_role(p->cmd, prm, type, &child->shape);
    case R_POSARGS:
        if (p->cmd && p->index < p->cmd->nparams)
            prm = &p->cmd->params[p->index];
        child->cmd = p->cmd;
        return param_role(p->cmd, prm, type, &child->shape);
    case R_TASK_LIST:
        return type == '{' ? R_TASK : R_UNKNOWN;
    case R_TASKS_OBJ:
        if (p->have_key && !strcmp(p->key, "tasks"))
            return type == '[' ? R_TASK_LIST : R_TASKS_OBJ;
        return type == '{' ? R_TASK : R_UNKNOWN;
    case R_TASK:
        fld = p->have_key ? ld_registry_task_field(p->key) : NULL;
        return fld && fld->shape ? shape_role(fld->shape, type, &child->shape)
                                 : R_UNKNOWN;
    case R_SHAPE_LIST:
        child->shape = p->shape;
        return type == '{' ? R_SHAPE_OBJ : R_UNKNOWN;
    case R_SHAPE_OBJ:
        sk = p->have_key ? ld_shape_key(p->shape, p->key) : NULL;
        return sk && sk->shape ? shape_role(sk->shape, type, &child->shape)
                               : R_UNKNOWN;
    default:
        return R_UNKNOWN;
    }
}

/* ---- scanning ---- */

static void open_frame(scan_t *s, char type, size_t at)
{
    frame_t *c;

    if (s->depth >= MAX_FRAMES) {
        s->overflow++;
        return;
    }
    c = &s->f[s->depth];
    memset(c, 0, sizeof(*c));
    c->type = type;
    c->start = at;
    if (s->depth == 0)
        c->role = type == '[' ? R_ACTIONS : R_ROOT_OBJ;
    else
        c->role = child_role(&s->f[s->depth - 1], type, c);
    s->depth++;
}

static void close_frame(scan_t *s)
{
    if (s->overflow)
        s->overflow--;
    else if (s->depth)
        s->depth--;
}

/* A complete string token [a, b) (quotes excluded) in the top frame. */
static void string_token(scan_t *s, size_t a, size_t b)
{
    frame_t *f = s->depth && !s->overflow ? &s->f[s->depth - 1] : NULL;
    size_t n = b - a;

    if (!f)
        return;
    if (f->type == '{' && !f->after_colon) {
        if (n >= sizeof(f->key))
            n = sizeof(f->key) - 1;
        memcpy(f->key, s->t + a, n);
        f->key[n] = '\0';
        f->have_key = true;
    } else if (f->role == R_ACTION && f->index == 0) {
        if (n >= sizeof(f->first))
            n = sizeof(f->first) - 1;
        memcpy(f->first, s->t + a, n);
        f->first[n] = '\0';
    }
}

static void punct(scan_t *s, char c)
{
    frame_t *f = s->depth && !s->overflow ? &s->f[s->depth - 1] : NULL;

    if (!f)
        return;
    if (c == ':' && f->type == '{') {
        f->after_colon = true;
    } else if (c == ',') {
        f->index++;
        if (f->type == '{') {
            f->after_colon = false;
            f->have_key = false;
            f->key[0] = '\0';
        }
    }
}

/* Scan [from, off); returns true when off is inside a string token, with
   its quote offset in *str_at. */
static bool run(scan_t *s, size_t from, size_t off, size_t *str_at)
{
    size_t i = from;
    bool closed;

    while (i < off) {
        char c = s->t[i];

        if (is_ws(c)) {
            i++;
        } else if (c == '"') {
            size_t e = string_end(s->t, s->len, i, &closed);

            if (off <= e) {
                *str_at = i;
                return true;
            }
            string_token(s, i + 1, e);
            i = closed ? e + 1 : e;
        } else if (c == '[' || c == '{') {
            open_frame(s, c, i);
            i++;
        } else if (c == ']' || c == '}') {
            close_frame(s);
            i++;
        } else if (c == ':' || c == ',') {
            punct(s, c);
            i++;
        } else {
            while (i < off && !is_delim(s->t[i]))
                i++;
        }
    }
    return false;
}

/* ---- the answer ---- */

static void placeholder(const char *t, size_t a, size_t off, ld_cursor_t *c)
{
    size_t i;

    for (i = off; i > a + 1; i--) {
        if (t[i - 1] == '}')
            return;
        if (t[i - 2] == '$' && t[i - 1] == '{') {
            c->in_placeholder = true;
            c->ph_start = i;
            return;
        }
    }
}

/* Does the action whose name string ends at e have a second element? */
static bool has_args_after(const char *t, size_t len, size_t e)
{
    while (e < len && is_ws(t[e]))
        e++;
    return e < len && t[e] == ',';
}

/* Keys directly inside the object opened at start (the token under the
   cursor excluded). */
static void present_keys(const char *t, size_t len, size_t start,
                         ld_cursor_t *c)
{
    size_t i = start + 1,
           lim = len - start > KEYS_SCAN_MAX ? start + KEYS_SCAN_MAX : len;
    int depth = 1;
    bool closed, expect_key = true;

    while (i < lim && depth > 0) {
        char ch = t[i];

        if (ch == '"') {
            size_t e = string_end(t, len, i, &closed), n = e - i - 1;
            size_t k = e + (closed ? 1 : 0);

            while (k < lim && is_ws(t[k]))
                k++;
            if (depth == 1 && expect_key && k < lim && t[k] == ':' &&
                i != c->tok_start && c->npresent < 32) {
                if (n >= sizeof(c->present[0]))
                    n = sizeof(c->present[0]) - 1;
                memcpy(c->present[c->npresent], t + i + 1, n);
                c->present[c->npresent++][n] = '\0';
            }
            i = k;
            continue;
        }
        if (ch == '{' || ch == '[')
            depth++;
        else if (ch == '}' || ch == ']')
            depth--;
        else if (ch == ',' && depth == 1)
            expect_key = true;
        else if (ch == ':' && depth == 1)
            expect_key = false;
        i++;
    }
}

static void classify(const scan_t *s, bool key_pos, ld_cursor_t *c)
{
    const frame_t *f = &s->f[s->depth - 1];
    const ld_param_t *p = NULL;
    const ld_field_t *fld;

    c->cmd = f->cmd;
    c->container_start = f->start;
    switch (f->role) {
    case R_ACTIONS:
        c->kind = key_pos ? LD_CUR_NONE : LD_CUR_ACTION;
        break;
    case R_ACTION:
        c->cmd = ld_registry_find(f->first);
        c->kind = f->index == 0 ? LD_CUR_COMMAND : LD_CUR_VALUE;
        break;
    case R_KWARGS:
        if (key_pos) {
            c->kind = LD_CUR_ARG_KEY;
            break;
        }
        if (f->cmd && f->have_key)
            p = ld_command_param(f->cmd, f->key, NULL);
        c->kind = p ? LD_CUR_ARG_VALUE : LD_CUR_VALUE;
        c->param = p;
        break;
    case R_POSARGS:
        if (f->cmd && f->index < f->cmd->nparams)
            p = &f->cmd->params[f->index];
        c->kind = p ? LD_CUR_ARG_VALUE : LD_CUR_VALUE;
        c->param = p;
        break;
    case R_TASKS_OBJ:
        c->kind = key_pos ? LD_CUR_TASKS_KEY : LD_CUR_VALUE;
        if (!key_pos && f->have_key && !strcmp(f->key, "mode"))
            c->enum_name = "mode";
        break;
    case R_TASK:
        fld = f->have_key ? ld_registry_task_field(f->key) : NULL;
        c->kind = key_pos ? LD_CUR_TASK_KEY
                  : fld   ? LD_CUR_TASK_VALUE
                          : LD_CUR_VALUE;
        c->field = key_pos ? NULL : fld;
        break;
    case R_SHAPE_OBJ:
        c->shape = f->shape;
        if (key_pos) {
            c->kind = LD_CUR_SHAPE_KEY;
            break;
        }
        c->skey = f->have_key ? ld_shape_key(f->shape, f->key) : NULL;
        c->kind = c->skey ? LD_CUR_SHAPE_VALUE : LD_CUR_VALUE;
        c->enum_name = c->skey ? c->skey->enum_name : NULL;
        break;
    default:
        c->kind = key_pos ? LD_CUR_NONE : LD_CUR_VALUE;
    }
}

void ld_cursor_at(const char *text, size_t len, size_t start, size_t off,
                  ld_cursor_t *c)
{
    scan_t *s;
    size_t str_at = 0;
    bool in_str, key_pos;
    static _Thread_local scan_t tls; /* 20 KB: keep it off small stacks */

    memset(c, 0, sizeof(*c));
    if (off > len)
        off = len;
    if (start > off)
        start = 0;
    s = &tls;
    s->t = text;
    s->len = len;
    s->depth = 0;
    s->overflow = 0;
    if (start > 0) { /* inside the action list, at an action */
        memset(&s->f[0], 0, sizeof(s->f[0]));
        s->f[0].type = '[';
        s->f[0].role = R_ACTIONS;
        s->depth = 1;
    }
    in_str = run(s, start, off, &str_at);
    c->tok_start = c->tok_end = off;
    if (in_str) {
        bool closed;
        size_t e = string_end(text, len, str_at, &closed);

        c->in_string = true;
        c->tok_start = str_at;
        c->tok_end = closed ? e + 1 : e;
        placeholder(text, str_at, off, c);
    } else {
        while (c->tok_start > start && !is_delim(text[c->tok_start - 1]))
            c->tok_start--;
        while (c->tok_end < len && !is_delim(text[c->tok_end]))
            c->tok_end++;
    }
    if (!s->depth || s->overflow) {
        c->kind = LD_CUR_NONE;
        return;
    }
    key_pos = s->f[s->depth - 1].type == '{' && !s->f[s->depth - 1].after_colon;
    classify(s, key_pos, c);
    if (c->kind == LD_CUR_COMMAND)
        c->action_has_args = has_args_after(text, len, c->tok_end);
    if (s->f[s->depth - 1].type == '{')
        present_keys(text, len, s->f[s->depth - 1].start, c);
}
