/* See metrics.h. HTTP is kept to what a Prometheus scraper sends: one GET
 * per connection, answered and closed ("Connection: close"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "metrics.h"
#include "status_table.h"

#define REQUEST_MAX 8192
#define IO_TIMEOUT_S 5

struct cli_metrics {
    sc_session *s;
    const sc_config *cfg;
    cli_stats *st;
    GThread *thread;
    GMainContext *ctx;
    GMainLoop *loop;
    GSocketService *service;
    GInetSocketAddress *want;
    char *address;
    /* start handshake */
    GMutex lock;
    GCond cond;
    bool ready;
    char *error;
};

/* A label value: backslash, quote and newline escaped. */
static void label(GString *b, const char *name, const char *value)
{
    g_string_append_printf(b, "%s=\"", name);
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"') g_string_append_c(b, '\\');
        if (*p == '\n') g_string_append(b, "\\n");
        else g_string_append_c(b, *p);
    }
    g_string_append_c(b, '"');
}

static void head(GString *b, const char *name, const char *type, const char *help)
{
    g_string_append_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

typedef struct family_walk {
    GString *b;
    const char *metric, *what_label;
} family_walk;

static void family_line(const char *gateway, const char *direction, const char *what, unsigned long count,
                        void *user)
{
    family_walk *w = user;
    g_string_append_printf(w->b, "%s{", w->metric);
    label(w->b, "gateway", gateway);
    g_string_append_c(w->b, ',');
    label(w->b, "direction", direction);
    g_string_append_c(w->b, ',');
    label(w->b, w->what_label, what);
    g_string_append_printf(w->b, "} %lu\n", count);
}

typedef void (*gw_metric_fn)(GString *b, sc_session *s, const sc_config *cfg, const char *gw,
                             const cli_gw_counts *c);

/* One family with a line (or lines) per gateway. */
static void per_gateway(GString *b, sc_session *s, const sc_config *cfg, cli_stats *st, gw_metric_fn fn)
{
    int n = sc_session_gateway_count(s);
    for (int i = 0; i < n; i++) {
        char *gw = sc_session_gateway_name_at(s, i);
        cli_gw_counts c;
        if (!gw) continue;
        cli_stats_gateway(st, gw, &c);
        fn(b, s, cfg, gw, &c);
        sc_free(gw);
    }
}

static void gw_line(GString *b, const char *metric, const char *gw, const char *extra_name, const char *extra,
                    long long value)
{
    g_string_append_printf(b, "%s{", metric);
    label(b, "gateway", gw);
    if (extra_name) {
        g_string_append_c(b, ',');
        label(b, extra_name, extra);
    }
    g_string_append_printf(b, "} %lld\n", value);
}

static void m_up(GString *b, sc_session *s, const sc_config *cfg, const char *gw, const cli_gw_counts *c)
{
    (void)cfg; (void)c;
    gw_line(b, "skypeconnect_gateway_up", gw, NULL, NULL, sc_session_gateway_status(s, gw) == SC_GW_UP);
}

static void m_state(GString *b, sc_session *s, const sc_config *cfg, const char *gw, const cli_gw_counts *c)
{
    int state = sc_session_gateway_state(s, gw);
    (void)cfg; (void)c;
    for (int i = SC_REG_UNREGED; i <= SC_REG_TIMEOUT; i++)
        gw_line(b, "skypeconnect_gateway_state", gw, "state", sc_reg_state_name(i), i == state);
}

static void m_since(GString *b, sc_session *s, const sc_config *cfg, const char *gw, const cli_gw_counts *c)
{
    (void)s; (void)cfg;
    gw_line(b, "skypeconnect_gateway_state_seconds", gw, NULL, NULL,
            (g_get_real_time() - c->state_since_us) / G_USEC_PER_SEC);
}

static void m_regs(GString *b, sc_session *s, const sc_config *cfg, const char *gw, const cli_gw_counts *c)
{
    (void)s; (void)cfg;
    gw_line(b, "skypeconnect_registrations_total", gw, NULL, NULL, c->registrations);
}

static void m_reg_fail(GString *b, sc_session *s, const sc_config *cfg, const char *gw, const cli_gw_counts *c)
{
    (void)s; (void)cfg;
    gw_line(b, "skypeconnect_registration_failures_total", gw, NULL, NULL, c->reg_failures);
}

static void m_calls(GString *b, sc_session *s, const sc_config *cfg, const char *gw, const cli_gw_counts *c)
{
    (void)s; (void)cfg;
    gw_line(b, "skypeconnect_calls_total", gw, "direction", "inbound", c->calls_in);
    gw_line(b, "skypeconnect_calls_total", gw, "direction", "outbound", c->calls_out);
}

static void m_failed(GString *b, sc_session *s, const sc_config *cfg, const char *gw, const cli_gw_counts *c)
{
    (void)s; (void)cfg;
    gw_line(b, "skypeconnect_calls_failed_total", gw, NULL, NULL, c->calls_failed);
}

static void m_channels(GString *b, sc_session *s, const sc_config *cfg, const char *gw, const cli_gw_counts *c)
{
    (void)cfg; (void)c;
    gw_line(b, "skypeconnect_channels_in_use", gw, NULL, NULL, cli_channels_in_use(s, gw));
}

static void m_max(GString *b, sc_session *s, const sc_config *cfg, const char *gw, const cli_gw_counts *c)
{
    const sc_gateway *g = cfg ? sc_config_find_gateway(cfg, gw) : NULL;
    const char *max = g ? sc_gateway_get(g, "max-channels") : NULL;
    (void)s; (void)c;
    gw_line(b, "skypeconnect_channels_max", gw, NULL, NULL, max ? atoll(max) : 0);
}

/* The families with a line (or lines) per gateway, in the order served. */
static const struct gw_family {
    const char *name, *type, *help;
    gw_metric_fn fn;
} gw_families[] = {
    { "skypeconnect_gateway_up", "gauge", "1 when the gateway is UP (usable for calls), 0 when DOWN.", m_up },
    { "skypeconnect_gateway_state", "gauge", "1 for the gateway's registration state, 0 for the others.", m_state },
    { "skypeconnect_gateway_state_seconds", "gauge", "Seconds since the gateway entered its state.", m_since },
    { "skypeconnect_registrations_total", "counter", "Registrations that succeeded (entries into REGED).", m_regs },
    { "skypeconnect_registration_failures_total", "counter", "Registrations that failed, timed out or expired.",
      m_reg_fail },
    { "skypeconnect_calls_total", "counter", "Calls through the gateway, by direction.", m_calls },
    { "skypeconnect_calls_failed_total", "counter", "Calls that ended without being answered.", m_failed },
    { "skypeconnect_channels_in_use", "gauge", "Calls in progress on the gateway.", m_channels },
    { "skypeconnect_channels_max", "gauge", "The gateway's max-channels (0: unlimited).", m_max },
};

char *cli_metrics_render(sc_session *s, const sc_config *cfg, cli_stats *st)
{
    GString *b = g_string_new(NULL);
    family_walk w = { b, NULL, NULL };

    for (size_t i = 0; i < G_N_ELEMENTS(gw_families); i++) {
        head(b, gw_families[i].name, gw_families[i].type, gw_families[i].help);
        per_gateway(b, s, cfg, st, gw_families[i].fn);
    }
    head(b, "skypeconnect_calls_ended_total", "counter", "Calls ended, by direction and Q.850 cause.");
    w.metric = "skypeconnect_calls_ended_total";
    w.what_label = "cause";
    cli_stats_each(st, "ended", family_line, &w);
    head(b, "skypeconnect_refusals_total", "counter",
         "Calls refused before any SIP was sent (outbound) or answered with a refusal (inbound), by reason.");
    w.metric = "skypeconnect_refusals_total";
    w.what_label = "reason";
    cli_stats_each(st, "refused", family_line, &w);
    head(b, "skypeconnect_calls_active", "gauge", "Calls in progress in the session.");
    g_string_append_printf(b, "skypeconnect_calls_active %d\n", sc_session_call_count(s));
    head(b, "skypeconnect_draining", "gauge", "1 while the session drains (new inbound calls get 503).");
    g_string_append_printf(b, "skypeconnect_draining %d\n", sc_session_is_draining(s) == 1);
    return g_string_free(b, FALSE);
}

static void respond(GOutputStream *out, const char *status, const char *type, const char *body)
{
    char *msg = g_strdup_printf("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                                "Connection: close\r\n\r\n%s", status, type, strlen(body), body);
    g_output_stream_write_all(out, msg, strlen(msg), NULL, NULL, NULL);
    g_free(msg);
}

/* One connection, on a worker thread of the service: blocking I/O with a
 * timeout, so a client that sends nothing holds one worker for 5 s at most. */
static gboolean on_run(GThreadedSocketService *service, GSocketConnection *conn, GObject *source, gpointer p)
{
    cli_metrics *m = p;
    GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
    char req[REQUEST_MAX + 1];
    gsize got = 0;
    (void)service; (void)source;
    g_socket_set_timeout(g_socket_connection_get_socket(conn), IO_TIMEOUT_S);
    while (got < REQUEST_MAX) {
        gssize n = g_input_stream_read(in, req + got, REQUEST_MAX - got, NULL, NULL);
        if (n <= 0) break;
        got += (gsize)n;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n")) break;
    }
    req[got] = '\0';
    if (!strncmp(req, "GET /metrics ", 13) || !strncmp(req, "GET /metrics?", 13) || !strncmp(req, "GET / ", 6)) {
        char *page = cli_metrics_render(m->s, m->cfg, m->st);
        respond(out, "200 OK", "text/plain; version=0.0.4; charset=utf-8", page);
        g_free(page);
    } else if (!strncmp(req, "GET ", 4)) {
        respond(out, "404 Not Found", "text/plain", "not found: the metrics are at /metrics\n");
    } else {
        respond(out, "400 Bad Request", "text/plain", "only GET /metrics\n");
    }
    g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
    return TRUE;
}

static void started(cli_metrics *m, char *error)
{
    g_mutex_lock(&m->lock);
    m->error = error;
    m->ready = true;
    g_cond_signal(&m->cond);
    g_mutex_unlock(&m->lock);
}

/* The service's thread: its accept source lives on this thread's context. */
static gpointer serve_thread(gpointer p)
{
    cli_metrics *m = p;
    GSocketAddress *effective = NULL;
    GError *err = NULL;
    g_main_context_push_thread_default(m->ctx);
    m->service = g_threaded_socket_service_new(4);
    if (!g_socket_listener_add_address(G_SOCKET_LISTENER(m->service), G_SOCKET_ADDRESS(m->want),
                                       G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &effective, &err)) {
        started(m, g_strdup(err->message));
        g_error_free(err);
        g_main_context_pop_thread_default(m->ctx);
        return NULL;
    }
    {
        GInetSocketAddress *ia = G_INET_SOCKET_ADDRESS(effective);
        char *host = g_inet_address_to_string(g_inet_socket_address_get_address(ia));
        m->address = g_inet_address_get_family(g_inet_socket_address_get_address(ia)) == G_SOCKET_FAMILY_IPV6
                     ? g_strdup_printf("[%s]:%u", host, g_inet_socket_address_get_port(ia))
                     : g_strdup_printf("%s:%u", host, g_inet_socket_address_get_port(ia));
        g_free(host);
        g_object_unref(effective);
    }
    g_signal_connect(m->service, "run", G_CALLBACK(on_run), m);
    g_socket_service_start(m->service);
    started(m, NULL);
    g_main_loop_run(m->loop);
    g_socket_service_stop(m->service);
    g_socket_listener_close(G_SOCKET_LISTENER(m->service));
    g_main_context_pop_thread_default(m->ctx);
    return NULL;
}

/* "HOST:PORT", "[V6]:PORT" or "PORT". */
static GInetSocketAddress *parse_addr(const char *addr)
{
    char *host = NULL, *end;
    const char *port_text = addr;
    GInetAddress *ia;
    GInetSocketAddress *sa = NULL;
    long port;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':') return NULL;
        host = g_strndup(addr + 1, (gsize)(close - addr - 1));
        port_text = close + 2;
    } else if (strchr(addr, ':')) {
        const char *colon = strrchr(addr, ':');
        host = g_strndup(addr, (gsize)(colon - addr));
        port_text = colon + 1;
    }
    port = strtol(port_text, &end, 10);
    ia = g_inet_address_new_from_string(host ? host : "127.0.0.1");
    if (ia && *port_text && !*end && port >= 0 && port <= 65535)
        sa = G_INET_SOCKET_ADDRESS(g_inet_socket_address_new(ia, (guint16)port));
    if (ia) g_object_unref(ia);
    g_free(host);
    return sa;
}

