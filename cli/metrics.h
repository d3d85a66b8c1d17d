/* run --metrics ADDR: Prometheus text format on http://ADDR/metrics, served
 * by GIO on a thread of its own (GThreadedSocketService), read from the
 * session (any thread may call it) and from run's counters (gw_stats.h). */
#ifndef SC_CLI_METRICS_H
#define SC_CLI_METRICS_H

#include "skypeconnect/skypeconnect.h"
#include "gw_stats.h"

typedef struct cli_metrics cli_metrics;

/* Listens on @p addr ("HOST:PORT", "[V6]:PORT", or "PORT" on 127.0.0.1;
 * numeric hosts only; port 0 picks one). NULL after printing why on stderr. */
cli_metrics *cli_metrics_start(const char *addr, sc_session *s, const sc_config *cfg, cli_stats *st);

/* The address really listened on, "HOST:PORT". */
const char *cli_metrics_address(const cli_metrics *m);

/* The page, as served (g_free). */
char *cli_metrics_render(sc_session *s, const sc_config *cfg, cli_stats *st);

/* Stops serving and frees. NULL is fine. */
void cli_metrics_stop(cli_metrics *m);

#endif
