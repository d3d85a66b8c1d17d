/* Private view of an sc_config, shared by lib/config.c (storage, public
 * accessors) and lib/config_xml.c (the FreeSWITCH XML loader). */
#ifndef SC_CONFIG_PRIV_H
#define SC_CONFIG_PRIV_H

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

/* Keeps @p gw (ownership moves to @p cfg). */
void sc_config_adopt(sc_config *cfg, sc_gateway *gw, const char *file, int line);

/* Parses @p len bytes of FreeSWITCH XML and keeps its gateways if it has no
 * error; sets the thread's last error on failure. */
int sc_config_parse_xml(sc_config *cfg, const char *xml, size_t len, const char *source_name);

#endif
