/* The session's live calls: id -> call, holding the session's reference.
 * Dialling out, the dialplan's B legs and inbound INVITEs all add here; the
 * end of a call (sc_call_finish) forgets it. Stack thread only. */
#include <string.h>

#include "calls_priv.h"

void sc_calls_add(sc_session *s, sc_call *c)
{
    g_hash_table_insert(s->calls, GINT_TO_POINTER(c->id), c);
}

void sc_calls_forget(sc_session *s, sc_call *c)
{
    g_hash_table_remove(s->calls, GINT_TO_POINTER(c->id));
}

sc_call *sc_calls_find(sc_session *s, int id)
{
    return g_hash_table_lookup(s->calls, GINT_TO_POINTER(id));
}

int sc_calls_count(sc_session *s)
{
    return (int)g_hash_table_size(s->calls);
}

GList *sc_calls_list(sc_session *s)
{
    return g_hash_table_get_values(s->calls);
}

int sc_calls_active_on(sc_session *s, const char *gateway)
{
    GHashTableIter it;
    gpointer value;
    int n = 0;
    g_hash_table_iter_init(&it, s->calls);
    while (g_hash_table_iter_next(&it, NULL, &value))
        if (!strcmp(((sc_call *)value)->gateway, gateway)) n++;
    return n;
}

/* At stop: every live call is hung up properly before Sofia shuts down. */
void sc_calls_hangup_all(sc_session *s)
{
    GList *calls = g_hash_table_get_values(s->calls);
    for (GList *l = calls; l; l = l->next) sc_call_hangup_now(l->data, "SYSTEM_SHUTDOWN");
    g_list_free(calls);
}
