/* Adding, removing and querying a session's gateways. Before start they wait
 * in a pending list; once the stack runs, every operation runs on the stack
 * thread (sc_session_run_sync), where the sc_reg objects live. */
#include <string.h>

#include "registration_priv.h"   /* first: session_priv.h sets Sofia's magic types */
#include "error_priv.h"

/* One request to the stack thread, with room for every kind of answer. */
typedef struct gw_call {
    sc_session *s;
    const char *name;
    const sc_gateway *gw;
    int rc;
    int index;
    char *text;
    char err[512];
} gw_call;

static sc_reg *find_reg(sc_session *s, const char *name, guint *index)
{
    for (guint i = 0; i < s->regs->len; i++)
        if (!strcmp(sc_reg_name(s->regs->pdata[i]), name)) {
            if (index) *index = i;
            return s->regs->pdata[i];
        }
    return NULL;
}

static bool pending_has(sc_session *s, const char *name)
{
    for (guint i = 0; i < s->pending->len; i++)
        if (!strcmp(sc_gateway_name(s->pending->pdata[i]), name)) return true;
    return false;
}

/* Locks and reports whether the stack is up (RUNNING). *phase gets the phase. */
static bool stack_is_up(sc_session *s, sc_phase *phase)
{
    g_mutex_lock(&s->lock);
    *phase = s->phase;
    return *phase == SC_PHASE_RUNNING || *phase == SC_PHASE_STOPPING;
}

static int fail_call(gw_call *c, int rc, const char *fmt, const char *arg)
{
    c->rc = rc;
    g_snprintf(c->err, sizeof c->err, fmt, arg);
    return rc;
}

static void add_on_stack(void *p)
{
    gw_call *c = p;
    sc_reg *r;
    if (c->s->phase != SC_PHASE_RUNNING) {
        fail_call(c, SC_ECLOSED, "gateway '%s': the session is stopping", sc_gateway_name(c->gw));
        return;
    }
    if (find_reg(c->s, sc_gateway_name(c->gw), NULL)) {
        fail_call(c, SC_EEXISTS, "gateway '%s' exists already in this session", sc_gateway_name(c->gw));
        return;
    }
    r = sc_reg_new(c->s, c->gw);
    g_ptr_array_add(c->s->regs, r);
    sc_reg_start(r);
    c->rc = SC_OK;
}

SC_API int sc_session_add_gateway(sc_session *s, const sc_gateway *gw)
{
    gw_call c = { .s = s, .gw = gw };
    sc_phase phase;
    if (!s || !gw) return sc_fail(SC_EINVAL, "sc_session_add_gateway: %s is NULL", s ? "gateway" : "session");
    if (sc_gateway_validate(gw) != SC_OK) return sc_last_status();
    if (!stack_is_up(s, &phase)) {
        int rc = SC_OK;
        if (phase == SC_PHASE_STOPPED)
            rc = sc_fail(SC_ECLOSED, "gateway '%s': the session is stopped", sc_gateway_name(gw));
        else if (pending_has(s, sc_gateway_name(gw)))
            rc = sc_fail(SC_EEXISTS, "gateway '%s' exists already in this session", sc_gateway_name(gw));
        else
            g_ptr_array_add(s->pending, sc_gateway_copy(gw));
        g_mutex_unlock(&s->lock);
        if (rc == SC_OK) sc_clear_error();
        return rc;
    }
    g_mutex_unlock(&s->lock);
    sc_session_run_sync(s, add_on_stack, &c);
    if (c.rc) return sc_fail(c.rc, "%s", c.err);
    sc_clear_error();
    return SC_OK;
}

SC_API int sc_session_add_config(sc_session *s, const sc_config *cfg)
{
    if (!s || !cfg) return sc_fail(SC_EINVAL, "sc_session_add_config: %s is NULL", s ? "config" : "session");
    for (size_t i = 0; i < sc_config_gateway_count(cfg); i++) {
        int rc = sc_session_add_gateway(s, sc_config_gateway_at(cfg, i));
        if (rc) return rc;
    }
    sc_clear_error();
    return SC_OK;
}

