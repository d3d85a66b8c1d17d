/* Private view of an sc_config, shared by config.c (storage, public
 * accessors) and config_xml.c (the FreeSWITCH XML loader, which returns
 * records and calls nothing in config.c). */
#ifndef SC_CONFIG_INT_H
#define SC_CONFIG_INT_H

#include <stdbool.h>
#include <glib.h>
#include "skypeconnect/sc_config.h"
#include "diag.h"

/* Where a kept gateway came from, for "already defined at FILE:LINE". */
typedef struct sc_config_entry {
    sc_gateway *gw;
    char *file;            /* NULL: added in code */
    int line;
} sc_config_entry;

struct sc_config {
    GPtrArray *entries;    /* sc_config_entry*, in load order */
    sc_diag_list diags;
};

/* Appends a diagnostic (sc_diag_list_add). */
void sc_config_add_diag(sc_config *cfg, int severity, const char *file, int line, int column,
                        const char *gateway, const char *param, bool param_in_message,
                        const char *message);

/* The kept gateway of that name, or NULL. */
const sc_config_entry *sc_config_find_entry(const sc_config *cfg, const char *name);


/* One gateway the XML loader found, for the config to keep. */
typedef struct sc_config_record {
    sc_gateway *gw;        /* owned by whoever holds the record */
    int line;
} sc_config_record;

/* The gateway the config already keeps under @p name, or NULL: the loader
 * asks, so that a duplicate's message says where the first one came from. */
typedef const sc_config_entry *(*sc_config_kept_fn)(const void *owner, const char *name);

/* config_xml.c: parses @p len bytes of FreeSWITCH XML. Adds this load's
 * diagnostics to @p diags; when the file has no error returns SC_OK and
 * appends one sc_config_record per gateway, in file order, to @p found (the
 * loader keeps nothing: config.c adopts them). Sets the thread's last error
 * on failure. */
int sc_config_parse_xml(const char *xml, size_t len, const char *source_name,
                        sc_diag_list *diags, sc_config_kept_fn kept, const void *owner,
                        GArray *found);

#endif
