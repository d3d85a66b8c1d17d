/* Process-wide logging: the application's callback or stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "error_priv.h"

typedef struct log_sink {
    sc_log_cb cb;
    void *user;
    sc_destroy_fn destroy;
    gint refs;
} log_sink;

static GMutex log_lock;
static log_sink *sink;          /* NULL: stderr */
static int max_level = -1;      /* -1: not read from the environment yet */

static int env_level(void)
{
    const char *v = getenv("SKYPECONNECT_LOG");
    if (!v) return SC_LOG_WARNING;
    if (!strcmp(v, "error")) return SC_LOG_ERROR;
    if (!strcmp(v, "info")) return SC_LOG_INFO;
    if (!strcmp(v, "debug")) return SC_LOG_DEBUG;
    return SC_LOG_WARNING;
}

static void sink_unref(log_sink *s)
{
    if (s && g_atomic_int_dec_and_test(&s->refs)) {
        if (s->destroy) s->destroy(s->user);
        g_free(s);
    }
}

SC_API int sc_set_log_cb(sc_log_cb cb, int level, void *user, sc_destroy_fn destroy)
{
    log_sink *old, *fresh = NULL;
    if (level < SC_LOG_ERROR || level > SC_LOG_DEBUG) {
        if (destroy) destroy(user);
        return sc_fail(SC_EINVAL, "log level %d is out of range (0..3)", level);
    }
    if (cb) {
        fresh = g_new0(log_sink, 1);
        fresh->cb = cb;
        fresh->user = user;
        fresh->destroy = destroy;
        fresh->refs = 1;
    } else if (destroy) {
        destroy(user);
    }
    g_mutex_lock(&log_lock);
    old = sink;
    sink = fresh;
    max_level = level;
    g_mutex_unlock(&log_lock);
    sink_unref(old);
    sc_clear_error();
    return SC_OK;
}

int sc_log_enabled(int level)
{
    int cur;
    g_mutex_lock(&log_lock);
    if (max_level < 0) max_level = env_level();
    cur = max_level;
    g_mutex_unlock(&log_lock);
    return level <= cur;
}

void sc_log(int level, const char *fmt, ...)
{
    static const char *names[] = { "error", "warning", "info", "debug" };
    log_sink *s;
    char line[1024];
    va_list ap;

    if (!sc_log_enabled(level)) return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);

    g_mutex_lock(&log_lock);
    s = sink;
    if (s) g_atomic_int_inc(&s->refs);
    g_mutex_unlock(&log_lock);

    if (s) {
        s->cb(level, line, s->user);
        sink_unref(s);
    } else {
        fprintf(stderr, "skypeconnect %s: %s\n",
                names[level < 0 ? 0 : level > 3 ? 3 : level], line);
    }
}
