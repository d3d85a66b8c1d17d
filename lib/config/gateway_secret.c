/* The one way out for a gateway's password: a tool that hands the trunk
 * credential to another program (edge-config writes it into the edge
 * proxy's configuration) needs the value, while sc_gateway_get() shows
 * "<hidden>" so that dumps, logs and bindings never print it by accident. */
#include <string.h>
#include <glib.h>

#include "skypeconnect/sc_gateway_secret.h"
#include "gateway_priv.h"
#include "error_priv.h"

SC_API char *sc_gateway_password(const sc_gateway *gw)
{
    if (!gw) return sc_fail_null(SC_EINVAL, "sc_gateway_password: gateway is NULL");
    if (!gw->password || !*gw->password)
        return sc_fail_null(SC_ENOTFOUND, "gateway '%s' has no password", gw->name);
    sc_clear_error();
    return g_strdup(gw->password);
}
