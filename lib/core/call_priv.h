/* The call object inside the library. Immutable fields are set before the
 * call is published; mutable ones are guarded by the call's lock; the Sofia
 * handle and timers belong to the stack thread. What calls do is declared
 * in calls/calls_priv.h. */
#ifndef SC_CALL_PRIV_H
#define SC_CALL_PRIV_H

#include "stack.h"
#include "skypeconnect/sc_call.h"

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
    char *invite_text;          /* the initial INVITE's header lines as received, for sc_call_header() */

    /* mutable: under lock */
    int state;
    int sip_code;
    char *cause;
    int hangup_side;
    char *remote_sdp;
    /* what other threads decide a control on (call_control.c claim()):
     * mirrors of stack-thread facts, set there, and set here when a
     * control is posted, so that a second one is refused at once */
    bool final_taken;           /* inbound: an answer, rejection or redirect sent or posted */
    bool hangup_taken;          /* a hangup sent or posted */
    bool dialplan_owned;        /* the dialplan handles it (routed) */

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
    su_timer_t *answer_timer;  /* inbound: no final answer in time -> 480 (stack thread) */
    char *local_sdp;
    char *final_phrase;         /* the phrase of our final answer: nua_respond() keeps the pointer */
    int auth_rounds;
    int dialog_auth_rounds;     /* challenges answered to our BYE or re-INVITE in flight */
    char remote_target[256];    /* the far end's Contact URI, "" unknown (calls/dialog_auth.c) */
    char *relayed_offer;        /* the SDP of a re-INVITE we relay on this leg, for a send anew */
    bool timers_set;            /* session_timeout goes as a tag (calls/session_timer.c): */
    int session_timeout, min_se; /* Session-Expires (0: none offered), Min-SE (0: the stack's) */
    GQueue info_out;            /* our INFOs, one in flight at a time: "type\0body" blocks (calls/info_queue.c) */
    bool info_in_flight;
    int info_auth_rounds;       /* challenges answered to the INFO in flight */
    /* a dial-out: its INVITE's parts, so that we can send it anew with our
     * answer to the trunk's challenge (calls/call_dial.c); NULL otherwise.
     * One block holds them all; the parts point into it. */
    char *inv_parts;
    const char *inv_ruri, *inv_from, *inv_pai, *inv_rpid, *inv_contact, *inv_proxy;
    bool final_sent;            /* inbound: a final answer went out */
    bool ending;                /* hangup or reject requested; terminated state pending */
    int end_code;               /* what ended it, recorded before Sofia's terminated state */
    const char *end_cause;
    int end_side;
    /* media (stack thread only): the library's own RTP stream when the
     * application asked for media; NULL when the SDP is the application's */
    struct sc_media_stream *media;
    bool media_wanted;          /* dialled or answered with media */
    bool media_offered_in_200;  /* inbound INVITE had no SDP: the answer comes in the ACK */
    bool media_reinvite;        /* our own re-INVITE (hold/unhold) awaits its answer */
    bool channel_counted;       /* counted in the session's channels (calls/call_table.c) */
};

/* call_object.c */
sc_call *sc_call_new(sc_session *s, int direction, const char *gateway);
/* Whether the call's INVITE (ours or theirs) is answered: ANSWERED or HELD. */
bool sc_call_is_answered(const sc_call *c);
/* Cancels an inbound call's answer timer, if it runs. Stack thread. */
void sc_call_answer_timer_stop(sc_call *c);
void sc_call_set_remote_sdp(sc_call *c, const char *sdp, size_t len);
void sc_call_detach_session(sc_call *c);

#endif
