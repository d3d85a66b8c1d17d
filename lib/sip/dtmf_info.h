/* DTMF carried by SIP INFO inside a call (RFC 2976 with the de-facto
 * bodies): what a body says, and the status to answer it with.
 *
 *   application/dtmf-relay   "Signal=5\r\nDuration=160\r\n" (Cisco's; the
 *                            one sc_call_send_dtmf() sends)
 *   application/dtmf         "5"
 *
 * Pure text: knows no call, session or Sofia type. */
#ifndef SC_DTMF_INFO_H
#define SC_DTMF_INFO_H

#include <stddef.h>

/* What the INFO's Accept header lists when the Content-Type is unknown. */
#define SC_DTMF_INFO_TYPES "application/dtmf-relay, application/dtmf"

/* Reads an INFO body. @p content_type is the type/subtype without
 * parameters (NULL when the request has none). Returns the status to answer:
 *  - 200 with *digit the digit (0-9, *, #, A-D), or with *digit '\0' for an
 *    INFO without a body (a keep-alive: nothing to report);
 *  - 415 for a Content-Type other than the two above;
 *  - 400 for a body that does not say one digit (no Signal, a bad Signal or
 *    Duration, a line that is not NAME=VALUE).
 * For 400 and 415, @p why (of @p why_size bytes) says what was wrong,
 * naming the value. */
int sc_dtmf_info_parse(const char *content_type, const char *body, size_t len, char *digit,
                       char *why, size_t why_size);

#endif
