/* How a call control reaches the stack thread without waiting for it.
 *
 * On the thread that owns the stack's context (an event callback in
 * SC_DISPATCH_THREAD mode, or the application's own context) the work runs
 * at once and its status is returned. From any other thread, what can be
 * decided there is decided under the call's lock (claim()), with the status
 * and text the stack thread would give; the SIP work is then posted to the
 * stack thread and the caller returns SC_OK. The posted work's outcome,
 * success or failure, arrives as an SC_EVENT_CALL_CONTROL event. */
#include <string.h>

#include "calls_priv.h"
#include "error_priv.h"

/* ------------------------------------------------------------------ */
/* Mirrors for other threads (set on the stack thread) */

void sc_call_take_final(sc_call *c)
{
    c->final_sent = true;
    g_mutex_lock(&c->lock);
    c->final_taken = true;
    g_mutex_unlock(&c->lock);
}

void sc_call_set_routed(sc_call *c, bool routed)
{
    c->routed = routed;
    g_mutex_lock(&c->lock);
    c->dialplan_owned = routed;
    g_mutex_unlock(&c->lock);
}

void sc_call_take_hangup(sc_call *c)
{
    g_mutex_lock(&c->lock);
    c->hangup_taken = true;
    g_mutex_unlock(&c->lock);
}

int sc_call_op_fail(const sc_call_op *op, int rc, const char *msg)
{
    return sc_fail(rc, "%s: call %d: %s", op->what, op->c->id, msg);
}

/* ------------------------------------------------------------------ */
/* Deciding on the caller's thread */

/* The reason another thread refuses op now, or NULL. Under the call's
 * lock. The texts are the stack thread's (sc_call_inbound_open() and the
 * controls' own checks). */
static const char *refusal(sc_call *c, sc_op_claim what)
{
    if (c->state == SC_CALL_ENDED || c->hangup_taken) return "the call has ended";
    switch (what) {
    case SC_CLAIM_OPEN:
    case SC_CLAIM_FINAL:
        if (c->direction != SC_CALL_INBOUND) return "not an inbound call";
        if (c->dialplan_owned) return "the dialplan is handling this call";
        if (c->final_taken) return "the call was answered or rejected already";
        return NULL;
    case SC_CLAIM_MEDIA:
        if (c->state != SC_CALL_ANSWERED && c->state != SC_CALL_HELD && c->state != SC_CALL_EARLY)
            return "DTMF needs an answered call (or early media)";
        return NULL;
    case SC_CLAIM_ANSWERED:
        if (c->state != SC_CALL_ANSWERED && c->state != SC_CALL_HELD) return "hold needs an answered call";
        return NULL;
    default:
        return NULL;
    }
}

/* SC_OK: post it. 1: nothing to post (a second hangup). Else the failure.
 * SC_CLAIM_FINAL and SC_CLAIM_HANGUP take what they claim, so that a second
 * answer, or an answer after a rejection, is refused here too. */
static int claim(const sc_call_op *op, sc_op_claim what)
{
    sc_call *c = op->c;
    const char *why;
    int rc = SC_OK;
    g_mutex_lock(&c->lock);
    if (what == SC_CLAIM_HANGUP) {
        /* As on the stack thread: hanging up an ending call does nothing. */
        if (c->hangup_taken || c->state == SC_CALL_ENDED) rc = 1;
        c->hangup_taken = true;
        g_mutex_unlock(&c->lock);
        return rc;
    }
    why = refusal(c, what);
    if (!why && what == SC_CLAIM_FINAL) c->final_taken = true;
    g_mutex_unlock(&c->lock);
    return why ? sc_call_op_fail(op, SC_ESTATE, why) : SC_OK;
}

/* ------------------------------------------------------------------ */
/* The posted work */

sc_session *sc_call_session(sc_call *c)
{
    sc_session *s;
    g_mutex_lock(&c->lock);
    s = c->s;
    g_mutex_unlock(&c->lock);
    return s;
}

/* The work and its SC_EVENT_CALL_CONTROL event (stack thread). A call
 * its session has let go of is not worked on. */
