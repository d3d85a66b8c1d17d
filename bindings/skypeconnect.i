/* One SWIG interface for the Python and the Lua binding of libskypeconnect.
 *
 * Both languages get every public sc_* function one-to-one under its name
 * without "sc_" (sc_session_start -> session_start), with:
 *   - status codes turned into exceptions (Python) or `nil, message, code`
 *     (Lua), and `true` / the value on success;
 *   - out parameters (char **dial_out, sc_call **out, sc_route **out) turned
 *     into extra return values;
 *   - (cb, user, destroy) callback triples taking one callable;
 *   - library-allocated strings copied and freed with sc_free().
 * The classes (Session, Gateway, Config, Call, DialRule, Dialplan,
 * CallFields, Route, Policy, Trunk, Event) are one model for both languages,
 * declared once below with %extend. Lua uses them as they are (a C module is
 * all `require` loads); the Python package subclasses them and adds only
 * what is Python's (bindings/python/skypeconnect/__init__.py). C names never
 * reach a script: Lua errors name "Session:dial", Python raises the
 * package's exceptions.
 *
 * Rules: every %rename/%feature comes before the declaration; %extend
 * methods without a body bind to <struct>_<method>(); methods with a body
 * get names that no C function has (lua_*) and a %rename; Lua callbacks run
 * only on the thread that called dispatch(), never on a library thread.
 */
#if defined(SWIGPYTHON)
%module(package="skypeconnect", threads="1") core
#elif defined(SWIGLUA) && defined(SC_POLICY_ONLY)
/* The policy-only module (bindings/lua/CMakeLists.txt, swig -DSC_POLICY_ONLY):
 * the classes and functions of libskypeconnect-policy (sc_policy.h and the
 * gateway XML, dial rules and dialplan under it), and no Session, Call,
 * Event or Trunk, so it links no SIP stack. Everything it has behaves as in
 * the full module. */
%module skypeconnect_policy
%begin %{
#define SC_POLICY_ONLY 1
#define luaopen_skypeconnect_policy luaopen_skypeconnect_policy_unlocked
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
%}
#elif defined(SWIGLUA)
%module skypeconnect
%begin %{
#define luaopen_skypeconnect luaopen_skypeconnect_unlocked
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
%}
#endif

%{
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include "skypeconnect/skypeconnect.h"
#include "skypeconnect/sc_trunk.h"

/* Marker types of this interface: int in C, typemapped below. */
typedef int sc_rc;        /* 0 or negative status: Lua true / nil,msg,code */
typedef int sc_val;       /* value >= 0 or negative status */
typedef int sc_lua_ret;   /* the body pushed that many Lua values itself */
typedef int sc_lua_any;   /* the stack index of any Lua value */

/* sc_set_log_cb with the callback triple last, so one typemap covers it. */
static int sc_set_log_cb_(int max_level, sc_log_cb cb, void *user, sc_destroy_fn destroy)
{
    return sc_set_log_cb(cb, max_level, user, destroy);
}
%}

typedef int sc_rc;
typedef int sc_val;
typedef int sc_lua_any;
typedef int sc_lua_ret;

%feature("compactdefaultargs");
%rename("%(strip:[sc_])s", %$isfunction) "";
%rename("%(strip:[SC_])s", %$isenumitem) "";
%rename("%(strip:[SC_])s", %$isconstant) "";
%rename(set_log_cb) sc_set_log_cb_;
%ignore sc_set_log_cb;
/* filled by sc_call_media_stats(), which returns it as a dict / table */
%ignore sc_media_stats;
#if defined(SC_POLICY_ONLY)
/* SIP tracing lives in sip/, which the policy library does not hold. */
%ignore sc_set_sip_trace;
%ignore sc_sip_trace_enabled;
#endif

/* Strings the library allocates: copied into the language, then freed. */
%typemap(newfree) char * "sc_free($1);";
%newobject sc_gateway_warnings;
%newobject sc_event_to_json;
%newobject sc_event_to_text;
%newobject sc_call_header;
%newobject sc_call_remote_sdp;
%newobject sc_call_to_json;
%newobject sc_call_media_stats_json;
%newobject sc_session_gateway_name_at;
%newobject sc_session_gateway_json;
%newobject sc_route_to_json;
%newobject sc_trunk_log;
%newobject sc_gateway_password;

/* ===================================================================== */
/* Python runtime helpers                                                  */
/* ===================================================================== */
#if defined(SWIGPYTHON)
%{
static PyObject *sc_py_error_base = NULL;     /* skypeconnect.Error */
static PyObject *sc_py_error_map = NULL;      /* {code: class} */
static PyObject *sc_py_dial_refused = NULL;   /* skypeconnect.DialRefused */

static int sc_py_alive(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsInitialized() && !Py_IsFinalizing();
#else
    return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}

/* Sets the Python exception for a status: DialRefused for a refusal by a
 * dial rule (EREFUSED with a refusal behind it), else the class registered
 * for the code (ECHANNELS: ChannelsBusy, a DialRefused whose refusal is
 * always "channels"), else Error. Needs the GIL. Reads the refusal at once:
 * it is thread-local, like the message. */
static void sc_py_raise(int code, const char *msg)
{
    PyObject *cls = NULL, *key, *args;
    int refusal = SC_DIAL_OK;
    const char *text = msg && *msg ? msg : sc_strerror(code);
    if (code == SC_EREFUSED) refusal = sc_dialrule_last_refusal();
    else if (code == SC_ECHANNELS) refusal = SC_DIAL_CHANNELS;
    if (!sc_py_error_base) {
        PyErr_Format(PyExc_RuntimeError, "%s (%s)", text, sc_status_name(code));
        return;
    }
    if (code == SC_EREFUSED && refusal != SC_DIAL_OK) cls = sc_py_dial_refused;
    if (!cls && sc_py_error_map) {
        key = PyLong_FromLong(code);
        cls = key ? PyDict_GetItem(sc_py_error_map, key) : NULL;   /* borrowed */
        Py_XDECREF(key);
    }
    if (!cls) cls = sc_py_error_base;
    args = Py_BuildValue("(sis)", text, code, refusal != SC_DIAL_OK ? sc_dial_refusal_name(refusal) : "");
    if (args) {
        PyErr_SetObject(cls, args);
        Py_DECREF(args);
    }
}

/* Queue-mode dispatch on this thread: the first callback exception is kept
 * and re-raised by dispatch(); later ones, and every exception on a library
 * thread, go to sys.unraisablehook. */
typedef struct { sc_session *session; PyObject *type, *value, *tb; } sc_py_dispatch_ctx;
static _Thread_local sc_py_dispatch_ctx *sc_py_ctx = NULL;
/* The session whose callback runs on this thread (it must not be freed here). */
static _Thread_local sc_session *sc_py_in_cb = NULL;

static void sc_py_callback_error(PyObject *callable, sc_session *s)
{
    if (sc_py_ctx && sc_py_ctx->session == s && !sc_py_ctx->type) {
        PyErr_Fetch(&sc_py_ctx->type, &sc_py_ctx->value, &sc_py_ctx->tb);
        sc_session_interrupt(s);
    } else {
        PyErr_WriteUnraisable(callable);
    }
}

#define SC_CTOR_FAILED() sc_py_raise(sc_last_status() ? sc_last_status() : SC_EINTERNAL, sc_last_error())

static void sc_py_decref(void *user)
{
    PyGILState_STATE g;
    if (!sc_py_alive()) return;   /* at interpreter exit: leak, never crash */
    g = PyGILState_Ensure();
    Py_DECREF((PyObject *)user);
    PyGILState_Release(g);
}

static void sc_py_event_tramp(sc_session *s, const sc_event *ev, void *user)
{
    PyGILState_STATE g;
    PyObject *evo, *r = NULL;
    sc_session *prev = sc_py_in_cb;
    if (!sc_py_alive()) return;
    g = PyGILState_Ensure();
    sc_py_in_cb = s;
    evo = SWIG_NewPointerObj((void *)ev, SWIGTYPE_p_sc_event, 0);   /* borrowed for the call */
    if (evo) r = PyObject_CallFunctionObjArgs((PyObject *)user, evo, NULL);
    Py_XDECREF(evo);
    if (r) Py_DECREF(r);
    else sc_py_callback_error((PyObject *)user, s);
    sc_py_in_cb = prev;
    PyGILState_Release(g);
}

static void sc_py_log_tramp(int level, const char *message, void *user)
{
    PyGILState_STATE g;
    PyObject *r;
    if (!sc_py_alive()) return;
    g = PyGILState_Ensure();
    r = PyObject_CallFunction((PyObject *)user, "is", level, message);
    if (r) Py_DECREF(r);
    else PyErr_WriteUnraisable((PyObject *)user);
    PyGILState_Release(g);
}

static void *sc_py_free_thread(void *p)
{
    sc_session_free((sc_session *)p);
    return NULL;
}
/* Text arguments: str (or None for NULL), as UTF-8. C stops a string at its
 * first NUL, so a str holding one would be cut short without a word
 * (dial("0044123\x00999") dialled 0044123): ValueError instead. */
static int sc_py_text(PyObject *o, const char **out, int argnum, const char *fn)
{
    Py_ssize_t n;
    *out = NULL;
    if (o == Py_None) return 0;
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s() argument %d must be str or None, not %.100s", fn, argnum,
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    *out = PyUnicode_AsUTF8AndSize(o, &n);
    if (!*out) return -1;
    if (strlen(*out) != (size_t)n) {
        PyErr_Format(PyExc_ValueError, "%s() argument %d contains a NUL character", fn, argnum);
        *out = NULL;
        return -1;
    }
    return 0;
}
%}

%typemap(in) const char * {
  const char *text_ = NULL;
  if (sc_py_text($input, &text_, $argnum, "$symname") < 0) SWIG_fail;
  $1 = ($1_ltype)text_;
}
%typemap(freearg) const char * "";   /* the str object owns the UTF-8 */
/* Paths: str, bytes or os.PathLike, as the os module takes them (TypeError
 * for anything else, None included: it named a file "./None"; ValueError
 * for a NUL). The bytes object lives until the call returns. */
