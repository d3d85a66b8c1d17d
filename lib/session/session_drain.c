/* The public face of a drain (calls/drain.c does the work on the stack). */
#include "stack.h"   /* first: it sets Sofia's magic types */
#include "drain.h"
#include "error_priv.h"

static int set_on_stack(sc_session *s, void *arg)
{
    if (s->phase != SC_PHASE_RUNNING)
        return sc_fail(SC_ESTATE, "sc_session_set_draining: the session is stopping");
    sc_drain_set(s, *(const bool *)arg);
    return SC_OK;
}

SC_API int sc_session_set_draining(sc_session *s, int on)
{
    bool want = on == 1;
    int rc;
    if (!s) return sc_fail(SC_EINVAL, "sc_session_set_draining: session is NULL");
    if (on != 0 && on != 1)
        return sc_fail(SC_EINVAL, "sc_session_set_draining: on must be 0 or 1, not %d", on);
    if (!sc_session_stack_exists(s))
        return sc_fail(SC_ESTATE, "sc_session_set_draining: the session is not running");
    rc = sc_session_call_on_stack(s, set_on_stack, &want);
    if (rc == SC_OK) sc_clear_error();
    return rc;
}

SC_API int sc_session_is_draining(sc_session *s)
{
    if (!s) return sc_fail(SC_EINVAL, "sc_session_is_draining: session is NULL");
    sc_clear_error();
    return sc_drain_active(s) ? 1 : 0;
}
