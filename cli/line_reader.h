/* Command lines from a byte stream (standard input of run and trunk).
 *
 * Kept apart from the poll loop so that it can be tested and fuzzed alone:
 * it sees bytes, never a file descriptor. A line is refused whole, with a
 * message, when it is longer than CLI_LINE_MAX bytes or holds a NUL byte;
 * nothing of a refused line reaches the command handler, and the lines
 * after it are read as usual. */
#ifndef SC_CLI_LINE_READER_H
#define SC_CLI_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>

/* The longest command line, without its '\n'. */
#define CLI_LINE_MAX 4095

/* Called once per line. A whole line comes as line (NUL-terminated, without
 * its '\n'; the callback may modify it) and error NULL; a refused line as
 * line NULL and error saying why. Returning true stops the reading (quit). */
typedef bool (*cli_line_fn)(char *line, const char *error, void *user);

typedef struct cli_line_reader {
    char buf[CLI_LINE_MAX + 1];
    size_t used;
    bool discarding;    /* inside a line already refused as too long */
} cli_line_reader;

void cli_line_reader_init(cli_line_reader *r);

/* Splits n bytes of data into lines, calling fn for each line they end.
 * Bytes after the last '\n' wait for the next call. True when fn asked to
 * stop; the bytes after that line are then not read. */
bool cli_line_reader_feed(cli_line_reader *r, const char *data, size_t n, cli_line_fn fn, void *user);

#endif
