/* libFuzzer target: the command line's stdin reader (cli/line_reader.c).
 * Input: the first byte seeds the sizes of the pieces the rest arrives in
 * (as read() may cut it anywhere); the rest is standard input. The lines
 * and refusals the reader reports must be exactly those of a simple model
 * of the input split at '\n': a line over CLI_LINE_MAX bytes is one
 * "too long" refusal, a line with a NUL one "NUL" refusal, any other line
 * comes whole. Nothing of a refused line may ever reach the handler. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "line_reader.h"

typedef struct record {
    char kind;          /* 'L' line, 'T' too long, 'N' NUL */
    const char *text;   /* a line: where it starts in the input */
    size_t len;
} record;

typedef struct run {
    record *got;
    size_t n, cap;
} run;

static void add(run *r, char kind, const char *text, size_t len)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->got = realloc(r->got, r->cap * sizeof *r->got);
        if (!r->got) abort();
    }
    r->got[r->n++] = (record){ kind, text, len };
}

/* The reader's lines are copied to compare after the buffer moves on. */
static bool on_line(char *line, const char *error, void *user)
{
    run *r = user;
    if (line) {
        size_t len = strlen(line);
        if (len > CLI_LINE_MAX || memchr(line, '\n', len)) abort();
        char *copy = malloc(len + 1);
        if (!copy) abort();
        memcpy(copy, line, len + 1);
        add(r, 'L', copy, len);
    } else if (error && strstr(error, "longer than")) {
        add(r, 'T', NULL, 0);
    } else if (error && strstr(error, "NUL")) {
        add(r, 'N', NULL, 0);
    } else {
        abort();   /* a refusal must say why */
    }
    return false;
}

static void model(const char *in, size_t len, run *want)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        bool end = i < len && in[i] == '\n';
        if (!end && i < len) continue;
        size_t n = i - start;
        if (n > CLI_LINE_MAX) add(want, 'T', NULL, 0);
        else if (end && memchr(in + start, '\0', n)) add(want, 'N', NULL, 0);
        else if (end) add(want, 'L', in + start, n);
        start = i + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cli_line_reader reader;
    run got = { 0 }, want = { 0 };
    if (size < 1) return 0;
    unsigned seed = data[0];
    const char *in = (const char *)data + 1;
    size_t len = size - 1;

    cli_line_reader_init(&reader);
    for (size_t off = 0; off < len;) {
        /* piece sizes from 1 byte to a few KiB, driven by the seed */
        seed = seed * 1103515245u + 12345u;
        size_t piece = 1 + (seed >> 8) % (seed & 1 ? 16 : 6000);
        if (piece > len - off) piece = len - off;
        if (cli_line_reader_feed(&reader, in + off, piece, on_line, &got)) abort();
        off += piece;
    }
    model(in, len, &want);
    if (got.n != want.n) abort();
    for (size_t i = 0; i < got.n; i++) {
        if (got.got[i].kind != want.got[i].kind) abort();
        if (got.got[i].kind == 'L' &&
            (got.got[i].len != want.got[i].len || memcmp(got.got[i].text, want.got[i].text, got.got[i].len)))
            abort();
    }
    for (size_t i = 0; i < got.n; i++) free((void *)got.got[i].text);
    free(got.got);
    free(want.got);
    return 0;
}
