/* The session's events: the queue, delivery on the stack's thread
 * (SC_DISPATCH_THREAD) or to the application's calls (SC_DISPATCH_QUEUE),
 * the wake descriptor, and the application's callback slot. Any file that
 * has something to tell the application calls sc_session_emit(). */
#include <string.h>
#include <unistd.h>

#include "stack.h"   /* first: it sets Sofia's magic types */
#include "error_priv.h"

SC_API int sc_session_set_event_cb(sc_session *s, sc_event_cb cb, void *user, sc_destroy_fn destroy)
{
    if (!s) {
        if (destroy) destroy(user);
        return sc_fail(SC_EINVAL, "sc_session_set_event_cb: session is NULL");
    }
    sc_cb_slot_replace(&s->slot, &s->lock, sc_cb_slot_new((sc_any_fn)cb, user, destroy));
    sc_clear_error();
    return SC_OK;
}

/* Under s->lock: the oldest event waiting, or NULL. */
static sc_event *pop_event(sc_session *s)
{
    sc_fifo_link *l = sc_fifo_pop(&s->queue);
    return l ? SC_FIFO_ITEM(l, sc_event, link) : NULL;
}

void sc_session_events_drop(sc_session *s)
{
    sc_event *ev;
    while ((ev = pop_event(s))) sc_event_free(ev);
}

static void deliver_one(sc_session *s, sc_event *ev)
{
    sc_cb_slot *slot = sc_cb_slot_get(&s->slot, &s->lock);
    if (slot) {
        ((sc_event_cb)slot->cb)(s, ev, slot->user);
        sc_cb_slot_unref(slot);
    }
    sc_event_free(ev);
}

/* THREAD mode: one source per session on the stack's context drains the
 * queue. It is made once and armed (ready time 0) by the emit that finds
 * the queue unarmed, not created and attached for each batch: a new idle
 * source per batch cost more than the delivery itself. A nested call (a
 * callback iterating the context) returns at once: the outer delivery goes
 * on draining, so events keep their order. */
static gboolean deliver_queued(gpointer p)
{
    sc_session *s = p;
    sc_event *ev;
    g_mutex_lock(&s->lock);
    s->deliver_armed = false;
    if (s->delivering) {
        g_mutex_unlock(&s->lock);
        return G_SOURCE_CONTINUE;
    }
    s->delivering = true;
    while ((ev = pop_event(s))) {
        g_mutex_unlock(&s->lock);
        deliver_one(s, ev);
        g_mutex_lock(&s->lock);
    }
    s->delivering = false;
    g_mutex_unlock(&s->lock);
    return G_SOURCE_CONTINUE;
}

/* Disarms before draining: an event emitted from here on arms it again. */
static gboolean deliver_dispatch(GSource *src, GSourceFunc cb, gpointer user)
{
    g_source_set_ready_time(src, -1);
    return cb(user);
}

static GSourceFuncs deliver_funcs = { .dispatch = deliver_dispatch };

static void deliver_tick(sc_session *s, su_timer_t *t, void *unused)
{
    (void)t;
    (void)unused;
    deliver_queued(s);
}

/* Under s->lock, THREAD mode, with a context. On the stack thread, while
 * the root lives, a Sofia timer due at once: it fires in the same turn of
 * Sofia's loop, after the Sofia event that emitted, and wakes nothing. From
 * any other thread, the context's source. */
static void deliver_arm(sc_session *s)
{
    if (s->deliver_armed) return;
    if (s->deliver_timer && sc_session_on_stack_thread(s) &&
        su_timer_set_interval(s->deliver_timer, deliver_tick, NULL, 0) == 0) {
        s->deliver_armed = true;
        return;
    }
    if (!s->deliver_src) {
        /* The context owns it; sc_session_free() destroys it by id. */
        GSource *src = g_source_new(&deliver_funcs, sizeof(GSource));
        g_source_set_priority(src, G_PRIORITY_DEFAULT);
        g_source_set_callback(src, deliver_queued, s, NULL);
        g_source_set_ready_time(src, -1);
        s->deliver_source = g_source_attach(src, s->ctx);
        s->deliver_src = src;
        g_source_unref(src);
    }
    s->deliver_armed = true;
    g_source_set_ready_time(s->deliver_src, 0);
}

