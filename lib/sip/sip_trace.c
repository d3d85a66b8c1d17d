/* SIP message tracing: whether sessions log every SIP message they send and
 * receive. Sofia-SIP's transport logs them when its TPTAG_LOG is set at
 * stack creation (session.c passes sc_sip_trace_enabled() there); the lines
 * reach the library's log at debug level through the redirect of Sofia's
 * logs (sofia_stack.c). A process-wide flag, as the log itself is. */
#include <glib.h>

#include "error_priv.h"

static gint trace_on;

SC_API int sc_set_sip_trace(int enabled)
{
    g_atomic_int_set(&trace_on, enabled != 0);
    sc_clear_error();
    return SC_OK;
}

SC_API int sc_sip_trace_enabled(void)
{
    return g_atomic_int_get(&trace_on);
}
