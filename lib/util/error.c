/* Status texts and the thread-local detail of the last failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "error_priv.h"
#include "skypeconnect/sc_version.h"

#define SC_ERRBUF_SIZE 1024

static _Thread_local int last_status = SC_OK;
static _Thread_local char last_text[SC_ERRBUF_SIZE];

/* Every status once: its text for sc_strerror() and its name for
 * sc_status_name() come from this one list. */
#define SC_STATUS_LIST(X) \
    X(SC_OK, "success")\
    X(SC_EINVAL, "invalid argument")\
    X(SC_ENOMEM, "out of memory")\
    X(SC_ESTATE, "not allowed in the current state")\
    X(SC_ENOTFOUND, "not found")\
    X(SC_EEXISTS, "already exists")\
    X(SC_ECONFIG, "invalid configuration")\
    X(SC_EPARSE, "malformed input")\
    X(SC_EIO, "input/output error")\
    X(SC_ETIMEOUT, "timed out")\
    X(SC_ECLOSED, "session closed")\
    X(SC_ESIP, "SIP stack error")\
    X(SC_EREFUSED, "refused by policy")\
    X(SC_ECHANNELS, "no free channel")\
    X(SC_EINTERNAL, "internal error")\
    X(SC_ENOCODEC, "no common codec")

SC_API const char *sc_strerror(int status)
{
#define SC_STATUS_TEXT(name, text) case name: return text;
    switch ((sc_status)status) { SC_STATUS_LIST(SC_STATUS_TEXT) }
#undef SC_STATUS_TEXT
    return "unknown status";
}

SC_API const char *sc_status_name(int status)
{
#define SC_STATUS_NAME(name, text) case name: return #name;
    switch ((sc_status)status) { SC_STATUS_LIST(SC_STATUS_NAME) }
#undef SC_STATUS_NAME
    return "SC_UNKNOWN";
}

/* Formats into a copy first: a failure that wraps the one before it passes
 * sc_last_error() itself as an argument ("gateway '%s': %s"), and
 * vsnprintf() must not read the buffer it is writing. */
static void fail_v(int status, const char *fmt, va_list ap)
{
    char text[SC_ERRBUF_SIZE];
    vsnprintf(text, sizeof text, fmt, ap);
    memcpy(last_text, text, sizeof text);
    last_status = status;
}

int sc_fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(status, fmt, ap);
    va_end(ap);
    return status;
}

void *sc_fail_null(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(status, fmt, ap);
    va_end(ap);
    return NULL;
}

void sc_clear_error(void)
{
    last_status = SC_OK;
    last_text[0] = '\0';
}

void sc_error_save(sc_error_state *e)
{
    e->status = last_status;
    e->text = g_strdup(last_text);
}

int sc_error_restore(sc_error_state *e)
{
    last_status = e->status;
    g_strlcpy(last_text, e->text ? e->text : "", sizeof last_text);
    g_free(e->text);
    e->text = NULL;
    return last_status;
}

SC_API const char *sc_last_error(void)
{
    return last_text;
}

SC_API int sc_last_status(void)
{
    return last_status;
}

SC_API void sc_free(void *ptr)
{
    g_free(ptr);
}

SC_API const char *sc_version(void)
{
    return SC_VERSION_STRING;
}
