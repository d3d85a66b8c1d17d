/* Freeing the strings (and other g_malloc'd blocks) a struct owns in one
 * call, so that a destructor still lists every field it owns, once. */
#ifndef SC_FREE_ALL_H
#define SC_FREE_ALL_H

#include <stddef.h>
#include <glib.h>

/* g_free() on each of the @p n pointers in @p p; NULL ones are skipped. */
static inline void sc_free_each(void *const *p, size_t n)
{
    for (size_t i = 0; i < n; i++) g_free(p[i]);
}

/* SC_FREE_ALL(a->x, a->y, a->z) is g_free(a->x); g_free(a->y); g_free(a->z).
 * Only for blocks g_free() releases: a string vector (g_strfreev), a
 * refcounted object or a struct with its own destructor still needs its own
 * call. The arguments are plain pointer fields, read once (sizeof does not
 * evaluate them). A const pointer does not compile (it would discard the
 * qualifier), which keeps borrowed strings out. */
#define SC_FREE_ALL(...) \
    sc_free_each((void *[]){ __VA_ARGS__ }, sizeof((void *[]){ __VA_ARGS__ }) / sizeof(void *))

#endif
