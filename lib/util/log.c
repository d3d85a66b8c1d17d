/* Process-wide logging: the application's callback or stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "error_priv.h"
#include "cb_slot.h"

static GMutex log_lock;
static sc_cb_slot *sink;        /* NULL: stderr */
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

SC_API int sc_set_log_cb(sc_log_cb cb, int level, void *user, sc_destroy_fn destroy)
{
    if (level < SC_LOG_ERROR || level > SC_LOG_DEBUG) {
        if (destroy) destroy(user);
        return sc_fail(SC_EINVAL, "log level %d is out of range (0..3)", level);
    }
    g_mutex_lock(&log_lock);
    max_level = level;
    g_mutex_unlock(&log_lock);
    sc_cb_slot_replace(&sink, &log_lock, sc_cb_slot_new((sc_any_fn)cb, user, destroy));
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
    sc_cb_slot *s;
    char line[1024];
    va_list ap;

    if (!sc_log_enabled(level)) return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);

    s = sc_cb_slot_get(&sink, &log_lock);
    if (s) {
        ((sc_log_cb)s->cb)(level, line, s->user);
        sc_cb_slot_unref(s);
    } else {
        fprintf(stderr, "skypeconnect %s: %s\n",
                names[level < 0 ? 0 : level > 3 ? 3 : level], line);
    }
}
