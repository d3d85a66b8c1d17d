/* See status_table.h. Rows the library's status JSON has and this file does
 * not know (added fields, such as NAT details) are shown too, under their
 * JSON name, so the table never hides what the library reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_flat.h"
#include "status_table.h"

/* Fields of the status JSON the table shows in rows of its own. */
static const char *const shown_fields[] = {
    "event", "gateway", "state", "status", "sip_code", "phrase", "reason", "expires",
    "next_retry", "failures", "ping_ms", "contact", "registrar", "running",
    "local_address", "public_address", NULL
};

void cli_format_duration(char *buf, size_t size, gint64 seconds)
{
    if (seconds < 0) seconds = 0;
    if (seconds >= 86400) g_snprintf(buf, size, "%" G_GINT64_FORMAT "d%02" G_GINT64_FORMAT "h", seconds / 86400, seconds % 86400 / 3600);
    else if (seconds >= 3600) g_snprintf(buf, size, "%" G_GINT64_FORMAT "h%02" G_GINT64_FORMAT "m", seconds / 3600, seconds % 3600 / 60);
    else if (seconds >= 60) g_snprintf(buf, size, "%" G_GINT64_FORMAT "m%02" G_GINT64_FORMAT "s", seconds / 60, seconds % 60);
    else g_snprintf(buf, size, "%" G_GINT64_FORMAT "s", seconds);
}

int cli_channels_in_use(sc_session *s, const char *gateway)
{
    size_t n = 0;
    int used = 0;
    sc_call **calls = sc_session_list_calls(s, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(sc_call_gateway(calls[i]), gateway) && sc_call_state_of(calls[i]) != SC_CALL_ENDED) used++;
    sc_call_list_free(calls);
    return used;
}

static void row(GString *b, const char *label, const char *value)
{
    g_string_append_printf(b, "  %-15s %s\n", label, value && *value ? value : "-");
}

static void extra_row(const char *key, const char *value, bool is_string, void *user)
{
    (void)is_string;
    for (const char *const *f = shown_fields; *f; f++)
        if (!strcmp(*f, key)) return;
    row(user, key, value);
}

/* The host:port of a "<sip:user@host:port;...>" Contact: where we are reached. */
static char *contact_address(const char *contact)
{
    const char *p = contact ? strchr(contact, '@') : NULL;
    if (!p) p = contact && !strncmp(contact, "<sip:", 5) ? contact + 4 : NULL;
    if (!p) return NULL;
    p++;
    return g_strndup(p, strcspn(p, ";>"));
}

static void table(GString *b, sc_session *s, const sc_config *cfg, cli_stats *st, const char *name, const char *json)
{
    const sc_gateway *gw = cfg ? sc_config_find_gateway(cfg, name) : NULL;
    cli_gw_counts c;
    char *state = cli_json_field(json, "state"), *status = cli_json_field(json, "status");
    char *next_retry = cli_json_field(json, "next_retry"), *contact = cli_json_field(json, "contact");
    char *local = cli_json_field(json, "local_address"), *public_addr = cli_json_field(json, "public_address");
    char *expires = cli_json_field(json, "expires"), *ping = cli_json_field(json, "ping_ms");
    const char *max = gw ? sc_gateway_get(gw, "max-channels") : NULL;
    gint64 now = g_get_real_time();
    char since[32], text[256];
    int used = cli_channels_in_use(s, name);

    cli_stats_gateway(st, name, &c);
    cli_format_duration(since, sizeof since, (now - c.state_since_us) / G_USEC_PER_SEC);
    g_string_append_printf(b, "Gateway %s\n", name);
    g_snprintf(text, sizeof text, "%s (%s) for %s", state ? state : "?", status ? status : "?", since);
    row(b, "State", text);
    row(b, "Username", gw ? sc_gateway_get(gw, "username") : NULL);
    row(b, "Realm", gw ? sc_gateway_get(gw, "realm") : NULL);
    row(b, "Proxy", gw ? sc_gateway_get(gw, "proxy") : NULL);
    row(b, "From-Domain", gw ? sc_gateway_get(gw, "from-domain") : NULL);
    row(b, "Context", gw ? sc_gateway_get(gw, "context") : NULL);
    g_snprintf(text, sizeof text, "in %u, out %u, failed %u", c.calls_in, c.calls_out, c.calls_failed);
    row(b, "Calls", text);
    if (max && strcmp(max, "0") && *max) g_snprintf(text, sizeof text, "%d of %s in use", used, max);
    else g_snprintf(text, sizeof text, "%d in use (no max-channels)", used);
    row(b, "Channels", text);
    if (c.last_failure[0]) {
        char ago[32];
        cli_format_duration(ago, sizeof ago, (now - c.last_failure_us) / G_USEC_PER_SEC);
        g_snprintf(text, sizeof text, "%s, %s ago", c.last_failure, ago);
        row(b, "Last failure", text);
    } else {
        row(b, "Last failure", "none");
    }
    if (next_retry && atoi(next_retry) >= 0) {
        g_snprintf(text, sizeof text, "%s in %s s", state && !strcmp(state, "REGED") ? "refresh" : "attempt",
                   next_retry);
        row(b, "Next retry", text);
    } else {
        row(b, "Next retry", "none");
    }
    if (expires && strcmp(expires, "0")) row(b, "Expires", expires);
    if (ping && atoi(ping) >= 0) {
        g_snprintf(text, sizeof text, "%s ms", ping);
        row(b, "Ping", text);
    }
    if (!local) local = contact_address(contact);
    row(b, "Local address", local);
    row(b, "Public address", public_addr);
    row(b, "Contact", contact);
    cli_json_each(json, extra_row, b);
    g_free(state);
    g_free(status);
    g_free(next_retry);
    g_free(contact);
    g_free(local);
    g_free(public_addr);
    g_free(expires);
    g_free(ping);
}

