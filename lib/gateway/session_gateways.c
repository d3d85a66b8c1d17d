/* Adding, removing and querying a session's gateways. Before start they wait
 * in a pending list, under the session lock. Once the stack runs, the
 * sc_reg objects live on the stack thread: an add from another thread is
 * decided under the lock (the name is free, the session runs) and posted
 * there without waiting (core/stack_post.c), so that loading a thousand
 * gateways costs no thousand round trips; every other operation runs on
 * the stack thread (sc_session_call_on_stack), after what was posted, and
 * fails there with sc_fail(): the caller's thread gets the status and its
 * text back. */
#include <string.h>

#include "registration_priv.h"   /* first: stack.h sets Sofia's magic types */
#include "error_priv.h"

/* One request to the stack thread. */
typedef struct gw_req {
    const char *name;
    int index;
    char *text;            /* out: a new string, or NULL */
    int (*number)(const sc_reg *r); /* what named_number() asks for */
} gw_req;

static bool stack_exists(sc_phase phase)
{
    return phase == SC_PHASE_RUNNING || phase == SC_PHASE_STOPPING;
}

static sc_reg *find_reg(sc_session *s, const char *name, guint *index)
{
    for (guint i = 0; i < s->regs->len; i++)
        if (!strcmp(sc_reg_name(s->regs->pdata[i]), name)) {
            if (index) *index = i;
            return s->regs->pdata[i];
        }
    return NULL;
}

/* The index of the pending gateway of that name, or -1. Under the lock. */
static int pending_index(sc_session *s, const char *name)
{
    for (guint i = 0; i < s->pending->len; i++)
        if (!strcmp(sc_gateway_name(s->pending->pdata[i]), name)) return (int)i;
    return -1;
}

/* The running gateway a request names, or NULL after sc_fail(). */
static sc_reg *named_reg(sc_session *s, const gw_req *req)
{
    sc_reg *r = find_reg(s, req->name, NULL);
    if (!r) sc_fail(SC_ENOTFOUND, "no gateway '%s' in this session", req->name);
    return r;
}

/* The name is free again (a gateway removed, or an add that could not be
 * made). */
static void forget_name(sc_session *s, const char *name)
{
    g_mutex_lock(&s->lock);
    g_hash_table_remove(s->gw_names, name);
    g_mutex_unlock(&s->lock);
}

/* Stack thread. The caller has taken the name (sc_session_add_gateway);
 * a failure gives it back. */
static int add_on_stack(sc_session *s, const sc_gateway *gw)
{
    sc_reg *r;
    if (s->phase != SC_PHASE_RUNNING) {
        forget_name(s, sc_gateway_name(gw));
        return sc_fail(SC_ECLOSED, "gateway '%s': the session is stopping", sc_gateway_name(gw));
    }
    r = sc_reg_new(s, gw);
    g_ptr_array_add(s->regs, r);
    sc_reg_start(r);
    return SC_OK;
}

/* An add posted by another thread: its own copy of the gateway. */
typedef struct posted_add {
    sc_stack_post w;       /* first */
    sc_gateway *gw;
} posted_add;

static void run_posted_add(sc_session *s, sc_stack_post *w)
{
    /* Only a stop that began after the add was decided fails it: the
     * gateway would be stopped at once anyway. */
    if (add_on_stack(s, ((posted_add *)w)->gw) != SC_OK)
        sc_log(SC_LOG_INFO, "%s (added from another thread)", sc_last_error());
}

static void free_posted_add(sc_stack_post *w)
{
    sc_gateway_free(((posted_add *)w)->gw);
    g_free(w);
}

