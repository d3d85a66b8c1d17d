/* Server-side HTTP digest authentication (RFC 2617 / RFC 3261 22.4) for the
 * loopback trunk: MD5, qop=auth with nc/cnonce, and self-validating nonces.
 *
 * A nonce is "TTTTTTTTSSSSSSSSMMMMMMMMMMMMMMMM": the issue time and a serial
 * number in hex, then 64 bits of MD5(time:serial:secret). The server keeps no
 * table of nonces: it recognises its own by the MAC, and their age by the
 * time, so an old nonce with a right password earns "stale=true" rather than
 * a refusal (RFC 2617 3.2.1). */
#ifndef SC_DIGEST_H
#define SC_DIGEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sofia-sip/msg_types.h>

#define SC_DIGEST_HEX_LEN 33   /* 32 hex digits and NUL */
#define SC_NONCE_LEN 33

typedef enum sc_nonce_state {
    SC_NONCE_FRESH = 0,     /* ours, and young enough */
    SC_NONCE_STALE = 1,     /* ours, but older than the lifetime */
    SC_NONCE_FOREIGN = 2    /* not ours (another server, another run, forged) */
} sc_nonce_state;

/* Credentials from an Authorization / Proxy-Authorization header, unquoted.
 * Fields absent from the header are NULL. */
typedef struct sc_digest_creds {
    char *username, *realm, *nonce, *uri, *response, *algorithm, *qop, *nc, *cnonce, *opaque;
} sc_digest_creds;

/* MD5 of the parts joined with ':', as 32 lower-case hex digits. */
void sc_digest_md5_join(char out[SC_DIGEST_HEX_LEN], const char *const *parts, int nparts);

/* A new nonce for time now_s (seconds, any clock) and a serial number. */
void sc_digest_nonce(const char *secret, int64_t now_s, uint32_t serial, char out[SC_NONCE_LEN]);

/* Whether nonce is one of ours and younger than ttl_s at now_s. */
sc_nonce_state sc_digest_nonce_check(const char *secret, const char *nonce, int64_t now_s, int ttl_s);

/* A WWW-Authenticate / Proxy-Authenticate value (g_free()). */
char *sc_digest_challenge(const char *realm, const char *nonce, bool stale);

/* Copies a Digest header's parameters into c. False for another scheme or a
 * header without username, realm, nonce, uri or response (c is then cleared). */
bool sc_digest_parse(const msg_auth_t *au, sc_digest_creds *c);
void sc_digest_creds_clear(sc_digest_creds *c);

/* The response a client knowing password must send (qop=auth or none). */
void sc_digest_expected(const sc_digest_creds *c, const char *method, const char *password,
                        char out[SC_DIGEST_HEX_LEN]);

/* Whether c's response is right for method and password. Checks algorithm
 * (MD5 or absent), qop (auth or absent; auth needs nc and cnonce); compares
 * in constant time. Does not judge the nonce: see sc_digest_nonce_check(). */
bool sc_digest_verify(const sc_digest_creds *c, const char *method, const char *password);

#endif