static void run_posted(sc_session *poster, sc_stack_post *p)
{
    sc_posted *w = (sc_posted *)p;
    sc_session *s = sc_call_session(w->c);
    sc_event *ev;
    int rc;
    (void)poster;
    if (!s) return;
    rc = w->run(s, w);
    ev = sc_event_new_for_call(SC_EVENT_CALL_CONTROL, w->c, w->c->gateway, NULL, NULL);
    ev->control = w->control;
    ev->result = rc < 0 ? rc : SC_OK;
    if (rc < 0) {
        sc_event_set_text(&ev->message, sc_last_error());
        sc_log(SC_LOG_INFO, "%s (posted from another thread)", sc_last_error());
    }
    sc_session_emit(s, ev);
}

static void free_posted(sc_stack_post *p)
{
    sc_posted *w = (sc_posted *)p;
    sc_call *c = w->c;
    w->free(w);
    sc_call_unref(c);
}

void sc_call_post(sc_session *s, sc_posted *w)
{
    w->base.run = run_posted;
    w->base.free = free_posted;
    sc_session_post(s, &w->base);
}

/* A control request posted: its own copies of what the caller lent. */
typedef struct posted_op {
    sc_posted w;           /* first */
    sc_call_op op;
    sc_stack_fn fn;
    char *text;
    short *pcm;
} posted_op;

static int run_op(sc_session *s, sc_posted *w)
{
    posted_op *po = (posted_op *)w;
    int rc = po->fn(s, &po->op);
    if (rc < 0) {
        /* A final answer claimed but not sent (media off, ...): the next
         * answer from another thread may try again. */
        g_mutex_lock(&po->op.c->lock);
        po->op.c->final_taken = po->op.c->final_sent;
        g_mutex_unlock(&po->op.c->lock);
    }
    return rc;
}

static void free_op(sc_posted *w)
{
    posted_op *po = (posted_op *)w;
    g_free(po->text);
    g_free(po->pcm);
    g_free(po);
}

/* ------------------------------------------------------------------ */
/* Entry points */

/* The call's session, if the call can still be controlled; else fails. */
static sc_session *live_session(sc_call *c, const char *what)
{
    sc_session *s;
    int state;
    if (!c) {
        sc_fail(SC_EINVAL, "%s: call is NULL", what);
        return NULL;
    }
    g_mutex_lock(&c->lock);
    s = c->s;
    state = c->state;
    g_mutex_unlock(&c->lock);
    if (state == SC_CALL_ENDED) {
        sc_fail(SC_ESTATE, "%s: call %d has ended", what, c->id);
        return NULL;
    }
    if (!s || !s->ctx) {
        sc_fail(SC_ECLOSED, "%s: call %d: its session is gone", what, c->id);
        return NULL;
    }
    return s;
}

int sc_call_run_op(sc_call *c, const char *what, sc_stack_fn fn, sc_call_op *op)
{
    sc_session *s = live_session(c, what);
    int rc;
    if (!s) return sc_last_status();
    op->c = c;
    op->what = what;
    rc = sc_session_call_on_stack(s, fn, op);
    if (rc == SC_OK) sc_clear_error();
    return rc;
}

int sc_call_post_op(sc_call *c, const char *what, sc_stack_fn fn, sc_call_op *op, sc_op_claim what_claim)
{
    sc_session *s = live_session(c, what);
    posted_op *po;
    int rc;
    if (!s) return sc_last_status();
    op->c = c;
    op->what = what;
    if (sc_session_acquire_stack(s)) {
        /* The stack's own thread (or nobody runs the stack any more): now. */
        rc = fn(s, op);
        g_main_context_release(s->ctx);
        if (rc == SC_OK) sc_clear_error();
        return rc;
    }
    if ((rc = claim(op, what_claim))) {
        if (rc == 1) rc = SC_OK, sc_clear_error();
        return rc;
    }
    po = g_new0(posted_op, 1);
    po->w = (sc_posted){ .c = sc_call_ref(c), .control = what, .run = run_op, .free = free_op };
    po->op = *op;
    po->op.text = po->text = g_strdup(op->text);
    if (op->pcm) po->op.pcm = po->pcm = g_memdup2(op->pcm, op->samples * sizeof *op->pcm);
    po->fn = fn;
    sc_call_post(s, &po->w);
    sc_clear_error();
    return SC_OK;
}