%typemap(in) const char *path (PyObject *fs = NULL), const char *dir (PyObject *fs = NULL),
             const char *cert_dir (PyObject *fs = NULL), const char *gateway_xml_path (PyObject *fs = NULL) {
  if (!PyUnicode_FSConverter($input, &fs)) SWIG_fail;
  $1 = PyBytes_AS_STRING(fs);
}
%typemap(freearg) const char *path, const char *dir, const char *cert_dir, const char *gateway_xml_path {
  Py_XDECREF(fs$argnum);
}


/* Status codes: raise on < 0, else the int. */
%typemap(out) int SC_RC, sc_rc, sc_val {
  if ($1 < 0) { sc_py_raise($1, sc_last_error()); SWIG_fail; }
  $result = PyLong_FromLong($1);
}

/* One callable (or None) for a callback triple. Typemaps run with the GIL. */
%typemap(in) (sc_event_cb cb, void *user, sc_destroy_fn destroy) {
  if ($input == Py_None) { $1 = NULL; $2 = NULL; $3 = NULL; }
  else if (!PyCallable_Check($input)) {
    PyErr_SetString(PyExc_TypeError, "callback must be callable or None"); SWIG_fail; }
  else { Py_INCREF($input); $1 = sc_py_event_tramp; $2 = $input; $3 = sc_py_decref; }
}
%typemap(in) (sc_log_cb cb, void *user, sc_destroy_fn destroy) {
  if ($input == Py_None) { $1 = NULL; $2 = NULL; $3 = NULL; }
  else if (!PyCallable_Check($input)) {
    PyErr_SetString(PyExc_TypeError, "callback must be callable or None"); SWIG_fail; }
  else { Py_INCREF($input); $1 = sc_py_log_tramp; $2 = $input; $3 = sc_py_decref; }
}

/* Out parameters become extra results: (rc, value). */
%typemap(in, numinputs=0) char **dial_out (char *tmp = NULL) { $1 = &tmp; }
%typemap(argout) char **dial_out {
  $result = SWIG_Python_AppendOutput($result, *$1 ? PyUnicode_FromString(*$1) : SWIG_Py_Void());
}
%typemap(freearg) char **dial_out { sc_free(*$1); }
%typemap(in, numinputs=0) sc_call **out (sc_call *tmp = NULL) { $1 = &tmp; }
%typemap(argout) sc_call **out {
  $result = SWIG_Python_AppendOutput($result, *$1 ? SWIG_NewPointerObj(*$1, SWIGTYPE_p_sc_call, SWIG_POINTER_OWN) : SWIG_Py_Void());
  *$1 = NULL;   /* the reference now belongs to the Call object */
}
%typemap(freearg) sc_call **out { if (*$1) sc_call_unref(*$1); }
%typemap(in, numinputs=0) sc_route **out (sc_route *tmp = NULL) { $1 = &tmp; }
%typemap(argout) sc_route **out {
  $result = SWIG_Python_AppendOutput($result, *$1 ? SWIG_NewPointerObj(*$1, SWIGTYPE_p_sc_route, SWIG_POINTER_OWN) : SWIG_Py_Void());
  *$1 = NULL;
}
%typemap(freearg) sc_route **out { if (*$1) sc_route_free(*$1); }
/* sc_call_media_stats: (rc, {packets_sent: ..., codec: ..., local: ..., remote: ...}). */
%typemap(in, numinputs=0) sc_media_stats *out (sc_media_stats tmp) {
  memset(&tmp, 0, sizeof tmp);
  tmp.size = sizeof tmp;
  $1 = &tmp;
}
%typemap(argout) sc_media_stats *out {
  $result = SWIG_Python_AppendOutput($result, Py_BuildValue("{s:K,s:K,s:L,s:K,s:d,s:s,s:s,s:s}",
      "packets_sent", $1->packets_sent, "packets_received", $1->packets_received,
      "packets_lost", $1->packets_lost, "packets_dropped", $1->packets_dropped,
      "jitter_ms", $1->jitter_ms, "codec", $1->codec, "local", $1->local, "remote", $1->remote));
}

/* sc_session_list_calls: a list of calls, each holding the reference the
 * array held (the Call object unrefs it); the array itself is freed. */
%typemap(in, numinputs=0) size_t *count (size_t tmp = 0) { $1 = &tmp; }
%typemap(out) sc_call ** {
  if (!$1) { sc_py_raise(sc_last_status() ? sc_last_status() : SC_EINTERNAL, sc_last_error()); SWIG_fail; }
  $result = PyList_New(0);
  for (sc_call **c = $1; *c; c++) {
    PyObject *o = $result ? SWIG_NewPointerObj(*c, SWIGTYPE_p_sc_call, SWIG_POINTER_OWN) : NULL;
    if (!o || PyList_Append($result, o) < 0) sc_call_unref(*c);
    Py_XDECREF(o);
  }
  sc_free($1);
  if (!$result) SWIG_fail;
}

/* Pointer results where NULL means failure. */
%define SC_NULL_IS_ERROR(fn)
%exception fn {
  $action
  if (!result) { sc_py_raise(sc_last_status() ? sc_last_status() : SC_EINTERNAL, sc_last_error()); SWIG_fail; }
}
%enddef
/* Pointer results where NULL is an answer unless a failure was recorded. */
%define SC_NULL_IS_NONE(fn)
%exception fn {
  $action
  if (!result && sc_last_status() < 0 && sc_last_status() != SC_ENOTFOUND) {
    sc_py_raise(sc_last_status(), sc_last_error()); SWIG_fail; }
}
%enddef

/* Queue-mode dispatch: a callback's exception is re-raised here. */
%exception sc_session_dispatch {
  sc_py_dispatch_ctx ctx = { arg1, NULL, NULL, NULL };
  sc_py_dispatch_ctx *prev_ctx = sc_py_ctx;
  sc_py_ctx = &ctx;
  $action
  sc_py_ctx = prev_ctx;
  if (ctx.type) { PyErr_Restore(ctx.type, ctx.value, ctx.tb); SWIG_fail; }
}

/* PCM to send: bytes of signed 16-bit samples (native order). */
%typemap(in) (const short *pcm, size_t samples) (Py_buffer view) {
  if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) < 0) SWIG_fail;
  $1 = (short *)view.buf;
  $2 = (size_t)view.len / sizeof(short);
}
%typemap(freearg) (const short *pcm, size_t samples) { PyBuffer_Release(&view$argnum); }

/* ------------------------------------------------------------------ */
/* Python-only helpers (leading underscore: not part of the C API).     */
%feature("nothreadallow") _register_errors;
%feature("nothreadallow") _forget;
/* New references and copies: the object frees them (never flip thisown from
 * Python: SWIG 4.1 then releases its module capsule once too often). */
%newobject sc_gateway_copy;
%newobject sc_policy_from_gateway;
%newobject sc_policy_get;
%newobject sc_session_find_call;
/* Keyword arguments everywhere; an unknown keyword is a TypeError. */
%feature("kwargs");
/* A method on a closed object (its pointer forgotten): Closed, not a crash. */
%typemap(check) SWIGTYPE *self {
  if (!$1) { sc_py_raise(SC_ECLOSED, "the object is closed"); SWIG_fail; }
}
%feature("nothreadallow") _event_fields;
%inline %{
/* Stores the exception classes defined in __init__.py. */
void _register_errors(PyObject *base, PyObject *mapping, PyObject *dial_refused)
{
    Py_XINCREF(base); Py_XINCREF(mapping); Py_XINCREF(dial_refused);
    Py_XDECREF(sc_py_error_base); Py_XDECREF(sc_py_error_map); Py_XDECREF(sc_py_dial_refused);
    sc_py_error_base = base; sc_py_error_map = mapping; sc_py_dial_refused = dial_refused;
}

/* Every field of an event in one dict (one call, GIL held); "call" is a Call
 * object holding its own reference. */
PyObject *_event_fields(const sc_event *ev)
{
    sc_call *call;
    char *json, *text;
    PyObject *d, *callo;
    if (!ev) { PyErr_SetString(PyExc_ValueError, "event is NULL"); return NULL; }
    call = sc_event_call(ev);
    callo = call ? SWIG_NewPointerObj(sc_call_ref(call), SWIGTYPE_p_sc_call, SWIG_POINTER_OWN) : (Py_INCREF(Py_None), Py_None);
    json = sc_event_to_json(ev);
    text = sc_event_to_text(ev);
    d = Py_BuildValue("{s:i,s:s,s:i,s:i,s:i,s:i,s:s,s:i,s:i,s:i,s:i,s:N,s:i,s:i,s:s,s:s,s:s,s:s,s:s,s:L,s:s,s:s,s:s,s:s,s:s,s:i}",
        "type", sc_event_type_of(ev), "gateway", sc_event_gateway(ev),
        "state", sc_event_state(ev), "prev_state", sc_event_prev_state(ev),
        "status", sc_event_status(ev), "sip_code", sc_event_sip_code(ev),
        "phrase", sc_event_phrase(ev), "reason", sc_event_reason(ev),
        "expires", sc_event_expires(ev), "next_retry", sc_event_next_retry(ev),
        "failures", sc_event_failures(ev), "call", callo,
        "call_id", sc_event_call_id(ev), "call_state", sc_event_call_state(ev),
        "cause", sc_event_cause(ev), "number", sc_event_number(ev),
        "refusal", sc_event_refusal(ev), "message", sc_event_message(ev),
        "source", sc_event_source(ev), "time_us", (long long)sc_event_time_us(ev),
        "json", json ? json : "", "text", text ? text : "",
        "context", sc_event_context(ev), "route_json", sc_event_route_json(ev),
        "control", sc_event_control(ev), "result", sc_event_result(ev));
    sc_free(json);
    sc_free(text);
    if (d && sc_event_audio_samples(ev)) {
        PyObject *pcm = PyBytes_FromStringAndSize((const char *)sc_event_audio_pcm(ev),
                                                  (Py_ssize_t)(sc_event_audio_samples(ev) * sizeof(short)));
        if (!pcm || PyDict_SetItemString(d, "pcm", pcm) < 0) { Py_XDECREF(pcm); Py_DECREF(d); return NULL; }
        Py_DECREF(pcm);
    }
    return d;
}
%}

