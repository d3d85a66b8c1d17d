/* What the number fuzzers share: the abort on a broken promise, and the
 * clean-number test their promises are stated in. */
#ifndef SC_FUZZ_COMMON_H
#define SC_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skypeconnect/sc_dialrule.h"

/* Aborts (a finding for libFuzzer) with @p what when @p cond is false. */
static inline void fuzz_expect(const char *fuzzer, int cond, const char *what, const char *number)
{
    if (!cond) {
        fprintf(stderr, "%s: broken promise: %s (number '%s', error '%s')\n",
                fuzzer, what, number ? number : "(null)", sc_last_error());
        abort();
    }
}

/* '+'? then 1 to SC_DIAL_MAX_DIGITS ASCII digits. */
static inline int fuzz_clean_number(const char *s)
{
    size_t digits = 0;
    if (*s == '+') s++;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        digits++;
    }
    return digits >= 1 && digits <= SC_DIAL_MAX_DIGITS;
}

/* Splits an input "FLAGS FIELD \\0 FIELD \\0 ..." into *flags and up to
 * @p max C strings (at least @p min: missing ones are ""). Returns the
 * buffer the fields point into (free() it), or NULL for an empty input. */
static inline char *fuzz_fields(const uint8_t *data, size_t size, unsigned *flags, char **field,
                                size_t max, size_t min, size_t *count)
{
    char *buf;
    size_t n = 0;
    if (size < 1) return NULL;
    *flags = data[0];
    /* Copy with a final NUL so that every field is a C string. */
    buf = malloc(size);
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    field[n++] = buf;
    for (size_t i = 0; i + 1 < size && n < max; i++)
        if (buf[i] == '\0') field[n++] = buf + i + 1;
    while (n < min) field[n++] = (char *)"";
    *count = n;
    return buf;
}

#endif
