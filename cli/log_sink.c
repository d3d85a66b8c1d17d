/* See log_sink.h. Syslog and journald get datagrams on their Unix sockets,
 * written here rather than through syslog(3) so that the socket is a
 * parameter (and a test can listen on one of its own). Formats: RFC 3164 as
 * glibc's syslog() sends it; journald's native protocol (KEY=VALUE lines). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "cli.h"
#include "log_sink.h"

typedef enum target_kind { TARGET_STDERR, TARGET_SYSLOG, TARGET_JOURNALD } target_kind;

typedef struct log_target {
    target_kind kind;
    char *path;
    int fd;
} log_target;

static GPtrArray *targets;   /* of log_target; NULL: stderr alone */

static const char *const level_names[] = { "error", "warning", "info", "debug" };
/* syslog severities: err, warning, info, debug */
static const int severities[] = { 3, 4, 6, 7 };
#define FACILITY_DAEMON (3 << 3)

int cli_log_level_named(const char *name, bool *sip)
{
    *sip = false;
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, level_names[i])) return i;
    if (!strcmp(name, "sip")) {
        *sip = true;
        return SC_LOG_DEBUG;
    }
    return -1;
}

static void target_free(gpointer p)
{
    log_target *t = p;
    if (t->fd >= 0) close(t->fd);
    g_free(t->path);
    g_free(t);
}

int cli_log_add_target(const char *spec, char **error)
{
    log_target *t = g_new0(log_target, 1);
    const char *colon = strchr(spec, ':');
    size_t kind_len = colon ? (size_t)(colon - spec) : strlen(spec);
    t->fd = -1;
    if (!strncmp(spec, "stderr", kind_len) && kind_len == 6 && !colon) {
        t->kind = TARGET_STDERR;
    } else if (!strncmp(spec, "syslog", kind_len) && kind_len == 6) {
        t->kind = TARGET_SYSLOG;
        t->path = g_strdup(colon ? colon + 1 : "/dev/log");
    } else if (!strncmp(spec, "journald", kind_len) && kind_len == 8) {
        t->kind = TARGET_JOURNALD;
        t->path = g_strdup(colon ? colon + 1 : "/run/systemd/journal/socket");
    } else {
        *error = g_strdup_printf("'%s' is not stderr, syslog[:SOCKET] or journald[:SOCKET]", spec);
        g_free(t);
        return -1;
    }
    if (t->path && (!*t->path || strlen(t->path) >= sizeof(((struct sockaddr_un *)0)->sun_path))) {
        *error = g_strdup_printf("'%s': the socket path is empty or too long", spec);
        target_free(t);
        return -1;
    }
    if (!targets) targets = g_ptr_array_new_with_free_func(target_free);
    g_ptr_array_add(targets, t);
    return 0;
}

static int open_socket(log_target *t, char **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    t->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    g_strlcpy(addr.sun_path, t->path, sizeof addr.sun_path);
    if (t->fd < 0 || connect(t->fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        *error = g_strdup_printf("%s: %s", t->path, g_strerror(errno));
        return -1;
    }
    return 0;
}

static void to_stderr(int level, const char *message)
{
    GDateTime *now = g_date_time_new_now_utc();
    char *stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
    fprintf(stderr, "%s.%03dZ skypeconnect %s: %s\n", stamp, g_date_time_get_microsecond(now) / 1000,
            level_names[level], message);
    g_free(stamp);
    g_date_time_unref(now);
}

static void to_syslog(const log_target *t, int level, const char *message)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    char *line;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
    line = g_strdup_printf("<%d>%s skypeconnect[%d]: %s: %s", FACILITY_DAEMON | severities[level], stamp,
                           (int)getpid(), level_names[level], message);
    if (send(t->fd, line, strlen(line), MSG_NOSIGNAL) < 0) { /* a full or gone log daemon loses the line */ }
    g_free(line);
}

static void to_journald(const log_target *t, int level, const char *message)
{
    char *m = g_strdup(message), *datagram;
    for (char *p = m; *p; p++)
        if (*p == '\n') *p = ' ';   /* a newline would end the field */
    datagram = g_strdup_printf("MESSAGE=%s\nPRIORITY=%d\nSYSLOG_IDENTIFIER=skypeconnect\nSYSLOG_PID=%d\n"
                               "SKYPECONNECT_LEVEL=%s\n", m, severities[level], (int)getpid(), level_names[level]);
    if (send(t->fd, datagram, strlen(datagram), MSG_NOSIGNAL) < 0) { /* as for syslog */ }
    g_free(datagram);
    g_free(m);
}

/* The library's log callback: any thread. Targets are only changed before
 * the callback is installed and after it is removed. */
static void on_log(int level, const char *message, void *user)
{
    (void)user;
    if (level < 0) level = 0;
    if (level > 3) level = 3;
    if (!targets) {
        to_stderr(level, message);
        return;
    }
    for (guint i = 0; i < targets->len; i++) {
        const log_target *t = targets->pdata[i];
        if (t->kind == TARGET_STDERR) to_stderr(level, message);
        else if (t->kind == TARGET_SYSLOG) to_syslog(t, level, message);
        else to_journald(t, level, message);
    }
}

int cli_log_setup(int level, bool sip, char **error)
{
    if (level < 0) {
        const char *env = getenv("SKYPECONNECT_LOG");
        bool env_sip;
        level = env ? cli_log_level_named(env, &env_sip) : -1;
        if (level < 0) level = SC_LOG_WARNING;
        else sip = sip || env_sip;
    }
    for (guint i = 0; targets && i < targets->len; i++) {
        log_target *t = targets->pdata[i];
        if (t->kind != TARGET_STDERR && open_socket(t, error) < 0) return -1;
    }
    sc_set_sip_trace(sip);
    return sc_set_log_cb(on_log, level, NULL, NULL) == SC_OK ? 0 : -1;
}

void cli_log_close(void)
{
    sc_set_log_cb(NULL, SC_LOG_WARNING, NULL, NULL);
    if (targets) g_ptr_array_free(targets, TRUE);
    targets = NULL;
}
