/* Running work on the session's stack: the thread that owns its
 * GMainContext (ctx_sync.c does the posting and waiting), and what the
 * layers above ask of the stack (its local ports, its contact host). */
#include "stack.h"   /* first: it sets Sofia's magic types */

#include "ctx_sync.h"
#include "error_priv.h"

typedef struct in_order {
    sc_session *s;
    void (*fn)(void *);
    void *data;
} in_order;

/* Work posted before this call (stack_post.c) runs first: a dial and then
 * sc_session_list_calls() on one thread sees the call. */
static void run_in_order(void *p)
{
    in_order *o = p;
    sc_session_run_posted(o->s);
    o->fn(o->data);
}

/* Another thread that reaches for the stack while sc_session_start() is
 * still bringing it up waits here until the start is over. Until then the
 * context may have no owner yet, and taking it would run stack work on the
 * caller's thread before the stack exists. Not the starter itself, nor the
 * context's owner (an application context's thread must go on iterating). */
static void await_start(sc_session *s)
{
    g_mutex_lock(&s->lock);
    while (s->starting && s->starter != g_thread_self() && !sc_session_on_stack_thread(s))
        g_cond_wait(&s->cond, &s->lock);
    g_mutex_unlock(&s->lock);
}

bool sc_session_acquire_stack(sc_session *s)
{
    await_start(s);
    return g_main_context_acquire(s->ctx);
}

/* Runs fn(data) on the thread that owns the stack's context and returns when
 * it has run. */
void sc_session_run_sync(sc_session *s, void (*fn)(void *), void *data)
{
    in_order o = { s, fn, data };
    await_start(s);
    sc_ctx_run_sync(s->ctx, &s->lock, &s->cond, run_in_order, &o);
}

bool sc_session_on_stack_thread(sc_session *s)
{
    /* s->thread is stored under the lock before the thread passes its first
     * lock (session.c), so the thread itself always sees it; another thread
     * may read it while it is stored or cleared (NULL or the pointer, "no"
     * either way), hence the atomic access on both sides. */
    GThread *t = g_atomic_pointer_get(&s->thread);
    if (t) return g_thread_self() == t;
    return s->ctx && g_main_context_is_owner(s->ctx);
}

/* Waits until pred(s) holds (checked under the lock) or the deadline passes.
 * Iterates the stack's context when this thread may, else sleeps on cond. */
bool sc_session_wait_until(sc_session *s, bool (*pred)(void *session), gint64 deadline)
{
    bool ok;
    /* su_running is the stack thread's own flag: read only there. */
    if (sc_session_on_stack_thread(s) && s->su_running) {
        /* Our own thread inside Sofia's loop: step it (the context runs
         * inside it), at most 100 ms at a time. */
        for (;;) {
            gint64 now = g_get_monotonic_time();
            g_mutex_lock(&s->lock);
            ok = pred(s);
            g_mutex_unlock(&s->lock);
            if (ok || now >= deadline) return ok;
            su_root_step(s->root, (su_duration_t)MIN((deadline - now) / 1000 + 1, 100));
        }
    }
    g_mutex_lock(&s->lock);
    s->state_waiters++;
    g_mutex_unlock(&s->lock);
    ok = sc_ctx_wait_until(s->ctx, &s->lock, &s->cond, pred, s, deadline);
    g_mutex_lock(&s->lock);
    s->state_waiters--;
    g_mutex_unlock(&s->lock);
    return ok;
}

bool sc_session_stack_exists(sc_session *s)
{
    bool up;
    g_mutex_lock(&s->lock);
    up = s->phase == SC_PHASE_RUNNING || s->phase == SC_PHASE_STOPPING;
    g_mutex_unlock(&s->lock);
    return up;
}

/* Every Sofia event may change what a waiter waits for; a broadcast is a
 * futex system call even when nobody waits, several per call. Waiters are
 * counted under the lock before they check their predicate, so a change
 * made before the check is seen by it and one made after is broadcast. */
void sc_session_changed(sc_session *s)
{
    g_mutex_lock(&s->lock);
    if (s->state_waiters) g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
}

void sc_session_stop_check(sc_session *s)
{
    if (s->stop_check) s->stop_check(s);
}

/* One way to run work on the stack and carry its failure back. */
typedef struct stack_call {
    sc_session *s;
    sc_stack_fn fn;
    void *arg;
    int rc;
    sc_error_state err;
} stack_call;

static void run_stack_call(void *p)
{
    stack_call *c = p;
    c->rc = c->fn(c->s, c->arg);
    if (c->rc < 0) sc_error_save(&c->err);
}

int sc_session_call_on_stack(sc_session *s, sc_stack_fn fn, void *arg)
{
    stack_call c = { .s = s, .fn = fn, .arg = arg };
    sc_session_run_sync(s, run_stack_call, &c);
    return c.rc < 0 ? sc_error_restore(&c.err) : c.rc;
}

/* The stack's own addresses, for Contact headers. */

int sc_session_local_port_for(sc_session *s, sc_transport t)
{
    switch (t) {
    case SC_TRANSPORT_UDP: return s->udp_port;
    case SC_TRANSPORT_TCP: return s->tcp_port;
    case SC_TRANSPORT_TLS: return s->tls_port;
    }
    return 0;
}

const char *sc_session_contact_host(sc_session *s)
{
    return s->bind_host;
}