cli_metrics *cli_metrics_start(const char *addr, sc_session *s, const sc_config *cfg, cli_stats *st)
{
    cli_metrics *m;
    GInetSocketAddress *want = parse_addr(addr);
    if (!want) {
        fprintf(stderr, "skypeconnect run: --metrics: '%s' is not HOST:PORT with a numeric host (or PORT)\n", addr);
        return NULL;
    }
    m = g_new0(cli_metrics, 1);
    m->s = s;
    m->cfg = cfg;
    m->st = st;
    m->want = want;
    m->ctx = g_main_context_new();
    m->loop = g_main_loop_new(m->ctx, FALSE);
    g_mutex_init(&m->lock);
    g_cond_init(&m->cond);
    m->thread = g_thread_new("metrics", serve_thread, m);
    g_mutex_lock(&m->lock);
    while (!m->ready) g_cond_wait(&m->cond, &m->lock);
    g_mutex_unlock(&m->lock);
    if (m->error) {
        fprintf(stderr, "skypeconnect run: --metrics %s: %s\n", addr, m->error);
        cli_metrics_stop(m);
        return NULL;
    }
    return m;
}

const char *cli_metrics_address(const cli_metrics *m)
{
    return m->address;
}

static gboolean quit_loop(gpointer p)
{
    g_main_loop_quit(p);
    return G_SOURCE_REMOVE;
}

void cli_metrics_stop(cli_metrics *m)
{
    if (!m) return;
    if (!m->error) {
        /* a source, not g_main_context_invoke(): that would quit at once, on
         * this thread, when the loop has not started running yet */
        GSource *quit = g_idle_source_new();
        g_source_set_callback(quit, quit_loop, m->loop, NULL);
        g_source_attach(quit, m->ctx);
        g_source_unref(quit);
    }
    g_thread_join(m->thread);
    if (m->service) g_object_unref(m->service);
    g_main_loop_unref(m->loop);
    g_main_context_unref(m->ctx);
    g_object_unref(m->want);
    g_mutex_clear(&m->lock);
    g_cond_clear(&m->cond);
    g_free(m->address);
    g_free(m->error);
    g_free(m);
}
