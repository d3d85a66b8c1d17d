/* The `status` command of run: per gateway, the library's status JSON
 * (sc_session_gateway_json()), the gateway's configuration and what run
 * counted (gw_stats.h), as a readable table or as one JSON line. */
#ifndef SC_CLI_STATUS_TABLE_H
#define SC_CLI_STATUS_TABLE_H

#include <stdbool.h>
#include "skypeconnect/skypeconnect.h"
#include "gw_stats.h"

/* Prints one gateway (@p name), or every gateway (NULL). Returns SC_OK, or
 * SC_ENOTFOUND (with sc_last_error() naming it) for a gateway the session
 * does not have; nothing is printed then. */
int cli_status_print(sc_session *s, const sc_config *cfg, cli_stats *st, const char *name, bool json);

/* Calls in use on @p gateway (not ended). */
int cli_channels_in_use(sc_session *s, const char *gateway);

/* "2h03m", "4m05s", "12s". */
void cli_format_duration(char *buf, size_t size, gint64 seconds);

#endif
