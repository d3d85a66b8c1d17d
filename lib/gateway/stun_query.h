/* ext-sip-ip=stun:HOST[:PORT]: the public address from a STUN Binding
 * request, made by Sofia-SIP's STUN client (stun_bind) on the stack's root.
 * As FreeSWITCH's ext-sip-ip=stun:, only the address is taken: the Contact
 * keeps our own port (a NAT that keeps ports, or a port forward). */
#ifndef SC_STUN_QUERY_H
#define SC_STUN_QUERY_H

struct sc_reg;

/* Starts the query; on the answer, the gateway's Contact gets the address
 * and, when registered, it registers again. */
void sc_stun_query_start(struct sc_reg *r);
void sc_stun_query_stop(struct sc_reg *r);

#endif
