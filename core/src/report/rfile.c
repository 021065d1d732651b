/*
 * Atomic report files. Reports are streamed (a million-request CSV is never
 * one string in memory), so the stream goes to a temporary file next to the
 * target and is renamed over it only once every byte reached the disk: a
 * failure leaves the previous report, or nothing, never half a file.
 */
#include "report/report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RFILE_BUF (64u * 1024u)

int ld__rfile_open(ld__rfile_t *w, const char *path, ld_diag_t *d)
{
    size_t len = strlen(path);
    int fd = -1;

    memset(w, 0, sizeof(*w));
    w->path = ld_strdup(path);
    w->tmp = malloc(len + sizeof(".tmp.XXXXXX"));
    if (!w->path || !w->tmp) {
        ld__rfile_abort(w);
        return LD_ENOMEM;
    }
    memcpy(w->tmp, path, len);
    memcpy(w->tmp + len, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
    fd = mkstemp(w->tmp);
    if (fd < 0) {
        int err = errno;

        free(w->tmp);
        w->tmp = NULL;
        ld__rfile_abort(w);
        return ld_diag_set(d, LD_EIO, NULL, NULL, "cannot write %s: %s",
                           path, strerror(err));
    }
    /* mkstemp makes the file private; a report is an ordinary file. */
    (void)fchmod(fd, 0644);
    w->f = fdopen(fd, "wb");
    if (!w->f) {
        close(fd);
        ld__rfile_abort(w);
        return LD_ENOMEM;
    }
    setvbuf(w->f, NULL, _IOFBF, RFILE_BUF);
    return 0;
}

int ld__rfile_close(ld__rfile_t *w, ld_diag_t *d)
{
    int ok = !ferror(w->f);
    int err = 0;

    ok = (fflush(w->f) == 0) && ok;
    err = errno;
    ok = (fclose(w->f) == 0) && ok;
    w->f = NULL;
    if (ok)
        return 0;
    if (!err)
        err = errno ? errno : EIO;
    ld_diag_set(d, LD_EIO, NULL, NULL, "cannot write %s: %s", w->path,
                strerror(err));
    ld__rfile_abort(w);
    return LD_EIO;
}

int ld__rfile_rename(ld__rfile_t *w, ld_diag_t *d)
{
    if (rename(w->tmp, w->path) != 0) {
        int err = errno;

        ld_diag_set(d, LD_EIO, NULL, NULL, "cannot write %s: %s",
                    w->path, strerror(err));
        ld__rfile_abort(w);
        return LD_EIO;
    }
    ld__rfile_done(w);
    return 0;
}

void ld__rfile_abort(ld__rfile_t *w)
{
    if (w->f)
        fclose(w->f);
    if (w->tmp)
        unlink(w->tmp);
    ld__rfile_done(w);
}

void ld__rfile_done(ld__rfile_t *w)
{
    free(w->path);
    free(w->tmp);
    memset(w, 0, sizeof(*w));
}
