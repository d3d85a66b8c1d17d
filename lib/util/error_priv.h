/* Setting the calling thread's last failure, and logging. */
#ifndef SC_ERROR_PRIV_H
#define SC_ERROR_PRIV_H

#include <stdarg.h>
#include "skypeconnect/sc_common.h"

#if defined(__GNUC__)
#  define SC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define SC_PRINTF(f, a)
#endif

/* Records status and a formatted detail for this thread; returns status so
 * callers can write `return sc_fail(SC_EINVAL, "...")`. An argument may be
 * sc_last_error() itself: a failure that wraps the one before it. */
int sc_fail(int status, const char *fmt, ...) SC_PRINTF(2, 3);

/* The same for functions that answer a pointer: returns NULL, so callers
 * can write `return sc_fail_null(SC_EINVAL, "...")`. */
void *sc_fail_null(int status, const char *fmt, ...) SC_PRINTF(2, 3);

/* Forgets this thread's last failure (called at the start of public calls
 * that succeed, so sc_last_error() never shows a stale failure as current). */
void sc_clear_error(void);

/* A thread's last failure, carried to another thread: work run on the SIP
 * stack's thread fails there with sc_fail(), and the caller's thread gets
 * the same status and text (libgit2's git_error_save/restore). */
typedef struct sc_error_state {
    int status;
    char *text;
} sc_error_state;
/* Copies this thread's last failure into @p e. */
void sc_error_save(sc_error_state *e);
/* Makes @p e this thread's last failure, frees the copy, returns its status. */
int sc_error_restore(sc_error_state *e);

/* Logs a line through the application's log callback or stderr. Never pass a
 * password into a log line. */
void sc_log(int level, const char *fmt, ...) SC_PRINTF(2, 3);
int sc_log_enabled(int level);

#define SC_LOGE(...) sc_log(SC_LOG_ERROR, __VA_ARGS__)
#define SC_LOGW(...) sc_log(SC_LOG_WARNING, __VA_ARGS__)
#define SC_LOGI(...) sc_log(SC_LOG_INFO, __VA_ARGS__)
#define SC_LOGD(...) sc_log(SC_LOG_DEBUG, __VA_ARGS__)

#endif
