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

/* One control request. Its work runs on the stack thread and fails there
 * with sc_call_op_fail() (sc_fail). */
typedef struct sc_call_op {
    sc_call *c;
    const char *what;      /* the public function, for messages (a literal) */
    int code;
    const char *text;
    int hz, ms;            /* a tone to play */
    char *out;             /* a result text for the caller (g_malloc; sc_call_run_op only) */
    const short *pcm;      /* audio to send */
    size_t samples;
    /* A media control's work on the call's stream (op->c->media), run by
     * call_media.c once the call is known to have media; NULL otherwise. */
    int (*on_stream)(struct sc_call_op *op);
} sc_call_op;

/* call_post.c: what another thread checks under the call's lock before it
 * posts a control (the stack thread checks everything again). */
typedef enum sc_op_claim {
    SC_CLAIM_NONE,         /* not ended */
    SC_CLAIM_HANGUP,       /* a second hangup does nothing */
    SC_CLAIM_OPEN,         /* ring, early media: an inbound call still open */
    SC_CLAIM_FINAL,        /* answer, reject, redirect: ... and takes its final answer */
    SC_CLAIM_MEDIA,        /* DTMF: answered, held or early media */
    SC_CLAIM_ANSWERED,     /* hold: answered or held */
} sc_op_claim;
/* Runs fn(op) on the stack thread and waits for it (for a result to return). */
int sc_call_run_op(sc_call *c, const char *what, sc_stack_fn fn, sc_call_op *op);
/* Runs fn(op) at once on the stack's thread; from another thread checks
 * the claim, posts fn and returns SC_OK: its outcome is an
 * SC_EVENT_CALL_CONTROL event. Copies op->text and op->pcm. */
int sc_call_post_op(sc_call *c, const char *what, sc_stack_fn fn, sc_call_op *op, sc_op_claim claim);
/* The call's session (under its lock), or NULL once the session is gone. */
sc_session *sc_call_session(sc_call *c);
/* Work about a call posted to the stack thread by a thread that could not
 * acquire its context (core/stack_post.c): the first member of the poster's
 * own struct. run's outcome (rc < 0: its text in sc_last_error()) becomes
 * the SC_EVENT_CALL_CONTROL event; free then frees the struct (c is unref'd
 * after), also when the session goes first. */
typedef struct sc_posted {
    sc_stack_post base;         /* first; set by sc_call_post() */
    sc_call *c;                 /* a reference */
    const char *control;        /* the public function (a literal) */
    int (*run)(sc_session *s, struct sc_posted *w);
    void (*free)(struct sc_posted *w);
} sc_posted;
void sc_call_post(sc_session *s, sc_posted *w);
/* Stack thread: the mirrors other threads read under the call's lock. */
void sc_call_take_final(sc_call *c);         /* final_sent, final_taken */
void sc_call_set_routed(sc_call *c, bool routed);
void sc_call_take_hangup(sc_call *c);
/* call_post.c: fails the request, naming the function and the call. */
int sc_call_op_fail(const sc_call_op *op, int rc, const char *msg);
/* Inbound, no final answer sent yet, not ended. */
int sc_call_inbound_open(const sc_call_op *op);
/* 183 / 200 with op->text as our SDP (stack thread, sc_stack_fn). */
int sc_call_early_on_stack(sc_session *s, void *op);
int sc_call_answer_on_stack(sc_session *s, void *op);

/* call_dial.c: a dial-out's INVITE sent anew, on a new handle, with our answer
 * to the 401/407 in `sip` (the policy of sc_digest_answer()). False, logged,
 * when the challenge counts as a rejection or the call is no dial-out. */
bool sc_dial_invite_with_credentials(sc_call *c, int status, const sip_t *sip, const char *user,
                                     const char *password);
