/* The session's REGISTER window (reg_window.h): a count of REGISTERs in
 * flight and a queue of gateways waiting for a slot, served in order by
 * work posted to the stack thread (core/stack_post.c), so that a slot freed
 * inside one gateway's answer never starts another gateway's request in the
 * middle of it. Posted, not a GLib idle source: each GLib turn walks every
 * source of the context, and a thousand gateways have a thousand timers. */
#include "registration_priv.h"   /* first: stack.h sets Sofia's magic types */
#include "reg_window.h"

/* Sends waiting gateways in order while fewer than `limit` are in flight. */
static void send_waiting(sc_session *s, int limit)
{
    while (s->reg_in_flight < limit && s->reg_waiting.length) {
        sc_reg *r = g_queue_pop_head(&s->reg_waiting);
        void (*send)(sc_reg *) = r->window_send;
        r->window_send = NULL;
        s->reg_in_flight++;   /* the slot is r's now */
        send(r);
    }
}

static void pump(sc_session *s, sc_stack_post *w)
{
    (void)w;
    s->reg_pump_posted = false;
    send_waiting(s, SC_REG_WINDOW);
}

static void free_pump(sc_stack_post *w)
{
    g_free(w);
}

static void pump_soon(sc_session *s)
{
    sc_stack_post *w;
    if (s->reg_pump_posted || !s->reg_waiting.length || s->reg_in_flight >= SC_REG_WINDOW) return;
    s->reg_pump_posted = true;
    w = g_new0(sc_stack_post, 1);
    w->run = pump;
    w->free = free_pump;
    sc_session_post(s, w);
}

bool sc_reg_window_enter(sc_reg *r, bool may_wait, void (*send)(sc_reg *r))
{
    sc_session *s = r->s;
    sc_reg_window_forget(r);
    /* Those already waiting go first. */
    if (may_wait && (s->reg_in_flight >= SC_REG_WINDOW || s->reg_waiting.length)) {
        r->window_send = send;
        g_queue_push_tail(&s->reg_waiting, r);
        pump_soon(s);
        return false;
    }
    s->reg_in_flight++;
    return true;
}

void sc_reg_window_leave(sc_reg *r)
{
    sc_session *s = r->s;
    if (s->reg_in_flight > 0) s->reg_in_flight--;
    pump_soon(s);
}

void sc_reg_window_forget(sc_reg *r)
{
    if (!r->window_send) return;
    g_queue_remove(&r->s->reg_waiting, r);
    r->window_send = NULL;
}

bool sc_reg_window_waiting(const sc_reg *r)
{
    return r->window_send != NULL;
}

void sc_reg_window_flush(sc_session *s)
{
    send_waiting(s, G_MAXINT);
}

void sc_reg_window_close(sc_session *s)
{
    g_queue_clear(&s->reg_waiting);
}
