/* The loopback trunk's private structure, shared by trunk.c (life cycle,
 * thread, public API), trunk_sip.c (registrar and calls on Sofia) and
 * trunk_log.c (the log).
 *
 * Threads: Sofia and everything marked "trunk thread" are touched only by
 * the trunk's own thread, which owns t->ctx. Public functions post work there
 * (sc_trunk_run_sync). Data the public getters read without a round trip
 * (settings, bindings, counters, log) is under t->lock. */
#ifndef SC_TRUNK_INT_H
#define SC_TRUNK_INT_H

#include <stdbool.h>
#include <glib.h>

/* Our own magic types: this header must never meet core/stack.h in one
 * translation unit (both define Sofia's magic). */
#define SU_ROOT_MAGIC_T struct sc_trunk
#define NUA_MAGIC_T struct sc_trunk
#define NUA_HMAGIC_T struct trunk_call
#include <sofia-sip/nua.h>

#include "skypeconnect/sc_trunk.h"
#include "digest.h"
#include "error_priv.h"

#define SC_TRUNK_NONCE_TTL_S 300     /* nonces older than this earn stale=true */
#define SC_TRUNK_LOG_MAX 10000       /* entries kept; older ones are dropped */
#define SC_TRUNK_PARKED_MAX 256      /* unanswered requests kept (fault silent) */
#define SC_TRUNK_REG_HANDLES_MAX 1024 /* REGISTER handles kept (see trunk_reg) */

typedef enum trunk_call_state {
    TC_PENDING = 0,   /* received (or sent): no answer yet */
    TC_RINGING = 1,   /* 180 sent (dial-out) or received (placed) */
    TC_UP = 2,        /* 200 OK: the call is up */
    TC_ENDED = 3      /* a final failure went out; terminated state pending */
} trunk_call_state;

/* What a bound nua handle serves: the first field of both structures. */
typedef enum trunk_handle_kind {
    TH_CALL = 0x43414c4c,
    TH_REGISTER = 0x52454749
} trunk_handle_kind;

/* One INVITE dialog, either way. Bound to its nua handle; trunk thread only. */
typedef struct trunk_call {
    trunk_handle_kind kind;   /* TH_CALL */
    struct sc_trunk *t;
    nua_handle_t *nh;
    bool placed;            /* the trunk called a registered user (we are the UAC) */
    bool relay;             /* one leg of a PSTN caller's call relayed to a registered user */
    struct trunk_call *peer;/* relay: the other leg (NULL once it is gone) */
    int state;              /* trunk_call_state */
    bool live;              /* counted in "active" */
    bool hanging_up;        /* BYE / CANCEL / final answer sent by us */
    GSource *ring_timer;    /* dial-out: answers when it fires */
    char *number;           /* dial-out: Request-URI user; placed: the callee's AOR */
    char *ruri, *from, *to; /* as logged */
} trunk_call;

/* A REGISTER's handle, kept per Call-ID. nua gives every answer a To tag
 * and ties it to the handle's leg; clients (Sofia's nua among them) send
 * their refresh, 423 retry and un-REGISTER with that To tag, which nua
 * refuses with 481 once the handle is gone. So the handle stays until the
 * binding is removed, a newer REGISTER of the Call-ID arrives, or stop.
 * Bound as hmagic (a trunk_call pointer by type: tell by kind). */
typedef struct trunk_reg {
    trunk_handle_kind kind;   /* TH_REGISTER */
    nua_handle_t *nh;
    char *call_id;
} trunk_reg;

/* A registration: one Contact per AOR (the latest REGISTER wins). */
typedef struct trunk_binding {
    char *contact;          /* URI text with its parameters (gw=, transport=) */
    int granted;            /* seconds */
    gint64 expires_at;      /* monotonic microseconds */
} trunk_binding;

struct sc_trunk {
    GMutex lock;
    GCond cond;             /* broadcast on every change a waiter may want */

    /* immutable after sc_trunk_new() */
    char *host;             /* "127.0.0.1", "::1" */
    char *uri_host;         /* "127.0.0.1", "[::1]" */
    int port;
    char *address;          /* "127.0.0.1:5080", "[::1]:5080" */
    char *realm;            /* digest realm: the host */
    char *user, *password;  /* the one account (the password never leaves this struct) */
    char secret[33];        /* nonce MAC key */
    char *sdp;              /* what the trunk offers and answers */
    gint64 started_us;

    /* settings: under lock */
    int fault, fault_param;
    int expires;
    int ring_seconds;
    int nonce_ttl_s;

    /* registrar: under lock */
    GHashTable *bindings;   /* AOR user -> trunk_binding* */
    GHashTable *interval_done; /* Contacts that had their 423 */

    /* counters: under lock */
    int n_register, n_invite, n_answered, n_active, n_calls;

    /* log: under lock */
    GQueue log;             /* char* lines */
    guint64 log_seq;

    /* the stack: trunk thread only (start_* and shutdown_done under lock) */
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    su_root_t *root;
    GSource *su_source;
    nua_t *nua;
    GList *calls;           /* trunk_call* */
    GQueue parked;          /* nua_handle_t*: requests the silent fault left unanswered */
    GHashTable *reg_handles;/* Call-ID -> trunk_reg* */
    guint32 nonce_serial;
    bool stopping, shutdown_sent, shutdown_done;
    bool start_done;
    int start_status;
    sc_error_state start_error; /* the trunk thread's failure to start, for sc_trunk_new's thread */
};

/* trunk.c */
void sc_trunk_run_sync(sc_trunk *t, void (*fn)(void *), void *data);
void sc_trunk_changed(sc_trunk *t);
/* Test hook: the nonce lifetime in seconds (default SC_TRUNK_NONCE_TTL_S). */
int sc_trunk_set_nonce_ttl(sc_trunk *t, int seconds);

/* trunk_log.c: appends an entry: body is the object's members without
 * braces (taken). Any thread. */
void sc_trunk_log_push(sc_trunk *t, GString *body);

/* trunk_sip.c: trunk thread only */
void sc_trunk_nua_cb(nua_event_t event, int status, char const *phrase, nua_t *nua,
                     sc_trunk *t, nua_handle_t *nh, trunk_call *c, sip_t const *sip,
                     tagi_t tags[]);
/* Sends the INVITE of sc_trunk_place_call(). */
int sc_trunk_place_now(sc_trunk *t, const char *user, const char *caller);
/* Hangs up every call: BYE when up, CANCEL or a final answer (code) otherwise. */
void sc_trunk_hangup_now(sc_trunk *t, int code, const char *phrase);
/* Forgets every call and parked request without SIP (before nua_shutdown). */
void sc_trunk_drop_all(sc_trunk *t);

#endif
