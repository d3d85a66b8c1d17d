/* Which SIP methods the library serves, and what happens to the rest.
 *
 * Sofia's nua accepts REFER (202, then NOTIFYs to whatever Contact the sender
 * named), SUBSCRIBE and NOTIFY by itself unless told otherwise: one nua
 * handle, dialog and subscription per request, from anyone. The library
 * serves calls only, so every nua it creates (the trunk side and the internal
 * side) takes these tags. */
#ifndef SC_SERVED_METHODS_H
#define SC_SERVED_METHODS_H

#include <stdbool.h>
#include <sofia-sip/su_tag.h>

struct nua_s;
struct nua_handle_s;

/* The methods we answer; the Allow header of every response, 405 included.
 * INFO is served inside calls only (DTMF: lib/calls/call_info.c answers it);
 * outside one it gets 481. */
#define SC_SERVED_METHODS "INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE, INFO"

/* Tags for nua_create() that restrict nua to SC_SERVED_METHODS (pass with
 * TAG_NEXT). Free with tl_vfree() after nua_create(). */
tagi_t *sc_served_method_tags(void);

/* A request other than INVITE that nua handed up on a handle nobody owns
 * (nua makes a fresh one even for the OPTIONS it answered itself): destroys
 * that handle, which would otherwise live until the session stops. An INFO
 * there is outside any call: it is answered 481 first. Returns
 * true when it did. Stack thread, inside the nua callback. */
bool sc_drop_stray_request(struct nua_s *nua, int event, struct nua_handle_s *nh);

#endif
