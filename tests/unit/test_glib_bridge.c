/* A GMainContext run inside Sofia-SIP's native loop (lib/sip/glib_bridge.c):
 * every way a GLib source can become due reaches it, on time, and nothing
 * runs when nothing is due. Each case is bounded by a Sofia timer that ends
 * the loop and fails the case. */
#include <unistd.h>
#include <glib.h>
#include <glib-unix.h>

#define SU_ROOT_MAGIC_T struct fixture
#define SU_TIMER_ARG_T struct fixture
#include <sofia-sip/su_wait.h>

#include "sc_test.h"
#include "glib_bridge.h"

typedef struct fixture {
    su_root_t *root;
    GMainContext *ctx;
    sc_glib_bridge *bridge;
    su_timer_t *guard, *kick;
    gint64 t0, fired_at;
    int fired, timed_out, wanted;
    int pipe_fd[2];
} fixture;

static void on_guard(fixture *f, su_timer_t *t, fixture *arg)
{
    (void)t;
    (void)arg;
    f->timed_out = 1;
    su_root_break(f->root);
}

static void fixture_up(fixture *f, int guard_ms)
{
    memset(f, 0, sizeof *f);
    su_init();
    f->root = su_root_create(f);
    f->ctx = g_main_context_new_with_flags(G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING);
    CHECK(g_main_context_acquire(f->ctx));
    f->bridge = sc_glib_bridge_new(f->root, f->ctx);
    CHECK(f->bridge != NULL);
    f->guard = su_timer_create(su_root_task(f->root), 0);
    f->kick = su_timer_create(su_root_task(f->root), 0);
    su_timer_set_interval(f->guard, on_guard, f, guard_ms);
    f->wanted = 1;
    f->t0 = g_get_monotonic_time();
}

static void fixture_down(fixture *f)
{
    su_timer_destroy(f->guard);
    su_timer_destroy(f->kick);
    sc_glib_bridge_free(f->bridge);
    su_root_destroy(f->root);
    g_main_context_release(f->ctx);
    g_main_context_unref(f->ctx);
    su_deinit();
}

/* A GLib callback: counts, and ends the loop at the wanted count. */
static gboolean count_and_stop(gpointer p)
{
    fixture *f = p;
    if (++f->fired == f->wanted) {
        f->fired_at = g_get_monotonic_time();
        su_root_break(f->root);
    }
    return G_SOURCE_REMOVE;
}

static gint64 elapsed_ms(const fixture *f)
{
    return (f->fired_at - f->t0) / 1000;
}

/* ---- a timeout attached from inside a Sofia callback, on the owner ---- */

static void attach_timeout(fixture *f, su_timer_t *t, fixture *arg)
{
    GSource *src = g_timeout_source_new(80);
    (void)t;
    (void)arg;
    g_source_set_callback(src, count_and_stop, f, NULL);
    g_source_attach(src, f->ctx);
    g_source_unref(src);
}

static void timeout_from_a_sofia_callback_fires_on_time(void)
{
    fixture f;
    fixture_up(&f, 3000);
    su_timer_set_interval(f.kick, attach_timeout, &f, 20);
    su_root_run(f.root);
    CHECK_EQ_INT(f.timed_out, 0);
    CHECK_EQ_INT(f.fired, 1);
    CHECK(elapsed_ms(&f) >= 100);   /* 20 ms to the attach, then 80 */
    CHECK(elapsed_ms(&f) < 1000);
    fixture_down(&f);
}

/* ---- an idle attached by another thread wakes Sofia's loop ---- */

static gpointer attach_idle_later(gpointer p)
{
    fixture *f = p;
    GSource *src = g_idle_source_new();
    g_usleep(100 * 1000);
    g_source_set_callback(src, count_and_stop, f, NULL);
    g_source_attach(src, f->ctx);
    g_source_unref(src);
    return NULL;
}

static void idle_from_another_thread_wakes_the_loop(void)
{
    fixture f;
    GThread *th;
    fixture_up(&f, 3000);
    th = g_thread_new("poster", attach_idle_later, &f);
    su_root_run(f.root);
    g_thread_join(th);
    CHECK_EQ_INT(f.timed_out, 0);
    CHECK_EQ_INT(f.fired, 1);
    CHECK(elapsed_ms(&f) >= 100);
    CHECK(elapsed_ms(&f) < 1000);
    fixture_down(&f);
}

/* ---- a descriptor watched by a GLib source ---- */