static void remove_on_stack(void *p)
{
    gw_call *c = p;
    guint index;
    sc_reg *r = find_reg(c->s, c->name, &index);
    if (!r) {
        fail_call(c, SC_ENOTFOUND, "no gateway '%s' in this session", c->name);
        return;
    }
    /* Its un-REGISTER is still to be answered: the session frees it then
     * (sc_session_reap_removed), or abandons it at stop. */
    g_ptr_array_remove_index(c->s->regs, index);
    sc_reg_unregister(r, SC_REASON_REQUEST);
    g_ptr_array_add(c->s->removed, r);
    sc_session_emit(c->s, sc_event_new(SC_EVENT_GATEWAY_REMOVED, c->name));
    c->rc = SC_OK;
}

static int named_call(sc_session *s, const char *name, const char *what, void (*fn)(void *), gw_call *c)
{
    sc_phase phase;
    c->s = s;
    c->name = name;
    if (!s || !name) return sc_fail(SC_EINVAL, "%s: %s is NULL", what, s ? "name" : "session");
    if (!stack_is_up(s, &phase)) {
        int rc = SC_ENOTFOUND;
        for (guint i = 0; i < s->pending->len; i++)
            if (!strcmp(sc_gateway_name(s->pending->pdata[i]), name)) {
                rc = SC_ESTATE;
                break;
            }
        g_mutex_unlock(&s->lock);
        c->rc = rc;
        if (rc == SC_ENOTFOUND) return sc_fail(rc, "no gateway '%s' in this session", name);
        return rc; /* caller decides what a pending gateway means */
    }
    g_mutex_unlock(&s->lock);
    c->rc = SC_OK;
    sc_session_run_sync(s, fn, c);
    if (c->rc < 0) return sc_fail(c->rc, "%s", c->err);
    sc_clear_error();
    return c->rc;
}

SC_API int sc_session_remove_gateway(sc_session *s, const char *name)
{
    gw_call c = { 0 };
    int rc = named_call(s, name, "sc_session_remove_gateway", remove_on_stack, &c);
    if (rc == SC_ESTATE) {
        /* Not started yet: just forget it. */
        g_mutex_lock(&s->lock);
        for (guint i = 0; i < s->pending->len; i++)
            if (!strcmp(sc_gateway_name(s->pending->pdata[i]), name)) {
                g_ptr_array_remove_index(s->pending, i);
                break;
            }
        g_mutex_unlock(&s->lock);
        sc_clear_error();
        return SC_OK;
    }
    return rc;
}

static void count_on_stack(void *p)
{
    gw_call *c = p;
    c->rc = (int)c->s->regs->len;
}

SC_API int sc_session_gateway_count(sc_session *s)
{
    gw_call c = { .s = s };
    sc_phase phase;
    if (!s) return sc_fail(SC_EINVAL, "sc_session_gateway_count: session is NULL");
    if (!stack_is_up(s, &phase)) {
        int n = phase == SC_PHASE_NEW ? (int)s->pending->len : 0;
        g_mutex_unlock(&s->lock);
        return n;
    }
    g_mutex_unlock(&s->lock);
    sc_session_run_sync(s, count_on_stack, &c);
    return c.rc;
}

static void name_at_on_stack(void *p)
{
    gw_call *c = p;
    if (c->index >= 0 && (guint)c->index < c->s->regs->len)
        c->text = g_strdup(sc_reg_name(c->s->regs->pdata[c->index]));
}

SC_API char *sc_session_gateway_name_at(sc_session *s, int i)
{
    gw_call c = { .s = s, .index = i };
    sc_phase phase;
    if (!s) {
        sc_fail(SC_EINVAL, "sc_session_gateway_name_at: session is NULL");
        return NULL;
    }
    if (!stack_is_up(s, &phase)) {
        if (phase == SC_PHASE_NEW && i >= 0 && (guint)i < s->pending->len)
            c.text = g_strdup(sc_gateway_name(s->pending->pdata[i]));
        g_mutex_unlock(&s->lock);
    } else {
        g_mutex_unlock(&s->lock);
        sc_session_run_sync(s, name_at_on_stack, &c);
    }
    if (!c.text) sc_fail(SC_ENOTFOUND, "no gateway at index %d", i);
    return c.text;
}