SC_API int sc_session_add_gateway(sc_session *s, const sc_gateway *gw)
{
    const char *name;
    int rc = SC_OK;
    bool up;
    if (!s || !gw) return sc_fail(SC_EINVAL, "sc_session_add_gateway: %s is NULL", s ? "gateway" : "session");
    if (sc_gateway_validate(gw) != SC_OK) return sc_last_status();
    name = sc_gateway_name(gw);
    g_mutex_lock(&s->lock);
    up = stack_exists(s->phase);
    if (s->phase == SC_PHASE_STOPPED)
        rc = sc_fail(SC_ECLOSED, "gateway '%s': the session is stopped", name);
    else if (s->phase == SC_PHASE_STOPPING)
        rc = sc_fail(SC_ECLOSED, "gateway '%s': the session is stopping", name);
    else if (g_hash_table_contains(s->gw_names, name))
        rc = sc_fail(SC_EEXISTS, "gateway '%s' exists already in this session", name);
    else
        g_hash_table_add(s->gw_names, g_strdup(name));
    if (rc == SC_OK && !up) g_ptr_array_add(s->pending, sc_gateway_copy(gw));
    g_mutex_unlock(&s->lock);
    if (rc != SC_OK || !up) {
        if (rc == SC_OK) sc_clear_error();
        return rc;
    }
    if (sc_session_acquire_stack(s)) {
        /* The stack's own thread (an event callback): at once. */
        rc = add_on_stack(s, gw);
        g_main_context_release(s->ctx);
    } else {
        posted_add *pa = g_new0(posted_add, 1);
        pa->w = (sc_stack_post){ .run = run_posted_add, .free = free_posted_add };
        pa->gw = sc_gateway_copy(gw);
        sc_session_post(s, &pa->w);
    }
    if (rc == SC_OK) sc_clear_error();
    return rc;
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

/* Runs fn on the stack for a named gateway. Before the stack runs, sets
 * *waiting when the gateway is pending (the caller decides what that
 * means) and fails with SC_ENOTFOUND when it is unknown. */
static int named_call(sc_session *s, const char *what, sc_stack_fn fn, gw_req *req, bool *waiting)
{
    bool up, pending = false;
    int rc;
    *waiting = false;
    if (!s || !req->name) return sc_fail(SC_EINVAL, "%s: %s is NULL", what, s ? "name" : "session");
    g_mutex_lock(&s->lock);
    up = stack_exists(s->phase);
    if (!up) pending = pending_index(s, req->name) >= 0;
    g_mutex_unlock(&s->lock);
    if (!up) {
        if (!pending) return sc_fail(SC_ENOTFOUND, "no gateway '%s' in this session", req->name);
        *waiting = true;
        sc_clear_error();
        return SC_OK;
    }
    rc = sc_session_call_on_stack(s, fn, req);
    if (rc >= 0) sc_clear_error();
    return rc;
}

static int remove_on_stack(sc_session *s, void *p)
{
    gw_req *req = p;
    guint index;
    sc_reg *r = find_reg(s, req->name, &index);
    if (!r) return sc_fail(SC_ENOTFOUND, "no gateway '%s' in this session", req->name);
    /* Its un-REGISTER is still to be answered: the session frees it then,
     * or abandons it at stop. */
    g_ptr_array_remove_index(s->regs, index);
    forget_name(s, req->name);
    sc_reg_unregister(r, SC_REASON_REQUEST);
    g_ptr_array_add(s->removed, r);
    sc_session_emit(s, sc_event_new(SC_EVENT_GATEWAY_REMOVED, req->name));
    return SC_OK;
}

SC_API int sc_session_remove_gateway(sc_session *s, const char *name)
{
    gw_req req = { .name = name };
    bool waiting;
    int rc = named_call(s, "sc_session_remove_gateway", remove_on_stack, &req, &waiting);
    if (rc == SC_OK && waiting) {
        /* Not started yet: just forget it (unless a start came in between
         * and took it: then it is no longer pending, and stays). */
        g_mutex_lock(&s->lock);
        int i = pending_index(s, name);
        if (i >= 0) {
            g_ptr_array_remove_index(s->pending, (guint)i);
            g_hash_table_remove(s->gw_names, name);
        }
        g_mutex_unlock(&s->lock);
    }
    return rc;
}

static int count_on_stack(sc_session *s, void *p)
{
    (void)p;
    return (int)s->regs->len;
}

SC_API int sc_session_gateway_count(sc_session *s)
{
    int n = 0;
    bool up;
    if (!s) return sc_fail(SC_EINVAL, "sc_session_gateway_count: session is NULL");
    g_mutex_lock(&s->lock);
    up = stack_exists(s->phase);
    if (!up && s->phase == SC_PHASE_NEW) n = (int)s->pending->len;
    g_mutex_unlock(&s->lock);
    return up ? sc_session_call_on_stack(s, count_on_stack, NULL) : n;
}

static int name_at_on_stack(sc_session *s, void *p)
{
    gw_req *req = p;
    if (req->index >= 0 && (guint)req->index < s->regs->len)
        req->text = g_strdup(sc_reg_name(s->regs->pdata[req->index]));
    return SC_OK;
}

SC_API char *sc_session_gateway_name_at(sc_session *s, int i)
{
    gw_req req = { .index = i };
    bool up;
    if (!s) return sc_fail_null(SC_EINVAL, "sc_session_gateway_name_at: session is NULL");
    g_mutex_lock(&s->lock);
    up = stack_exists(s->phase);
    if (!up && s->phase == SC_PHASE_NEW && i >= 0 && (guint)i < s->pending->len)
        req.text = g_strdup(sc_gateway_name(s->pending->pdata[i]));
    g_mutex_unlock(&s->lock);
    if (up) sc_session_call_on_stack(s, name_at_on_stack, &req);
    if (!req.text) sc_fail(SC_ENOTFOUND, "no gateway at index %d", i);
    return req.text;
}

/* A number a running gateway answers (its state, its status). */
static int number_on_stack(sc_session *s, void *p)
{
    gw_req *req = p;
    sc_reg *r = named_reg(s, req);
    return r ? req->number(r) : SC_ENOTFOUND;
}

/* The public per-gateway queries that answer a number: a gateway still
 * pending (the session not started) answers not_started. */
static int named_number(sc_session *s, const char *what, const char *name,
                        int (*number)(const sc_reg *), int not_started)
{
    gw_req req = { .name = name, .number = number };
    bool waiting;
    int rc = named_call(s, what, number_on_stack, &req, &waiting);
    return waiting ? not_started : rc;
}

SC_API int sc_session_gateway_state(sc_session *s, const char *name)
{
    return named_number(s, "sc_session_gateway_state", name, sc_reg_get_state, SC_REG_UNREGED);
}

SC_API int sc_session_gateway_status(sc_session *s, const char *name)
{
    return named_number(s, "sc_session_gateway_status", name, sc_reg_get_status, SC_GW_DOWN);
}

static int json_on_stack(sc_session *s, void *p)
{
    gw_req *req = p;
    sc_reg *r = named_reg(s, req);
    if (!r) return SC_ENOTFOUND;
    req->text = sc_reg_json(r);
    return SC_OK;
}

SC_API char *sc_session_gateway_json(sc_session *s, const char *name)
{
    gw_req req = { .name = name };
    bool waiting;
    named_call(s, "sc_session_gateway_json", json_on_stack, &req, &waiting);
    return waiting ? sc_reg_json_not_started(name) : req.text;
}

/* The running gateway a request names, if it registers at all; NULL after
 * sc_fail(). */
static sc_reg *registering_reg(sc_session *s, const gw_req *req)
{
    sc_reg *r = named_reg(s, req);
    if (r && sc_reg_get_state(r) == SC_REG_NOREG)
        return sc_fail_null(SC_ESTATE, "gateway '%s' has register=false", req->name);
    return r;
}

static int register_on_stack(sc_session *s, void *p)
{
    sc_reg *r = registering_reg(s, p);
    if (!r) return sc_last_status();
    if (s->phase != SC_PHASE_RUNNING)
        return sc_fail(SC_ECLOSED, "gateway '%s': the session is stopping", sc_reg_name(r));
    sc_reg_register_now(r);
    return SC_OK;
}

static int unregister_on_stack(sc_session *s, void *p)
{
    sc_reg *r = registering_reg(s, p);
    if (!r) return sc_last_status();
    sc_reg_unregister(r, SC_REASON_REQUEST);
    return SC_OK;
}

/* Registering or un-registering now (fn) needs a running stack. */
static int registration_call(sc_session *s, const char *what, sc_stack_fn fn, const char *name)
{
    gw_req req = { .name = name };
    bool waiting;
    int rc = named_call(s, what, fn, &req, &waiting);
    if (waiting) return sc_fail(SC_ESTATE, "gateway '%s': the session is not started", name);
    return rc;
}

SC_API int sc_session_gateway_register(sc_session *s, const char *name)
{
    return registration_call(s, "sc_session_gateway_register", register_on_stack, name);
}

SC_API int sc_session_gateway_unregister(sc_session *s, const char *name)
{
    return registration_call(s, "sc_session_gateway_unregister", unregister_on_stack, name);
}
