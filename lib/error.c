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

SC_API const char *sc_strerror(int status)
{
    switch ((sc_status)status) {
    case SC_OK: return "success";
    case SC_EINVAL: return "invalid argument";
    case SC_ENOMEM: return "out of memory";
    case SC_ESTATE: return "not allowed in the current state";
    case SC_ENOTFOUND: return "not found";
    case SC_EEXISTS: return "already exists";
    case SC_ECONFIG: return "invalid configuration";
    case SC_EPARSE: return "malformed input";
    case SC_EIO: return "input/output error";
    case SC_ETIMEOUT: return "timed out";
    case SC_ECLOSED: return "session closed";
    case SC_ESIP: return "SIP stack error";
    case SC_EREFUSED: return "refused by policy";
    case SC_ECHANNELS: return "no free channel";
    case SC_EINTERNAL: return "internal error";
    case SC_ENOCODEC: return "no common codec";
    }
    return "unknown status";
}

SC_API const char *sc_status_name(int status)
{
    switch ((sc_status)status) {
    case SC_OK: return "SC_OK";
    case SC_EINVAL: return "SC_EINVAL";
    case SC_ENOMEM: return "SC_ENOMEM";
    case SC_ESTATE: return "SC_ESTATE";
    case SC_ENOTFOUND: return "SC_ENOTFOUND";
    case SC_EEXISTS: return "SC_EEXISTS";
    case SC_ECONFIG: return "SC_ECONFIG";
    case SC_EPARSE: return "SC_EPARSE";
    case SC_EIO: return "SC_EIO";
    case SC_ETIMEOUT: return "SC_ETIMEOUT";
    case SC_ECLOSED: return "SC_ECLOSED";
    case SC_ESIP: return "SC_ESIP";
    case SC_EREFUSED: return "SC_EREFUSED";
    case SC_ECHANNELS: return "SC_ECHANNELS";
    case SC_EINTERNAL: return "SC_EINTERNAL";
    case SC_ENOCODEC: return "SC_ENOCODEC";
    }
    return "SC_UNKNOWN";
}

int sc_fail(int status, const char *fmt, ...)
{
    va_list ap;
    last_status = status;
    va_start(ap, fmt);
    vsnprintf(last_text, sizeof last_text, fmt, ap);
    va_end(ap);
    return status;
}

void sc_clear_error(void)
{
    last_status = SC_OK;
    last_text[0] = '\0';
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
