/* The running gateways by name, for threads other than the stack's.
 *
 * A dial from another thread decides there what it can (calls/call_dial.c)
 * without a round trip to the stack thread: which gateway has the name and
 * whether it is UP. registration.c puts a gateway here when it is made,
 * writes its status under the session lock, and takes it away before it
 * is freed; readers hold the session lock while they use what they find. */
#include "stack.h"

void sc_gw_board_put(sc_session *s, const char *name, void *reg)
{
    g_mutex_lock(&s->lock);
    if (!s->gw_board) s->gw_board = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert(s->gw_board, g_strdup(name), reg);
    g_mutex_unlock(&s->lock);
}

void sc_gw_board_drop(sc_session *s, const char *name, void *reg)
{
    g_mutex_lock(&s->lock);
    /* A gateway removed and added again has a new entry: leave that one. */
    if (s->gw_board && g_hash_table_lookup(s->gw_board, name) == reg) g_hash_table_remove(s->gw_board, name);
    g_mutex_unlock(&s->lock);
}

void *sc_gw_board_find(sc_session *s, const char *name)
{
    return s->gw_board ? g_hash_table_lookup(s->gw_board, name) : NULL;
}
