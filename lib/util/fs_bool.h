/* FreeSWITCH's words for true and false. */
#ifndef SC_FS_BOOL_H
#define SC_FS_BOOL_H

#include <stdbool.h>

/* Reads FreeSWITCH's switch_true()/switch_false() spellings (any case) and
 * whole numbers (nonzero is true). Returns false for anything else, which
 * the gateway loader reports as an error and the dialplan reads as false,
 * as FreeSWITCH does. */
bool sc_fs_bool(const char *v, bool *out);

/* switch_true(): true only for a true spelling; NULL is false. */
bool sc_fs_true(const char *v);

#endif
