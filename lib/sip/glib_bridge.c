/* See glib_bridge.h.
 *
 * One GLib iteration is split across Sofia's loop: prepare and query at the
 * end of a turn (what to watch, until when), check and dispatch at the start
 * of the next one, when Sofia wakes for a watched descriptor or for the
 * timeout. GLib's descriptors live in an epoll set of our own, and only that
 * set's descriptor is registered with Sofia: a descriptor GLib closes and
 * the kernel hands to Sofia's next socket can then never make us remove
 * Sofia's registration by number. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#define SU_WAKEUP_ARG_T struct sc_glib_bridge
#define SU_TIMER_ARG_T struct sc_glib_bridge
#include <sofia-sip/su_wait.h>

#include "glib_bridge.h"

typedef struct watched {
    int fd;
    unsigned events;   /* EPOLLIN and friends */
} watched;

struct sc_glib_bridge {
    su_root_t *root;
    GMainContext *ctx;
    su_timer_t *timer;
    int epfd;              /* GLib's descriptors */
    int reg_index;         /* epfd's registration with the root */
    GPollFD *fds;          /* the last query's descriptors */
    gint nfds, cap;
    watched *set;          /* what epfd holds now */
    gint nset, set_cap;
    gint prio;             /* the last prepare's priority */
    gboolean prepared;     /* check and dispatch are due at the next wake */
};

static unsigned to_epoll(gushort ev)
{
    return (ev & G_IO_IN ? EPOLLIN : 0u) | (ev & G_IO_OUT ? EPOLLOUT : 0u) |
           (ev & G_IO_PRI ? EPOLLPRI : 0u);
}

static gint find_watched(const watched *w, gint n, int fd)
{
    for (gint i = 0; i < n; i++)
        if (w[i].fd == fd) return i;
    return -1;
}

/* Brings epfd in line with the last query: one entry per descriptor, the
 * events of every GPollFD on it merged. Errors are ignored on purpose: a
 * descriptor GLib has already closed has left the set by itself. */
static void watch_query(sc_glib_bridge *b)
{
    watched *next = g_newa(watched, b->nfds + 1);
    gint n = 0;
    for (gint i = 0; i < b->nfds; i++) {
        gint at = find_watched(next, n, b->fds[i].fd);
        if (at < 0) next[at = n++] = (watched){ b->fds[i].fd, 0 };
        next[at].events |= to_epoll(b->fds[i].events);
    }
    for (gint i = 0; i < b->nset; i++)
        if (find_watched(next, n, b->set[i].fd) < 0)
            epoll_ctl(b->epfd, EPOLL_CTL_DEL, b->set[i].fd, NULL);
    for (gint i = 0; i < n; i++) {
        gint was = find_watched(b->set, b->nset, next[i].fd);
        struct epoll_event ev = { .events = next[i].events, .data.fd = next[i].fd };
        if (was >= 0 && b->set[was].events == next[i].events) continue;
        if (was < 0 && epoll_ctl(b->epfd, EPOLL_CTL_ADD, next[i].fd, &ev) == 0) continue;
        if (epoll_ctl(b->epfd, EPOLL_CTL_MOD, next[i].fd, &ev) != 0 && errno == ENOENT)
            epoll_ctl(b->epfd, EPOLL_CTL_ADD, next[i].fd, &ev);
    }
    if (n > b->set_cap) {
        b->set_cap = n;
        b->set = g_renew(watched, b->set, b->set_cap);
    }
    memcpy(b->set, next, (size_t)n * sizeof *next);
    b->nset = n;
}

static void on_timer(su_root_magic_t *magic, su_timer_t *t, sc_glib_bridge *b);

/* The second half of the iteration the last turn began, then the first
 * half of the next. A GLib callback may step Sofia's loop again (a wait on
 * the stack thread): the nested turn runs whole iterations of its own, and
 * this one then prepares afresh. */
static void turn(sc_glib_bridge *b)
{
    gint timeout, n;
    if (b->prepared) {
        b->prepared = FALSE;
        if (b->nfds) g_poll(b->fds, (guint)b->nfds, 0);
        if (g_main_context_check(b->ctx, b->prio, b->fds, b->nfds))
            g_main_context_dispatch(b->ctx);
    }
    g_main_context_prepare(b->ctx, &b->prio);
    while ((n = g_main_context_query(b->ctx, b->prio, &timeout, b->fds, b->cap)) > b->cap) {
        b->cap = n;
        b->fds = g_renew(GPollFD, b->fds, b->cap);
    }
    b->nfds = n;
    b->prepared = TRUE;
    watch_query(b);
    if (timeout < 0) su_timer_reset(b->timer);
    else su_timer_set_interval(b->timer, on_timer, b, (su_duration_t)timeout);
}

static void on_timer(su_root_magic_t *magic, su_timer_t *t, sc_glib_bridge *b)
{
    (void)magic;
    (void)t;
    turn(b);
}

static int on_ready(su_root_magic_t *magic, su_wait_t *w, sc_glib_bridge *b)
{
    (void)magic;
    (void)w;
    turn(b);
    return 0;
}

sc_glib_bridge *sc_glib_bridge_new(su_root_t *root, GMainContext *ctx)
{
    sc_glib_bridge *b = g_new0(sc_glib_bridge, 1);
    su_wait_t w = { 0 };
    b->root = root;
    b->ctx = ctx;
    b->reg_index = -1;
    b->epfd = epoll_create1(EPOLL_CLOEXEC);
    b->timer = su_timer_create(su_root_task(root), 0);
    if (b->epfd < 0 || !b->timer) goto fail;
    w.fd = b->epfd;
    w.events = SU_WAIT_IN;
    b->reg_index = su_root_register(root, &w, on_ready, b, 0);
    if (b->reg_index < 0) goto fail;
    /* The first iteration at the root's first turn. */
    if (su_timer_set_interval(b->timer, on_timer, b, 0) < 0) goto fail;
    return b;
fail:
    sc_glib_bridge_free(b);
    return NULL;
}

void sc_glib_bridge_free(sc_glib_bridge *b)
{
    if (!b) return;
    if (b->reg_index >= 0) su_root_deregister(b->root, b->reg_index);
    if (b->timer) su_timer_destroy(b->timer);
    if (b->epfd >= 0) close(b->epfd);
    g_free(b->fds);
    g_free(b->set);
    g_free(b);
}
