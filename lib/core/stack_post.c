/* Work posted to the stack thread by a thread that does not wait for it.
 *
 * A call control from another thread (calls/call_post.c) and a gateway
 * added from another thread (gateway/session_gateways.c) decide on the
 * caller's thread what can be decided there, then post the rest here and
 * return. Posts wait in one queue of the session's, in order. On our own
 * thread's native root an eventfd wakes Sofia's loop: cheaper than a GLib
 * source per post. Otherwise (an application's context, or our own thread
 * before its root runs or after the stop) one idle source at a time wakes
 * the context. Either way every synchronous call runs what waits first
 * (stack.c), whichever thread makes it, so a thread that posts and then asks
 * sees its own post done, and so does the application's own thread. */
#include <unistd.h>
#include <sys/eventfd.h>

#include "stack.h"   /* first: it sets Sofia's magic types */

/* Under s->lock (or alone with the session at its end). */
static sc_stack_post *pop_post(sc_session *s)
{
    sc_fifo_link *l = sc_fifo_pop(&s->posted);
    return l ? SC_FIFO_ITEM(l, sc_stack_post, link) : NULL;
}

static void run_one(sc_stack_post *w)
{
    w->run(w->s, w);
    w->free(w);
}

void sc_session_run_posted(sc_session *s)
{
    sc_stack_post *w;
    for (;;) {
        g_mutex_lock(&s->lock);
        w = pop_post(s);
        g_mutex_unlock(&s->lock);
        if (!w) return;
        run_one(w);
    }
}

static int on_post_fd(sc_session *s, su_wait_t *wait, void *unused)
{
    uint64_t n;
    (void)wait;
    (void)unused;
    if (read(s->post_fd, &n, sizeof n) < 0) { /* EAGAIN: a synchronous call ran them already */ }
    sc_session_run_posted(s);
    return 0;
}

void sc_session_post_on_root(sc_session *s, bool on)
{
    if (on && s->post_fd < 0) {
        su_wait_t wait = { .events = SU_WAIT_IN };
        wait.fd = s->post_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        s->post_reg = s->post_fd < 0 ? -1 : su_root_register(s->root, &wait, on_post_fd, NULL, 0);
        if (s->post_reg < 0) {
            /* The context's sources still carry every post. */
            if (s->post_fd >= 0) close(s->post_fd);
            s->post_fd = -1;
            return;
        }
        g_mutex_lock(&s->lock);
        s->post_on_root = true;
        g_mutex_unlock(&s->lock);
    } else if (!on && s->post_fd >= 0) {
        g_mutex_lock(&s->lock);
        s->post_on_root = false;
        g_mutex_unlock(&s->lock);
        su_root_deregister(s->root, s->post_reg);
        close(s->post_fd);
        s->post_fd = -1;
        sc_session_run_posted(s);
    }
}

static gboolean run_posted_idle(gpointer p)
{
    sc_session *s = p;
    g_mutex_lock(&s->lock);
    g_clear_pointer(&s->post_idle, g_source_unref);   /* GLib holds its own during dispatch */
    g_mutex_unlock(&s->lock);
    sc_session_run_posted(s);
    return G_SOURCE_REMOVE;
}

void sc_session_post(sc_session *s, sc_stack_post *w)
{
    w->s = s;
    g_mutex_lock(&s->lock);
    sc_fifo_push(&s->posted, &w->link);
    /* Under the lock: the descriptor cannot be closed meanwhile, nor the
     * idle source dropped. One wake-up for a queue that was empty. */
    if (s->posted.length == 1) {
        uint64_t one = 1;
        if (s->post_on_root) {
            if (write(s->post_fd, &one, sizeof one) < 0) { /* counter full: already readable */ }
        } else if (!s->post_idle) {
            s->post_idle = g_idle_source_new();
            g_source_set_priority(s->post_idle, G_PRIORITY_DEFAULT);
            g_source_set_callback(s->post_idle, run_posted_idle, s, NULL);
            g_source_attach(s->post_idle, s->ctx);
        }
    }
    g_mutex_unlock(&s->lock);
}

void sc_session_posts_drop(sc_session *s)
{
    GSource *idle;
    sc_stack_post *w;
    g_mutex_lock(&s->lock);
    idle = g_steal_pointer(&s->post_idle);
    g_mutex_unlock(&s->lock);
    if (idle) {
        g_source_destroy(idle);
        g_source_unref(idle);
    }
    while ((w = pop_post(s))) w->free(w);
}