static void state_on_stack(void *p)
{
    gw_call *c = p;
    sc_reg *r = find_reg(c->s, c->name, NULL);
    if (!r) fail_call(c, SC_ENOTFOUND, "no gateway '%s' in this session", c->name);
    else c->rc = sc_reg_get_state(r);
}

SC_API int sc_session_gateway_state(sc_session *s, const char *name)
{
    gw_call c = { 0 };
    int rc = named_call(s, name, "sc_session_gateway_state", state_on_stack, &c);
    if (rc == SC_ESTATE) {
        sc_clear_error();
        return SC_REG_UNREGED; /* added, session not started */
    }
    return rc;
}

static void status_on_stack(void *p)
{
    gw_call *c = p;
    sc_reg *r = find_reg(c->s, c->name, NULL);
    if (!r) fail_call(c, SC_ENOTFOUND, "no gateway '%s' in this session", c->name);
    else c->rc = sc_reg_get_status(r);
}

SC_API int sc_session_gateway_status(sc_session *s, const char *name)
{
    gw_call c = { 0 };
    int rc = named_call(s, name, "sc_session_gateway_status", status_on_stack, &c);
    if (rc == SC_ESTATE) {
        sc_clear_error();
        return SC_GW_DOWN;
    }
    return rc;
}

static void json_on_stack(void *p)
{
    gw_call *c = p;
    sc_reg *r = find_reg(c->s, c->name, NULL);
    if (!r) fail_call(c, SC_ENOTFOUND, "no gateway '%s' in this session", c->name);
    else c->text = sc_reg_json(r);
}

SC_API char *sc_session_gateway_json(sc_session *s, const char *name)
{
    gw_call c = { 0 };
    int rc = named_call(s, name, "sc_session_gateway_json", json_on_stack, &c);
    if (rc == SC_ESTATE) {
        GString *b = g_string_new("{\"event\":\"gateway_status\",\"gateway\":");
        sc_json_append_string(b, name);
        g_string_append(b, ",\"state\":\"UNREGED\",\"status\":\"DOWN\",\"running\":false}");
        sc_clear_error();
        return g_string_free(b, FALSE);
    }
    return c.text;
}

static void register_on_stack(void *p)
{
    gw_call *c = p;
    sc_reg *r = find_reg(c->s, c->name, NULL);
    if (!r) fail_call(c, SC_ENOTFOUND, "no gateway '%s' in this session", c->name);
    else if (c->s->phase != SC_PHASE_RUNNING) fail_call(c, SC_ECLOSED, "gateway '%s': the session is stopping", c->name);
    else if (sc_reg_get_state(r) == SC_REG_NOREG) fail_call(c, SC_ESTATE, "gateway '%s' has register=false", c->name);
    else sc_reg_register_now(r);
}

SC_API int sc_session_gateway_register(sc_session *s, const char *name)
{
    gw_call c = { 0 };
    int rc = named_call(s, name, "sc_session_gateway_register", register_on_stack, &c);
    if (rc == SC_ESTATE && c.rc == SC_ESTATE && !c.err[0])
        return sc_fail(SC_ESTATE, "gateway '%s': the session is not started", name);
    return rc;
}

static void unregister_on_stack(void *p)
{
    gw_call *c = p;
    sc_reg *r = find_reg(c->s, c->name, NULL);
    if (!r) fail_call(c, SC_ENOTFOUND, "no gateway '%s' in this session", c->name);
    else if (sc_reg_get_state(r) == SC_REG_NOREG) fail_call(c, SC_ESTATE, "gateway '%s' has register=false", c->name);
    else sc_reg_unregister(r, SC_REASON_REQUEST);
}

SC_API int sc_session_gateway_unregister(sc_session *s, const char *name)
{
    gw_call c = { 0 };
    int rc = named_call(s, name, "sc_session_gateway_unregister", unregister_on_stack, &c);
    if (rc == SC_ESTATE && c.rc == SC_ESTATE && !c.err[0])
        return sc_fail(SC_ESTATE, "gateway '%s': the session is not started", name);
    return rc;
}
