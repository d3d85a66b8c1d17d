/* Load diagnostics, shared by the gateway configuration (config.c,
 * config_xml.c) and the dialplan (dialplan.c, dialplan_xml.c): a list of
 * compiler-style lines "FILE:LINE:COL: error|warning: [gateway 'G': ]
 * [param 'P': ]message", and the bookkeeping of one file's load (a cap on
 * what one file may add, its error count, its first error). */
#ifndef SC_DIAG_H
#define SC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include "skypeconnect/sc_config.h"   /* sc_diag_severity */

/* Beyond this, a load counts its diagnostics but keeps no more of them. */
#define SC_DIAG_MAX_PER_LOAD 1000

typedef struct sc_diag {
    int severity;          /* sc_diag_severity */
    char *file;
    int line, column;      /* 0 when not tied to a place */
    char *gateway;         /* "" when none */
    char *param;           /* "" when none */
    char *message;         /* without location or gateway/param prefixes */
    char *text;            /* the whole line, as the public *_diag_text() give it */
} sc_diag;

typedef struct sc_diag_list {
    GPtrArray *items;      /* sc_diag* */
    size_t errors;         /* items of severity SC_DIAG_ERROR */
} sc_diag_list;

void sc_diag_list_init(sc_diag_list *l);
void sc_diag_list_clear(sc_diag_list *l);

/* Appends a diagnostic. gateway and param may be NULL (none). With
 * param_in_message the message names the param already (e.g. "unknown
 * parameter 'x'"), so the text does not repeat it. */
void sc_diag_list_add(sc_diag_list *l, int severity, const char *file, int line, int column,
                      const char *gateway, const char *param, bool param_in_message,
                      const char *message);

size_t sc_diag_list_count(const sc_diag_list *l);
/* Diagnostic i, or NULL past the end. */
const sc_diag *sc_diag_list_at(const sc_diag_list *l, size_t i);

/* One file's load into a list. Diagnostics past SC_DIAG_MAX_PER_LOAD are
 * counted (dropped) but not kept: hostile input cannot grow the list. */
typedef struct sc_diag_load {
    sc_diag_list *list;
    const char *source;    /* file name the diagnostics give */
    guint first;           /* index of this load's first diagnostic */
    size_t errors;         /* errors of this load, kept or not */
    size_t dropped;        /* diagnostics not kept */
} sc_diag_load;

void sc_diag_load_begin(sc_diag_load *ld, sc_diag_list *list, const char *source);
void sc_diag_load_add(sc_diag_load *ld, int severity, int line, int column, const char *gateway,
                      const char *param, bool param_in_message, const char *message);
/* Forgets this load's diagnostics (malformed XML: only the parse error counts). */
void sc_diag_load_discard(sc_diag_load *ld);
/* Adds "N more diagnostics not shown" past the cap, when any were dropped. */
void sc_diag_load_note_dropped(sc_diag_load *ld);
/* The text of this load's first error, or "". */
const char *sc_diag_load_first_error(const sc_diag_load *ld);
/* Ends a load: a failed parse or any error diagnostic fails it with the
 * first error as the detail ("... (and N more errors)"), @p not_kept, when
 * not NULL, saying what is therefore not loaded. Returns SC_OK, with the
 * thread's last error cleared, when the load may be kept. */
int sc_diag_load_finish(const sc_diag_load *ld, int status, const char *not_kept);

#endif
