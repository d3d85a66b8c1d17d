/* Reading a gateway or dialplan file whole, for config.c and dialplan.c. */
#ifndef SC_READ_FILE_H
#define SC_READ_FILE_H

#include <stddef.h>
#include <glib.h>
#include "diag.h"

/* Reads path whole into *text (g_string_free it), refusing more than max
 * bytes: a wrong path (a disk image, /dev/zero) must not eat the memory.
 * On failure adds "cannot read 'PATH': REASON" to diags, sets the thread's
 * last error to the same and returns SC_EIO. */
int sc_read_file(const char *path, size_t max, sc_diag_list *diags, GString **text);

#endif
