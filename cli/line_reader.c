/* See line_reader.h. */
#include <string.h>

#include "line_reader.h"

#define STR_(x) #x
#define STR(x) STR_(x)

void cli_line_reader_init(cli_line_reader *r)
{
    r->used = 0;
    r->discarding = false;
}

/* The line in r->buf is complete: hand it over, or refuse it for a NUL
 * (strtok and every C string function would stop there and run only the
 * part before it). */
static bool end_line(cli_line_reader *r, cli_line_fn fn, void *user)
{
    size_t len = r->used;
    r->used = 0;
    if (r->discarding) {
        r->discarding = false;
        return false;   /* already reported when it grew too long */
    }
    if (memchr(r->buf, '\0', len)) return fn(NULL, "the line holds a NUL byte: refused, nothing of it ran", user);
    r->buf[len] = '\0';
    return fn(r->buf, NULL, user);
}

bool cli_line_reader_feed(cli_line_reader *r, const char *data, size_t n, cli_line_fn fn, void *user)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;
        if (!r->discarding) {
            if (take > CLI_LINE_MAX - r->used) {
                /* Refuse the whole line now, and skip to its end: running
                 * its tail as a command would run text nobody typed as one. */
                r->discarding = true;
                r->used = 0;
                if (fn(NULL, "the line is longer than " STR(CLI_LINE_MAX) " bytes: refused, nothing of it ran",
                       user))
                    return true;
            } else {
                memcpy(r->buf + r->used, data, take);
                r->used += take;
            }
        }
        if (!nl) return false;
        data += take + 1;
        n -= take + 1;
        if (end_line(r, fn, user)) return true;
    }
    return false;
}
