/*
 * Inline SVG line charts: latency (p50, p95) and throughput (requests and
 * failures per second) over time buckets. Plain SVG 1.1, no script, no
 * external font or stylesheet, so the same markup works inline in the HTML
 * report and as a standalone .svg file. Only numbers and fixed labels are
 * written, so nothing here needs escaping.
 */
#include "report/report_int.h"

#include <math.h>

#define W 860.0
#define H 280.0
#define ML 70.0    /* margins */
#define MR 20.0
#define MT 34.0
#define MB 42.0
#define PW (W - ML - MR)
#define PH (H - MT - MB)
#define YTICKS 5
#define XTICKS 6
#define DOTS_BELOW 60   /* mark points when there are few buckets */

typedef double (*val_fn)(const ld__tbucket_t *b, double width_s);

typedef struct chart {
    FILE *f;
    const ld__tseries_t *t;
    double ymax;
} chart_t;

static double nice_ceil(double v)
{
    double e = 0.0;
    double m = 0.0;

    if (!(v > 0.0))
        return 1.0;
    e = pow(10.0, floor(log10(v)));
    m = v / e;
    if (m <= 1.0)
        return e;
    if (m <= 2.0)
        return 2.0 * e;
    if (m <= 5.0)
        return 5.0 * e;
    return 10.0 * e;
}

static double x_of(const chart_t *c, size_t i)
{
    return ML + ((double)i + 0.5) / (double)c->t->n * PW;
}

static double y_of(const chart_t *c, double v)
{
    return MT + PH - v / c->ymax * PH;
}

static void fmt_time(char *buf, size_t size, double s)
{
    long t = lround(s);

    if (s < 10.0 && fabs(s - (double)t) > 1e-6)
        snprintf(buf, size, "%.1fs", s);
    else if (t < 60)
        snprintf(buf, size, "%lds", t);
    else if (t < 3600)
        snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, size, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
}

static void open_svg(FILE *f, const char *title, bool standalone)
{
    /* Inline SVG in HTML needs no namespace (and the HTML report holds no
     * URL of its own). */
    if (standalone)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<svg xmlns=\"http://www.w3.org/2000/svg\" ", f);
    else
        fputs("<svg ", f);
    fprintf(f,
            "class=\"chart\" "
            "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
            "role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<title>%s</title>\n"
            "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n"
            "<text x=\"%.0f\" y=\"20\" font-size=\"14\" "
            "font-weight=\"bold\">%s</text>\n",
            W, H, W, H, title, W, H, ML, title);
}

static void axes(const chart_t *c, const char *unit)
{
    FILE *f = c->f;
    double span_s = (double)c->t->n * (double)c->t->width_ns / 1e9;
    double step = nice_ceil(span_s / XTICKS);
    char buf[32];

    for (int k = 0; k <= YTICKS; k++) {
        double v = c->ymax * k / YTICKS;
        double y = y_of(c, v);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#dddddd\"/>\n", ML, y, ML + PW, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g%s"
                "</text>\n", ML - 6.0, y + 4.0, v, unit);
    }
    for (int k = 0; k * step <= span_s * (1.0 + 1e-9); k++) {
        double x = ML + PW * (k * step) / span_s;
        fmt_time(buf, sizeof(buf), k * step);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                "%s</text>\n", x, MT + PH + 18.0, buf);
    }
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#888888\"/>\n", ML, MT + PH, ML + PW, MT + PH);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
            "fill=\"#555555\">time since the first request (bucket %gs)"
            "</text>\n", ML + PW / 2.0, H - 6.0,
            (double)c->t->width_ns / 1e9);
}

static void dot(const chart_t *c, double x, double y, const char *color)
{
    if (c->t->n < DOTS_BELOW)
        fprintf(c->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" "
                "fill=\"%s\"/>\n", x, y, color);
}

/* One polyline per run of non-empty buckets (when skip_empty). */
static void series(const chart_t *c, val_fn val, bool skip_empty,
                   const char *color)
{
    double w = (double)c->t->width_ns / 1e9;
    bool open = false;

    for (size_t i = 0; i < c->t->n; i++) {
        const ld__tbucket_t *b = &c->t->b[i];
        double x = x_of(c, i);
        double y = 0.0;
        if (skip_empty && !b->count) {
            if (open)
                fputs("\"/>\n", c->f);
            open = false;
            continue;
        }
        y = y_of(c, val(b, w));
        if (!open)
            fprintf(c->f, "<polyline fill=\"none\" stroke=\"%s\" "
                    "stroke-width=\"1.5\" points=\"", color);
        fprintf(c->f, "%s%.1f,%.1f", open ? " " : "", x, y);
        open = true;
    }
    if (open)
        fputs("\"/>\n", c->f);
    for (size_t i = 0; i < c->t->n; i++)
        if (!skip_empty || c->t->b[i].count)
            dot(c, x_of(c, i), y_of(c, val(&c->t->b[i], w)), color);
}

static void legend(FILE *f, int slot, const char *color, const char *label)
{
    double x = W - MR - 230.0 + slot * 115.0;

    fprintf(f, "<rect x=\"%.1f\" y=\"10\" width=\"14\" height=\"4\" "
            "fill=\"%s\"/>\n<text x=\"%.1f\" y=\"16\">%s</text>\n", x, color,
            x + 18.0, label);
}

static double v_p50(const ld__tbucket_t *b, double w)
{
    (void)w;
    return b->p50_us / 1000.0;
}

static double v_p95(const ld__tbucket_t *b, double w)
{
    (void)w;
    return b->p95_us / 1000.0;
}

static double v_rps(const ld__tbucket_t *b, double w)
{
    return (double)b->count / w;
}

static double v_fps(const ld__tbucket_t *b, double w)
{
    return (double)b->failures / w;
}

static double max_of(const ld__tseries_t *t, val_fn val)
{
    double w = (double)t->width_ns / 1e9;
    double m = 0.0;

    for (size_t i = 0; i < t->n; i++)
        if (t->b[i].count && val(&t->b[i], w) > m)
            m = val(&t->b[i], w);
    return m;
}

void ld__svg_latency(FILE *f, const ld__tseries_t *t, bool standalone)
{
    chart_t c = {f, t, nice_ceil(max_of(t, v_p95))};

    open_svg(f, "Latency over time (ms)", standalone);
    if (t->n) {
        axes(&c, "");
        series(&c, v_p95, true, "#ff7f0e");
        series(&c, v_p50, true, "#1f77b4");
    }
    legend(f, 0, "#1f77b4", "p50");
    legend(f, 1, "#ff7f0e", "p95");
    fputs("</svg>\n", f);
}

void ld__svg_rps(FILE *f, const ld__tseries_t *t, bool standalone)
{
    chart_t c = {f, t, nice_ceil(max_of(t, v_rps))};

    open_svg(f, "Requests per second", standalone);
    if (t->n) {
        axes(&c, "");
        series(&c, v_rps, false, "#1f77b4");
        series(&c, v_fps, false, "#d62728");
    }
    legend(f, 0, "#1f77b4", "requests/s");
    legend(f, 1, "#d62728", "failures/s");
    fputs("</svg>\n", f);
}
