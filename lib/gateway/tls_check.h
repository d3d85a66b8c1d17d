/* A registrar whose certificate does not verify fails at once, reason tls.
 *
 * Sofia-SIP 1.12 reports a failed verification only in its log and lets the
 * REGISTER wait until the transaction times out (a 408 after 8 s, which
 * reads as "no answer"). So when TLS verification is on, each REGISTER
 * attempt is shadowed by a handshake of our own, with the same library and
 * policy Sofia uses (OpenSSL, the chain against cafile.pem, no name check),
 * on a worker thread; a verification failure ends the attempt at once with
 * the verifier's own words. Stack thread. */
#ifndef SC_TLS_CHECK_H
#define SC_TLS_CHECK_H

struct sc_reg;

/* Called on the stack thread with the verifier's words when r's next hop
 * failed verification (never after sc_tls_check_cancel()). The check only
 * reports; the caller decides what a failure means for the attempt. */
typedef void (*sc_tls_verdict_fn)(struct sc_reg *r, const char *failure);

/* Starts the check for r's next hop when r registers over TLS with
 * verification on; otherwise nothing. */
void sc_tls_check_start(struct sc_reg *r, sc_tls_verdict_fn verdict);
/* Forgets r's check in progress (its verdict is then ignored). */
void sc_tls_check_cancel(struct sc_reg *r);

#endif
