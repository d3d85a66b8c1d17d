/**
 * @file sc_common.h
 * @brief Status codes, error details, memory and logging shared by the whole API.
 *
 * Every function that can fail returns an `int`: ::SC_OK (0) or a negative
 * ::sc_status. Functions returning a pointer return NULL on failure. In both
 * cases the calling thread's last failure is kept: sc_last_status() gives the
 * code and sc_last_error() a sentence that names what was wrong (parameter,
 * value, line). Passwords never appear in these texts.
 *
 * Thread safety: every function in this library may be called from any thread.
 */
#ifndef SKYPECONNECT_SC_COMMON_H
#define SKYPECONNECT_SC_COMMON_H

#include <stddef.h>

#if defined(_WIN32)
#  define SC_API
#elif defined(__GNUC__)
#  define SC_API __attribute__((visibility("default")))
#else
#  define SC_API
#endif

#ifdef __cplusplus
#  define SC_BEGIN_DECLS extern "C" {
#  define SC_END_DECLS }
#else
#  define SC_BEGIN_DECLS
#  define SC_END_DECLS
#endif

SC_BEGIN_DECLS

/** Status codes. 0 is success, every error is negative. */
typedef enum sc_status {
    SC_OK = 0,            /**< Success. */
    SC_EINVAL = -1,       /**< An argument is invalid (NULL handle, bad value). */
    SC_ENOMEM = -2,       /**< Out of memory. */
    SC_ESTATE = -3,       /**< Not allowed in the object's current state. */
    SC_ENOTFOUND = -4,    /**< No such gateway, call or parameter. */
    SC_EEXISTS = -5,      /**< An object of that name already exists. */
    SC_ECONFIG = -6,      /**< The configuration is invalid (see the diagnostics). */
    SC_EPARSE = -7,       /**< Malformed input (XML, number, address). */
    SC_EIO = -8,          /**< A file or socket operation failed. */
    SC_ETIMEOUT = -9,     /**< A bounded wait ran out. */
    SC_ECLOSED = -10,     /**< The session is stopped or being stopped. */
    SC_ESIP = -11,        /**< The SIP stack failed or refused the operation. */
    SC_EREFUSED = -12,    /**< Refused by policy (dial rule, emergency number, ACL). */
    SC_ECHANNELS = -13,   /**< No free channel on the gateway. */
    SC_EINTERNAL = -14,   /**< A bug in libskypeconnect: please report it. */
    SC_ENOCODEC = -15     /**< No codec in common with the peer's SDP (answer 488). */
} sc_status;

/** Static English text for a status code ("invalid argument", ...). Never NULL. */
SC_API const char *sc_strerror(int status);

/** Symbolic name of a status code ("SC_EINVAL"). Never NULL. */
SC_API const char *sc_status_name(int status);

/**
 * Detail of the calling thread's last failure, e.g.
 * "gateway 'skype': param 'retry-seconds': value 'abc' is not a whole number".
 * Meaningful right after a call failed; "" when there was none. Valid until the
 * next failing call on this thread.
 */
SC_API const char *sc_last_error(void);

/** Status code of the calling thread's last failure (::SC_OK if none). */
SC_API int sc_last_status(void);

/** Frees a string or buffer that this library handed to the caller. NULL is fine. */
SC_API void sc_free(void *ptr);

/** Destroy notification for user data handed to the library with a callback. */
typedef void (*sc_destroy_fn)(void *user);

/** Library version as "MAJOR.MINOR.PATCH". */
SC_API const char *sc_version(void);

/** Log levels, from most to least severe. */
typedef enum sc_log_level {
    SC_LOG_ERROR = 0,
    SC_LOG_WARNING = 1,
    SC_LOG_INFO = 2,
    SC_LOG_DEBUG = 3
} sc_log_level;

/**
 * Receives the library's log lines. Called on whichever thread logs; it must
 * not block for long. Messages never contain passwords.
 */
typedef void (*sc_log_cb)(int level, const char *message, void *user);

/**
 * Sets the process-wide log callback and the most verbose level delivered.
 * Passing cb = NULL restores the default (lines at or above @p max_level go to
 * stderr; the default level is ::SC_LOG_WARNING, or the value of the
 * environment variable SKYPECONNECT_LOG: error, warning, info, debug).
 * The previous user data's @p destroy runs once no log call is using it.
 * @return ::SC_OK, or ::SC_EINVAL for a level out of range (then destroy(user) runs).
 */
SC_API int sc_set_log_cb(sc_log_cb cb, int max_level, void *user, sc_destroy_fn destroy);

/**
 * Turns the trace of SIP messages on or off, process-wide: sessions started
 * afterwards log every SIP message they send and receive, in full, at
 * ::SC_LOG_DEBUG (lines starting "sofia: ", a header line "send N bytes to
 * udp/[ADDR]:PORT at TIME:" or "recv N bytes from ..." then the message one
 * line each). The log level must be ::SC_LOG_DEBUG for them to show.
 * Messages carry what is on the wire: digest responses, never passwords.
 * Default off. @return ::SC_OK.
 */
SC_API int sc_set_sip_trace(int enabled);

/** Whether the SIP message trace is on (1 or 0). */
SC_API int sc_sip_trace_enabled(void);

SC_END_DECLS

#endif
