/* A gateway behind NAT: which address its Contact carries, what the
 * registrar says our public address is, and the keepalive that holds the
 * NAT's mapping open. Stack thread only; the state lives in sc_reg.
 *
 * Sofia's own outbound engine (NUTAG_OUTBOUND "natify") only works with
 * nua_register(), which we do not use (registration.c says why), so the
 * same logic is done here on our own REGISTER and OPTIONS answers. */
#ifndef SC_NAT_H
#define SC_NAT_H

#include <stdbool.h>
#include <glib.h>
/* include after session_priv.h (registration_priv.h does), which sets nua's magic types */
#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>

#include "local_addr.h"
#include "route_lookup.h"

/* Keepalive default: under the 30 s that the shortest common UDP mappings
 * live (and Linux's 30 s nf_conntrack_udp_timeout), with room for a lost one
 * to be noticed before the mapping goes. */
#define SC_NAT_KEEPALIVE_DEFAULT 20

typedef enum sc_ext_mode {
    SC_EXT_AUTO = 0,   /* unset or "auto": learned from received/rport */
    SC_EXT_LITERAL,    /* "203.0.113.5": always that address */
    SC_EXT_STUN        /* "stun:HOST[:PORT]" */
} sc_ext_mode;

typedef struct sc_nat {
    sc_ext_mode ext_mode;
    char *ext_host;             /* the literal, or the STUN server */
    int ext_port;               /* STUN server port */
    char local_host[64];        /* the kernel's local address towards the proxy, or "" */
    sc_route_lookup *lookup;    /* a proxy given by name: local_host being looked up, or NULL */
    bool start_waiting;         /* the gateway starts when the lookup is done */
    void (*ready)(struct sc_reg *r); /* ... through this: registration.c's start */
    sc_route_error route;       /* why local_host is empty */
    char *public_host;          /* learned (received / STUN) or literal, or NULL */
    int public_port;            /* learned rport, 0 if none */
    bool detected;              /* the registrar sees us from another address */
    int relearn_rounds;         /* Contact changes in a row (bounded) */
    bool dirty;                 /* the Contact changed since the last REGISTER was sent */
    char *stale_contact;        /* old Contact to remove (expires=0) with the next REGISTER */
    char *register_contact;     /* backing store of sc_nat_register_contact() */
    char *explained;            /* backing store of sc_nat_explain_failure() */
    char *seen_host;            /* where the registrar last saw us from (received or Via host) */
    char via_host[64];          /* the sent-by Sofia wrote in our last request's Via, or "" */
    int seen_port;              /* ... and its rport */

    /* What the owner does when the Contact must go out again (the public
     * address changed): registration.c's re-REGISTER, set by sc_nat_init().
     * NAT detection only reports; registration acts. */
    void (*reregister)(struct sc_reg *r);

    struct stun_handle_s *stun;  /* ext-sip-ip=stun: query (stun_query.c), or NULL */
    void (*stun_found)(struct sc_reg *r, const char *host); /* the query's answer (nat.c) */
    int stun_fd;                 /* its socket (ours: Sofia's client wants one given), or -1 */
    GSource *stun_timer;         /* the next query: a public address can change at any time */
    sc_route_lookup *stun_lookup; /* the STUN server's name being looked up, or NULL */
    int stun_every_s;            /* ... every keepalive interval (set by nat.c) */

    /* keepalive OPTIONS while NAT is detected and no `ping` is configured */
    nua_handle_t *ka_nh;
    GSource *ka_timer;
    bool ka_in_flight;

    /* tcp-keepalive: CRLF instead (crlf_keepalive.c) */
    bool crlf;                    /* a CRLF keepalive runs */
    GSource *crlf_timer;          /* UDP: ours */
    int crlf_fd;                  /* UDP: Sofia's socket we send from (never ours to close), or -1 */
    struct sockaddr_storage peer; /* the next hop's address and port */
    socklen_t peerlen;            /* 0: not resolved */
} sc_nat;

struct sc_reg;

/* At gateway start: parse ext-sip-ip, find the local address. reregister
 * is called (stack thread) when a learned public address changes the
 * Contact of a registered gateway. A proxy given by name is looked up on a
 * thread of its own (route_lookup.h); ready is called when that is done if
 * the gateway's start had to wait for it (sc_nat_defer_start). */
void sc_nat_init(struct sc_reg *r, void (*reregister)(struct sc_reg *r), void (*ready)(struct sc_reg *r));
/* True while the local address is still being looked up: the caller's
 * start is deferred until ready. */
bool sc_nat_defer_start(struct sc_reg *r);
void sc_nat_clear(struct sc_reg *r);

/* The public address from STUN (stun_query.c): the Contact gets it with our
 * own port; registered, the gateway registers again at once. */
void sc_nat_set_public(struct sc_reg *r, const char *host);

/* Host and port the Contact carries now (IPv6 without brackets). */
const char *sc_nat_contact_host(struct sc_reg *r);
int sc_nat_contact_port(struct sc_reg *r);

/* A 2xx to our REGISTER: learns received/rport. True when the Contact
 * changed (sip texts rebuilt, the old one kept in stale_contact) and the
 * caller must register again at once. */
bool sc_nat_on_registered(struct sc_reg *r, const sip_t *sip);

/* The Contact header value for the next REGISTER (with a stale Contact to
 * remove, both); owned by r. */
const char *sc_nat_register_contact(struct sc_reg *r);
/* The REGISTER with stale_contact was answered: forget it. */
void sc_nat_stale_done(struct sc_reg *r);

/* Any final answer to a request of this gateway, Sofia's own 408/503 too
 * (they copy our Via): remembers the Via's sent-by, and warns once when it
 * is not the address the kernel routes towards the proxy (see nat.c). */
void sc_nat_check_via(struct sc_reg *r, const sip_t *sip);

/* Any answer to an OPTIONS of ours (keepalive or ping): a changed public
 * address is a NAT rebinding; re-registers at once. */
void sc_nat_on_options_answer(struct sc_reg *r, const sip_t *sip);

/* Keepalive: started by registration when registered, stopped with it. */
void sc_nat_keepalive_start(struct sc_reg *r);
void sc_nat_keepalive_stop(struct sc_reg *r);
bool sc_nat_owns(const struct sc_reg *r, nua_handle_t *nh);
void sc_nat_on_keepalive_answer(struct sc_reg *r, int status, const sip_t *sip);
/* Seconds between keepalives now (ping, CRLF or ours), 0 when none. */
int sc_nat_keepalive_seconds(const struct sc_reg *r);


/* The Contact an answer to an inbound call of that gateway carries (our
 * public address behind NAT: a provider that keeps Contacts sends the ACK and
 * BYE there), or NULL to let Sofia write its own. Stack thread. */
struct sc_session;
const char *sc_nat_call_contact(struct sc_session *s, const char *gateway);
/* As a tag list item of nua_respond() for an sc_call *c */
#define SC_NAT_CONTACT_TAG(c) \
    TAG_IF(sc_nat_call_contact((c)->s, (c)->gateway), \
           SIPTAG_CONTACT_STR(sc_nat_call_contact((c)->s, (c)->gateway)))

/* A failure Sofia made up (reason network): which case it is, in words for
 * the phrase: no route, a bound address that cannot reach the registrar,
 * destination unreachable; else phrase itself. Owned by r. */
const char *sc_nat_explain_failure(struct sc_reg *r, const char *phrase);

/* Appends ,"local_address":…,"public_address":…,"nat":…,"keepalive":…,"keepalive_method":… */
void sc_nat_json(const struct sc_reg *r, GString *b);

#endif
