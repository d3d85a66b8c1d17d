/* See gw_stats.h. Calls are counted once, when an event first names them;
 * which way they go and through which gateway comes from the call itself. */
#include <string.h>

#include "gw_stats.h"

typedef struct gw_entry {
    cli_gw_counts c;
} gw_entry;

typedef struct live_call {
    bool answered;
    bool inbound;
    char *gateway;
} live_call;

struct cli_stats {
    GMutex lock;
    gint64 started_us;
    GHashTable *gateways;   /* name -> gw_entry */
    GHashTable *calls;      /* call id -> live_call, until it ends */
    GHashTable *ended;      /* "gateway\tdirection\tcause" -> count */
    GHashTable *refused;    /* "gateway\tdirection\treason" -> count */
};

static void live_call_free(gpointer p)
{
    live_call *c = p;
    g_free(c->gateway);
    g_free(c);
}

cli_stats *cli_stats_new(void)
{
    cli_stats *st = g_new0(cli_stats, 1);
    g_mutex_init(&st->lock);
    st->started_us = g_get_real_time();
    st->gateways = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    st->calls = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, live_call_free);
    st->ended = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    st->refused = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return st;
}

void cli_stats_free(cli_stats *st)
{
    if (!st) return;
    g_hash_table_destroy(st->gateways);
    g_hash_table_destroy(st->calls);
    g_hash_table_destroy(st->ended);
    g_hash_table_destroy(st->refused);
    g_mutex_clear(&st->lock);
    g_free(st);
}

void cli_stats_started(cli_stats *st)
{
    g_mutex_lock(&st->lock);
    st->started_us = g_get_real_time();
    g_mutex_unlock(&st->lock);
}

static gw_entry *gateway(cli_stats *st, const char *name)
{
    gw_entry *e = g_hash_table_lookup(st->gateways, name);
    if (!e) {
        e = g_new0(gw_entry, 1);
        e->c.seen = true;
        e->c.state_since_us = st->started_us;
        g_hash_table_insert(st->gateways, g_strdup(name), e);
    }
    return e;
}

static void bump(GHashTable *t, const char *gw, const char *direction, const char *what)
{
    char *key = g_strdup_printf("%s\t%s\t%s", gw, direction, what && *what ? what : "unknown");
    gpointer old = g_hash_table_lookup(t, key);
    g_hash_table_replace(t, key, GSIZE_TO_POINTER(GPOINTER_TO_SIZE(old) + 1));
}

static void gateway_state(cli_stats *st, const sc_event *ev)
{
    gw_entry *e = gateway(st, sc_event_gateway(ev));
    int state = sc_event_state(ev), reason = sc_event_reason(ev);
    if (state != sc_event_prev_state(ev)) e->c.state_since_us = sc_event_time_us(ev);
    if (state == SC_REG_REGED && sc_event_prev_state(ev) != SC_REG_REGED) e->c.registrations++;
    if (state == SC_REG_FAILED || state == SC_REG_TIMEOUT || state == SC_REG_EXPIRED) e->c.reg_failures++;
    if (reason != SC_REASON_NONE && reason != SC_REASON_REQUEST) {
        if (sc_event_sip_code(ev))
            g_snprintf(e->c.last_failure, sizeof e->c.last_failure, "%s: %d %s (%s)",
                       sc_reg_state_name(state), sc_event_sip_code(ev), sc_event_phrase(ev), sc_reason_name(reason));
        else
            g_snprintf(e->c.last_failure, sizeof e->c.last_failure, "%s (%s)", sc_reg_state_name(state),
                       sc_reason_name(reason));
        e->c.last_failure_us = sc_event_time_us(ev);
    }
}

static void call_event(cli_stats *st, const sc_event *ev)
{
    sc_call *call = sc_event_call(ev);
    int id = sc_event_call_id(ev), state = sc_event_call_state(ev);
    live_call *c;
    if (!call || id <= 0) return;
    c = g_hash_table_lookup(st->calls, GINT_TO_POINTER(id));
    if (!c) {
        c = g_new0(live_call, 1);
        c->inbound = sc_call_direction_of(call) == SC_CALL_INBOUND;
        c->gateway = g_strdup(sc_call_gateway(call));
        g_hash_table_insert(st->calls, GINT_TO_POINTER(id), c);
        if (*c->gateway) {
            gw_entry *e = gateway(st, c->gateway);
            if (c->inbound) e->c.calls_in++;
            else e->c.calls_out++;
        }
    }
    if (state == SC_CALL_ANSWERED || state == SC_CALL_HELD) c->answered = true;
    if (state == SC_CALL_ENDED) {
        bump(st->ended, c->gateway, c->inbound ? "inbound" : "outbound", sc_event_cause(ev));
        if (!c->answered && *c->gateway) gateway(st, c->gateway)->c.calls_failed++;
        g_hash_table_remove(st->calls, GINT_TO_POINTER(id));
    }
}

void cli_stats_event(cli_stats *st, const sc_event *ev)
{
    g_mutex_lock(&st->lock);
    switch (sc_event_type_of(ev)) {
    case SC_EVENT_GATEWAY_STATE: gateway_state(st, ev); break;
    case SC_EVENT_GATEWAY_REMOVED: g_hash_table_remove(st->gateways, sc_event_gateway(ev)); break;
    case SC_EVENT_INCOMING_CALL:
    case SC_EVENT_CALL_STATE: call_event(st, ev); break;
    case SC_EVENT_DIAL_REFUSED: bump(st->refused, sc_event_gateway(ev), "outbound", sc_event_refusal(ev)); break;
    case SC_EVENT_INBOUND_REFUSED: bump(st->refused, sc_event_gateway(ev), "inbound", sc_event_refusal(ev)); break;
    default: break;
    }
    g_mutex_unlock(&st->lock);
}

void cli_stats_gateway(cli_stats *st, const char *name, cli_gw_counts *out)
{
    gw_entry *e;
    g_mutex_lock(&st->lock);
    e = g_hash_table_lookup(st->gateways, name);
    if (e) {
        *out = e->c;
    } else {
        memset(out, 0, sizeof *out);
        out->state_since_us = st->started_us;
    }
    g_mutex_unlock(&st->lock);
}

void cli_stats_each(cli_stats *st, const char *family, cli_stats_fn fn, void *user)
{
    GList *keys;
    GHashTable *t;
    g_mutex_lock(&st->lock);
    t = !strcmp(family, "ended") ? st->ended : st->refused;
    keys = g_list_sort(g_hash_table_get_keys(t), (GCompareFunc)strcmp);
    for (GList *k = keys; k; k = k->next) {
        char **parts = g_strsplit(k->data, "\t", 3);
        fn(parts[0], parts[1], parts[2], GPOINTER_TO_SIZE(g_hash_table_lookup(t, k->data)), user);
        g_strfreev(parts);
    }
    g_list_free(keys);
    g_mutex_unlock(&st->lock);
}
