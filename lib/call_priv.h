/* Calls inside the library. Immutable fields are set before the call is
 * published; mutable ones are guarded by the call's lock; the Sofia handle
 * and timers belong to the stack thread. */
#ifndef SC_CALL_PRIV_H
#define SC_CALL_PRIV_H

#include "session_priv.h"
#include "skypeconnect/sc_call.h"

/* The first field of anything bound to a nua handle, so that the session's
 * callback can tell what a handle serves. */
typedef enum sc_handle_kind { SC_HANDLE_CALL = 0x43414c4c } sc_handle_kind;

struct sc_call {
    sc_handle_kind kind;        /* SC_HANDLE_CALL */
    gint refs;
    GMutex lock;
    sc_session *s;              /* NULL once the session is freed (under lock) */

    /* immutable once published */
    int id;
    int direction;
    char *gateway, *matched_by, *destination, *caller_number, *caller_name;
    char *sip_call_id, *to, *source;
    char *invite_text;          /* the initial INVITE, for sc_call_header() */

    /* mutable: under lock */
    int state;
    int sip_code;
    char *cause;
    int hangup_side;
    char *remote_sdp;

    /* stack thread only */
    nua_t *nua;                 /* the stack it lives on: the trunk side or the internal one */
    nua_handle_t *nh;
    struct sc_call *peer;       /* the other leg of a bridge (a reference), or NULL */
    bool routed;                /* the dialplan handles it: the application may only watch */
    char **bridge_targets;      /* A-leg: endpoints left to try (failover), NULL-terminated */
    int bridge_next;
    int transfers;              /* transfer depth, to stop loops */
    bool relaying_reinvite;     /* we sent a re-INVITE on this leg for its peer */
    bool awaiting_reinvite_answer; /* this leg's re-INVITE waits for the peer's answer */
    GSource *answer_timer;
    char *local_sdp;
    char *final_phrase;         /* the phrase of our final answer: nua_respond() keeps the pointer */
    int auth_rounds;
    bool final_sent;            /* inbound: a final answer went out */
    bool ending;                /* hangup or reject requested; terminated state pending */
    int end_code;               /* what ended it, recorded before Sofia's terminated state */
    const char *end_cause;
    int end_side;
};

/* call.c */
sc_call *sc_call_new(sc_session *s, int direction, const char *gateway);
void sc_call_set_state(sc_call *c, int state);             /* emits call_state */
void sc_call_emit(sc_call *c, int type);                   /* an event about the call as it is now */
void sc_call_set_remote_sdp(sc_call *c, const char *sdp, size_t len);
void sc_call_finish(sc_call *c);                           /* ENDED + event + forget */
void sc_call_detach_session(sc_call *c);
void sc_call_reject_now(sc_call *c, int code, const char *phrase, const char *cause);
void sc_call_hangup_now(sc_call *c, const char *cause);

/* call_dial.c: a dial-out, run on the stack thread (sc_dial_on_stack). */
typedef struct dial_op {
    sc_session *s;
    const char *gateway, *number, *caller_number, *caller_name, *sdp;
    bool checked;          /* a dialplan condition allowed it (the gateway's own rule still applies) */
    sc_call *call;         /* out: a reference for the caller */
    int rc;
    int refusal;           /* out: sc_dial_refusal when refused */
    char err[512];
} dial_op;
void sc_dial_on_stack(void *op);
/* The gateway's own dial rule, built once (NULL: it has none). */
struct sc_dialrule;
int sc_dial_gateway_rule(sc_reg *r, const struct sc_dialrule **out);

/* route.c: the dialplan at work (stack thread) */
void sc_route_incoming(sc_session *s, sc_call *c, const char *context);
void sc_bridge_b_response(sc_call *b, int status, const char *phrase, const sip_t *sip);
void sc_bridge_leg_ended(sc_call *c);

/* call_stack.c: stack thread */
void sc_calls_on_incoming(sc_session *s, nua_t *nua, nua_handle_t *nh, const sip_t *sip);
void sc_calls_on_event(sc_session *s, sc_call *c, nua_event_t event, int status,
                       const char *phrase, const sip_t *sip, tagi_t tags[]);
void sc_calls_hangup_all(sc_session *s);                   /* at stop */
int sc_calls_active_on(sc_session *s, const char *gateway);

/* inbound.c: which gateway an inbound INVITE belongs to, and may it call */
typedef struct sc_inbound_match {
    sc_reg *reg;
    const char *matched_by;     /* static string */
    char *destination;          /* FreeSWITCH's destination_number */
    const char *refusal;        /* NULL when allowed: "not_trunk", "no_gateway" */
    char *message;
} sc_inbound_match;
/* acl_ok: the source is on the session's inbound ACL (the caller asks,
 * under the session lock). Stack thread. */
void sc_inbound_match_request(sc_session *s, const sip_t *sip, const char *source_ip, bool acl_ok,
                              sc_inbound_match *m);
void sc_inbound_match_clear(sc_inbound_match *m);

/* acl.c */
typedef struct sc_acl sc_acl;
sc_acl *sc_acl_parse(const char *text, char **error);      /* NULL + *error on failure */
void sc_acl_free(sc_acl *acl);
bool sc_acl_allows(const sc_acl *acl, const char *ip);
bool sc_ip_equal(const char *a, const char *b);

#endif