%inline %{
/* Makes obj (a Trunk, Policy...) point at nothing after its close(): every
 * later method raises Closed instead of touching freed memory. */
void _forget(PyObject *obj)
{
    SwigPyObject *so = SWIG_Python_GetSwigThis(obj);
    if (!so) return;
    if (so->own == SWIG_POINTER_OWN) Py_XDECREF(Swig_Capsule_global);   /* as its dealloc would */
    so->ptr = NULL;
    so->own = 0;
}

/* Whether this thread is running a callback of session s. */
int _in_callback(sc_session *s)
{
    return s && sc_py_in_cb == s;
}

/* Frees a session, unless this thread is inside that session's callback:
 * then a helper thread frees it once the callback has returned (freeing joins
 * the session's thread, which is this one). Runs without the GIL. */
void _session_release(sc_session *s)
{
    pthread_t t;
    if (!s) return;
    if (sc_py_in_cb == s) {
        sc_session_stop(s, 0);
        if (pthread_create(&t, NULL, sc_py_free_thread, s) == 0) pthread_detach(t);
        return;
    }
    sc_session_free(s);
}
%}
#endif /* SWIGPYTHON */

/* ===================================================================== */
/* Lua runtime helpers                                                     */
/* ===================================================================== */
#if defined(SWIGLUA)
%{
#if LUA_VERSION_NUM < 502
#  define SC_LUA_MAINTHREAD(L) (L)
#  define lua_rawlen lua_objlen
#else
static lua_State *SC_LUA_MAINTHREAD(lua_State *L)
{
    lua_State *m;
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    m = lua_tothread(L, -1);
    lua_pop(L, 1);
    return m;
}
#endif

static int sc_lua_fail(lua_State *L, int code)
{
    const char *msg = sc_last_error();
    if (msg && strncmp(msg, "sc_", 3) == 0) msg += 3;   /* "session_start: ...", as Lua calls it */
    lua_pushnil(L);
    lua_pushstring(L, msg && *msg ? msg : sc_strerror(code));
    lua_pushinteger(L, code);
    return 3;
}

/* Message handler: the error with a traceback. */
static int sc_lua_msgh(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
#if LUA_VERSION_NUM >= 502
    luaL_traceback(L, L, msg, 1);
#endif
    return 1;
}

/* -- table fields -- */
static void sc_lua_setint(lua_State *L, const char *k, long long v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, k);
}

static void sc_lua_setstr(lua_State *L, const char *k, const char *v)
{
    lua_pushstring(L, v ? v : "");
    lua_setfield(L, -2, k);
}

#if !defined(SC_POLICY_ONLY)   /* sessions, calls and events: the full module only */
/* -- callbacks for the flat API (session_set_event_cb + session_dispatch) --
 * Held with luaL_ref; called only through the lua_State running dispatch()
 * on this thread; unref'ed through the main thread of the registering state. */
typedef struct { lua_State *mainL; int ref; } sc_lua_cb;
static _Thread_local lua_State *sc_lua_active_L = NULL;
static _Thread_local sc_session *sc_lua_active_s = NULL;
static _Thread_local int sc_lua_err_ref = LUA_NOREF;

static void *sc_lua_cb_new(lua_State *L, int idx)
{
    sc_lua_cb *h = malloc(sizeof *h);
    if (!h) return NULL;
    h->mainL = SC_LUA_MAINTHREAD(L);
    lua_pushvalue(L, idx);
    h->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return h;
}

static void sc_lua_cb_free(void *user)
{
    sc_lua_cb *h = user;
    if (!h) return;
    luaL_unref(h->mainL, LUA_REGISTRYINDEX, h->ref);
    free(h);
}

static void sc_lua_push_event(lua_State *L, const sc_event *ev);