/* call_dial.c: a dial-out, run on the stack thread. */
typedef struct dial_op {
    sc_session *s;         /* set by sc_dial_on_stack */
    const char *gateway, *number, *caller_number, *caller_name, *sdp;
    bool checked;          /* a dialplan condition allowed it (the gateway's own rule still applies) */
    bool media;            /* the library's SDP and RTP (sc_session_dial_media) */
    sc_call *made;         /* a dial posted from another thread: its call, made there */
    char *checked_wire;        /* ... the number its gateway's rule gave there (owned), and that gateway's */
    guint checked_serial;      /* serial (sc_reg): the same gateway here needs no second check */
    char *sdp_copy;            /* ... its own copy of sdp, which its call takes (no second copy) */
    sc_call *call;         /* out: a reference for the caller */
    int refusal;           /* out: sc_dial_refusal when refused */
} dial_op;
/* Dials on the stack thread (an sc_stack_fn): SC_OK with op->call, or a
 * failure set with sc_fail() (and op->refusal when refused). */
int sc_dial_on_stack(sc_session *s, void *op);
/* The public dial functions' common body. */
int sc_dial(sc_session *s, const char *gateway, const char *number, const char *caller_number,
            const char *caller_name, const char *sdp, sc_call **out, bool checked, bool media);
/* The gateway's own dial rule, built once (NULL: it has none). */
struct sc_dialrule;
int sc_dial_gateway_rule(sc_reg *r, const struct sc_dialrule **out);

/* route.c: the dialplan at work (stack thread) */
void sc_route_incoming(sc_session *s, sc_call *c, const char *context);
void sc_bridge_b_response(sc_call *b, int status, const char *phrase, const sip_t *sip);
void sc_bridge_leg_ended(sc_call *c);

/* call_stack.c: stack thread */
/* A tag for the handle of every INVITE we send (a dial-out, a bridge leg): Sofia
 * restarts none on its own. Debian's Sofia-SIP follows a 302 or 305 by sending
 * the INVITE again to the Contact the far end names, before we hear of it: that
 * number would skip the dial rule, the emergency check and the channel count, and
 * a new host's challenge would get the gateway's digest. With no restarts the 3xx
 * is the call's final answer; a challenge to the INVITE is still answered (by us,
 * sc_digest_header). */
#define SC_CALL_NO_RESTARTS NUTAG_RETRY_COUNT(0)
/* A tag for our BYE of an answered call: with no restarts Sofia would not take
 * a challenge to it in, so the BYE gives the handle Sofia's default retry count
 * back as it is sent (a request's tags set its handle's parameters) and a
 * 401/407 is answered with the gateway's credentials (call_stack.c): a BYE left
 * unanswered keeps the call up, and billed. Only then: an INVITE still pending
 * (ours before the answer, a re-INVITE, Sofia's session refresh) would follow a
 * redirect again. Re-INVITEs and INFOs go with SC_CALL_NO_RESTARTS: a challenge
 * to either is answered by sending it again ourselves (dialog_auth.c,
 * info_queue.c). */
#define SC_CALL_BYE_RESTARTS(c) \
    TAG_IF(sc_call_is_answered(c) && !(c)->media_reinvite && !(c)->relaying_reinvite, NUTAG_RETRY_COUNT(3))
void sc_call_finish(sc_call *c);                           /* ENDED + event + bridge + forget */

/* info_queue.c: our INFOs, in order, one in flight (stack thread) */
void sc_call_info_send(sc_call *c, const char *type, const char *body, size_t len);
void sc_call_info_answered(sc_call *c, int status, const char *phrase, const sip_t *sip);  /* nua_r_info */
void sc_call_info_drop(sc_call *c, const char *why);   /* what waits or is in flight: one media_error */

/* session_timer.c: the gateway's session timers on the call's first INVITE
 * (a dial-out) or our answer (a call from the trunk whose INVITE offered them) */
void sc_call_take_session_timers(sc_call *c, const sc_gateway *gw);
void sc_call_take_caller_session_timers(sc_call *c, const sc_gateway *gw, const sip_t *invite);
/* Writes the tags that differ from Sofia's defaults and a TAG_END into
 * `tags` (room for 3); returns how many before the end. */
#define SC_CALL_SESSION_TIMER_TAGS 3
int sc_call_session_timer_tags(const sc_call *c, tagi_t *tags);

