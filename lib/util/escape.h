/* Escaping untrusted bytes for messages and log lines. */
#ifndef SC_ESCAPE_H
#define SC_ESCAPE_H

#include <stddef.h>

/* Writes @p s (@p len bytes) into @p buf for a message: printable ASCII as
 * is, anything else (control bytes, UTF-8, '\\') as \xNN, so that no input
 * can put raw bytes into a message or a log line. Writes at most @p cap
 * bytes (NUL included); when the input does not fit it is cut and ends in
 * "...". Returns buf. SC_DIAL_SHOW_SIZE shows at least 48 input bytes:
 * enough for any valid number, bounded for a hostile one. */
#define SC_DIAL_SHOW_SIZE 200
char *sc_dial_escape(char *buf, size_t cap, const char *s, size_t len);
/* The same, but a backslash stays itself: for regular expressions, where
 * "\\d" reads better than "\x5Cd". */
char *sc_dial_escape_pattern(char *buf, size_t cap, const char *s, size_t len);

#endif
