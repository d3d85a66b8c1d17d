/**
 * @file sc_gateway_secret.h
 * @brief The one way to read a gateway's password back.
 *
 * sc_gateway_get() shows the password as "<hidden>", so that dumps, logs and
 * bindings never print it by accident. A tool that must hand the trunk
 * credential to another program (skypeconnect edge-config writes it into the
 * edge proxy's configuration, which registers and answers the provider's
 * digest challenges for every instance) reads it here.
 */
#ifndef SKYPECONNECT_SC_GATEWAY_SECRET_H
#define SKYPECONNECT_SC_GATEWAY_SECRET_H

#include "sc_common.h"
#include "sc_gateway.h"

SC_BEGIN_DECLS

/**
 * The gateway's password, for a tool that must hand the trunk credential to
 * another program (the edge proxy registers and answers digest challenges
 * for the instances). sc_gateway_get() shows it as "<hidden>"; this is the
 * only function that returns it. Never log the result; wipe and sc_free() it.
 * @return a copy, or NULL with ::SC_EINVAL (NULL) / ::SC_ENOTFOUND (none set).
 */
SC_API char *sc_gateway_password(const sc_gateway *gw);

SC_END_DECLS

#endif
