/* The live calls of a session for the application: one by id, how many,
 * and all of them listed at once: what `calls` in the command
 * line and the bindings' call listings walk, instead of asking for every
 * possible id (a call ending during such a scan made it run to the end of
 * the id space). */
#include "calls_priv.h"
#include "error_priv.h"

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
    GList *calls = sc_calls_list(op->s);
    for (GList *l = calls; l; l = l->next) g_ptr_array_add(op->calls, sc_call_ref(l->data));
    g_list_free(calls);
}

SC_API sc_call **sc_session_list_calls(sc_session *s, size_t *count)
{
    list_op op = { s, NULL };
    if (count) *count = 0;
    if (!s) {
        sc_fail(SC_EINVAL, "sc_session_list_calls: session is NULL");
        return NULL;
    }
    op.calls = g_ptr_array_new();
    if (sc_session_stack_exists(s)) sc_session_run_sync(s, list_on_stack, &op);
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

/* One live call by id, and how many there are. */
typedef struct find_req {
    int id;
    sc_call *call;         /* out: a reference, or NULL */
    int count;             /* out */
} find_req;

static int find_on_stack(sc_session *s, void *p)
{
    find_req *req = p;
    req->call = sc_call_ref(sc_calls_find(s, req->id));
    req->count = sc_calls_count(s);
    return SC_OK;
}

SC_API sc_call *sc_session_find_call(sc_session *s, int id)
{
    find_req req = { .id = id };
    if (!s) {
        sc_fail(SC_EINVAL, "sc_session_find_call: session is NULL");
        return NULL;
    }
    if (sc_session_stack_exists(s)) sc_session_call_on_stack(s, find_on_stack, &req);
    if (!req.call) sc_fail(SC_ENOTFOUND, "no live call %d", id);
    else sc_clear_error();
    return req.call;
}

SC_API int sc_session_call_count(sc_session *s)
{
    find_req req = { 0 };
    if (!s) return sc_fail(SC_EINVAL, "sc_session_call_count: session is NULL");
    if (sc_session_stack_exists(s)) sc_session_call_on_stack(s, find_on_stack, &req);
    return req.count;
}
