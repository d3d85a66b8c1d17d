/* Answering a registrar's or proxy's challenge: one policy for REGISTER and
 * INVITE. */
#ifndef SC_DIGEST_CLIENT_H
#define SC_DIGEST_CLIENT_H

#include <stdbool.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/nua.h>

/* Challenges answered per request: one, plus more only while the server
 * says the nonce was stale. A wrong password never becomes a loop. */
#define SC_AUTH_MAX_ROUNDS 2
#define SC_AUTH_MAX_STALE_ROUNDS 3

/* Builds the credentials for nua_authenticate() ("Digest:\"realm\":user:pass")
 * for the 401/407 in `sip`, counting the round in *rounds. Returns NULL, with
 * *why saying so, when the challenge must count as a rejection instead: a
 * second challenge to the same credentials (unless stale), no challenge, no
 * realm or nonce, or a scheme other than Digest (Basic would send the
 * password in clear). The caller wipes and frees the result. */
char *sc_digest_answer(const sip_t *sip, int status, const char *user, const char *password, int *rounds,
                       const char **why);

/* Answers the 401/407 in `sip` on @p nh (nua_authenticate) with the
 * credentials sc_digest_answer() builds, and wipes them. Returns false, with
 * *why, when the challenge counts as a rejection instead. */
bool sc_digest_authenticate(nua_handle_t *nh, const sip_t *sip, int status, const char *user,
                            const char *password, int *rounds, const char **why);

/* The header line ("Proxy-Authorization: Digest ...", or Authorization for a
 * 401) that answers the challenge in `sip` for the request `method` to `ruri`
 * with `body` (NULL: none), under the policy of sc_digest_answer() (which
 * counts the round). For a request sent anew by us rather than by Sofia (an
 * INVITE Sofia must not restart on its own: calls/calls_priv.h). Returns NULL,
 * with *why, when the challenge counts as a rejection or the header cannot be
 * made. The caller wipes and frees the result (sc_digest_free()). */
char *sc_digest_header(const sip_t *sip, int status, const char *user, const char *password, const char *method,
                       const char *ruri, const char *body, int *rounds, const char **why);

/* Wipes and frees credentials. */
void sc_digest_free(char *cred);

#endif
