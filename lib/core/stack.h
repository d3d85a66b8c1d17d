/* The session as every layer from core/ up sees it: struct sc_session, and
 * running work on its stack (stack.c) and telling the application
 * (event_queue.c). Everything under "stack thread only" is touched only by
 * the thread that currently owns the session's GMainContext. */
#ifndef SC_CORE_STACK_H
#define SC_CORE_STACK_H

#include <stdbool.h>
#include <glib.h>

#define SU_ROOT_MAGIC_T struct sc_session
#define NUA_MAGIC_T struct sc_session
#define NUA_HMAGIC_T void
#include <sofia-sip/nua.h>

#include "skypeconnect/sc_session.h"
#include "gateway_priv.h"
#include "event_priv.h"
#include "cb_slot.h"
#include "error_priv.h"

typedef enum sc_phase {
    SC_PHASE_NEW = 0,      /* created, not started */
    SC_PHASE_RUNNING = 1,  /* stack up */
    SC_PHASE_STOPPING = 2, /* un-REGISTERing / shutting down */
    SC_PHASE_STOPPED = 3   /* stack gone; only free() remains */
} sc_phase;

typedef struct sc_reg sc_reg;   /* a gateway at run time: registration.c */

/* The first field of anything given to a nua handle as its magic, so that
 * the session's callback can tell what a handle serves without a search. */
typedef enum sc_handle_kind {
    SC_HANDLE_CALL = 0x43414c4c,   /* an sc_call */
    SC_HANDLE_REG = 0x52454753,    /* an sc_reg: its REGISTER handle */
} sc_handle_kind;

struct sc_session {
    GMutex lock;               /* guards phase, slot, queue, pending list */
    GCond cond;                /* broadcast on every change a waiter may want */
    sc_phase phase;

    /* options (before start) */
    char *bind_host;           /* "127.0.0.1", "::1"; "0.0.0.0" when listening on all */
    int bind_port;
    bool bind_explicit;        /* sc_session_set_bind() was called: it wins */
    int udp_rmem;              /* SIP UDP receive buffer asked of the kernel; 0: its default */
    bool listen_any;           /* listening on every interface (listen.c) */
    char *tls_dir;
    bool tls_verify;
    int dispatch_mode;
    GMainContext *app_ctx;     /* application's context, or NULL */

    /* the stack */
    GMainContext *ctx;         /* where the stack runs */
    GThread *thread;           /* our own thread, or NULL (stored under lock before it runs) */
    GMainLoop *loop;           /* our own thread's loop */
    su_root_t *root;
    GSource *su_source;        /* the root's GSource on the application's context */
    struct sc_glib_bridge *bridge; /* own thread: the context runs inside Sofia's loop */
    bool su_running;           /* own thread: inside su_root_run() (stack thread only) */
    bool quit;                 /* own thread: sc_session_free() ends it (stack thread only) */
    nua_t *nua;
    int udp_port, tcp_port, tls_port;
    bool shutdown_sent, shutdown_done, torn_down;
    bool stopping_now;         /* inside the shutdown step (guards re-entry) */
    int shutdowns_pending;     /* nua_r_shutdown answers still awaited */
    int start_status;          /* result of the stack start, for start() */
    bool start_done;
    bool starting;             /* sc_session_start() has not returned yet */
    GThread *starter;          /* the thread inside sc_session_start() */
    sc_error_state start_error;/* its failure, carried to the starting thread */
    gint64 stop_deadline;      /* monotonic time the un-REGISTERs may take */
    GSource *stop_flush_timer;    /* half the stop's time: waiting un-REGISTERs go */
    GSource *stop_deadline_timer; /* the stop's end: Sofia shuts down, answered or not */
    /* Set by the session layer while stopping: lower layers call it (through
     * sc_session_stop_check) when something they waited on settled outside
     * a stack event, e.g. an un-REGISTER given up on by our own timer. */
    void (*stop_check)(sc_session *s);

    /* gateways: stack thread only once started */
    GPtrArray *regs;           /* sc_reg* */
    GPtrArray *removed;        /* sc_reg* removed, un-REGISTER in flight */
    int reg_in_flight;         /* REGISTERs waiting for answers (gateway/reg_window.c) */
    GQueue reg_waiting;        /* ... sc_reg* waiting for a slot, in order */
    bool reg_pump_posted;      /* ... the next ones' send is posted (stack_post.c) */
    GPtrArray *pending;        /* sc_gateway* added before start (under lock) */
    GHashTable *gw_names;      /* names added and not removed, pending or running: another thread
                                * refuses a second one without waiting (under lock) */
    GHashTable *gw_board;      /* name -> sc_reg*, for other threads (under lock; gw_board.c) */

    /* calls: stack thread only, except the counters */
    GHashTable *calls;         /* id -> sc_call* (a reference) */
    GHashTable *channels;      /* gateway name -> calls on it, dials posted included (under lock) */
    int next_call_id;          /* under lock */
    int answer_timeout_s;      /* under lock */
    bool draining;             /* under lock: new inbound calls get 503 (calls/drain.c) */
    struct sc_acl *inbound_acl;/* under lock (replaced whole) */
    struct sc_dialplan *dialplan; /* owned; set before start */
    nua_t *nua_internal;       /* the internal side (local phones), or NULL */
    char *internal_bind;       /* its address, "HOST:PORT" */
    char *internal_host;       /* its numeric host */
    int internal_port;
    struct sc_acl *internal_acl; /* who may call from the internal side (loopback by default) */