/* dialog_auth.c: challenges inside a call (stack thread) */
/* The call's gateway (by name), or NULL: gone, or none (an internal call). */
sc_reg *sc_call_gateway_reg(const sc_call *c);
/* Keeps the Contact of `sip` (a 2xx to an INVITE, an INVITE) as the call's
 * remote target; none: unchanged. */
void sc_call_note_remote_target(sc_call *c, const sip_t *sip);
/* Answers a 401/407 to our BYE through Sofia's cache; false: refused (logged). */
bool sc_call_answer_bye_challenge(sc_call *c, int status, const sip_t *sip);
/* Sends our re-INVITE with body `sdp` again, with the header that answers the
 * 401/407 in `sip`; false: not answered (logged: no gateway, no remote target,
 * or the digest policy refused). */
bool sc_call_answer_reinvite_challenge(sc_call *c, int status, const sip_t *sip, const char *sdp);
void sc_calls_on_incoming(sc_session *s, nua_t *nua, nua_handle_t *nh, const sip_t *sip);
/* Whether a call can take DTMF now: it has its SIP handle and is answered,
 * held or in early media (stack thread; call_info.c). */
bool sc_call_can_carry_dtmf(const sc_call *c);
/* An INFO inside the call (call_info.c): DTMF read and reported, or 400/415. */
void sc_call_on_info(sc_call *c, const sip_t *sip);
void sc_calls_on_event(sc_session *s, sc_call *c, nua_event_t event, int status,
                       const char *phrase, const sip_t *sip, tagi_t tags[]);

/* call_media_stack.c: a call's own media (stack thread). Only calls with
 * c->media (or asking for it) get here; without SC_WITH_MEDIA they fail. */
int sc_call_media_start(sc_call *c);                       /* the stream, from the gateway's params */
int sc_call_media_offer(sc_call *c, char **sdp_out);       /* dial: our offer (g_free) */
/* Inbound: our answer to the INVITE's offer, or our offer when it had none. */
int sc_call_media_local_sdp(sc_call *c, char **sdp_out);
/* A re-INVITE's offer answered (SC_ENOCODEC/SC_EPARSE: 488), or offered anew when offerless. */
int sc_call_media_reinvite(sc_call *c, const char *offer, char **sdp_out);
int sc_call_media_take_answer(sc_call *c, const char *answer); /* 18x/2xx/ACK SDP; a media_error on failure */
int sc_call_media_send_dtmf(sc_call *c, const char *digits);   /* SC_ESTATE: no telephone-event */
void sc_call_media_notice(sc_call *c, const char *what, int status, const char *text);
void sc_call_media_end(sc_call *c);                        /* final stats and "down", stream freed */
struct sc_media_report;
void sc_call_media_emit(sc_call *c, int type, const struct sc_media_report *r);
/* call_media.c: the engine's report callback (user = the session) */
void sc_calls_media_report(const struct sc_media_report *r, void *user);

/* call_table.c: the session's live calls (stack thread) */
void sc_calls_add(sc_session *s, sc_call *c);              /* takes the caller's reference */
void sc_calls_forget(sc_session *s, sc_call *c);           /* drops the table's reference */
sc_call *sc_calls_find(sc_session *s, int id);             /* borrowed, or NULL */
int sc_calls_count(sc_session *s);
GList *sc_calls_list(sc_session *s);                       /* borrowed calls; g_list_free() it */
int sc_calls_active_on(sc_session *s, const char *gateway); /* dials posted included (any thread) */
/* Takes one of the gateway's channels unless max_channels (> 0) are in use
 * already: the check and the count in one step under the session lock, so
 * that two threads cannot both take the last one (any thread; the lock must
 * not be held). For a call not made yet: sc_calls_give_channel() undoes it,
 * or the call made takes it over (channel_counted) and sc_calls_forget()
 * gives it back. */
bool sc_calls_take_channel(sc_session *s, const char *gateway, int max_channels);
void sc_calls_give_channel(sc_session *s, const char *gateway);
/* sc_calls_take_channel() for c, which then holds the channel. */
bool sc_calls_reserve_channel(sc_session *s, sc_call *c, int max_channels);
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
