/* An OPTIONS keepalive: sends a ping every interval and reports each result
 * (alive or not, with the status and phrase) to its owner's handler. What a
 * result means for the gateway is the owner's business (registration.c).
 * Stack thread only. */
#ifndef SC_KEEPALIVE_H
#define SC_KEEPALIVE_H

#include <stdbool.h>
#include <glib.h>
#include <sofia-sip/nua.h>

#include "sip_text.h"

typedef void (*sc_keepalive_fn)(void *owner, bool alive, int status, const char *phrase);

typedef struct sc_keepalive {
    /* set by the owner before sc_keepalive_start() */
    nua_t *nua;
    GMainContext *ctx;            /* where the timer runs */
    const sc_sip_texts *sip;      /* From, To, next hop, Request-URI, Contact */
    const char *user_agent;       /* or NULL */
    bool send_contact;
    int interval_s;
    sc_keepalive_fn report;
    void *owner;

    /* its own */
    nua_handle_t *nh;
    GSource *timer;
    bool in_flight;
    gint64 sent_at;
    int rtt_ms;                   /* last round trip */
} sc_keepalive;

void sc_keepalive_start(sc_keepalive *k);   /* no-op when running */
void sc_keepalive_stop(sc_keepalive *k);
bool sc_keepalive_running(const sc_keepalive *k);
bool sc_keepalive_owns(const sc_keepalive *k, nua_handle_t *nh);
/* A final answer to the ping in flight. */
void sc_keepalive_on_response(sc_keepalive *k, int status, const char *phrase);

#endif