    /* media (issue #13): the engine is made at start when media_on, freed
     * after the last call ended; core/ only carries the pointer */
    bool media_on;             /* set before start */
    struct sc_media_engine *media_engine; /* stack thread only */

    /* events */
    sc_cb_slot *slot;          /* under lock */
    sc_fifo queue;             /* sc_event: waiting for delivery (under lock) */
    guint deliver_source;      /* THREAD mode delivery source id (under lock) */
    GSource *deliver_src;      /* ... the source itself, made once, owned by ctx */
    int state_waiters;         /* threads in sc_session_wait_until() (under lock) */
    sc_fifo posted;            /* sc_stack_post from other threads (under lock; stack_post.c) */
    bool post_on_root;         /* own thread's native root: post_fd wakes Sofia's loop for them (under lock) */
    int post_fd, post_reg;     /* ... the eventfd and its registration with the root */
    GSource *post_idle;        /* else: the idle source that wakes the context for them (under lock) */
    su_timer_t *deliver_timer; /* ... or a Sofia timer, on the stack thread while the root lives */
    bool deliver_armed;        /* ... its ready time is set: a drain is due */
    bool delivering;           /* THREAD mode: a delivery loop is running */
    int wake_fd;               /* eventfd: readable while events wait */
    bool interrupted;
};

/* event_queue.c */
void sc_session_emit(sc_session *s, sc_event *ev);      /* takes ownership; any thread */
/* SC_DISPATCH_THREAD: delivers the waiting events now, on the stack thread
 * (the stop's last events, before the phase says STOPPED). */
void sc_session_deliver_queued(sc_session *s);
/* sc_session_free(): the events never delivered are freed. */
void sc_session_events_drop(sc_session *s);

/* SC_DISPATCH_THREAD: on (after the root is made), deliveries armed on the
 * stack thread use a Sofia timer instead of waking the GLib context; off
 * (before the root goes), they fall back to the context's source. Stack
 * thread. */
void sc_session_deliver_on_root(sc_session *s, bool on);

/* stack.c */
/* Whether the stack runs (RUNNING or STOPPING): work may be posted to it.
 * Takes and releases the lock. */
bool sc_session_stack_exists(sc_session *s);
void sc_session_changed(sc_session *s);                 /* wake waiters */
/* Lets a stopping session see that a registration settled (no-op otherwise). */
void sc_session_stop_check(sc_session *s);
/* Runs fn(data) on the stack thread and waits for it (at once when this
 * thread owns the stack context). Only while the stack exists. */
void sc_session_run_sync(sc_session *s, void (*fn)(void *), void *data);
/* Takes the stack's context for this thread when stack work may run here
 * now: the stack's own thread, or nobody runs it any more (the caller
 * releases it). False when another thread runs it: post instead. A start
 * still under way on another thread is waited for first, as by
 * sc_session_run_sync(). */
bool sc_session_acquire_stack(sc_session *s);
/* Whether the calling thread is the one running the stack: the session's
 * own thread, or (on the application's context) the thread that owns that
 * context now. Not "nobody runs it any more": that is what acquiring the
 * context tells (calls/call_post.c). Takes no lock. */
bool sc_session_on_stack_thread(sc_session *s);
/* Runs fn(s, arg) on the stack thread and returns what it returns. fn
 * reports a failure as `return sc_fail(...)` (a negative status): the
 * status and its text become the calling thread's last error. Only while
 * the stack exists. */
typedef int (*sc_stack_fn)(sc_session *s, void *arg);
int sc_session_call_on_stack(sc_session *s, sc_stack_fn fn, void *arg);
/* Waits until pred(s) holds (checked under the lock) or the deadline passes,
 * iterating the stack's context when this thread may. */
bool sc_session_wait_until(sc_session *s, bool (*pred)(void *session), gint64 deadline);
int sc_session_local_port_for(sc_session *s, sc_transport t);
const char *sc_session_contact_host(sc_session *s);

/* stack_post.c: work another thread posts to the stack thread and does
 * not wait for: the first member of the poster's own struct. run runs on
 * the stack thread; free frees the struct after it, or without it when the
 * session's context goes first. */
typedef struct sc_stack_post {
    sc_fifo_link link;                                   /* in s->posted */
    sc_session *s;                                       /* set by sc_session_post() */
    void (*run)(sc_session *s, struct sc_stack_post *w);
    void (*free)(struct sc_stack_post *w);
} sc_stack_post;
/* Any thread. */
void sc_session_post(sc_session *s, sc_stack_post *w);
/* Stack thread: runs what waits, in order (before any synchronous call). */
void sc_session_run_posted(sc_session *s);
/* sc_session_free(): an idle waker still attached goes (an application's
 * context outlives the session), and what still waits is freed unrun. */
void sc_session_posts_drop(sc_session *s);
/* On our own thread's native root: an eventfd wakes Sofia's loop for posts.
 * Start after the root is made, stop before the nua goes (what waits then
 * runs at once). Stack thread. */
void sc_session_post_on_root(sc_session *s, bool on);

/* gw_board.c: the running gateways by name, for other threads. put and
 * drop take the session lock; find is called with it held. */
void sc_gw_board_put(sc_session *s, const char *name, void *reg);
void sc_gw_board_drop(sc_session *s, const char *name, void *reg);   /* only if name still means reg */
void *sc_gw_board_find(sc_session *s, const char *name);

#endif
