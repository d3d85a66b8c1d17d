/* The header block of a received SIP message, kept as text. */
#ifndef SC_HEADER_BLOCK_H
#define SC_HEADER_BLOCK_H

#include <sofia-sip/msg.h>

/* The parser flags for the session's stacks (NTATAG_SIPFLAGS): Sofia's
 * default (MSG_DO_CANONIC) plus MSG_FLG_EXTRACT_COPY, so that every received
 * header keeps its bytes and sc_sip_header_block() copies instead of
 * printing. */
#define SC_SIP_FLAGS (MSG_DO_CANONIC | MSG_FLG_EXTRACT_COPY)

/* The request (or status) line and the header lines of `msg` as they came
 * off the wire, without the body: the bytes Sofia kept for each header it
 * parsed, copied once into one g_malloc'd string. A header Sofia built or
 * changed itself is encoded first (msg_serialize()). NULL if `msg` is NULL
 * or cannot be encoded. On the thread of the stack that owns `msg`. */
char *sc_sip_header_block(msg_t *msg);

#endif
