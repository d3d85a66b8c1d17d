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

/* Starts the check for r's next hop when r registers over TLS with
 * verification on; otherwise nothing. */
void sc_tls_check_start(struct sc_reg *r);
/* Forgets r's check in progress (its verdict is then ignored). */
void sc_tls_check_cancel(struct sc_reg *r);

#endif
