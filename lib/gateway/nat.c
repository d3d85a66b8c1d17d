/* NAT traversal for a gateway, FreeSWITCH's aggressive-nat-detection done on
 * our own REGISTER: every request carries rport (Sofia adds it to Via); the
 * registrar's answer says where it saw us from (received/rport, RFC 3581).
 * When that differs from our local address we are behind NAT: the Contact
 * gets the public address and we register again at once, so that a provider
 * that keeps the Contact as sent still reaches us. A keepalive OPTIONS then
 * holds the mapping open, and its answer tells when the NAT has given us
 * another public port (a rebinding, e.g. after its state was flushed, or a
 * new TCP connection): we register again with that one. */
#include <stdlib.h>
#include <string.h>

#include "registration_priv.h"   /* first: session_priv.h sets Sofia's magic types */
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>

#include "nat.h"
#include "crlf_keepalive.h"
#include "stun_query.h"
#include "error_priv.h"
#include "timer.h"
#include "free_all.h"

/* Contact changes in a row before we stop following the registrar: a broken
 * middlebox that reports another address every time must not loop us. */
#define SC_NAT_MAX_RELEARN 3

/* ------------------------------------------------------------------ */
/* Where we are */

static void parse_ext(sc_nat *n, const char *v)
{
    n->ext_mode = SC_EXT_AUTO;
    if (!v || !*v || !g_ascii_strcasecmp(v, "auto") || !g_ascii_strcasecmp(v, "auto-nat")) return;
    if (!g_ascii_strncasecmp(v, "stun:", 5)) {
        const char *hp = v + 5, *colon = strrchr(hp, ':');
        n->ext_mode = SC_EXT_STUN;
        if (colon && hp[0] != '[') {
            n->ext_host = g_strndup(hp, (gsize)(colon - hp));
            n->ext_port = atoi(colon + 1);
        } else {
            n->ext_host = g_strdup(hp);
        }
        if (n->ext_port <= 0) n->ext_port = 3478;
        return;
    }
    n->ext_mode = SC_EXT_LITERAL;
    n->ext_host = g_strdup(v);
    n->public_host = g_strdup(v);
}

/* The next hop's host, without port: register-proxy, else proxy. New
 * string; its port (0 when none is written) into *port if given. */
static char *next_hop(const sc_reg *r, int *port)
{
    const char *hop = r->gw->register_proxy && *r->gw->register_proxy ? r->gw->register_proxy
                                                                       : sc_gw_proxy(r->gw);
    char *host = sc_sip_hostport(hop, NULL), *colon = NULL;
    if (host[0] == '[') {
        char *end = strchr(host, ']');
        if (end && end[1] == ':') colon = end + 1;
        if (end) end[1] = '\0';
    } else if ((colon = strchr(host, ':')) && !strchr(colon + 1, ':')) {
        *colon = '\0';
    } else {
        colon = NULL;
    }
    if (port) *port = colon ? atoi(colon + 1) : 0;
    return host;
}

static char *next_hop_host(const sc_reg *r)
{
    return next_hop(r, NULL);
}

/* Seconds between two looks at the public address (STUN): the keepalive's
 * interval as configured (tcp-keepalive, ping), else the NAT default. */
static int recheck_seconds(const sc_reg *r)
{
    if (r->gw->tcp_keepalive) return (r->gw->tcp_keepalive + 999) / 1000;
    return r->gw->ping ? r->gw->ping : SC_NAT_KEEPALIVE_DEFAULT;
}

static bool rebuild(sc_reg *r);

static void route_known(sc_reg *r, sc_route_error e, const char *local, const struct sockaddr_storage *peer,
                        socklen_t peerlen)
{
    sc_nat *n = &r->nat;
    char *host = next_hop_host(r);
    n->route = e;
    g_strlcpy(n->local_host, e ? "" : local, sizeof n->local_host);
    n->peerlen = e ? 0 : peerlen;
    if (!e) memcpy(&n->peer, peer, peerlen);
    if (e)
        sc_log(SC_LOG_WARNING, "gateway %s: no local address towards %s: %s", r->gw->name, host,
               sc_route_error_text(e));
    g_free(host);
}

/* The lookup of a named proxy is done (stack thread): the SIP texts get the
 * address before anything went out, and a start that waited goes on. */
