/* The loopback trunk's log: numbered JSON lines, the newest SC_TRUNK_LOG_MAX
 * kept, under the trunk's lock. trunk_sip.c writes, sc_trunk_log() reads. */
#include "trunk_int.h"   /* first: it sets Sofia's magic types */

#include "error_priv.h"

void sc_trunk_log_push(sc_trunk *t, GString *body)
{
    char *line;
    g_mutex_lock(&t->lock);
    /* seq first: a reader that polls the log (the trunk command) prints
     * only lines newer than the last it saw, even after old ones drop. */
    line = g_strdup_printf("{\"seq\":%" G_GUINT64_FORMAT ",\"ms\":%lld,%s}", ++t->log_seq,
                           (long long)((g_get_monotonic_time() - t->started_us) / 1000), body->str);
    g_queue_push_tail(&t->log, line);
    while (t->log.length > SC_TRUNK_LOG_MAX) g_free(g_queue_pop_head(&t->log));
    g_cond_broadcast(&t->cond);
    g_mutex_unlock(&t->lock);
    sc_log(SC_LOG_DEBUG, "trunk %s: %s", t->address, line);
    g_string_free(body, TRUE);
}

SC_API char *sc_trunk_log(sc_trunk *t)
{
    GString *b;
    if (!t) return sc_fail_null(SC_EINVAL, "sc_trunk_log: trunk is NULL");
    b = g_string_new(NULL);
    g_mutex_lock(&t->lock);
    for (GList *l = t->log.head; l; l = l->next) {
        g_string_append(b, l->data);
        g_string_append_c(b, '\n');
    }
    g_mutex_unlock(&t->lock);
    sc_clear_error();
    return g_string_free(b, FALSE);
}
