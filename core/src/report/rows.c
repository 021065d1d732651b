/*
 * Per-request reports: JSON and XML (successes and failures in separate
 * files, entries numbered Success_Test1.. / Failure_Test1.. as in the
 * Python tool) and CSV (one file, successes first). Each record is written
 * straight to the stream, so the size of a run does not matter.
 *
 * Fields: Method, test_url, name, status_code, response_time_ms,
 * response_length, and error for failures. The Python tool's success
 * entries also carried the response text, content and headers; records here
 * keep no bodies, so those three are not written.
 */
#include "report/report_int.h"

#include <string.h>

static bool wanted(const ld_record_t *rec, bool failures)
{
    return failures ? rec->error_id != 0 : rec->error_id == 0;
}

/* ---- JSON ---- */

static int json_member(FILE *f, const char *key, const char *s, bool last)
{
    int rc = 0;

    fprintf(f, "        \"%s\": ", key);
    rc = ld__put_json_str(f, s);
    fputs(last ? "\n" : ",\n", f);
    return rc;
}

static int json_record(FILE *f, const ld_records_t *r, const ld_record_t *rec,
                       bool failures)
{
    int rc = 0;

    fprintf(f, "        \"Method\": \"%s\",\n", ld_method_name(rec->method));
    rc |= json_member(f, "test_url", ld_records_str(r, rec->url_id), false);
    rc |= json_member(f, "name", ld_records_str(r, rec->name_id), false);
    if (rec->status)
        fprintf(f, "        \"status_code\": \"%u\",\n",
                (unsigned)rec->status);
    else
        fputs("        \"status_code\": null,\n", f);
    fputs("        \"response_time_ms\": ", f);
    ld__put_ms(f, rec->latency_us);
    fprintf(f, ",\n        \"response_length\": %u%s\n", rec->resp_len,
            failures ? "," : "");
    if (failures)
        rc |= json_member(f, "error", ld_records_str(r, rec->error_id), true);
    return rc ? LD_ENOMEM : 0;
}

int ld__json_records(FILE *f, const ld_records_t *r, bool failures)
{
    const char *prefix = failures ? "Failure_Test" : "Success_Test";
    const ld_record_t *rec = NULL;
    size_t it = 0;
    size_t k = 0;

    fputc('{', f);
    while ((rec = ld_records_next(r, &it))) {
        if (!wanted(rec, failures))
            continue;
        fprintf(f, "%s\n    \"%s%zu\": {\n", k ? "," : "", prefix, k + 1);
        if (json_record(f, r, rec, failures))
            return LD_ENOMEM;
        fputs("    }", f);
        k++;
    }
    fputs(k ? "\n}\n" : "}\n", f);
    return 0;
}

/* ---- XML ---- */

static void xml_leaf(FILE *f, const char *tag, const char *s)
{
    fprintf(f, "\t\t<%s>", tag);
    ld__put_xml(f, s, false, 0);
    fprintf(f, "</%s>\n", tag);
}

static void xml_record(FILE *f, const ld_records_t *r, const ld_record_t *rec,
                       bool failures)
{
    xml_leaf(f, "Method", ld_method_name(rec->method));
    xml_leaf(f, "test_url", ld_records_str(r, rec->url_id));
    xml_leaf(f, "name", ld_records_str(r, rec->name_id));
    if (rec->status)
        fprintf(f, "\t\t<status_code>%u</status_code>\n",
                (unsigned)rec->status);
    else
        fputs("\t\t<status_code/>\n", f);
    fputs("\t\t<response_time_ms>", f);
    ld__put_ms(f, rec->latency_us);
    fprintf(f, "</response_time_ms>\n\t\t<response_length>%u"
               "</response_length>\n", rec->resp_len);
    if (failures)
        xml_leaf(f, "error", ld_records_str(r, rec->error_id));
}

void ld__xml_records(FILE *f, const ld_records_t *r, bool failures)
{
    const char *prefix = failures ? "Failure_Test" : "Success_Test";
    const ld_record_t *rec = NULL;
    size_t it = 0;
    size_t k = 0;

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml_data>\n", f);
    while ((rec = ld_records_next(r, &it))) {
        if (!wanted(rec, failures))
            continue;
        k++;
        fprintf(f, "\t<%s%zu>\n", prefix, k);
        xml_record(f, r, rec, failures);
        fprintf(f, "\t</%s%zu>\n", prefix, k);
    }
    fputs("</xml_data>\n", f);
}

/* ---- CSV (RFC 4180: CRLF line ends, quoted fields where needed) ---- */

static void csv_row(FILE *f, const ld_records_t *r, const ld_record_t *rec)
{
    fputs(rec->error_id ? "failure," : "success,", f);
    fprintf(f, "%s,", ld_method_name(rec->method));
    ld__put_csv(f, ld_records_str(r, rec->url_id));
    fputc(',', f);
    ld__put_csv(f, ld_records_str(r, rec->name_id));
    fputc(',', f);
    if (rec->status)
        fprintf(f, "%u", (unsigned)rec->status);
    fputc(',', f);
    ld__put_ms(f, rec->latency_us);
    fprintf(f, ",%u,", rec->resp_len);
    ld__put_csv(f, ld_records_str(r, rec->error_id));
    fputs("\r\n", f);
}

void ld__csv_records(FILE *f, const ld_records_t *r)
{
    const ld_record_t *rec = NULL;

    fputs("outcome,Method,test_url,name,status_code,response_time_ms,"
          "response_length,error\r\n", f);
    for (int pass = 0; pass < 2; pass++) {
        size_t it = 0;
        while ((rec = ld_records_next(r, &it)))
            if (wanted(rec, pass == 1))
                csv_row(f, r, rec);
    }
}
