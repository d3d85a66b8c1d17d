/* Events: construction inside the library. */
#ifndef SC_EVENT_PRIV_H
#define SC_EVENT_PRIV_H

#include <stdbool.h>
#include "skypeconnect/sc_event.h"
#include "json.h"   /* every event writer quotes with sc_json_append_string */
#include "fifo.h"

struct sc_event {
    sc_fifo_link link;      /* in the session's queue (core/event_queue.c) */
    int type;
    char *gateway;
    int state, prev_state, status;
    int sip_code;
    char *phrase;
    int reason;
    int expires;
    int next_retry;
    int failures;
    long long time_us;
    /* calls */
    struct sc_call *call;   /* a reference, or NULL */
    bool call_texts;        /* gateway, number and source are the call's own (sc_event_new_for_call) */
    int call_state;
    char *cause;
    char *number;
    char *refusal;
    char *message;
    char *source;
    char *context;
    char *route_json;
    /* media events: the line the media engine's JSON glue wrote (calls/
     * renders it, since core/ does not see the engine), and the parts a
     * binding reads */
    char *media_json;
    char *digit;
    char *dtmf_method;
    char *media_state;
    short *pcm;                 /* SC_EVENT_AUDIO: 20 ms received */
    const char *control;        /* SC_EVENT_CALL_CONTROL: a public function's name (static) */
    int result;                 /* ... and its outcome */
    size_t samples;
    /* SC_EVENT_DRAIN */
    int draining, drain_calls;
};

/* Sets one of the event's optional strings (NULL stays ""). */
void sc_event_set_text(char **field, const char *value);

sc_event *sc_event_new(int type, const char *gateway);
/* An event about call c, holding a reference to it. Its gateway, number
 * and source (set for SC_EVENT_INCOMING_CALL only) are the call's own
 * texts, fixed when the call was made: borrowed for as long as the event
 * holds the call, not copied (four allocations fewer per call event). Never
 * sc_event_set_text() on those three. */
sc_event *sc_event_new_for_call(int type, struct sc_call *c, char *gateway, char *number, char *source);
/* An SC_EVENT_DRAIN event: draining or not, with the calls still up. */
sc_event *sc_event_new_drain(bool draining, int calls);
void sc_event_set_phrase(sc_event *ev, const char *phrase);

/* A gateway's state as JSON members (",\"state\":..." up to "failures"):
 * the one builder for the gateway_state event and the gateway's status. */
typedef struct sc_gw_state_view {
    int state;
    bool has_prev;
    int prev_state;
    int status, sip_code;
    const char *phrase;
    int reason, expires, next_retry, failures;
} sc_gw_state_view;
void sc_gw_state_json(GString *b, const sc_gw_state_view *v);

#endif
