/* The live calls of a session, listed at once: what `calls` in the command
 * line and the bindings' call listings walk, instead of asking for every
 * possible id (a call ending during such a scan made it run to the end of
 * the id space). */
#include "call_priv.h"
#include "error_priv.h"
#include "session_priv.h"

typedef struct list_op {
    sc_session *s;
    GPtrArray *calls;
} list_op;

static gint by_id(gconstpointer a, gconstpointer b)
{
    int ia = sc_call_id(*(sc_call *const *)a), ib = sc_call_id(*(sc_call *const *)b);
    return (ia > ib) - (ia < ib);
}

/* On the stack's thread, which alone changes the call table. */
static void list_on_stack(void *p)
{
    list_op *op = p;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, op->s->calls);
    while (g_hash_table_iter_next(&it, NULL, &value)) g_ptr_array_add(op->calls, sc_call_ref(value));
}

SC_API sc_call **sc_session_list_calls(sc_session *s, size_t *count)
{
    list_op op = { s, NULL };
    bool up;
    if (count) *count = 0;
    if (!s) {
        sc_fail(SC_EINVAL, "sc_session_list_calls: session is NULL");
        return NULL;
    }
    op.calls = g_ptr_array_new();
    g_mutex_lock(&s->lock);
    up = s->phase == SC_PHASE_RUNNING || s->phase == SC_PHASE_STOPPING;
    g_mutex_unlock(&s->lock);
    if (up) sc_session_run_sync(s, list_on_stack, &op);
    g_ptr_array_sort(op.calls, by_id);
    if (count) *count = op.calls->len;
    g_ptr_array_add(op.calls, NULL);
    sc_clear_error();
    return (sc_call **)g_ptr_array_free(op.calls, FALSE);
}

SC_API void sc_call_list_free(sc_call **calls)
{
    if (!calls) return;
    for (sc_call **c = calls; *c; c++) sc_call_unref(*c);
    g_free(calls);
}
