/* The session's REGISTER window (reg_window.h): a count of REGISTERs in
 * flight and a queue of gateways waiting for a slot, served in order by an
 * idle source on the stack's context, so that a slot freed inside one
 * gateway's answer never starts another gateway's request in the middle of
 * it. */
#include "registration_priv.h"   /* first: stack.h sets Sofia's magic types */
#include "reg_window.h"
#include "timer.h"

static gboolean pump(gpointer p)
{
    sc_session *s = p;
    g_source_unref(s->reg_pump);
    s->reg_pump = NULL;
    while (s->reg_in_flight < SC_REG_WINDOW && s->reg_waiting.length) {
        sc_reg *r = g_queue_pop_head(&s->reg_waiting);
        void (*send)(sc_reg *) = r->window_send;
        r->window_send = NULL;
        /* The slot is r's now: its send enters without waiting again. */
        s->reg_in_flight++;
        r->window_granted = true;
        send(r);
    }
    return G_SOURCE_REMOVE;
}

static void pump_soon(sc_session *s)
{
    if (s->reg_pump || !s->reg_waiting.length || s->reg_in_flight >= SC_REG_WINDOW || !s->ctx) return;
    s->reg_pump = g_idle_source_new();
    g_source_set_priority(s->reg_pump, G_PRIORITY_DEFAULT);
    g_source_set_callback(s->reg_pump, pump, s, NULL);
    g_source_attach(s->reg_pump, s->ctx);
}

bool sc_reg_window_enter(sc_reg *r, bool may_wait, void (*send)(sc_reg *r))
{
    sc_session *s = r->s;
    sc_reg_window_forget(r);
    if (r->window_granted) {
        r->window_granted = false;
        return true;
    }
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

void sc_reg_window_close(sc_session *s)
{
    sc_timer_cancel(&s->reg_pump);
    g_queue_clear(&s->reg_waiting);
}
