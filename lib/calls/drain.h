/* Drain and health: what a proxy in front of several instances (a Kamailio
 * edge's dispatcher) sees of this one. Stack thread, except where noted. */
#ifndef SC_DRAIN_H
#define SC_DRAIN_H

#include <stdbool.h>

#include "stack.h"   /* Sofia's headers come through it: it sets their magic types */

/* Starts or ends draining and says so with an SC_EVENT_DRAIN event. */
void sc_drain_set(sc_session *s, bool on);
/* Whether new inbound calls are refused. Any thread (takes the lock). */
bool sc_drain_active(sc_session *s);
/* After a call left the call table: the drain's last call makes a
 * "drained" event (calls 0), so an operator knows the instance may stop. */
void sc_drain_call_left(sc_session *s);
/* Answers an out-of-dialog OPTIONS: 200 when healthy, 503 with the reason
 * as the phrase while draining, stopping, or with every channel busy, so
 * that a prober takes this instance out without any call being tried. */
void sc_health_answer_options(sc_session *s, nua_t *nua, nua_handle_t *nh);

#endif