static void on_route_found(void *data, sc_route_error e, const char *local, const struct sockaddr_storage *peer,
                           socklen_t peerlen)
{
    sc_reg *r = data;
    r->nat.lookup = NULL;
    route_known(r, e, local, peer, peerlen);
    if (rebuild(r) && r->state == SC_REG_UNREGED && !r->in_flight) {
        /* nothing went out with the Contact it replaces: nothing to remove */
        r->nat.dirty = false;
        sc_nat_stale_done(r);
    }
    if (r->nat.start_waiting) {
        r->nat.start_waiting = false;
        r->nat.ready(r);
    }
}

void sc_nat_init(sc_reg *r, void (*reregister)(sc_reg *r), void (*ready)(sc_reg *r))
{
    sc_nat *n = &r->nat;
    int port;
    char *host = next_hop(r, &port);
    n->stun_fd = -1;
    n->crlf_fd = -1;
    n->reregister = reregister;
    n->ready = ready;
    n->stun_found = sc_nat_set_public;
    parse_ext(n, r->gw->ext_sip_ip);
    n->stun_every_s = recheck_seconds(r);
    if (n->ext_mode == SC_EXT_STUN) sc_stun_query_start(r);
    if (sc_addr_is_numeric(host)) {
        /* no DNS: getaddrinfo() and a UDP connect() answer at once */
        struct sockaddr_storage peer;
        socklen_t peerlen = sizeof peer;
        char local[64];
        sc_route_error e = sc_local_addr_route(host, port, local, sizeof local, &peer, &peerlen);
        route_known(r, e, local, &peer, peerlen);
    } else {
        /* a name: DNS may take seconds, which the stack thread must not wait */
        n->lookup = sc_route_lookup_start(r->s->ctx, host, port, on_route_found, r);
    }
    sc_crlf_keepalive_prepare(r);
    g_free(host);
}

bool sc_nat_defer_start(sc_reg *r)
{
    if (!r->nat.lookup) return false;
    r->nat.start_waiting = true;
    return true;
}

const char *sc_nat_explain_failure(sc_reg *r, const char *phrase)
{
    sc_nat *n = &r->nat;
    char *host = next_hop_host(r), local[64];
    const char *bound = sc_session_contact_host(r->s);
    /* asked again: routes change (a VPN comes up, a cable is plugged in);
     * a name only as found at start, as DNS could hold the stack thread */
    sc_route_error e = sc_addr_is_numeric(host) ? sc_local_addr_for(host, local, sizeof local) : n->route;
    if (!sc_addr_is_numeric(host)) g_strlcpy(local, n->local_host, sizeof local);
    g_free(n->explained);
    n->explained = NULL;
    if (e == SC_ROUTE_NO_ROUTE)
        n->explained = g_strdup_printf("No route to %s (no interface or gateway reaches that network)", host);
    else if (e == SC_ROUTE_UNREACHABLE)
        n->explained = g_strdup_printf("Unreachable: %s (the kernel refuses to send there)", host);
    else if (!e && !r->s->listen_any && strcmp(local, bound) &&
             sc_addr_is_loopback(bound) != sc_addr_is_loopback(local))
        /* the issue of a loopback bind: tport_vsend() fails with EINVAL */
        n->explained = g_strdup_printf("Local address %s cannot reach %s (bind %s, or leave the bind out)",
                                       bound, host, local);
    else if (!e)
        /* routed, sent, and refused at once: an ICMP unreachable (UDP) or a
         * refused or reset connection (TCP/TLS) */
        n->explained = g_strdup_printf("Unreachable: %s refused the request (ICMP unreachable or "
                                       "connection refused: nothing listens there, or a firewall rejects)", host);
    g_free(host);
    return n->explained ? n->explained : phrase;
}

void sc_nat_clear(sc_reg *r)
{
    sc_nat *n = &r->nat;
    sc_route_lookup_cancel(n->lookup);
    sc_nat_keepalive_stop(r);
    sc_stun_query_stop(r);
    SC_FREE_ALL(n->ext_host, n->public_host, n->stale_contact, n->register_contact, n->explained,
                n->seen_host);
    memset(n, 0, sizeof *n);
    n->stun_fd = -1;
    n->crlf_fd = -1;
}

