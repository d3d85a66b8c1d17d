/* How many REGISTERs a session has waiting for their answers, and which
 * gateways wait for a slot. Stack thread only. */
#ifndef SC_REG_WINDOW_H
#define SC_REG_WINDOW_H

#include <stdbool.h>

struct sc_reg;
struct sc_session;

/* At most this many REGISTERs of one session wait for answers at once. A
 * thousand gateways started together would otherwise send a thousand
 * REGISTERs in a few milliseconds: a registrar's socket overflows (the
 * lost ones come back 500 ms later, T1) and a provider's flood protection
 * may block the sender. A window adapts to the registrar's own speed: the
 * next REGISTER goes when an answer (or a timeout) frees a slot. Why 50: a
 * small datagram takes about 2 KB of a Linux socket's receive buffer, and
 * the usual default (208 KB) then holds about 90; 100 in flight still
 * overflowed Kamailio's in the bench, 50 did not and was as fast (1,000
 * gateways on loopback: 0.31 s at 50, 0.33 s at 100, 0.39 s at 25). Over a
 * 50 ms round trip, 50 slots still register 1,000 gateways in about 2 s. */
#define SC_REG_WINDOW 50

/* A slot for r's REGISTER (true), or r waits for one (false): then
 * send(r) runs on the stack thread once a slot is free, with that slot
 * already counted as r's. may_wait false takes a slot at once: an
 * un-REGISTER of a running session (a removal, an explicit un-register).
 * A stop's un-REGISTERs do wait: stopping a thousand gateways is the same
 * burst as starting them; sc_reg_window_flush() bounds the wait. */
bool sc_reg_window_enter(struct sc_reg *r, bool may_wait, void (*send)(struct sc_reg *r));
/* r's REGISTER has its answer, or was given up: its slot is free. */
void sc_reg_window_leave(struct sc_reg *r);
/* r no longer waits for a slot (removed, un-registered, freed). */
void sc_reg_window_forget(struct sc_reg *r);
/* Whether r waits for a slot. */
bool sc_reg_window_waiting(const struct sc_reg *r);
/* Everything still waiting goes now, past the window: a stop whose time is
 * half gone, or that is about to shut the stack down, must not leave an
 * un-REGISTER unsent. */
void sc_reg_window_flush(struct sc_session *s);
/* The session goes: no more sends from the window. */
void sc_reg_window_close(struct sc_session *s);

#endif
