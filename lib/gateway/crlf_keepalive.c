/* tcp-keepalive (crlf_keepalive.h): FreeSWITCH's name for Sofia's CRLF
 * keepalive (its profile setting of TPTAG_KEEPALIVE, in milliseconds); here
 * per gateway, and on UDP too.
 *
 * What Sofia-SIP 1.12.11 (Debian 12) offers, and so who does what:
 * - TCP: TPTAG_KEEPALIVE makes each idle connection send "\r\n\r\n"
 *   (tport_tcp_ping). It is a transport parameter, so it applies to every TCP
 *   connection of the session: the smallest interval any TCP gateway asks for.
 * - TLS: nothing (its transport has no keepalive timer); the keepalive
 *   OPTIONS stays (nat.c).
 * - UDP: nothing either (no vtp_keepalive for UDP; NUTAG_KEEPALIVE belongs to
 *   the outbound engine, which only serves nua_register(), nat.h). We send
 *   the datagram ourselves, and it must leave from the very socket the
 *   REGISTER left from, or it opens a mapping of its own instead of holding
 *   the registrar's. This Sofia has no way to reach a transport's socket
 *   (nua_get_agent() came in later releases), so the socket is found among
 *   the process's descriptors by its local address and port, and checked
 *   again before each use. */
#include "registration_priv.h"   /* first: session_priv.h sets Sofia's magic types */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/tport_tag.h>

#include "crlf_keepalive.h"
#include "error_priv.h"
#include "local_addr.h"
#include "timer.h"

static const char CRLF2[] = "\r\n\r\n";

/* fd is a UDP socket bound to host:port (host numeric, or the wildcard). */
static bool bound_to(int fd, int family, const void *addr, int port)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int type = 0;
    socklen_t tlen = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 || type != SOCK_DGRAM) return false;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 || ss.ss_family != family) return false;
    if (family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        return ntohs(a->sin_port) == port && !memcmp(&a->sin_addr, addr, sizeof a->sin_addr);
    }
    const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&ss;
    return ntohs(a6->sin6_port) == port && !memcmp(&a6->sin6_addr, addr, sizeof a6->sin6_addr);
}

/* Sofia's UDP socket on host:port: the address's own, else the wildcard's. */
static int find_udp_socket(const char *host, int port)
{
    unsigned char addr[sizeof(struct in6_addr)], any[sizeof(struct in6_addr)] = { 0 };
    int family = strchr(host, ':') ? AF_INET6 : AF_INET, wildcard = -1;
    const char *name;
    GDir *dir;
    if (inet_pton(family, host, addr) != 1) return -1;
    dir = g_dir_open("/proc/self/fd", 0, NULL);
    if (!dir) return -1;
    while ((name = g_dir_read_name(dir))) {
        int fd = atoi(name);
        if (bound_to(fd, family, addr, port)) {
            g_dir_close(dir);
            return fd;
        }
        if (wildcard < 0 && bound_to(fd, family, any, port)) wildcard = fd;
    }
    g_dir_close(dir);
    return wildcard;
}

static const char *sending_host(const sc_reg *r)
{
    return r->s->listen_any && r->nat.local_host[0] ? r->nat.local_host : sc_session_contact_host(r->s);
}

static gboolean on_crlf_tick(gpointer p)
{
    sc_reg *r = p;
    sc_nat *n = &r->nat;
    const char *host = sending_host(r);
    int port = sc_session_local_port_for(r->s, SC_TRANSPORT_UDP);
    unsigned char addr[sizeof(struct in6_addr)];
    int family = strchr(host, ':') ? AF_INET6 : AF_INET;
    /* the descriptor may have been closed and reused since: check its name */
    if (n->crlf_fd < 0 || inet_pton(family, host, addr) != 1 || !bound_to(n->crlf_fd, family, addr, port))
        n->crlf_fd = find_udp_socket(host, port);
    if (n->crlf_fd < 0) {
        sc_log(SC_LOG_WARNING, "gateway %s: tcp-keepalive: no SIP socket on %s:%d to send from",
               r->gw->name, host, port);
        return G_SOURCE_CONTINUE;
    }
    if (sendto(n->crlf_fd, CRLF2, sizeof CRLF2 - 1, MSG_DONTWAIT | MSG_NOSIGNAL,
               (const struct sockaddr *)&n->peer, n->peerlen) < 0)
        sc_log(SC_LOG_DEBUG, "gateway %s: tcp-keepalive: %s", r->gw->name, g_strerror(errno));
    return G_SOURCE_CONTINUE;
}

void sc_crlf_keepalive_prepare(sc_reg *r)
{
    int ms = r->gw->tcp_keepalive;
    if (!ms || r->gw->register_transport != SC_TRANSPORT_TCP || !r->s->nua) return;
    for (guint i = 0; i < r->s->regs->len; i++) {
        const sc_reg *o = r->s->regs->pdata[i];
        if (o->gw->register_transport == SC_TRANSPORT_TCP && o->gw->tcp_keepalive &&
            o->gw->tcp_keepalive < ms)
            ms = o->gw->tcp_keepalive;
    }
    nua_set_params(r->s->nua, TPTAG_KEEPALIVE((unsigned)ms), TAG_END());
}

bool sc_crlf_keepalive_start(sc_reg *r)
{
    sc_nat *n = &r->nat;
    if (!r->gw->tcp_keepalive) return false;
    if (r->gw->register_transport == SC_TRANSPORT_TCP) return true;  /* Sofia's (prepare) */
    if (r->gw->register_transport != SC_TRANSPORT_UDP) return false;
    if (n->crlf_timer) return true;
    if (!n->peerlen) {
        sc_log(SC_LOG_WARNING, "gateway %s: tcp-keepalive: the proxy's address is unknown; "
               "keepalive OPTIONS instead", r->gw->name);
        return false;
    }
    n->crlf_timer = sc_ctx_timer(r->s->ctx, r->gw->tcp_keepalive, on_crlf_tick, r);
    return true;
}

void sc_crlf_keepalive_stop(sc_reg *r)
{
    sc_timer_cancel(&r->nat.crlf_timer);
    r->nat.crlf_fd = -1;  /* Sofia's: never closed here */
}