static void sc_lua_event_tramp(sc_session *s, const sc_event *ev, void *user)
{
    lua_State *L = sc_lua_active_L;
    (void)s;
    if (!L) {
        fprintf(stderr, "skypeconnect (Lua): an event arrived outside dispatch() and was dropped; "
                        "Lua sessions must use the queue mode\n");
        return;
    }
    lua_pushcfunction(L, sc_lua_msgh);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ((sc_lua_cb *)user)->ref);
    sc_lua_push_event(L, ev);
    if (lua_pcall(L, 1, 0, -3) != 0) {   /* never longjmp through library frames */
        if (sc_lua_err_ref == LUA_NOREF) {
            sc_lua_err_ref = luaL_ref(L, LUA_REGISTRYINDEX);
            sc_session_interrupt(sc_lua_active_s);
        } else {
            fprintf(stderr, "skypeconnect (Lua): error in event callback: %s\n", lua_tostring(L, -1));
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

/* Log lines come from any thread: Lua cannot take them. Only nil (the
 * default logger at the level given) is accepted from Lua. */

/* -- events as plain tables -- */
static void sc_lua_push_event(lua_State *L, const sc_event *ev)
{
    int type = sc_event_type_of(ev);
    sc_call *call = sc_event_call(ev);
    char *json = sc_event_to_json(ev);
    lua_newtable(L);
    sc_lua_setint(L, "type", type);
    sc_lua_setstr(L, "type_name", sc_event_type_name(type));
    sc_lua_setstr(L, "gateway", sc_event_gateway(ev));
    if (type == SC_EVENT_GATEWAY_STATE || type == SC_EVENT_GATEWAY_REMOVED) {
        sc_lua_setint(L, "state", sc_event_state(ev));
        sc_lua_setstr(L, "state_name", sc_reg_state_name(sc_event_state(ev)));
        sc_lua_setint(L, "prev_state", sc_event_prev_state(ev));
        sc_lua_setstr(L, "prev_state_name", sc_reg_state_name(sc_event_prev_state(ev)));
        sc_lua_setint(L, "status", sc_event_status(ev));
        sc_lua_setstr(L, "status_name", sc_gw_status_name(sc_event_status(ev)));
        sc_lua_setint(L, "reason", sc_event_reason(ev));
        sc_lua_setstr(L, "reason_name", sc_reason_name(sc_event_reason(ev)));
        sc_lua_setint(L, "expires", sc_event_expires(ev));
        sc_lua_setint(L, "next_retry", sc_event_next_retry(ev));
        sc_lua_setint(L, "failures", sc_event_failures(ev));
    }
    sc_lua_setint(L, "sip_code", sc_event_sip_code(ev));
    sc_lua_setstr(L, "phrase", sc_event_phrase(ev));
    if (call) {
        sc_lua_setint(L, "call_id", sc_event_call_id(ev));
        SWIG_NewPointerObj(L, sc_call_ref(call), SWIGTYPE_p_sc_call, 1);   /* __gc unrefs */
        lua_setfield(L, -2, "call");
    }
    if (type == SC_EVENT_CALL_STATE || type == SC_EVENT_INCOMING_CALL) {
        sc_lua_setint(L, "call_state", sc_event_call_state(ev));
        sc_lua_setstr(L, "call_state_name", sc_call_state_name(sc_event_call_state(ev)));
        sc_lua_setstr(L, "cause", sc_event_cause(ev));
    }
    if (type == SC_EVENT_DTMF) {
        sc_lua_setstr(L, "digit", sc_event_dtmf_digit(ev));
        sc_lua_setstr(L, "method", sc_event_dtmf_method(ev));
    }
    if (type == SC_EVENT_MEDIA_STATE || type == SC_EVENT_MEDIA_NOTICE)
        sc_lua_setstr(L, "media_state", sc_event_media_state(ev));
    if (type == SC_EVENT_DRAIN) {
        lua_pushboolean(L, sc_event_draining(ev) == 1);
        lua_setfield(L, -2, "draining");
        sc_lua_setint(L, "drain_calls", sc_event_drain_calls(ev));
    }
    if (type == SC_EVENT_AUDIO) {   /* PCM as a string of native 16-bit samples */
        lua_pushlstring(L, (const char *)sc_event_audio_pcm(ev), sc_event_audio_samples(ev) * sizeof(short));
        lua_setfield(L, -2, "pcm");
    }
    sc_lua_setstr(L, "number", sc_event_number(ev));
    sc_lua_setstr(L, "refusal", sc_event_refusal(ev));
    sc_lua_setstr(L, "message", sc_event_message(ev));
    sc_lua_setstr(L, "source", sc_event_source(ev));
    if (type == SC_EVENT_CALL_CONTROL) {
        sc_lua_setstr(L, "control", sc_event_control(ev));
        sc_lua_setint(L, "result", sc_event_result(ev));
    }
    if (type == SC_EVENT_CALL_ROUTED) {
        sc_lua_setstr(L, "context", sc_event_context(ev));
        sc_lua_setstr(L, "route_json", sc_event_route_json(ev));
    }
    sc_lua_setint(L, "time_us", sc_event_time_us(ev));
    sc_lua_setstr(L, "json", json);
    sc_free(json);
}

/* -- Session callbacks of the object API: a weak-keyed registry table
 * {session userdata -> function}. An ephemeron table (Lua 5.2+), so a
 * callback that captures its own session does not keep it alive. */
static const char sc_lua_cbs_key = 'k';

static void sc_lua_push_cbs(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&sc_lua_cbs_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_newtable(L);
        lua_pushstring(L, "k");
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
        lua_pushlightuserdata(L, (void *)&sc_lua_cbs_key);
        lua_pushvalue(L, -2);
        lua_rawset(L, LUA_REGISTRYINDEX);
    }
}

/* The session being dispatched on this thread by the object API, and a
 * close() requested from inside its callback (freed when the callback returns). */
static _Thread_local sc_session *sc_lua_dispatching = NULL;
static _Thread_local int sc_lua_close_requested = 0;
#endif /* !SC_POLICY_ONLY */

/* Class constructors raise (SWIG's __call proxy keeps one result); the
 * factories sc.open() / sc.policy() return nil, message, code instead. */
static void sc_lua_ctor_error(lua_State *L)
{
    int code = sc_last_status() ? sc_last_status() : SC_EINTERNAL;
    const char *msg = sc_last_error(), *name = sc_status_name(code);
    if (strncmp(name, "SC_", 3) == 0) name += 3;   /* the module's constant: sc.EPARSE */
    lua_pushfstring(L, "%s (%s)", msg && *msg ? msg : sc_strerror(code), name);
}

/* -- Error messages in Lua's words: the names a Lua script uses
 * ("Session:dial", "Gateway", "session_start"), Lua's type names and Lua's
 * argument numbers (self not counted), as luaL_argerror words them. */
static const struct { const char *c, *lua; } sc_lua_classes[] = {
    {"sc_session", "Session"}, {"sc_gateway", "Gateway"}, {"sc_config", "Config"},
    {"sc_call_fields", "CallFields"}, {"sc_call", "Call"}, {"sc_dialrule", "DialRule"},
    {"sc_dialplan", "Dialplan"}, {"sc_route", "Route"}, {"sc_policy", "Policy"},
    {"sc_trunk", "Trunk"}, {"sc_event", "Event"}, {NULL, NULL}};

static const char *sc_lua_method(const char *m)
{
    if (strncmp(m, "lua_", 4) == 0) m += 4;
    if (strcmp(m, "state_of") == 0) return "state";
    if (strcmp(m, "direction_of") == 0) return "direction";
    return m;
}

/* The Lua name of a wrapper's C name; returns 1 for a method (self is argument 1). */
static int sc_lua_name(const char *sym, char *out, size_t n)
{
    const char *sep = strstr(sym, "::");
    size_t i, len;
    if (sep) {
        len = (size_t)(sep - sym);
        for (i = 0; sc_lua_classes[i].c; i++) {
            if (strlen(sc_lua_classes[i].c) != len || strncmp(sym, sc_lua_classes[i].c, len) != 0) continue;
            if (strcmp(sep + 2, sc_lua_classes[i].c) == 0) { snprintf(out, n, "%s", sc_lua_classes[i].lua); return 0; }
            snprintf(out, n, "%s:%s", sc_lua_classes[i].lua, sc_lua_method(sep + 2));
            return 1;
        }
    }
    if (strncmp(sym, "new_", 4) == 0) { snprintf(out, n, "%s", sym + 4); return 0; }
    for (i = 0; sc_lua_classes[i].c; i++) {
        len = strlen(sc_lua_classes[i].lua);
        if (strncmp(sym, sc_lua_classes[i].lua, len) == 0 && sym[len] == '_') {
            snprintf(out, n, "%s:%s", sc_lua_classes[i].lua, sc_lua_method(sym + len + 1));
            return 1;
        }
    }
    if (strcmp(sym, "lua_open_session") == 0) sym = "open";
    else if (strcmp(sym, "lua_open_policy") == 0) sym = "policy";
    else if (strncmp(sym, "sc_", 3) == 0) sym += 3;
    snprintf(out, n, "%s", sym);
    len = strlen(out);
    if (len && out[len - 1] == '_') out[len - 1] = '\0';   /* set_log_cb_ */
    return 0;
}

/* "struct sc_gateway const *" -> "Gateway", "char const *" -> "string", "int" -> "number" */
static const char *sc_lua_type(const char *ctype, char *out, size_t n)
{
    char word[64];
    size_t i;
    const char *p = ctype;
    word[0] = '\0';
    while (*p) {   /* the first word that is not "struct" or "const" */
        size_t k = strcspn(p, " *|");
        if (k && k < sizeof word && strncmp(p, "struct", k) && strncmp(p, "const", k)) {
            memcpy(word, p, k);
            word[k] = '\0';
            break;
        }
        p += k ? k : 1;
    }
    for (i = 0; sc_lua_classes[i].c; i++)
        if (strcmp(word, sc_lua_classes[i].c) == 0) return sc_lua_classes[i].lua;
    if (strcmp(word, "char") == 0) return "string";
    if (!strcmp(word, "int") || !strcmp(word, "size_t") || !strcmp(word, "long") || !strcmp(word, "unsigned") ||
        !strcmp(word, "short") || !strcmp(word, "double") || !strcmp(word, "int64_t"))
        return "number";
    snprintf(out, n, "%s", word[0] ? word : ctype);
    return out;
}

static void sc_lua_argerror(lua_State *L, const char *sym, int argnum, const char *ctype)
{
    char name[96], tbuf[64], gbuf[64];
    int method = sc_lua_name(sym, name, sizeof name);
    const char *want = sc_lua_type(ctype, tbuf, sizeof tbuf);
    const char *got = lua_type(L, argnum) == LUA_TUSERDATA ? sc_lua_type(SWIG_Lua_typename(L, argnum), gbuf, sizeof gbuf)
                                                           : luaL_typename(L, argnum);
    if (method && argnum == 1)
        lua_pushfstring(L, "calling '%s' on bad self (%s expected, got %s)", name, want, got);
    else
        lua_pushfstring(L, "bad argument #%d to '%s' (%s expected, got %s)", method ? argnum - 1 : argnum, name, want, got);
}

/* luaL_argerror's words with the Lua name (pcall(s.f, s) hides it from luaL_argerror). */
static int sc_lua_argfail(lua_State *L, const char *name, int arg, const char *what)
{
    return luaL_error(L, "bad argument #%d to '%s' (%s)", arg, name, what);
}

static void sc_lua_nargs_error(lua_State *L, const char *sym, int lo, int hi)
{
    char name[96];
    int method = sc_lua_name(sym, name, sizeof name), got = lua_gettop(L), d = method ? 1 : 0;
    if (method && (got == 0 || lua_type(L, 1) != LUA_TUSERDATA))
        lua_pushfstring(L, "'%s' called without its object (call methods with ':')", name);
    else if (lo == hi)
        lua_pushfstring(L, "'%s' takes %d argument%s, got %d", name, lo - d, lo - d == 1 ? "" : "s", got - d);
    else
        lua_pushfstring(L, "'%s' takes %d to %d arguments, got %d", name, lo - d, hi - d, got - d);
}

/* A method called on an object that close() freed: nil, message, ECLOSED
 * (closing it again is fine). */
static int sc_lua_closed(lua_State *L, const char *sym)
{
    char name[96];
    size_t n;
    sc_lua_name(sym, name, sizeof name);
    n = strlen(name);
    if (n >= 6 && strcmp(name + n - 6, ":close") == 0) { lua_pushboolean(L, 1); return 1; }
    lua_pushnil(L);
    lua_pushfstring(L, "%s: the object is closed", name);
    lua_pushinteger(L, SC_ECLOSED);
    return 3;
}

#undef SWIG_fail_arg
#define SWIG_fail_arg(func_name, argnum, type) { sc_lua_argerror(L, func_name, argnum, type); goto fail; }
#undef SWIG_check_num_args
#define SWIG_check_num_args(func_name, a, b) \
  if (lua_gettop(L) < (a) || lua_gettop(L) > (b)) { sc_lua_nargs_error(L, func_name, a, b); goto fail; }

#define SC_CTOR_FAILED() sc_lua_ctor_error(L)

#define sc_lua_anyarg(L, i) ((void)(L), (void)(i), 1)

static void sc_lua_forget_userdata(lua_State *L, int idx)
{
    swig_lua_userdata *u = (swig_lua_userdata *)lua_touserdata(L, idx);
    if (u) { u->ptr = NULL; u->own = 0; }
}

#if !defined(SC_POLICY_ONLY)
/* A refused dial: nil, message, code, refusal ("no_match", "channels"...,
 * as policy:check() gives it; nil when the failure is no refusal). */
static int sc_lua_dial_fail(lua_State *L, int code)
{
    int n = sc_lua_fail(L, code);
    if (code == SC_EREFUSED) lua_pushstring(L, sc_dial_refusal_name(sc_dialrule_last_refusal()));
    else if (code == SC_ECHANNELS) lua_pushstring(L, sc_dial_refusal_name(SC_DIAL_CHANNELS));
    else lua_pushnil(L);
    return n + 1;
}

/* Runs the on_event() of the session at stack index 1 for ev. Returns 0, or
 * -1 with the error (and its traceback) on the top of the stack. */
static int sc_lua_deliver(lua_State *L, const sc_event *ev)
{
    lua_pushcfunction(L, sc_lua_msgh);
    sc_lua_push_cbs(L);
    lua_pushvalue(L, 1);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (!lua_isfunction(L, -1)) { lua_pop(L, 2); return 0; }
    sc_lua_push_event(L, ev);
    if (lua_pcall(L, 1, 0, -3) != 0) { lua_remove(L, -2); return -1; }
    lua_pop(L, 1);
    return 0;
}

/* Session:close() and its __close: frees the session now (from its own
 * callback: once the callback has returned). */
static int sc_lua_session_close(lua_State *L, sc_session *s)
{
    sc_lua_forget_userdata(L, 1);
    if (sc_lua_dispatching == s) {
        sc_session_stop(s, 1000);
        sc_lua_close_requested = 1;
    } else {
        sc_session_free(s);
    }
    sc_lua_push_cbs(L);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
    return 1;
}
#endif /* !SC_POLICY_ONLY */

static long long sc_lua_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
%}

/* Strings: C stops at the first NUL, so a Lua string holding one would be
 * cut short without a word (a number "0044123\0999" dialled 0044123): an
 * error is raised instead, before the library is called. */
%typemap(in, checkfn="SWIG_lua_isnilstring", fragment="SWIG_lua_isnilstring") const char * {
  size_t len_ = 0;
  $1 = ($1_ltype)lua_tolstring(L, $input, &len_);
  if ($1 && strlen($1) != len_) {
    char name_[96];
    int method_ = sc_lua_name("$symname", name_, sizeof name_);
    lua_pushfstring(L, "bad argument #%d to '%s' (string contains a NUL byte)", $input - method_, name_);
    SWIG_fail;
  }
}
/* A method of an object that close() freed. */
%typemap(check) SWIGTYPE *self {
  if (!$1) return sc_lua_closed(L, "$symname");
}

