/* Small text files the command line reads itself (an SDP, the first look
 * at a file given to check), with the size limit applied while reading. */
#ifndef SC_CLI_FILE_TEXT_H
#define SC_CLI_FILE_TEXT_H

#include <stddef.h>

/* The whole file as a NUL-terminated string (g_free it), or NULL with
 * *error (g_free it) saying why: cannot open, a read error, or more than
 * max bytes. Never holds more than max + 1 bytes of it in memory, so
 * /dev/zero or a disk image given by mistake costs nothing. */
char *cli_read_file(const char *path, size_t max, char **error);

#endif
