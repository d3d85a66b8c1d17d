/* A gateway at run time: its registration and keepalive. Stack thread only. */
#ifndef SC_REGISTRATION_PRIV_H
#define SC_REGISTRATION_PRIV_H

#include "stack.h"
#include "sip_text.h"
#include "keepalive.h"
#include "nat.h"

struct sc_reg {
    sc_handle_kind kind;        /* SC_HANDLE_REG: the magic of its REGISTER handle (first) */
    sc_session *s;
    sc_gateway *gw;             /* our copy of the configuration */

    int state, status;
    int sip_code;               /* of the last final answer */
    char *phrase;
    int reason;
    int failures;               /* consecutive */
    int granted;                /* expiry granted by the registrar */
    int requested;              /* Expires we ask for (raised by 423) */
    int auth_rounds;            /* challenges answered for the request in flight */
    int interval_rounds;        /* 423s answered for this attempt */
    gint64 next_at;             /* monotonic time of the next retry/refresh, 0 if none */

    /* SIP texts built once from the configuration */
    sc_sip_texts sip;           /* Request-URI, From, To, Contact, next hop */
    struct sc_dialrule *dialrule; /* built from dial-prefix/dial-pattern, or NULL (call_dial.c) */
    guint serial;               /* no two gateways of the process share it: a dial checked on another
                                 * thread knows, on the stack thread, that it met this one's rule */
    bool dialrule_built;
    GPtrArray *trunk_ips;       /* addresses of proxy, register-proxy, outbound-proxy (inbound.c) */

    nua_handle_t *nh;           /* REGISTER handle: kept across refreshes (credentials cached) */
    char *call_id;              /* one Call-ID for every handle it ever has */
    bool in_flight;             /* a REGISTER is waiting for its answer (it holds a slot: reg_window.c) */
    void (*window_send)(struct sc_reg *r); /* waiting for a slot: what sends it then, else NULL */
    bool unregistering;         /* ... and it is an un-REGISTER */
    int down_reason;            /* reason for DOWN once the un-REGISTER ends */
    GSource *timer;             /* retry / refresh */
    GSource *timeout;           /* no answer within timeout-seconds */

    /* OPTIONS ping: the keepalive sends, registration.c judges */
    sc_keepalive ping;
    int ping_count;             /* between 0 and ping-max; UP at ping-min */

    sc_nat nat;                 /* Contact address, public address, keepalive (nat.c) */
    struct sc_tls_job *tls_job; /* the TLS check shadowing this attempt, or NULL (tls_check.c) */
};

/* registration.c: the session's view of a gateway at run time (stack thread only) */
sc_reg *sc_reg_new(sc_session *s, const sc_gateway *gw);
void sc_reg_free(sc_reg *r);
const char *sc_reg_name(const sc_reg *r);
void sc_reg_start(sc_reg *r);
void sc_reg_register_now(sc_reg *r);
void sc_reg_unregister(sc_reg *r, int reason);
bool sc_reg_busy(const sc_reg *r);          /* an un-REGISTER still in flight */
void sc_reg_abandon(sc_reg *r);              /* drop timers and handles, no SIP */
void sc_reg_give_up(sc_reg *r);              /* at stop: unanswered un-REGISTER ends DOWN */
int sc_reg_get_state(const sc_reg *r);
int sc_reg_get_status(const sc_reg *r);
char *sc_reg_json(const sc_reg *r);
char *sc_reg_json_not_started(const char *name);
bool sc_reg_owns_handle(const sc_reg *r, nua_handle_t *nh);
void sc_reg_on_response(sc_reg *r, nua_event_t event, int status, const char *phrase,
                        nua_handle_t *nh, const sip_t *sip);

/* registration.c: for the folder */
void sc_reg_set_state(sc_reg *r, int state, int sip_code, const char *phrase, int reason);
void sc_reg_set_status(sc_reg *r, int status, int sip_code, const char *phrase, int reason);
void sc_reg_fail(sc_reg *r, int sip_code, const char *phrase, int reason, int retry_after);
GSource *sc_reg_timer(sc_reg *r, int ms, GSourceFunc fn);
void sc_reg_timer_cancel(GSource **t);
void sc_reg_refresh_now(sc_reg *r);   /* REGISTER again now, keeping the state (NAT rebinding) */



#endif