/* Our own address as the registrar should see it without NAT. */
static const char *local_host(const sc_reg *r)
{
    if (r->s->listen_any && r->nat.local_host[0]) return r->nat.local_host;
    return sc_session_contact_host(r->s);
}

static int local_port(const sc_reg *r)
{
    return sc_session_local_port_for(r->s, r->gw->register_transport);
}

const char *sc_nat_contact_host(sc_reg *r)
{
    return r->nat.public_host ? r->nat.public_host : local_host(r);
}

int sc_nat_contact_port(sc_reg *r)
{
    /* a literal ext-sip-ip keeps our port: a NAT with a port forward */
    if (r->nat.public_host && r->nat.ext_mode == SC_EXT_AUTO && r->nat.public_port > 0)
        return r->nat.public_port;
    return local_port(r);
}

/* Rebuilds the SIP texts from the current Contact address; true when the
 * Contact changed (the old one is kept to be removed). */
static bool rebuild(sc_reg *r)
{
    char *old = g_strdup(r->sip.contact);
    bool changed;
    sc_sip_texts_clear(&r->sip);
    sc_sip_texts_build(r->gw, sc_nat_contact_host(r), sc_nat_contact_port(r), &r->sip);
    changed = strcmp(old, r->sip.contact) != 0;
    if (changed) r->nat.dirty = true;
    if (changed && !r->nat.stale_contact) r->nat.stale_contact = old;
    else g_free(old);
    return changed;
}

/* received/rport of our Via in an answer (received falls back to the Via host). */
static bool seen_from(const sip_t *sip, const char **host, int *port)
{
    const sip_via_t *v = sip ? sip->sip_via : NULL;
    if (!v || (!v->v_received && !(v->v_rport && *v->v_rport))) return false;
    *host = v->v_received ? v->v_received : v->v_host;
    *port = v->v_rport && *v->v_rport ? atoi(v->v_rport) : 0;
    return true;
}

/* Whether the request that got `sip` went over UDP, by its Via: a
 * register-proxy's ;transport= sends the REGISTER over another transport
 * than register-transport says. */
static bool went_over_udp(const sip_t *sip)
{
    const sip_via_t *v = sip->sip_via;
    return v && v->v_protocol && !g_ascii_strcasecmp(v->v_protocol, sip_transport_udp);
}

/* The public port for the Contact from the port the registrar saw: that
 * one only when the request went by the Contact's own transport. A REGISTER
 * over TCP for a UDP Contact (a register-proxy with ;transport=tcp) says
 * nothing of the UDP mapping; 0: our own port, with the public address. */
static int contact_mapped_port(const sc_reg *r, const sip_t *sip, int port)
{
    return went_over_udp(sip) == (r->gw->register_transport == SC_TRANSPORT_UDP) ? port : 0;
}

static void remember_seen(sc_nat *n, const char *host, int port)
{
    g_free(n->seen_host);
    n->seen_host = g_strdup(host);
    n->seen_port = port;
}

bool sc_nat_on_registered(sc_reg *r, const sip_t *sip)
{
    sc_nat *n = &r->nat;
    const char *host;
    int port;
    bool udp, was = n->detected;
    if (!seen_from(sip, &host, &port)) return false;
    remember_seen(n, host, port);
    /* Over TCP/TLS the source port is the connection's, never the listening
     * port: only another address means NAT there. Taken for a NAT, a TCP
     * REGISTER's port went into a UDP Contact where nothing listens. */
    udp = went_over_udp(sip);
    n->detected = strcmp(host, local_host(r)) != 0 ||
                  (udp && port && port != sc_session_local_port_for(r->s, SC_TRANSPORT_UDP));
    if (n->detected != was)
        sc_log(SC_LOG_INFO, "gateway %s: %s (registrar sees %s:%d, local %s:%d)", r->gw->name,
               n->detected ? "behind NAT" : "no NAT", host, port, local_host(r), local_port(r));
    if (n->detected && !was && udp != (r->gw->register_transport == SC_TRANSPORT_UDP))
        sc_log(SC_LOG_WARNING, "gateway %s: behind NAT, the REGISTER went over %s but the Contact is %s: "
               "the NAT holds no mapping for the trunk's requests to that Contact; set register-transport "
               "to the register-proxy's transport", r->gw->name, udp ? "UDP" : "TCP/TLS",
               r->gw->register_transport == SC_TRANSPORT_UDP ? "UDP"
               : r->gw->register_transport == SC_TRANSPORT_TLS ? "TLS" : "TCP");
    /* contact-host, a literal or STUN ext-sip-ip: the user has said what to put
     * (a STUN answer that came while this REGISTER was on its way still needs
     * registering) */
    if (n->ext_mode != SC_EXT_AUTO || (r->gw->contact_host && *r->gw->contact_host)) {
        if (!n->dirty) n->relearn_rounds = 0;
        return n->dirty && ++n->relearn_rounds <= SC_NAT_MAX_RELEARN;
    }
    g_free(n->public_host);
    n->public_host = n->detected ? g_strdup(host) : NULL;
    n->public_port = n->detected ? contact_mapped_port(r, sip, port) : 0;
    if (!rebuild(r)) {
        n->relearn_rounds = 0;
        return false;
    }
    if (++n->relearn_rounds > SC_NAT_MAX_RELEARN) {
        sc_log(SC_LOG_WARNING, "gateway %s: the registrar reports another address each time; "
               "keeping Contact %s", r->gw->name, r->sip.contact);
        return false;
    }
    sc_log(SC_LOG_INFO, "gateway %s: registering again with Contact %s", r->gw->name, r->sip.contact);
    return true;
}

