/* The session's live calls: id -> call, holding the session's reference.
 * Dialling out, the dialplan's B legs and inbound INVITEs all add here; the
 * end of a call (sc_call_finish) forgets it. Stack thread only, except the
 * channel counts (under the session lock). */
#include <string.h>

#include "calls_priv.h"

/* The calls on each gateway, counted under the session lock so that a
 * dial from another thread can see a full gateway there (call_dial.c). A
 * dial posted from another thread counts from the moment it is posted. */
static int *channels_of(sc_session *s, const char *gateway)
{
    int *n;
    if (!s->channels) s->channels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    n = g_hash_table_lookup(s->channels, gateway);
    if (!n) {
        n = g_new0(int, 1);
        g_hash_table_insert(s->channels, g_strdup(gateway), n);
    }
    return n;
}

bool sc_calls_take_channel(sc_session *s, const char *gateway, int max_channels)
{
    bool ok;
    g_mutex_lock(&s->lock);
    int *n = channels_of(s, gateway);
    ok = max_channels <= 0 || *n < max_channels;
    if (ok) (*n)++;
    g_mutex_unlock(&s->lock);
    return ok;
}

void sc_calls_give_channel(sc_session *s, const char *gateway)
{
    g_mutex_lock(&s->lock);
    (*channels_of(s, gateway))--;
    g_mutex_unlock(&s->lock);
}

bool sc_calls_reserve_channel(sc_session *s, sc_call *c, int max_channels)
{
    c->channel_counted = sc_calls_take_channel(s, c->gateway, max_channels);
    return c->channel_counted;
}

static void release_channel(sc_session *s, sc_call *c)
{
    if (!c->channel_counted) return;
    sc_calls_give_channel(s, c->gateway);
    c->channel_counted = false;
}

void sc_calls_add(sc_session *s, sc_call *c)
{
    if (!c->channel_counted) sc_calls_reserve_channel(s, c, 0);
    g_hash_table_insert(s->calls, GINT_TO_POINTER(c->id), c);
}

void sc_calls_forget(sc_session *s, sc_call *c)
{
    release_channel(s, c);
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
    int n;
    g_mutex_lock(&s->lock);
    n = *channels_of(s, gateway);
    g_mutex_unlock(&s->lock);
    return n;
}

/* At stop: every live call is hung up properly before Sofia shuts down. */
void sc_calls_hangup_all(sc_session *s)
{
    GList *calls = g_hash_table_get_values(s->calls);
    for (GList *l = calls; l; l = l->next) sc_call_hangup_now(l->data, "SYSTEM_SHUTDOWN");
    g_list_free(calls);
}