/* The library's JSON with run's counters added before its closing brace. */
static char *json_line(sc_session *s, const sc_config *cfg, cli_stats *st, const char *name, const char *json)
{
    const sc_gateway *gw = cfg ? sc_config_find_gateway(cfg, name) : NULL;
    const char *max = gw ? sc_gateway_get(gw, "max-channels") : NULL;
    size_t len = strlen(json);
    cli_gw_counts c;
    char *last = NULL, *line;
    cli_stats_gateway(st, name, &c);
    last = sc_json_quote(c.last_failure);
    while (len && json[len - 1] != '}') len--;
    line = g_strdup_printf("%.*s,\"state_since\":%" G_GINT64_FORMAT ",\"calls_in\":%u,\"calls_out\":%u,"
                           "\"calls_failed\":%u,\"channels_in_use\":%d,\"max_channels\":%d,"
                           "\"last_failure\":%s}",
                           (int)(len ? len - 1 : 0), json, c.state_since_us / G_USEC_PER_SEC, c.calls_in,
                           c.calls_out, c.calls_failed, cli_channels_in_use(s, name), max ? atoi(max) : 0, last);
    sc_free(last);
    return line;
}

static int print_one(sc_session *s, const sc_config *cfg, cli_stats *st, const char *name, bool json)
{
    char *status = sc_session_gateway_json(s, name);
    if (!status) return sc_last_status() ? sc_last_status() : SC_ENOTFOUND;
    if (json) {
        char *line = json_line(s, cfg, st, name, status);
        cli_print_line(line);
        g_free(line);
    } else {
        GString *b = g_string_new(NULL);
        table(b, s, cfg, st, name, status);
        fputs(b->str, stdout);
        fflush(stdout);
        g_string_free(b, TRUE);
    }
    sc_free(status);
    return SC_OK;
}

/* The session's own line: whether it drains, and its calls (the whole
 * status only: "status GW" is about one gateway). */
static void print_session(sc_session *s, bool json)
{
    int draining = sc_session_is_draining(s) == 1, calls = sc_session_call_count(s);
    char line[128];
    if (json)
        g_snprintf(line, sizeof line, "{\"event\":\"session_status\",\"draining\":%s,\"calls\":%d}",
                   draining ? "true" : "false", calls);
    else
        g_snprintf(line, sizeof line, "Session: %s, %d call(s) in progress",
                   draining ? "DRAINING (new inbound calls get 503)" : "taking calls", calls);
    cli_print_line(line);
}

int cli_status_print(sc_session *s, const sc_config *cfg, cli_stats *st, const char *name, bool json)
{
    int n;
    if (name) return print_one(s, cfg, st, name, json);
    print_session(s, json);
    n = sc_session_gateway_count(s);
    for (int i = 0; i < n; i++) {
        char *gw = sc_session_gateway_name_at(s, i);
        if (gw) print_one(s, cfg, st, gw, json);
        sc_free(gw);
    }
    return SC_OK;
}
