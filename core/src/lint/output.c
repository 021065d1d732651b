/*
 * output.c - findings as JSON (the Python tool's finding dicts plus
 * positions), as compiler-style text, and as GitHub workflow commands
 * (::error file=...,line=...::message) that annotate pull requests.
 */
#include "lint/lint_int.h"

#include <string.h>

static json_t *fix_json(const ld_lint_fix_t *f)
{
    return json_pack("{s:s,s:I,s:I,s:s}", "title", f->title, "start",
                     (json_int_t)f->start, "end", (json_int_t)f->end, "text",
                     f->text);
}

static json_t *finding_json(const ld_lint_result_t *r,
                            const ld_lint_finding_t *f)
{
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I}", "rule", f->rule->id,
        "severity", ld_lint_severity_name(f->severity), "message", f->message,
        "location", f->location, "file", r->file, "line",
        (json_int_t)f->pos.line, "column", (json_int_t)f->pos.col, "end_line",
        (json_int_t)f->end.line, "end_column", (json_int_t)f->end.col);
    json_t *fixes;
    size_t i;

    if (!o || !f->nfixes)
        return o;
    fixes = json_array();
    for (i = 0; fixes && i < f->nfixes; i++)
        if (json_array_append_new(fixes, fix_json(&f->fixes[i]))) {
            json_decref(fixes);
            fixes = NULL;
        }
    if (!fixes || json_object_set_new(o, "fixes", fixes)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *ld_lint_result_to_json(const ld_lint_result_t *r)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a && i < r->n; i++)
        if (json_array_append_new(a, finding_json(r, &r->items[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static int text_line(const ld_lint_result_t *r, const ld_lint_finding_t *f,
                     ld_buf_t *out)
{
    if (f->pos.line)
        return ld_buf_printf(
            out, "%s:%u:%u: %s: %s [%s]\n", r->file, f->pos.line, f->pos.col,
            ld_lint_severity_name(f->severity), f->message, f->rule->id);
    return ld_buf_printf(out, "%s: %s: %s [%s]\n", r->file,
                         ld_lint_severity_name(f->severity), f->message,
                         f->rule->id);
}

/* Escape for a workflow command: data escapes %, CR and LF; properties
   also ':' and ','. */
static int gh_escape(ld_buf_t *out, const char *s, bool prop)
{
    int rc = 0;

    for (; *s && !rc; s++) {
        switch (*s) {
        case '%':
            rc = ld_buf_adds(out, "%25");
            break;
        case '\r':
            rc = ld_buf_adds(out, "%0D");
            break;
        case '\n':
            rc = ld_buf_adds(out, "%0A");
            break;
        case ':':
            rc = prop ? ld_buf_adds(out, "%3A") : ld_buf_addc(out, ':');
            break;
        case ',':
            rc = prop ? ld_buf_adds(out, "%2C") : ld_buf_addc(out, ',');
            break;
        default:
            rc = ld_buf_addc(out, *s);
        }
    }
    return rc;
}

static int gh_line(const ld_lint_result_t *r, const ld_lint_finding_t *f,
                   ld_buf_t *out)
{
    static const char *const level[] = {"error", "error", "warning", "notice"};
    int rc = ld_buf_printf(out, "::%s file=", level[f->severity & 3]);

    if (!rc)
        rc = gh_escape(out, r->file, true);
    if (!rc && f->pos.line)
        rc = ld_buf_printf(out, ",line=%u,col=%u", f->pos.line, f->pos.col);
    if (!rc && f->end.line)
        rc = ld_buf_printf(out, ",endLine=%u,endColumn=%u", f->end.line,
                           f->end.col);
    if (!rc)
        rc = ld_buf_printf(out, ",title=loaddensity lint (%s)::", f->rule->id);
    if (!rc)
        rc = gh_escape(out, f->message, false);
    return rc ? rc : ld_buf_addc(out, '\n');
}

int ld_lint_format(const ld_lint_result_t *r, ld_lint_format_t fmt,
                   ld_buf_t *out)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < r->n && !rc; i++)
        rc = fmt == LD_LINT_FMT_GITHUB ? gh_line(r, &r->items[i], out)
                                       : text_line(r, &r->items[i], out);
    return rc;
}
