/*
 * libFuzzer target: JSON-RPC framing. The first byte picks the framing
 * (bit 0: lines / Content-Length), the reader (bit 1: ld_rpc_read_raw or
 * ld_rpc_read + ld_rpc_classify) and a small max_message (bit 2) so that
 * LD_ETOOBIG skipping is reached; the rest is the byte stream, read from a
 * memfd until end of input.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ldcore/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int null_fd = -1;

static int read_one(ld_rpc_t *r, int raw)
{
    json_t *msg = NULL, *err = NULL;
    int rc;

    if (raw) {
        const char *body;
        size_t len;

        rc = ld_rpc_read_raw(r, &body, &len, &err);
        if (rc == 0 && len > 0)
            (void)*(volatile const char *)&body[len - 1];
    } else {
        rc = ld_rpc_read(r, &msg, &err);
        if (rc == 0) {
            const char *method;
            const json_t *id, *params;
            json_t *cerr = NULL;

            if (ld_rpc_classify(msg, &method, &id, &params, &cerr) != 0)
                json_decref(cerr);
        }
    }
    json_decref(msg);
    json_decref(err);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ld_rpc_t r;
    int fd, rc, i;
    unsigned mode;

    if (size < 1)
        return 0;
    mode = data[0];
    if (null_fd < 0)
        null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    fd = memfd_create("fuzz-rpc", MFD_CLOEXEC);
    if (fd < 0 || null_fd < 0)
        abort();
    if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
        abort();
    (void)lseek(fd, 0, SEEK_SET);
    if (ld_rpc_init(&r, fd, null_fd,
                    (mode & 1) ? LD_RPC_CONTENT_LENGTH : LD_RPC_LINES) != 0)
        abort();
    if (mode & 4)
        r.max_message = 64;
    for (i = 0; i < 100000; i++) {
        rc = read_one(&r, (mode & 2) != 0);
        if (rc != 0 && rc != LD_ESYNTAX && rc != LD_ETOOBIG)
            break;
    }
    if (i == 100000) {
        fprintf(stderr, "reader does not reach end of input\n");
        abort();
    }
    ld_rpc_close(&r);
    close(fd);
    return 0;
}