/* Integers stay integers (SWIG 4.1 pushes numbers). */
%typemap(out) int, short, long, unsigned int, unsigned short, unsigned long, long long, size_t, enum SWIGTYPE
  "lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++;"

%typemap(out) int SC_RC, sc_rc {
  if ($1 < 0) { SWIG_arg += sc_lua_fail(L, $1); }
  else { lua_pushboolean(L, 1); SWIG_arg++; }
}
%typemap(out) sc_val {
  if ($1 < 0) { SWIG_arg += sc_lua_fail(L, $1); }
  else { lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++; }
}
%typemap(out) sc_lua_ret "SWIG_arg += $1;"
%typemap(in, checkfn="sc_lua_anyarg") sc_lua_any "$1 = $input;"

%typemap(in) (sc_event_cb cb, void *user, sc_destroy_fn destroy) {
  if (lua_isnoneornil(L, $input)) { $1 = NULL; $2 = NULL; $3 = NULL; }
  else if (!lua_isfunction(L, $input)) { SWIG_fail_arg("$symname", $argnum, "function or nil"); }
  else { $1 = sc_lua_event_tramp; $2 = sc_lua_cb_new(L, $input); $3 = sc_lua_cb_free; }
}
%typemap(in, checkfn="lua_isnil") (sc_log_cb cb, void *user, sc_destroy_fn destroy) {
  /* log lines come from library threads: a Lua function cannot take them */
  $1 = NULL; $2 = NULL; $3 = NULL;
}

%typemap(in, numinputs=0) char **dial_out (char *tmp = NULL) { $1 = &tmp; }
%typemap(argout) char **dial_out { if (*$1) { lua_pushstring(L, *$1); SWIG_arg++; } }
/* PCM to send: a string of native 16-bit samples. */
%typemap(in) (const short *pcm, size_t samples) {
  size_t len = 0;
  $1 = (short *)luaL_checklstring(L, $input, &len);
  $2 = len / sizeof(short);
}
%typemap(freearg) char **dial_out { sc_free(*$1); }
%typemap(in, numinputs=0) sc_call **out (sc_call *tmp = NULL) { $1 = &tmp; }
%typemap(argout) sc_call **out { if (*$1) { SWIG_NewPointerObj(L, *$1, SWIGTYPE_p_sc_call, 1); SWIG_arg++; *$1 = NULL; } }
%typemap(freearg) sc_call **out { if (*$1) sc_call_unref(*$1); }
%typemap(in, numinputs=0) sc_route **out (sc_route *tmp = NULL) { $1 = &tmp; }
%typemap(argout) sc_route **out { if (*$1) { SWIG_NewPointerObj(L, *$1, SWIGTYPE_p_sc_route, 1); SWIG_arg++; *$1 = NULL; } }
%typemap(freearg) sc_route **out { if (*$1) sc_route_free(*$1); }

/* sc_session_list_calls: { call, call, ... }, each holding the reference
 * the array held (freed by the GC); the array itself is freed. */
%typemap(in, numinputs=0) size_t *count (size_t tmp = 0) { $1 = &tmp; }
%typemap(out) sc_call ** {
  if (!$1) { SWIG_arg += sc_lua_fail(L, sc_last_status() ? sc_last_status() : SC_EINTERNAL); }
  else {
    lua_newtable(L);
    for (int i = 0; $1[i]; i++) {
      SWIG_NewPointerObj(L, $1[i], SWIGTYPE_p_sc_call, 1);
      lua_rawseti(L, -2, i + 1);
    }
    sc_free($1);
    SWIG_arg++;
  }
}

%define SC_NULL_IS_ERROR(fn)
%exception fn {
  $action
  if (!result) return sc_lua_fail(L, sc_last_status() ? sc_last_status() : SC_EINTERNAL);
}
%enddef
%define SC_NULL_IS_NONE(fn)
%exception fn {
  $action
  if (!result && sc_last_status() < 0 && sc_last_status() != SC_ENOTFOUND) return sc_lua_fail(L, sc_last_status());
}
%enddef

/* Flat dispatch: callbacks run through this lua_State; an error is re-raised. */
%exception sc_session_dispatch {
  lua_State *prev_L = sc_lua_active_L;
  sc_session *prev_s = sc_lua_active_s;
  sc_lua_active_L = L;
  sc_lua_active_s = arg1;
  $action
  sc_lua_active_L = prev_L;
  sc_lua_active_s = prev_s;
  if (sc_lua_err_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, sc_lua_err_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, sc_lua_err_ref);
    sc_lua_err_ref = LUA_NOREF;
    return lua_error(L);
  }
}

/* Lua is single-threaded and cannot own library events: next_event gives an
 * Event object freed by the GC. */
%newobject sc_session_next_event;
%newobject sc_event_copy;

%init %{
#if LUA_VERSION_NUM >= 502
  luaL_checkversion(L);
#endif
%}
#endif /* SWIGLUA */

/* ===================================================================== */
/* Status typemaps applied to the C API, by function                       */
/* ===================================================================== */
%define SC_STATUS(fn)
%typemap(out) int fn = int SC_RC;
%enddef
%define SC_VALUE(fn)
%typemap(out) int fn = sc_val;
%enddef

SC_STATUS(sc_set_log_cb_)
SC_STATUS(sc_gateway_set) SC_STATUS(sc_gateway_validate)
SC_STATUS(sc_config_load_file) SC_STATUS(sc_config_load_string) SC_STATUS(sc_config_add_gateway)
SC_STATUS(sc_dialrule_set_emergency_country) SC_STATUS(sc_dialrule_add_emergency) SC_STATUS(sc_dialrule_check)
SC_STATUS(sc_call_ring) SC_STATUS(sc_call_early_media) SC_STATUS(sc_call_answer) SC_STATUS(sc_call_reject)
SC_STATUS(sc_call_redirect) SC_STATUS(sc_call_hangup) SC_STATUS(sc_call_send_dtmf)
SC_STATUS(sc_session_dial) SC_STATUS(sc_session_dial_checked)
/* media (sc_media.h) */
SC_STATUS(sc_session_set_media) SC_STATUS(sc_call_answer_media) SC_STATUS(sc_call_progress_media)
SC_STATUS(sc_session_dial_media) SC_STATUS(sc_call_play) SC_STATUS(sc_call_play_tone)
SC_STATUS(sc_call_record) SC_STATUS(sc_call_stop_media) SC_STATUS(sc_call_hold)
SC_STATUS(sc_call_set_audio) SC_STATUS(sc_call_write_audio) SC_STATUS(sc_call_media_stats)
SC_STATUS(sc_session_set_answer_timeout) SC_STATUS(sc_session_set_inbound_acl)
SC_STATUS(sc_session_set_bind) SC_STATUS(sc_session_set_tls) SC_STATUS(sc_session_set_dispatch)
SC_STATUS(sc_session_set_udp_receive_buffer)
SC_STATUS(sc_session_set_main_context) SC_STATUS(sc_session_set_event_cb)
SC_STATUS(sc_session_start) SC_STATUS(sc_session_stop) SC_STATUS(sc_session_set_draining)
SC_STATUS(sc_session_add_gateway) SC_STATUS(sc_session_add_config) SC_STATUS(sc_session_remove_gateway)
SC_STATUS(sc_session_gateway_register) SC_STATUS(sc_session_gateway_unregister)
SC_STATUS(sc_dialplan_load_file) SC_STATUS(sc_dialplan_load_string) SC_STATUS(sc_dialplan_load_dir)
SC_STATUS(sc_call_fields_set) SC_STATUS(sc_dialplan_route)
SC_STATUS(sc_session_set_internal) SC_STATUS(sc_session_load_dialplan)
SC_STATUS(sc_trunk_set_fault) SC_STATUS(sc_trunk_set_expires) SC_STATUS(sc_trunk_set_ring_seconds)
SC_STATUS(sc_trunk_place_call) SC_STATUS(sc_trunk_hangup_all)
SC_VALUE(sc_trunk_port) SC_VALUE(sc_trunk_count)
SC_STATUS(sc_policy_check) SC_STATUS(sc_policy_acquire_channel) SC_STATUS(sc_policy_release_channel)
SC_VALUE(sc_session_local_port) SC_VALUE(sc_session_gateway_state) SC_VALUE(sc_session_gateway_status)
SC_VALUE(sc_session_dispatch) SC_VALUE(sc_session_event_fd) SC_VALUE(sc_session_gateway_count)
SC_VALUE(sc_session_call_count) SC_VALUE(sc_session_is_draining) SC_VALUE(sc_policy_channels_in_use) SC_VALUE(sc_policy_max_channels)
SC_VALUE(sc_policy_refcount)

SC_NULL_IS_ERROR(sc_session_new)
SC_NULL_IS_ERROR(sc_trunk_new)
SC_NULL_IS_ERROR(sc_gateway_new)
SC_NULL_IS_ERROR(sc_gateway_copy)
SC_NULL_IS_ERROR(sc_gateway_get)
SC_NULL_IS_ERROR(sc_config_new)
SC_NULL_IS_ERROR(sc_config_find_gateway)
SC_NULL_IS_ERROR(sc_dialrule_new_prefix)
SC_NULL_IS_ERROR(sc_dialrule_new_pattern)
SC_NULL_IS_ERROR(sc_dialplan_new)
SC_NULL_IS_ERROR(sc_call_fields_new)
SC_NULL_IS_ERROR(sc_policy_load)
SC_NULL_IS_ERROR(sc_policy_from_gateway)
SC_NULL_IS_ERROR(sc_policy_get)
SC_NULL_IS_ERROR(sc_session_find_call)
SC_NULL_IS_ERROR(sc_session_gateway_json)
SC_NULL_IS_ERROR(sc_session_listen_host)
SC_NULL_IS_NONE(sc_session_next_event)

