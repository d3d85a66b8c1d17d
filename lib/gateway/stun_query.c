/* Sofia-SIP's STUN client for ext-sip-ip=stun: (stun_query.h). The handle
 * lives on the session's su_root, so its callback comes on the stack thread
 * like every other Sofia event.
 *
 * The query is made again every keepalive interval (stun_every_s, from nat.c):
 * a router that gets a new public address (a DSL reconnect, a failover)
 * says so only to a new query, and a Contact with the old address loses
 * every inbound call. Each round is a fresh handle and socket, made from a
 * timer, never from inside Sofia's callback. */
#define STUN_MAGIC_T struct sc_reg
#define STUN_DISCOVERY_MAGIC_T struct sc_reg
#include "registration_priv.h"   /* first: session_priv.h sets Sofia's magic types */
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sofia-sip/stun.h>
#include <sofia-sip/stun_tag.h>

#include "stun_query.h"
#include "addr.h"
#include "error_priv.h"
#include "timer.h"

static gboolean on_requery(gpointer p);

/* The next round, after one keepalive interval. */
static void schedule_next(sc_reg *r)
{
    sc_timer_cancel(&r->nat.stun_timer);
    r->nat.stun_timer = sc_ctx_timer(r->s->ctx, r->nat.stun_every_s * 1000, on_requery, r);
}

static void close_socket(sc_reg *r)
{
    if (r->nat.stun_fd >= 0) {
        close(r->nat.stun_fd);
        r->nat.stun_fd = -1;
    }
}

static void on_stun(sc_reg *r, stun_handle_t *sh, stun_discovery_t *sd, stun_action_t action,
                    stun_state_t event)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[SC_ADDR_IP_MAX];
    (void)sh;
    if (action != stun_action_binding_request) return;
    if (event != stun_discovery_done) {
        if (event >= stun_error) {
            sc_log(SC_LOG_WARNING, "gateway %s: STUN %s:%d: %s; learning the public address from the registrar",
                   r->gw->name, r->nat.ext_host, r->nat.ext_port, stun_str_state(event));
            schedule_next(r);
        }
        return;
    }
    schedule_next(r);
    if (stun_discovery_get_address(sd, &ss, &len) != 0) return;
    if (!sc_addr_format((const struct sockaddr *)&ss, host, NULL)) return;  /* IPv4 or IPv6 only */
    sc_log(r->nat.public_host && !strcmp(r->nat.public_host, host) ? SC_LOG_DEBUG : SC_LOG_INFO,
           "gateway %s: STUN %s:%d says our public address is %s", r->gw->name, r->nat.ext_host,
           r->nat.ext_port, host);
    stun_discovery_release_socket(sd);
    close_socket(r);
    r->nat.stun_found(r, host);  /* nat.c decides what the address means */
}

/* One round towards server, a numeric "ADDRESS:PORT". */
static void bind_to(sc_reg *r, const char *server)
{
    r->nat.stun = stun_handle_init(r->s->root, STUNTAG_SERVER(server), TAG_END());
    /* Sofia's client does not make its socket: an unbound one, the kernel
     * picks address and port when it sends */
    r->nat.stun_fd = socket(strchr(r->nat.ext_host, ':') ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (!r->nat.stun || r->nat.stun_fd < 0 ||
        stun_bind(r->nat.stun, on_stun, r, STUNTAG_SOCKET(r->nat.stun_fd), STUNTAG_REGISTER_EVENTS(1),
                  TAG_END()) < 0) {
        sc_log(SC_LOG_WARNING, "gateway %s: cannot start STUN towards %s:%d; learning the public address "
               "from the registrar", r->gw->name, r->nat.ext_host, r->nat.ext_port);
        schedule_next(r);
    }
}

/* The STUN server's name, looked up off the stack thread, is known. */
static void on_server_found(void *data, sc_route_error e, const char *local, const struct sockaddr_storage *peer,
                            socklen_t peerlen)
{
    sc_reg *r = data;
    char host[64], *server;
    (void)local;
    r->nat.stun_lookup = NULL;
    /* Sofia's client takes IPv4 only (stun_atoaddr() asks for AF_INET) */
    if (e || peer->ss_family != AF_INET ||
        getnameinfo((const struct sockaddr *)peer, peerlen, host, sizeof host, NULL, 0, NI_NUMERICHOST)) {
        sc_log(SC_LOG_WARNING, "gateway %s: STUN server %s: %s; learning the public address from the registrar",
               r->gw->name, r->nat.ext_host, e ? sc_route_error_text(e) : "no IPv4 address");
        schedule_next(r);
        return;
    }
    server = g_strdup_printf("%s:%d", host, r->nat.ext_port);
    bind_to(r, server);
    g_free(server);
}

void sc_stun_query_start(sc_reg *r)
{
    char *server;
    if (!sc_addr_is_numeric(r->nat.ext_host)) {
        /* Sofia's stun_handle_init() resolves a name with a blocking
         * getaddrinfo() on the stack thread, every round: looked up on a
         * thread of its own instead (route_lookup.h) */
        r->nat.stun_lookup = sc_route_lookup_start(r->s->ctx, r->nat.ext_host, r->nat.ext_port,
                                                   on_server_found, r);
        return;
    }
    server = g_strdup_printf("%s:%d", r->nat.ext_host, r->nat.ext_port);
    bind_to(r, server);
    g_free(server);
}

/* Stops the round (handle, socket), not the next one. */
static void end_round(sc_reg *r)
{
    if (r->nat.stun) {
        stun_handle_destroy(r->nat.stun);
        r->nat.stun = NULL;
    }
    close_socket(r);
}

static gboolean on_requery(gpointer p)
{
    sc_reg *r = p;
    g_source_unref(r->nat.stun_timer);  /* this one-shot timer is over */
    r->nat.stun_timer = NULL;
    end_round(r);
    sc_stun_query_start(r);
    return G_SOURCE_REMOVE;
}

void sc_stun_query_stop(sc_reg *r)
{
    sc_route_lookup_cancel(r->nat.stun_lookup);
    r->nat.stun_lookup = NULL;
    sc_timer_cancel(&r->nat.stun_timer);
    end_round(r);
}
