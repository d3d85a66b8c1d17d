/* What `run` counts from the events it prints: per gateway, the time it
 * entered its state, registrations, calls in, out and failed, the last
 * failure; per direction and cause, ended calls; per reason, refusals.
 * The status table and the metrics endpoint both read it. Every function
 * locks, so the metrics thread may read while the main thread counts. */
#ifndef SC_CLI_GW_STATS_H
#define SC_CLI_GW_STATS_H

#include <stdbool.h>
#include <glib.h>
#include "skypeconnect/skypeconnect.h"

typedef struct cli_stats cli_stats;

/* Counters of one gateway, as copied out by cli_stats_gateway(). */
typedef struct cli_gw_counts {
    bool seen;                  /* an event named this gateway */
    gint64 state_since_us;      /* wall clock, when the current state began */
    unsigned registrations;     /* times it became REGED */
    unsigned reg_failures;      /* failed, timed-out or expired registrations */
    unsigned calls_in, calls_out;
    unsigned calls_failed;      /* ended without being answered */
    char last_failure[160];     /* "403 Forbidden (auth)", "" when none */
    gint64 last_failure_us;
} cli_gw_counts;

cli_stats *cli_stats_new(void);
void cli_stats_free(cli_stats *st);

/* Marks the session start: gateways without a state change yet are in
 * their first state since then. */
void cli_stats_started(cli_stats *st);

/* Counts one event. */
void cli_stats_event(cli_stats *st, const sc_event *ev);

/* Copies a gateway's counters (all zero when none). */
void cli_stats_gateway(cli_stats *st, const char *name, cli_gw_counts *out);

/* Walks a labelled counter family: "ended" (labels gateway, direction,
 * cause) or "refused" (labels gateway, direction, reason), in a stable
 * order. */
typedef void (*cli_stats_fn)(const char *gateway, const char *direction, const char *what,
                             unsigned long count, void *user);
void cli_stats_each(cli_stats *st, const char *family, cli_stats_fn fn, void *user);

#endif