/* ===================================================================== */
/* Classes: one model for both languages. Methods without a body bind to    */
/* the C function <struct>_<method>(); a method that needs the language's  */
/* own stack (Lua tables, several results) has a body inside #if SWIGLUA.   */
/* The Python package subclasses these classes and adds only what is       */
/* Python's (properties, keywords, exceptions, enums, threading).           */
/* ===================================================================== */
%rename(Session) sc_session;
%rename(Gateway) sc_gateway;
%rename(Config) sc_config;
%rename(Call) sc_call;
%rename(DialRule) sc_dialrule;
%rename(Dialplan) sc_dialplan;
%rename(CallFields) sc_call_fields;
%rename(Route) sc_route;
%rename(Policy) sc_policy;
%rename(Event) sc_event;
%nodefaultctor sc_call;
%nodefaultctor sc_route;
%nodefaultctor sc_event;

typedef struct sc_gateway {} sc_gateway;
typedef struct sc_config {} sc_config;
typedef struct sc_dialrule {} sc_dialrule;
typedef struct sc_dialplan {} sc_dialplan;
typedef struct sc_call_fields {} sc_call_fields;
typedef struct sc_route {} sc_route;
typedef struct sc_policy {} sc_policy;
#if !defined(SC_POLICY_ONLY)
typedef struct sc_session {} sc_session;
typedef struct sc_call {} sc_call;
typedef struct sc_event {} sc_event;

/* --- Session: always in queue mode; events reach on_event() inside dispatch() */
%rename(dispatch) sc_session::lua_dispatch;
%rename(wait_event) sc_session::lua_wait_event;
%rename(on_event) sc_session::lua_on_event;
%rename(close) sc_session::lua_close;
%rename(__close) sc_session::lua_tbc;
%rename(wait_state) sc_session::lua_wait_state;
%rename(dial) sc_session::lua_dial;
%rename(dial_checked) sc_session::lua_dial_checked;
%rename(dial_media) sc_session::lua_dial_media;
%rename(gateway_names) sc_session::lua_gateway_names;
%newobject sc_session::find_call;
%newobject sc_session::gateway_json;
%exception sc_session::sc_session {
  $action
  if (!result) { SC_CTOR_FAILED(); SWIG_fail; }
}
%extend sc_session {
  /* Always the queue mode: events reach on_event() inside dispatch(). */
  sc_session(const char *bind = NULL) {
    sc_session *s = sc_session_new();
    if (s && sc_session_set_dispatch(s, SC_DISPATCH_QUEUE) != SC_OK) { sc_session_free(s); return NULL; }
    if (s && bind && sc_session_set_bind(s, bind) != SC_OK) { sc_session_free(s); return NULL; }
    return s;
  }
  ~sc_session() { sc_session_free($self); }
  sc_rc set_bind(const char *addr);
  sc_rc set_udp_receive_buffer(int bytes);
  sc_rc set_media(int on = 1);
  sc_rc set_tls(const char *cert_dir, int verify = 1);
  sc_rc start();
  sc_rc stop(int timeout_ms = 5000);
  int is_running();
  sc_rc set_draining(int on = 1);
  int is_draining();
  sc_val local_port(const char *transport = "udp");
  sc_rc add_gateway(const sc_gateway *gw);
  sc_rc add_config(const sc_config *cfg);
  sc_rc remove_gateway(const char *name);
  sc_val gateway_count();
  sc_val gateway_state(const char *name);
  sc_val gateway_status(const char *name);
  char *gateway_json(const char *name);
  sc_rc gateway_register(const char *name);
  sc_rc gateway_unregister(const char *name);
  sc_call *find_call(int id);
  sc_call **list_calls(size_t *count);
  sc_val call_count();
  sc_rc set_answer_timeout(int seconds);
  sc_rc set_inbound_acl(const char *acl);
  sc_rc set_internal(const char *addr, const char *acl = NULL);
  sc_rc load_dialplan(const char *path);
  sc_val event_fd();
  void interrupt();
#if defined(SWIGLUA)

  /* s:on_event(function(ev) ... end) or s:on_event(nil) */
  sc_lua_ret lua_on_event(lua_State *L, sc_lua_any fn) {
    if (!lua_isnoneornil(L, fn) && !lua_isfunction(L, fn)) return sc_lua_argfail(L, "Session:on_event", 1, "function or nil expected");
    sc_lua_push_cbs(L);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, fn);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    (void)$self;
    return 0;
  }

  /* Runs on_event() for waiting events on this thread, waiting up to
   * timeout_ms for the first (0: no wait, -1: forever). Returns the number
   * dispatched. An error in the callback is re-raised here with its
   * traceback; the events after it stay queued. */
  sc_lua_ret lua_dispatch(lua_State *L, int timeout_ms = 0) {
    sc_session *s = $self, *prev = sc_lua_dispatching;
    int prev_close = sc_lua_close_requested, n = 0, failed = 0;
    sc_event *ev;
    sc_lua_dispatching = s;
    sc_lua_close_requested = 0;
    while ((ev = sc_session_next_event(s, n == 0 ? timeout_ms : 0))) {
      n++;
      failed = sc_lua_deliver(L, ev) != 0;
      sc_event_free(ev);
      if (failed || sc_lua_close_requested) break;
    }
    sc_lua_dispatching = prev;
    if (sc_lua_close_requested) sc_session_free(s);   /* closed from its callback */
    sc_lua_close_requested = prev_close;
    if (failed) return lua_error(L);
    if (n == 0 && sc_last_status() < 0) return sc_lua_fail(L, sc_last_status());
    lua_pushinteger(L, n);
    return 1;
  }

  /* The next event as a table, waiting up to timeout_ms; nil on timeout. */
  sc_lua_ret lua_wait_event(lua_State *L, int timeout_ms = 0) {
    sc_event *ev = sc_session_next_event($self, timeout_ms);
    if (!ev) {
      if (sc_last_status() < 0) return sc_lua_fail(L, sc_last_status());
      lua_pushnil(L);
      return 1;
    }
    sc_lua_push_event(L, ev);
    sc_event_free(ev);
    return 1;
  }

  /* Stops and frees the session now (from its own callback: once the
   * callback has returned). Later calls on the object fail with EINVAL. */
  sc_lua_ret lua_close(lua_State *L) { return sc_lua_session_close(L, $self); }
  sc_lua_ret lua_tbc(lua_State *L, sc_lua_any err = 0) { return sc_lua_session_close(L, $self); }

  /* ev = s:wait_state(gateway, state_or_states [, timeout_ms]): the
   * gateway_state event of gateway entering one of the states (sc.REG_REGED
   * or { sc.REG_REGED, sc.REG_NOREG }). Events consumed on the way go to
   * on_event(). Fails with nil, message, sc.ETIMEOUT after timeout_ms (-1:
   * no limit), with nil, message, sc.ESIP, reason, event as soon as the
   * gateway fails (FAILED, FAIL_WAIT or TIMEOUT, unless waited for; reason
   * is "auth" for a wrong password), and with sc.ECLOSED when the session
   * stops or the gateway is removed. */
  sc_lua_ret lua_wait_state(lua_State *L, const char *gateway, sc_lua_any states, int timeout_ms = -1) {
    sc_session *s = $self, *prev = sc_lua_dispatching;
    int wanted[32], nw = 0, fail_ok = 0, prev_close = sc_lua_close_requested, nret = 0;
    long long deadline = sc_lua_now_ms() + timeout_ms;
    if (lua_type(L, states) == LUA_TNUMBER) {
      wanted[nw++] = (int)lua_tointeger(L, states);
    } else if (lua_istable(L, states)) {
      for (int i = 1; nw < 32; i++) {
        lua_rawgeti(L, states, i);
        if (lua_isnil(L, -1)) { lua_pop(L, 1); break; }
        if (lua_type(L, -1) != LUA_TNUMBER) return sc_lua_argfail(L, "Session:wait_state", 2, "a table of states (numbers) expected");
        wanted[nw++] = (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
      }
    }
    if (nw == 0) return sc_lua_argfail(L, "Session:wait_state", 2, "a state (sc.REG_REGED) or a table of states expected");
    for (int i = 0; i < nw; i++)
      if (wanted[i] == SC_REG_FAILED || wanted[i] == SC_REG_FAIL_WAIT || wanted[i] == SC_REG_TIMEOUT) fail_ok = 1;
    sc_lua_dispatching = s;
    sc_lua_close_requested = 0;
    while (!nret) {
      long long left = timeout_ms < 0 ? 200 : deadline - sc_lua_now_ms();
      sc_event *ev;
      int type, state, hit = 0, failed = 0;
      if (left < 0) left = 0;
      ev = sc_session_next_event(s, (int)(left > 200 ? 200 : left));
      if (!ev) {
        if (sc_last_status() < 0 && sc_last_status() != SC_ETIMEOUT) { nret = sc_lua_fail(L, sc_last_status()); break; }
        if (timeout_ms >= 0 && sc_lua_now_ms() >= deadline) {
          lua_pushnil(L);
          lua_pushfstring(L, "Session:wait_state: gateway '%s' did not reach the state within %d ms", gateway, timeout_ms);
          lua_pushinteger(L, SC_ETIMEOUT);
          nret = 3;
        }
        continue;
      }
      if (sc_lua_deliver(L, ev) != 0) { sc_event_free(ev); nret = -1; break; }
      type = sc_event_type_of(ev);
      state = sc_event_state(ev);
      if (type == SC_EVENT_GATEWAY_STATE && strcmp(sc_event_gateway(ev), gateway) == 0) {
        for (int i = 0; i < nw; i++) hit |= wanted[i] == state;
        failed = !fail_ok && (state == SC_REG_FAILED || state == SC_REG_FAIL_WAIT || state == SC_REG_TIMEOUT);
      }
      if (hit) {
        sc_lua_push_event(L, ev);
        nret = 1;
      } else if (failed) {
        lua_pushnil(L);
        lua_pushfstring(L, "Session:wait_state: gateway '%s' failed (%s, reason %s)", gateway,
                        sc_reg_state_name(state), sc_reason_name(sc_event_reason(ev)));
        lua_pushinteger(L, SC_ESIP);
        lua_pushstring(L, sc_reason_name(sc_event_reason(ev)));
        sc_lua_push_event(L, ev);
        nret = 5;
      } else if (type == SC_EVENT_SESSION_STOPPED || sc_lua_close_requested ||
                 (type == SC_EVENT_GATEWAY_REMOVED && strcmp(sc_event_gateway(ev), gateway) == 0)) {
        lua_pushnil(L);
        lua_pushfstring(L, "Session:wait_state: %s while waiting for gateway '%s'",
                        type == SC_EVENT_GATEWAY_REMOVED ? "the gateway was removed" : "the session stopped", gateway);
        lua_pushinteger(L, SC_ECLOSED);
        nret = 3;
      }
      sc_event_free(ev);
    }
    sc_lua_dispatching = prev;
    if (sc_lua_close_requested) sc_session_free(s);   /* closed from its callback */
    sc_lua_close_requested = prev_close;
    return nret < 0 ? lua_error(L) : nret;
  }

  /* call, err, code = s:dial(gateway, number [, caller_number, caller_name, sdp]) */
  sc_lua_ret lua_dial(lua_State *L, const char *gateway, const char *number, const char *caller_number = NULL,
                      const char *caller_name = NULL, const char *sdp = NULL) {
    sc_call *c = NULL;
    if (sc_session_dial($self, gateway, number, caller_number, caller_name, sdp, &c) != SC_OK)
      return sc_lua_dial_fail(L, sc_last_status());
    SWIG_NewPointerObj(L, c, SWIGTYPE_p_sc_call, 1);
    return 1;
  }
  /* call, err, code = s:dial_media(gateway, number [, caller_number, caller_name]) */
  sc_lua_ret lua_dial_media(lua_State *L, const char *gateway, const char *number, const char *caller_number = NULL,
                            const char *caller_name = NULL) {
    sc_call *c = NULL;
    if (sc_session_dial_media($self, gateway, number, caller_number, caller_name, &c) != SC_OK)
      return sc_lua_fail(L, sc_last_status());
    SWIG_NewPointerObj(L, c, SWIGTYPE_p_sc_call, 1);
    return 1;
  }
  sc_lua_ret lua_dial_checked(lua_State *L, const char *gateway, const char *number, const char *caller_number = NULL,
                              const char *caller_name = NULL, const char *sdp = NULL) {
    sc_call *c = NULL;
    if (sc_session_dial_checked($self, gateway, number, caller_number, caller_name, sdp, &c) != SC_OK)
      return sc_lua_dial_fail(L, sc_last_status());
    SWIG_NewPointerObj(L, c, SWIGTYPE_p_sc_call, 1);
    return 1;
  }
  /* { "name1", "name2", ... } */
  sc_lua_ret lua_gateway_names(lua_State *L) {
    int n = sc_session_gateway_count($self);
    lua_newtable(L);
    for (int i = 0; i < n; i++) {
      char *name = sc_session_gateway_name_at($self, i);
      if (!name) break;
      lua_pushstring(L, name);
      lua_rawseti(L, -2, i + 1);
      sc_free(name);
    }
    return 1;
  }
#endif
}