static gboolean on_pipe(gint fd, GIOCondition cond, gpointer p)
{
    fixture *f = p;
    char c;
    (void)cond;
    if (read(fd, &c, 1) == 1 && c == 'x') count_and_stop(f);
    return G_SOURCE_CONTINUE;
}

static gpointer write_later(gpointer p)
{
    fixture *f = p;
    g_usleep(100 * 1000);
    if (write(f->pipe_fd[1], "x", 1) != 1) return NULL;
    g_usleep(100 * 1000);
    if (write(f->pipe_fd[1], "x", 1) != 1) return NULL;
    return NULL;
}

static void descriptor_source_is_watched_and_its_removal_too(void)
{
    fixture f;
    GThread *th;
    guint id;
    fixture_up(&f, 3000);
    CHECK(pipe(f.pipe_fd) == 0);
    {
        GSource *src = g_unix_fd_source_new(f.pipe_fd[0], G_IO_IN);
        g_source_set_callback(src, G_SOURCE_FUNC(on_pipe), &f, NULL);
        id = g_source_attach(src, f.ctx);
        g_source_unref(src);
    }
    f.wanted = 2;
    th = g_thread_new("writer", write_later, &f);
    su_root_run(f.root);
    g_thread_join(th);
    CHECK_EQ_INT(f.timed_out, 0);
    CHECK_EQ_INT(f.fired, 2);
    /* Removed and closed: the loop must neither spin nor fail on it. */
    g_source_destroy(g_main_context_find_source_by_id(f.ctx, id));
    close(f.pipe_fd[0]);
    close(f.pipe_fd[1]);
    f.timed_out = 0;
    su_timer_set_interval(f.guard, on_guard, &f, 200);
    su_root_run(f.root);
    CHECK_EQ_INT(f.timed_out, 1);   /* only the guard ended it */
    CHECK_EQ_INT(f.fired, 2);
    fixture_down(&f);
}

/* ---- nothing due: GLib is not run at all ---- */

static int prepares;

static gboolean counting_prepare(GSource *src, gint *timeout)
{
    (void)src;
    prepares++;
    *timeout = -1;
    return FALSE;
}

static GSourceFuncs counting_funcs = { .prepare = counting_prepare };

static void idle_context_costs_no_iterations(void)
{
    fixture f;
    GSource *probe = g_source_new(&counting_funcs, sizeof(GSource));
    fixture_up(&f, 500);
    g_source_attach(probe, f.ctx);
    prepares = 0;
    su_root_run(f.root);   /* half a second with nothing due */
    CHECK_EQ_INT(f.timed_out, 1);
    /* the first iteration (and the attach's wake-up), not one per wake */
    CHECK(prepares <= 3);
    g_source_destroy(probe);
    g_source_unref(probe);
    fixture_down(&f);
}

/* ---- a GLib callback that steps Sofia's loop itself (a wait on the stack
 * thread) still sees other GLib sources dispatched ---- */

static gboolean set_flag(gpointer p)
{
    ((fixture *)p)->fired = 1;
    return G_SOURCE_REMOVE;
}

static gboolean wait_inside(gpointer p)
{
    fixture *f = p;
    GSource *src = g_timeout_source_new(50);
    gint64 deadline = g_get_monotonic_time() + G_USEC_PER_SEC;
    g_source_set_callback(src, set_flag, f, NULL);
    g_source_attach(src, f->ctx);
    g_source_unref(src);
    while (!f->fired && g_get_monotonic_time() < deadline) su_root_step(f->root, 100);
    f->fired_at = g_get_monotonic_time();
    f->wanted = f->fired ? 2 : 0;
    su_root_break(f->root);
    return G_SOURCE_REMOVE;
}

static void nested_step_dispatches_other_sources(void)
{
    fixture f;
    GSource *src = g_idle_source_new();
    fixture_up(&f, 3000);
    g_source_set_callback(src, wait_inside, &f, NULL);
    g_source_attach(src, f.ctx);
    g_source_unref(src);
    su_root_run(f.root);
    CHECK_EQ_INT(f.timed_out, 0);
    CHECK_EQ_INT(f.wanted, 2);
    CHECK(elapsed_ms(&f) < 900);
    fixture_down(&f);
}

SC_TEST_MAIN(TEST(timeout_from_a_sofia_callback_fires_on_time),
             TEST(idle_from_another_thread_wakes_the_loop),
             TEST(descriptor_source_is_watched_and_its_removal_too),
             TEST(idle_context_costs_no_iterations),
             TEST(nested_step_dispatches_other_sources))