void sc_nat_set_public(sc_reg *r, const char *host)
{
    sc_nat *n = &r->nat;
    if (n->public_host && !strcmp(n->public_host, host)) return;
    g_free(n->public_host);
    n->public_host = g_strdup(host);
    if (rebuild(r) && r->state == SC_REG_REGED && !r->in_flight) r->nat.reregister(r);
}

const char *sc_nat_register_contact(sc_reg *r)
{
    sc_nat *n = &r->nat;
    n->dirty = false;  /* what goes out now is the current Contact */
    if (!n->stale_contact) return r->sip.contact;
    g_free(n->register_contact);
    n->register_contact = g_strdup_printf("%s, %s;expires=0", r->sip.contact, n->stale_contact);
    return n->register_contact;
}

void sc_nat_stale_done(sc_reg *r)
{
    g_free(g_steal_pointer(&r->nat.stale_contact));
}

/* Sofia-SIP 1.12.11 sends every request from its first listening address
 * (the first "primary" transport of the family), with that address in Via,
 * whatever the destination: it has no per-request choice of local address
 * that nua can reach (TPTAG_IDENT selects by a name all our addresses share;
 * NTATAG_TPORT needs the agent, which this release's nua does not hand out).
 * On a host where another interface leads to the proxy, the answers go back
 * to an address that the proxy's side may not reach. We cannot fix that
 * from here, so we say it, once, with the way out: bind that interface. */
void sc_nat_check_via(sc_reg *r, const sip_t *sip)
{
    sc_nat *n = &r->nat;
    const char *via = sip && sip->sip_via ? sip->sip_via->v_host : NULL;
    bool known = n->via_host[0] != '\0';
    if (!via || !r->s->listen_any || !n->local_host[0]) return;
    if (known && !strcmp(n->via_host, via)) return;
    g_strlcpy(n->via_host, via, sizeof n->via_host);
    if (strcmp(via, n->local_host)) {
        char *host = next_hop_host(r);
        sc_log(SC_LOG_WARNING, "gateway %s: requests leave from %s (Sofia-SIP sends from its first address), "
               "but the route to %s is through %s: answers may not come back; bind %s (--bind) if this "
               "gateway fails", r->gw->name, via, host, n->local_host, n->local_host);
        g_free(host);
    }
}

void sc_nat_on_options_answer(sc_reg *r, const sip_t *sip)
{
    sc_nat *n = &r->nat;
    const char *host;
    int port;
    if (!n->seen_host || !seen_from(sip, &host, &port)) return;
    if (!strcmp(host, n->seen_host) && port == n->seen_port) return;
    sc_log(SC_LOG_INFO, "gateway %s: the registrar now sees us from %s:%d (was %s:%d): NAT rebinding",
           r->gw->name, host, port, n->seen_host, n->seen_port);
    remember_seen(n, host, port);
    n->relearn_rounds = 0;
    if (n->detected && n->ext_mode == SC_EXT_AUTO && !(r->gw->contact_host && *r->gw->contact_host)) {
        g_free(n->public_host);
        n->public_host = g_strdup(host);
        n->public_port = contact_mapped_port(r, sip, port);
        rebuild(r);
    }
    /* a REGISTER on its way will learn the new address from its own answer */
    if (r->state == SC_REG_REGED && !r->in_flight) r->nat.reregister(r);
}

