/*
 * GitHub Actions annotations. The Python tool printed one ::error line per
 * failed request; a CI page caps annotations (10 errors per step are shown)
 * and a thousand identical lines hide the one that matters, so failures are
 * grouped by (name, message), ranked by count, and only the top groups are
 * printed, followed by one ::notice line saying how many were folded.
 *
 * Workflow-command escaping: the message escapes % CR LF; property values
 * (title) additionally escape : and , (as the runner's toolkit does).
 */
#include "report/report_int.h"

#include <string.h>

#define MAX_ANNOTATIONS 10
#define MSG_BYTES 1000

static int put_title(ld_buf_t *b, const char *kind, const char *title)
{
    int rc = ld_buf_printf(b, "::%s title=", kind);

    if (!rc)
        rc = ld__gh_escape(b, title, true, 200);
    if (!rc)
        rc = ld_buf_adds(b, "::");
    return rc;
}

/* "GET /checkout (HTTP 500): message (37 failures)" */
static int group_line(ld_buf_t *b, const ld_records_t *r,
                      const ld__fgroup_t *g, const char *title)
{
    int rc = put_title(b, "error", title);

    if (!rc)
        rc = ld_buf_printf(b, "%s ", ld_method_name(g->method));
    if (!rc)
        rc = ld__gh_escape(b, ld__name_text(r, g->name_key), false, 300);
    if (!rc && g->status &&
        !ld__msg_has_status(ld_records_str(r, g->error_id), g->status))
        rc = ld_buf_printf(b, " (HTTP %u)", (unsigned)g->status);
    if (!rc)
        rc = ld_buf_adds(b, ": ");
    if (!rc)
        rc = ld__gh_escape(b, ld_records_str(r, g->error_id), false,
                           MSG_BYTES);
    if (!rc)
        rc = ld_buf_printf(b, " (%llu failure%s)\n",
                           (unsigned long long)g->count,
                           g->count == 1 ? "" : "s");
    return rc;
}

static int folded_line(ld_buf_t *b, const ld__fgroups_t *g, uint64_t shown,
                       const char *title)
{
    int rc = put_title(b, "notice", title);

    if (!rc)
        rc = ld_buf_printf(b, "%zu more failure group%s folded (%llu "
                              "failure%s)\n",
                           g->n - MAX_ANNOTATIONS,
                           g->n - MAX_ANNOTATIONS == 1 ? "" : "s",
                           (unsigned long long)(g->failures - shown),
                           g->failures - shown == 1 ? "" : "s");
    return rc;
}

static int emit(FILE *out, const ld_records_t *r, const ld__fgroups_t *g,
                const char *title, int *lines)
{
    ld_buf_t b;
    uint64_t shown = 0;
    int rc = 0;

    ld_buf_init(&b, 0);
    for (size_t i = 0; i < g->n && i < MAX_ANNOTATIONS && !rc; i++) {
        rc = group_line(&b, r, &g->v[i], title);
        shown += g->v[i].count;
        (*lines)++;
    }
    if (!rc && g->n > MAX_ANNOTATIONS) {
        rc = folded_line(&b, g, shown, title);
        (*lines)++;
    }
    if (!rc && b.len && fwrite(b.data, 1, b.len, out) != b.len)
        rc = LD_EIO;
    if (!rc && fflush(out) != 0)
        rc = LD_EIO;
    ld_buf_free(&b);
    return rc;
}

int ld_emit_github_annotations(FILE *out, const ld_records_t *recs,
                               const char *title)
{
    ld__fgroups_t g;
    int lines = 0;
    int rc = 0;

    if (!out || !recs)
        return LD_EINVAL;
    if (!title || !*title)
        title = "LoadDensity";
    rc = ld__fgroups_build(recs, &g);
    if (rc)
        return rc;
    rc = emit(out, recs, &g, title, &lines);
    ld__fgroups_free(&g);
    return rc ? rc : lines;
}
