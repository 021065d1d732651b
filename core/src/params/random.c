/*
 * random.c - the built-in functions uuid() and randint(a,b), from OpenSSL's
 * CSPRNG. Apart from value.c so that what only parses placeholders (the
 * linter, the language server) does not link libcrypto.
 */
#include <stdint.h>

#include <openssl/rand.h>

#include "params/params_int.h"

bool ld__uuid4(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[16];
    size_t i, k = 0;

    if (RAND_bytes(r, (int)sizeof(r)) != 1)
        return false;
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);   /* version 4 */
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[r[i] >> 4];
        out[k++] = hex[r[i] & 15];
    }
    out[k] = '\0';
    return true;
}

bool ld__randint(int64_t lo, int64_t hi, int64_t *out)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;   /* 0 means 2^64 */
    uint64_t r, floor;

    if (span == 0) {
        if (RAND_bytes((unsigned char *)&r, (int)sizeof(r)) != 1)
            return false;
        *out = (int64_t)r;
        return true;
    }
    /* reject the 2^64 mod span lowest values so every residue is equally likely */
    floor = (0 - span) % span;
    do {
        if (RAND_bytes((unsigned char *)&r, (int)sizeof(r)) != 1)
            return false;
    } while (r < floor);
    *out = (int64_t)((uint64_t)lo + r % span);
    return true;
}
