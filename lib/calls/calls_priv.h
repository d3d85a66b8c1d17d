/* What calls do: control, dialling out, the dialplan at work (route.c),
 * the calls on the stack, and matching inbound INVITEs to gateways. Shared
 * by the files of calls/ and by session/. */
#ifndef SC_CALLS_PRIV_H
#define SC_CALLS_PRIV_H

#include "call_priv.h"   /* first: stack.h sets Sofia's magic types */
#include "registration_priv.h"
#include "acl.h"

/* call_control.c */
void sc_call_set_state(sc_call *c, int state);             /* emits call_state */
void sc_call_emit(sc_call *c, int type);                   /* an event about the call as it is now */
void sc_call_reject_now(sc_call *c, int code, const char *phrase, const char *cause);
void sc_call_hangup_now(sc_call *c, const char *cause);

/* call_dial.c: a dial-out, run on the stack thread. */
typedef struct dial_op {
    sc_session *s;         /* set by sc_dial_on_stack */
    const char *gateway, *number, *caller_number, *caller_name, *sdp;
    bool checked;          /* a dialplan condition allowed it (the gateway's own rule still applies) */
    sc_call *call;         /* out: a reference for the caller */
    int refusal;           /* out: sc_dial_refusal when refused */
} dial_op;
/* Dials on the stack thread (an sc_stack_fn): SC_OK with op->call, or a
 * failure set with sc_fail() (and op->refusal when refused). */
int sc_dial_on_stack(sc_session *s, void *op);
/* The gateway's own dial rule, built once (NULL: it has none). */
struct sc_dialrule;
int sc_dial_gateway_rule(sc_reg *r, const struct sc_dialrule **out);

/* route.c: the dialplan at work (stack thread) */
void sc_route_incoming(sc_session *s, sc_call *c, const char *context);
void sc_bridge_b_response(sc_call *b, int status, const char *phrase, const sip_t *sip);
void sc_bridge_leg_ended(sc_call *c);

/* call_stack.c: stack thread */
void sc_call_finish(sc_call *c);                           /* ENDED + event + bridge + forget */
void sc_calls_on_incoming(sc_session *s, nua_t *nua, nua_handle_t *nh, const sip_t *sip);
void sc_calls_on_event(sc_session *s, sc_call *c, nua_event_t event, int status,
                       const char *phrase, const sip_t *sip, tagi_t tags[]);

/* call_table.c: the session's live calls (stack thread) */
void sc_calls_add(sc_session *s, sc_call *c);              /* takes the caller's reference */
void sc_calls_forget(sc_session *s, sc_call *c);           /* drops the table's reference */
sc_call *sc_calls_find(sc_session *s, int id);             /* borrowed, or NULL */
int sc_calls_count(sc_session *s);
GList *sc_calls_list(sc_session *s);                       /* borrowed calls; g_list_free() it */
int sc_calls_active_on(sc_session *s, const char *gateway);
void sc_calls_hangup_all(sc_session *s);                   /* at stop */

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

#endif