void sc_session_deliver_on_root(sc_session *s, bool on)
{
    g_mutex_lock(&s->lock);
    if (on && !s->deliver_timer && s->dispatch_mode == SC_DISPATCH_THREAD) {
        s->deliver_timer = su_timer_create(su_root_task(s->root), 0);
    } else if (!on && s->deliver_timer) {
        su_timer_destroy(s->deliver_timer);
        s->deliver_timer = NULL;
        if (s->deliver_armed) {
            /* Its drain will not come: the context's source takes over. */
            s->deliver_armed = false;
            if (s->queue.length && s->ctx) deliver_arm(s);
        }
    }
    g_mutex_unlock(&s->lock);
}

void sc_session_deliver_queued(sc_session *s)
{
    deliver_queued(s);
}

static void wake_fd_set(sc_session *s)
{
    uint64_t one = 1;
    if (write(s->wake_fd, &one, sizeof one) < 0) { /* counter full: already readable */ }
}

static void wake_fd_clear(sc_session *s)
{
    uint64_t v;
    if (read(s->wake_fd, &v, sizeof v) < 0) { /* EAGAIN: already clear */ }
}

void sc_session_emit(sc_session *s, sc_event *ev)
{
    if (sc_log_enabled(SC_LOG_INFO)) {
        char *text = sc_event_to_text(ev);
        sc_log(SC_LOG_INFO, "%s", text);
        g_free(text);
    }
    g_mutex_lock(&s->lock);
    sc_fifo_push(&s->queue, &ev->link);
    if (s->dispatch_mode == SC_DISPATCH_QUEUE) {
        if (s->queue.length == 1) wake_fd_set(s);
        g_cond_broadcast(&s->cond);
    } else if (s->ctx) {
        deliver_arm(s);
    }
    g_mutex_unlock(&s->lock);
}

static bool queue_ready(sc_session *s)
{
    return s->queue.length > 0 || s->interrupted;
}

static int check_queue_mode(sc_session *s, const char *what)
{
    if (!s) return sc_fail(SC_EINVAL, "%s: session is NULL", what);
    if (s->dispatch_mode != SC_DISPATCH_QUEUE)
        return sc_fail(SC_ESTATE, "%s: the session delivers events on its thread (SC_DISPATCH_THREAD)", what);
    return SC_OK;
}

static gint64 deadline_for(int timeout_ms)
{
    if (timeout_ms < 0) return G_MAXINT64;
    return g_get_monotonic_time() + (gint64)timeout_ms * 1000;
}

/* Pops the next event or NULL, after waiting; the queue-mode core. */
static sc_event *queue_pop(sc_session *s, int timeout_ms)
{
    gint64 deadline = deadline_for(timeout_ms);
    sc_event *ev = NULL;
    g_mutex_lock(&s->lock);
    while (!queue_ready(s))
        if (!g_cond_wait_until(&s->cond, &s->lock, deadline)) break;
    if (s->interrupted) {
        s->interrupted = false;
    } else {
        ev = pop_event(s);
    }
    if (s->queue.length == 0) wake_fd_clear(s);
    g_mutex_unlock(&s->lock);
    return ev;
}

SC_API int sc_session_dispatch(sc_session *s, int timeout_ms)
{
    int n = 0, rc = check_queue_mode(s, "sc_session_dispatch");
    sc_event *ev;
    if (rc) return rc;
    ev = queue_pop(s, timeout_ms);
    while (ev) {
        deliver_one(s, ev);
        n++;
        ev = queue_pop(s, 0);
    }
    sc_clear_error();
    return n;
}

SC_API sc_event *sc_session_next_event(sc_session *s, int timeout_ms)
{
    if (check_queue_mode(s, "sc_session_next_event")) return NULL;
    sc_clear_error();
    return queue_pop(s, timeout_ms);
}

SC_API int sc_session_event_fd(sc_session *s)
{
    if (!s) return sc_fail(SC_EINVAL, "sc_session_event_fd: session is NULL");
    return s->wake_fd;
}

SC_API void sc_session_interrupt(sc_session *s)
{
    if (!s) return;
    g_mutex_lock(&s->lock);
    s->interrupted = true;
    wake_fd_set(s);
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
}