#endif /* !SC_POLICY_ONLY */

/* --- Gateway */
%exception sc_gateway::sc_gateway {
  $action
  if (!result) { SC_CTOR_FAILED(); SWIG_fail; }
}
%newobject sc_gateway::copy;
%newobject sc_gateway::warnings;
%extend sc_gateway {
  sc_gateway(const char *name) { return sc_gateway_new(name); }
  ~sc_gateway() { sc_gateway_free($self); }
  const char *name() const;
  sc_rc set(const char *param, const char *value);
  const char *get(const char *param) const;
  sc_rc validate() const;
  char *warnings() const;
  sc_gateway *copy() const;
}

/* --- Config */
%exception sc_config::sc_config {
  $action
  if (!result) { SC_CTOR_FAILED(); SWIG_fail; }
}
%rename(gateway) sc_config::lua_gateway;
%rename(diagnostics) sc_config::lua_diagnostics;
%newobject sc_config::lua_gateway;
%extend sc_config {
  sc_config() { return sc_config_new(); }
  ~sc_config() { sc_config_free($self); }
  sc_rc load_file(const char *path);
  sc_rc load_string(const char *xml, const char *source_name = "<string>");
  sc_rc add_gateway(const sc_gateway *gw);
  size_t gateway_count() const;
  size_t diag_count() const;
  size_t error_count() const;
  const char *diag_text(size_t i) const;
#if defined(SWIGLUA)
  /* A copy of the gateway at index i (0-based) or of that name; nil if none. */
  sc_gateway *lua_gateway(const char *name) {
    const sc_gateway *g = sc_config_find_gateway($self, name);
    return g ? sc_gateway_copy(g) : NULL;
  }
  /* { "file:line:col: error: ...", ... } */
  sc_lua_ret lua_diagnostics(lua_State *L) {
    size_t n = sc_config_diag_count($self);
    lua_newtable(L);
    for (size_t i = 0; i < n; i++) {
      lua_pushstring(L, sc_config_diag_text($self, i));
      lua_rawseti(L, -2, (int)i + 1);
    }
    return 1;
  }
#endif
}

#if !defined(SC_POLICY_ONLY)
/* --- Call (refcounted: the object holds one reference) */
%rename(state) sc_call::state_of;
%rename(direction) sc_call::direction_of;
%newobject sc_call::header;
%newobject sc_call::remote_sdp;
%newobject sc_call::to_json;
%newobject sc_call::media_stats_json;
%rename(media_stats) sc_call::lua_media_stats;
%extend sc_call {
  ~sc_call() { sc_call_unref($self); }
  int id() const;
  int direction_of() const;
  int state_of() const;
  const char *gateway() const;
  const char *matched_by() const;
  const char *destination() const;
  const char *caller_number() const;
  const char *caller_name() const;
  const char *sip_call_id() const;
  const char *to() const;
  const char *source() const;
  char *header(const char *name) const;
  char *remote_sdp() const;
  int sip_code() const;
  const char *cause() const;
  int hangup_side() const;
  char *to_json() const;
  sc_rc ring();
  sc_rc early_media(const char *sdp);
  sc_rc answer(const char *sdp);
  sc_rc reject(int sip_code, const char *phrase = NULL);
  sc_rc redirect(const char *target);
  sc_rc hangup();
  sc_rc send_dtmf(const char *digits);
  /* media (sc_media.h): call:play(path), call:record(path), call:send_dtmf() above */
  sc_rc answer_media();
  sc_rc progress_media();
  sc_rc play(const char *path, int loop = 0);
  sc_rc play_tone(int hz, int ms, int loop = 0);
  sc_rc record(const char *path);
  sc_rc stop_media();
  sc_rc hold(int on = 1);
  sc_rc set_audio(int on = 1);
  sc_rc write_audio(const short *pcm, size_t samples);
  char *media_stats_json();
#if !defined(SWIGLUA)
  sc_rc media_stats(sc_media_stats *out);
#else
  /* call:media_stats() -> { packets_sent = ..., jitter_ms = ..., codec = ..., ... } or nil, err, code */
  sc_lua_ret lua_media_stats(lua_State *L) {
    sc_media_stats st;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    if (sc_call_media_stats($self, &st) != SC_OK) return sc_lua_fail(L, sc_last_status());
    lua_newtable(L);
    lua_pushinteger(L, (lua_Integer)st.packets_sent); lua_setfield(L, -2, "packets_sent");
    lua_pushinteger(L, (lua_Integer)st.packets_received); lua_setfield(L, -2, "packets_received");
    lua_pushinteger(L, (lua_Integer)st.packets_lost); lua_setfield(L, -2, "packets_lost");
    lua_pushinteger(L, (lua_Integer)st.packets_dropped); lua_setfield(L, -2, "packets_dropped");
    lua_pushnumber(L, st.jitter_ms); lua_setfield(L, -2, "jitter_ms");
    sc_lua_setstr(L, "codec", st.codec);
    sc_lua_setstr(L, "local", st.local);
    sc_lua_setstr(L, "remote", st.remote);
    return 1;
  }
#endif
}

#endif /* !SC_POLICY_ONLY */

/* --- DialRule */
%rename(check) sc_dialrule::lua_check;
%exception sc_dialrule::sc_dialrule {
  $action
  if (!result) { SC_CTOR_FAILED(); SWIG_fail; }
}
%extend sc_dialrule {
  /* sc.DialRule("00") is the prefix rule; sc.DialRule(pattern, format) a pattern. */
  sc_dialrule(const char *prefix_or_pattern, const char *format = NULL, int is_pattern = -1) {
    int pattern = is_pattern >= 0 ? is_pattern : (format != NULL || strpbrk(prefix_or_pattern, "^$\\([.*") != NULL);
    return pattern ? sc_dialrule_new_pattern(prefix_or_pattern, format) : sc_dialrule_new_prefix(prefix_or_pattern);
  }
  ~sc_dialrule() { sc_dialrule_free($self); }
  sc_rc set_emergency_country(const char *country);
  sc_rc add_emergency(const char *numbers);
  int is_emergency(const char *number) const;
  const char *describe() const;
#if !defined(SWIGLUA)
  sc_rc check(const char *number, char **dial_out) const;
#else
  /* dial, err, code, refusal = rule:check(number) */
  sc_lua_ret lua_check(lua_State *L, const char *number) {
    char *dial = NULL;
    if (sc_dialrule_check($self, number, &dial) != SC_OK) {
      int n = sc_lua_fail(L, sc_last_status());
      lua_pushstring(L, sc_dial_refusal_name(sc_dialrule_last_refusal()));
      return n + 1;
    }
    lua_pushstring(L, dial);
    sc_free(dial);
    return 1;
  }
#endif
}