/* ------------------------------------------------------------------ */
/* Keepalive */

int sc_nat_keepalive_seconds(const sc_reg *r)
{
    if (r->nat.crlf) return (r->gw->tcp_keepalive + 999) / 1000;
    if (r->gw->ping) return r->gw->ping;
    return r->nat.ka_timer ? SC_NAT_KEEPALIVE_DEFAULT : 0;
}

static void drop_ka_handle(sc_reg *r)
{
    if (r->nat.ka_nh) {
        nua_handle_destroy(r->nat.ka_nh);
        r->nat.ka_nh = NULL;
    }
    r->nat.ka_in_flight = false;
}

static gboolean on_ka_tick(gpointer p)
{
    sc_reg *r = p;
    drop_ka_handle(r);  /* an unanswered one is replaced: the next may get through */
    r->nat.ka_nh = nua_handle(r->s->nua, NULL, SIPTAG_FROM_STR(r->sip.from), SIPTAG_TO_STR(r->sip.to), TAG_END());
    /* the next hop in the request's own tags, as for the REGISTER (registration.c) */
    nua_options(r->nat.ka_nh, NUTAG_URL(r->sip.registrar_uri), TAG_IF(r->sip.next_hop, NUTAG_PROXY(r->sip.next_hop)),
                TAG_END());
    r->nat.ka_in_flight = true;
    return G_SOURCE_CONTINUE;
}

void sc_nat_keepalive_start(sc_reg *r)
{
    /* tcp-keepalive: CRLF instead of our OPTIONS, NAT or not (the user asked) */
    r->nat.crlf = sc_crlf_keepalive_start(r);
    if (r->nat.crlf) return;
    /* `ping` already sends OPTIONS often (ping.c); nat-options-ping=false: none */
    if (r->nat.ka_timer || r->gw->ping || !r->nat.detected || !r->gw->nat_options_ping) return;
    r->nat.ka_timer = sc_ctx_timer(r->s->ctx, SC_NAT_KEEPALIVE_DEFAULT * 1000, on_ka_tick, r);
}

void sc_nat_keepalive_stop(sc_reg *r)
{
    sc_crlf_keepalive_stop(r);
    r->nat.crlf = false;
    sc_timer_cancel(&r->nat.ka_timer);
    drop_ka_handle(r);
}

bool sc_nat_owns(const sc_reg *r, nua_handle_t *nh)
{
    return nh && r->nat.ka_nh == nh;
}

void sc_nat_on_keepalive_answer(sc_reg *r, int status, const sip_t *sip)
{
    if (status < 200) return;
    drop_ka_handle(r);
    sc_nat_on_options_answer(r, sip);
}

const char *sc_nat_call_contact(sc_session *s, const char *gateway)
{
    for (guint i = 0; gateway && i < s->regs->len; i++) {
        sc_reg *r = s->regs->pdata[i];
        if (!strcmp(r->gw->name, gateway)) return r->sip.contact;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Status */

static void append_addr(GString *b, const char *key, const char *host, int port)
{
    g_string_append_printf(b, ",\"%s\":", key);
    if (!host || !*host) {
        g_string_append(b, "null");
        return;
    }
    g_string_append_printf(b, strchr(host, ':') ? "\"[%s]:%d\"" : "\"%s:%d\"", host, port);
}

void sc_nat_json(const sc_reg *r, GString *b)
{
    const sc_nat *n = &r->nat;
    /* null while a named proxy is looked up: not known yet */
    append_addr(b, "local_address", n->lookup ? NULL : local_host(r), local_port(r));
    append_addr(b, "public_address", n->detected ? n->seen_host : n->public_host,
                n->detected ? n->seen_port : local_port(r));
    int every = sc_nat_keepalive_seconds(r);
    append_addr(b, "via_address", n->via_host, local_port(r));
    g_string_append_printf(b, ",\"nat\":%s,\"keepalive\":%d,\"keepalive_method\":%s",
                           n->detected ? "true" : "false", every,
                           n->crlf ? "\"crlf\"" : every ? "\"options\"" : "null");
}
