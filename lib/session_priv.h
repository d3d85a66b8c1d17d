/* The session's private structure, shared by session.c, delivery.c,
 * registration.c and ping.c. Everything under "stack thread only" is touched
 * only by the thread that currently owns the session's GMainContext. */
#ifndef SC_SESSION_PRIV_H
#define SC_SESSION_PRIV_H

#include <stdbool.h>
#include <glib.h>

#define SU_ROOT_MAGIC_T struct sc_session
#define NUA_MAGIC_T struct sc_session
#define NUA_HMAGIC_T void
#include <sofia-sip/nua.h>

#include "skypeconnect/sc_session.h"
#include "gateway_priv.h"
#include "event_priv.h"

typedef enum sc_phase {
    SC_PHASE_NEW = 0,      /* created, not started */
    SC_PHASE_RUNNING = 1,  /* stack up */
    SC_PHASE_STOPPING = 2, /* un-REGISTERing / shutting down */
    SC_PHASE_STOPPED = 3   /* stack gone; only free() remains */
} sc_phase;

typedef struct sc_reg sc_reg;   /* a gateway at run time: registration.c */

/* A callback slot: refcounted so that a callback replaced during delivery is
 * destroyed only after that delivery returns. */
typedef struct sc_cb_slot {
    sc_event_cb cb;
    void *user;
    sc_destroy_fn destroy;
    gint refs;
} sc_cb_slot;

struct sc_session {
    GMutex lock;               /* guards phase, slot, queue, pending list */
    GCond cond;                /* broadcast on every change a waiter may want */
    sc_phase phase;

    /* options (before start) */
    char *bind_host;           /* "127.0.0.1", "::1"; "0.0.0.0" when listening on all */
    int bind_port;
    bool bind_explicit;        /* sc_session_set_bind() was called: it wins */
    bool listen_any;           /* listening on every interface (listen.c) */
    char *tls_dir;
    bool tls_verify;
    int dispatch_mode;
    GMainContext *app_ctx;     /* application's context, or NULL */

    /* the stack */
    GMainContext *ctx;         /* where the stack runs */
    GThread *thread;           /* our own thread, or NULL */
    GMainLoop *loop;           /* our own thread's loop */
    su_root_t *root;
    GSource *su_source;
    nua_t *nua;
    int udp_port, tcp_port, tls_port;
    bool shutdown_sent, shutdown_done, torn_down;
    int shutdowns_pending;     /* nua_r_shutdown answers still awaited */
    int start_status;          /* result of the stack start, for start() */
    bool start_done;
    char start_err[512];       /* its detail text */
    gint64 stop_deadline;      /* monotonic time the un-REGISTERs may take */
    guint stop_timer;

    /* gateways: stack thread only once started */
    GPtrArray *regs;           /* sc_reg* */
    GPtrArray *removed;        /* sc_reg* removed, un-REGISTER in flight */
    GPtrArray *pending;        /* sc_gateway* added before start (under lock) */

    /* calls: stack thread only, except the counters */
    GHashTable *calls;         /* id -> sc_call* (a reference) */
    int next_call_id;          /* under lock */
    int answer_timeout_s;      /* under lock */
    struct sc_acl *inbound_acl;/* under lock (replaced whole) */
    struct sc_dialplan *dialplan; /* owned; set before start */
    nua_t *nua_internal;       /* the internal side (local phones), or NULL */
    char *internal_bind;       /* its address, "HOST:PORT" */
    char *internal_host;       /* its numeric host */
    int internal_port;
    struct sc_acl *internal_acl; /* who may call from the internal side (loopback by default) */

    /* events */
    sc_cb_slot *slot;          /* under lock */
    GQueue queue;              /* sc_event*: waiting for delivery (under lock) */
    guint deliver_source;      /* THREAD mode idle source id (under lock) */
    bool delivering;           /* THREAD mode: a delivery loop is running */
    int wake_fd;               /* eventfd: readable while events wait */
    bool interrupted;
};

/* session.c */
void sc_session_emit(sc_session *s, sc_event *ev);      /* takes ownership; any thread */
void sc_session_changed(sc_session *s);                 /* wake waiters */
/* Runs fn(data) on the stack thread and waits for it (at once when this
 * thread owns the stack context). Only while the stack exists. */
void sc_session_run_sync(sc_session *s, void (*fn)(void *), void *data);
int sc_session_local_port_for(sc_session *s, sc_transport t);
const char *sc_session_contact_host(sc_session *s);

/* listen.c: with no explicit bind, every interface unless all gateways are
 * on loopback (the demo and the loopback trunk). Stack thread, before the
 * port is picked. */
void sc_listen_choose(sc_session *s);
bool sc_session_listens_any(sc_session *s);

/* registration.c: stack thread only */
sc_reg *sc_reg_new(sc_session *s, const sc_gateway *gw);
void sc_reg_free(sc_reg *r);
const char *sc_reg_name(const sc_reg *r);
void sc_reg_start(sc_reg *r);
void sc_reg_register_now(sc_reg *r);
void sc_reg_unregister(sc_reg *r, int reason);
bool sc_reg_busy(const sc_reg *r);          /* an un-REGISTER still in flight */
void sc_reg_abandon(sc_reg *r);              /* drop timers and handles, no SIP */
void sc_reg_give_up(sc_reg *r);              /* at stop: unanswered un-REGISTER ends DOWN */
int sc_reg_get_state(const sc_reg *r);
int sc_reg_get_status(const sc_reg *r);
char *sc_reg_json(const sc_reg *r);
bool sc_reg_owns_handle(const sc_reg *r, nua_handle_t *nh);
void sc_reg_on_response(sc_reg *r, nua_event_t event, int status, const char *phrase,
                        nua_handle_t *nh, const sip_t *sip);

#endif