/* --- Dialplan, call fields, routes */
%exception sc_dialplan::sc_dialplan {
  $action
  if (!result) { SC_CTOR_FAILED(); SWIG_fail; }
}
%rename(route) sc_dialplan::lua_route;
%extend sc_dialplan {
  sc_dialplan() { return sc_dialplan_new(); }
  ~sc_dialplan() { sc_dialplan_free($self); }
  sc_rc load_file(const char *path, const char *default_context = NULL);
  sc_rc load_string(const char *xml, const char *source_name = "<string>", const char *default_context = NULL);
  sc_rc load_dir(const char *dir);
  size_t diag_count() const;
  const char *diag_text(size_t i) const;
  size_t error_count() const;
  int has_context(const char *context) const;
#if !defined(SWIGLUA)
  sc_rc route(const char *context, const sc_call_fields *fields, sc_route **out) const;
#else
  /* route, err, code = dp:route(context, fields) with fields a CallFields or a table */
  sc_lua_ret lua_route(lua_State *L, const char *context, sc_lua_any fields) {
    sc_call_fields *f = NULL, *own = NULL;
    sc_route *r = NULL;
    int rc;
    if (lua_istable(L, fields)) {
      own = f = sc_call_fields_new();
      lua_pushnil(L);
      while (f && lua_next(L, fields)) {
        if (lua_type(L, -2) == LUA_TSTRING) {
          size_t klen = 0, vlen = 0;
          const char *k = lua_tolstring(L, -2, &klen), *v = lua_tolstring(L, -1, &vlen);
          if (strlen(k) != klen || (v && strlen(v) != vlen)) {
            sc_call_fields_free(own);
            return luaL_error(L, "bad argument #2 to 'Dialplan:route' (call field '%s' contains a NUL byte)", k);
          }
          sc_call_fields_set(f, k, v);
        }
        lua_pop(L, 1);
      }
    } else if (SWIG_ConvertPtr(L, fields, (void **)&f, SWIGTYPE_p_sc_call_fields, 0) != SWIG_OK) {
      return sc_lua_argfail(L, "Dialplan:route", 2, "CallFields or table expected");
    }
    rc = sc_dialplan_route($self, context, f, &r);
    sc_call_fields_free(own);
    if (rc != SC_OK) return sc_lua_fail(L, rc);
    SWIG_NewPointerObj(L, r, SWIGTYPE_p_sc_route, 1);
    return 1;
  }
#endif
}
%exception sc_call_fields::sc_call_fields {
  $action
  if (!result) { SC_CTOR_FAILED(); SWIG_fail; }
}
%extend sc_call_fields {
  sc_call_fields() { return sc_call_fields_new(); }
  ~sc_call_fields() { sc_call_fields_free($self); }
  sc_rc set(const char *name, const char *value);
  const char *get(const char *name) const;
}
%rename(actions) sc_route::lua_actions;
%newobject sc_route::to_json;
%extend sc_route {
  ~sc_route() { sc_route_free($self); }
  size_t action_count() const;
  const char *action_app(size_t i) const;
  const char *action_data(size_t i) const;
  const char *action_extension(size_t i) const;
  const char *action_origin(size_t i) const;
  const char *explain() const;
  char *to_json() const;
#if defined(SWIGLUA)
  /* { {app=, data=, extension=, origin=}, ... } */
  sc_lua_ret lua_actions(lua_State *L) {
    size_t n = sc_route_action_count($self);
    lua_newtable(L);
    for (size_t i = 0; i < n; i++) {
      lua_newtable(L);
      sc_lua_setstr(L, "app", sc_route_action_app($self, i));
      sc_lua_setstr(L, "data", sc_route_action_data($self, i));
      sc_lua_setstr(L, "extension", sc_route_action_extension($self, i));
      sc_lua_setstr(L, "origin", sc_route_action_origin($self, i));
      lua_rawseti(L, -2, (int)i + 1);
    }
    return 1;
  }
#endif
}

/* --- Policy (process-wide, shared by name; the object holds one reference) */
%rename(check) sc_policy::lua_check;
%rename(close) sc_policy::lua_close;
%rename(__close) sc_policy::lua_tbc;
%exception sc_policy::sc_policy {
  $action
  if (!result) { SC_CTOR_FAILED(); SWIG_fail; }
}
%extend sc_policy {
  /* sc.Policy(xml_path, name); sc.policy(...) returns nil, err, code instead of raising */
  sc_policy(const char *gateway_xml_path, const char *gateway_name) {
    return sc_policy_load(gateway_xml_path, gateway_name);
  }
  ~sc_policy() { sc_policy_unref($self); }
  const char *name() const;
  const char *source() const;
  const char *describe() const;
  sc_val refcount() const;
  sc_rc acquire_channel();
  sc_rc release_channel();
  sc_val channels_in_use() const;
  sc_val max_channels() const;
#if !defined(SWIGLUA)
  sc_rc check(const char *number, char **dial_out) const;
#else
  /* dial, err, code, refusal = p:check(number) */
  sc_lua_ret lua_check(lua_State *L, const char *number) {
    char *dial = NULL;
    if (sc_policy_check($self, number, &dial) != SC_OK) {
      int n = sc_lua_fail(L, sc_last_status());
      lua_pushstring(L, sc_dial_refusal_name(sc_dialrule_last_refusal()));
      return n + 1;
    }
    lua_pushstring(L, dial);
    sc_free(dial);
    return 1;
  }
  /* p:close() (also __close): drops this reference now. */
  sc_lua_ret lua_close(lua_State *L) { sc_lua_forget_userdata(L, 1); sc_policy_unref($self); lua_pushboolean(L, 1); return 1; }
  sc_lua_ret lua_tbc(lua_State *L, sc_lua_any err = 0) { return sc_policy_lua_close($self, L); }
#endif
}

#if !defined(SC_POLICY_ONLY)
/* --- Trunk: the built-in loopback SIP provider (demos, tests) */
%rename(Trunk) sc_trunk;
typedef struct sc_trunk {} sc_trunk;
%exception sc_trunk::sc_trunk {
  $action
  if (!result) { SC_CTOR_FAILED(); SWIG_fail; }
}
%newobject sc_trunk::log;
%rename(close) sc_trunk::lua_close;
%rename(__close) sc_trunk::lua_tbc;
%extend sc_trunk {
  sc_trunk(const char *listen, const char *user, const char *password) { return sc_trunk_new(listen, user, password); }
  ~sc_trunk() { sc_trunk_free($self); }
  sc_val port() const;
  const char *address() const;
  sc_rc set_fault(int fault, int param = 0);
  sc_rc set_expires(int seconds);
  sc_rc set_ring_seconds(int seconds);
  int is_registered(const char *user);
  sc_rc place_call(const char *user, const char *caller_number);
  sc_rc hangup_all();
  char *log();
  sc_val count(const char *what);
#if defined(SWIGLUA)
  /* t:close() (also __close: local t <close> = sc.Trunk(...)): stops it now. */
  sc_lua_ret lua_close(lua_State *L) { sc_lua_forget_userdata(L, 1); sc_trunk_free($self); lua_pushboolean(L, 1); return 1; }
  sc_lua_ret lua_tbc(lua_State *L, sc_lua_any err = 0) { return sc_trunk_lua_close($self, L); }
#endif
}

/* --- Event (from session_next_event / event_copy); freed by the GC */
%rename(fields) sc_event::lua_fields;
%extend sc_event {
  ~sc_event() { sc_event_free($self); }
#if defined(SWIGLUA)
  sc_lua_ret lua_fields(lua_State *L) { sc_lua_push_event(L, $self); return 1; }
#endif
}

#endif /* !SC_POLICY_ONLY */

#if defined(SWIGLUA)
/* Factories returning nil, message, code (class constructors raise). */
%newobject lua_open_policy;
%rename(policy) lua_open_policy;
%{
static sc_lua_ret lua_open_policy(lua_State *L, const char *gateway_xml_path, const char *gateway_name)
{
    sc_policy *p = sc_policy_load(gateway_xml_path, gateway_name);
    if (!p) return sc_lua_fail(L, sc_last_status());
    SWIG_NewPointerObj(L, p, SWIGTYPE_p_sc_policy, 1);
    return 1;
}
%}
sc_lua_ret lua_open_policy(lua_State *L, const char *gateway_xml_path, const char *gateway_name);
#if !defined(SC_POLICY_ONLY)
%newobject lua_open_session;
%rename(open) lua_open_session;
%{
static sc_lua_ret lua_open_session(lua_State *L, const char *bind)
{
    sc_session *s = sc_session_new();
    if (s && (sc_session_set_dispatch(s, SC_DISPATCH_QUEUE) != SC_OK || (bind && sc_session_set_bind(s, bind) != SC_OK))) {
        int code = sc_last_status();
        sc_session_free(s);
        return sc_lua_fail(L, code);
    }
    if (!s) return sc_lua_fail(L, sc_last_status() ? sc_last_status() : SC_ENOMEM);
    SWIG_NewPointerObj(L, s, SWIGTYPE_p_sc_session, 1);
    return 1;
}
%}
sc_lua_ret lua_open_session(lua_State *L, const char *bind = NULL);
#endif /* !SC_POLICY_ONLY */
#endif /* SWIGLUA */

/* ===================================================================== */
/* The C API                                                               */
/* ===================================================================== */
#define SC_API
#define SC_BEGIN_DECLS
#define SC_END_DECLS

%include "skypeconnect/sc_version.h"
%include "skypeconnect/sc_common.h"
%include "skypeconnect/sc_gateway.h"
%include "skypeconnect/sc_config.h"
#if !defined(SC_POLICY_ONLY)
%include "skypeconnect/sc_event.h"
#endif
%include "skypeconnect/sc_dialrule.h"
%include "skypeconnect/sc_dialplan.h"
#if !defined(SC_POLICY_ONLY)
%include "skypeconnect/sc_session.h"
%include "skypeconnect/sc_call.h"
%include "skypeconnect/sc_media.h"
#endif
%include "skypeconnect/sc_policy.h"
#if !defined(SC_POLICY_ONLY)
%include "skypeconnect/sc_trunk.h"
#endif
%include "skypeconnect/sc_rule_export.h"
%include "skypeconnect/sc_gateway_secret.h"

int sc_set_log_cb_(int max_level, sc_log_cb cb, void *user, sc_destroy_fn destroy);
