/* skypeconnect trunk: runs the built-in loopback trunk (sc_trunk.h) until
 * SIGINT, SIGTERM or "quit" on standard input, printing what it sees.
 *
 * The trunk's log is polled (it is cheap: a copy of at most a few thousand
 * lines) and every entry newer than the last printed is printed; entries
 * carry a sequence number, so nothing is printed twice even when the trunk
 * drops its oldest entries. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cli.h"
#include "json_flat.h"
#include "log_sink.h"
#include "skypeconnect/sc_trunk.h"

int cli_trunk(int argc, char **argv);   /* also in cli.h */

#define DEFAULT_LISTEN "127.0.0.1:5080"
#define DEFAULT_USER "demo"
#define DEFAULT_PASSWORD "demo"

typedef struct trunk_opts {
    const char *listen, *user, *password;
    bool json;
    int ring, expires;
    int log_level;          /* -1: SKYPECONNECT_LOG, else warning */
    bool sip_trace;         /* --log sip: refused */
} trunk_opts;

static int parse_int(const char *v, int lo, int hi, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) return -1;
    *out = (int)n;
    return 0;
}

static int parse_trunk_args(int argc, char **argv, trunk_opts *o)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--listen") && has_value) {
            o->listen = argv[++i];
        } else if (!strcmp(a, "--user") && has_value) {
            o->user = argv[++i];
        } else if (!strcmp(a, "--password") && has_value) {
            o->password = argv[++i];
        } else if (!strcmp(a, "--ring") && has_value) {
            if (parse_int(argv[++i], 0, 60, &o->ring) < 0) {
                fprintf(stderr, "skypeconnect trunk: --ring: '%s' is not 0..60 seconds\n", argv[i]);
                return -1;
            }
        } else if (!strcmp(a, "--expires") && has_value) {
            if (parse_int(argv[++i], 10, 86400, &o->expires) < 0) {
                fprintf(stderr, "skypeconnect trunk: --expires: '%s' is not 10..86400 seconds\n", argv[i]);
                return -1;
            }
        } else if (!strcmp(a, "--log") && has_value) {
            o->log_level = cli_log_level_named(argv[++i], &o->sip_trace);
            if (o->log_level < 0 || o->sip_trace) {
                /* the trunk prints every request it sees already; no trace of its own */
                fprintf(stderr, "skypeconnect trunk: --log: '%s' is not error, warning, info or debug\n", argv[i]);
                return -1;
            }
        } else {
            fprintf(stderr, "skypeconnect trunk: %s '%s'\n",
                    a[0] == '-' && !has_value ? "missing value for" : "unknown argument", a);
            return -1;
        }
    }
    return 0;
}

/* "register in sip:127.0.0.1:5080 -> 401 Unauthorized (challenged)" */
static void print_entry_text(const char *line)
{
    char *event = cli_json_field(line, "event"), *dir = cli_json_field(line, "direction");
    char *target = cli_json_field(line, "number"), *status = cli_json_field(line, "status");
    char *phrase = cli_json_field(line, "phrase"), *note = cli_json_field(line, "note");
    char *from = cli_json_field(line, "from");
    GString *b = g_string_new(NULL);
    if (!target || !*target) {
        g_free(target);
        target = cli_json_field(line, "ruri");
    }
    g_string_append_printf(b, "%s %s", event ? event : "?", dir ? dir : "?");
    if (target && *target) g_string_append_printf(b, " %s", target);
    if (from && *from) g_string_append_printf(b, " from %s", from);
    if (status && strcmp(status, "0")) g_string_append_printf(b, " -> %s %s", status, phrase ? phrase : "");
    if (note && *note) g_string_append_printf(b, " (%s)", note);
    cli_print_line(b->str);
    g_string_free(b, TRUE);
    g_free(event);
    g_free(dir);
    g_free(target);
    g_free(status);
    g_free(phrase);
    g_free(note);
    g_free(from);
}

/* Prints log entries newer than *last_seq. */
static void print_new_entries(sc_trunk *t, const trunk_opts *o, unsigned long long *last_seq)
{
    char *log = sc_trunk_log(t);
    char **lines = g_strsplit(log ? log : "", "\n", -1);
    for (char **l = lines; *l; l++) {
        unsigned long long seq;
        if (strncmp(*l, "{\"seq\":", 7)) continue;
        seq = strtoull(*l + 7, NULL, 10);
        if (seq <= *last_seq) continue;
        *last_seq = seq;
        if (o->json) cli_print_line(*l);
        else print_entry_text(*l);
    }
    g_strfreev(lines);
    sc_free(log);
}

static void trunk_command_error(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, sc_last_error());
}

static int fault_named(const char *name)
{
    if (!strcmp(name, "none")) return SC_TRUNK_FAULT_NONE;
    if (!strcmp(name, "wrong-password")) return SC_TRUNK_FAULT_WRONG_PASSWORD;
    if (!strcmp(name, "unavailable")) return SC_TRUNK_FAULT_UNAVAILABLE;
    if (!strcmp(name, "silent")) return SC_TRUNK_FAULT_SILENT;
    if (!strcmp(name, "interval")) return SC_TRUNK_FAULT_INTERVAL;
    return -1;
}

/* Runs one command line; returns true when it asks to quit. */
static bool trunk_command(sc_trunk *t, const trunk_opts *o, char *line)
{
    char *cmd = strtok(line, " \t\r\n"), *arg = strtok(NULL, " \t\r\n"), *arg2 = strtok(NULL, " \t\r\n");
    int n = 0;
    if (!cmd) return false;
    if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) return true;
    if (!strcmp(cmd, "call") && arg) {
        if (sc_trunk_place_call(t, arg, arg2)) trunk_command_error("call");
    } else if (!strcmp(cmd, "hangup")) {
        sc_trunk_hangup_all(t);
    } else if (!strcmp(cmd, "status")) {
        char line_out[256];
        int reg = sc_trunk_count(t, "register"), inv = sc_trunk_count(t, "invite");
        int ans = sc_trunk_count(t, "answered"), act = sc_trunk_count(t, "active");
        if (o->json)
            snprintf(line_out, sizeof line_out,
                     "{\"event\":\"status\",\"register\":%d,\"invite\":%d,\"answered\":%d,\"active\":%d,"
                     "\"registered\":%s}", reg, inv, ans, act, sc_trunk_is_registered(t, o->user) ? "true" : "false");
        else
            snprintf(line_out, sizeof line_out, "status: %d REGISTER, %d INVITE, %d answered, %d active; %s %s",
                     reg, inv, ans, act, o->user, sc_trunk_is_registered(t, o->user) ? "registered" : "not registered");
        cli_print_line(line_out);
    } else if (!strcmp(cmd, "fault") && arg && fault_named(arg) >= 0) {
        int fault = fault_named(arg);
        /* Retry-After and Min-Expires need a value: 60 s unless given. */
        n = fault == SC_TRUNK_FAULT_UNAVAILABLE || fault == SC_TRUNK_FAULT_INTERVAL ? 60 : 0;
        if (arg2 && parse_int(arg2, 0, 86400, &n) < 0) fprintf(stderr, "fault: '%s' is not seconds\n", arg2);
        else if (sc_trunk_set_fault(t, fault, n)) trunk_command_error("fault");
    } else if (!strcmp(cmd, "ring") && arg && !parse_int(arg, 0, 60, &n)) {
        sc_trunk_set_ring_seconds(t, n);
    } else if (!strcmp(cmd, "expires") && arg && !parse_int(arg, 10, 86400, &n)) {
        sc_trunk_set_expires(t, n);
    } else {
        fprintf(stderr, "unknown command '%s' (call USER [CALLER], hangup, status, "
                        "fault none|wrong-password|unavailable|silent|interval [SECONDS], "
                        "ring SECONDS, expires SECONDS, quit)\n", cmd);
    }
    return false;
}

typedef struct trunk_loop {
    sc_trunk *t;
    const trunk_opts *o;
} trunk_loop;

static bool trunk_line(char *line, const char *error, void *p)
{
    trunk_loop *l = p;
    if (!line) {
        fprintf(stderr, "input: %s\n", error);
        return false;
    }
    return trunk_command(l->t, l->o, line);
}

/* Waits for signals and commands, printing the log as it grows. */
static void trunk_serve(sc_trunk *t, const trunk_opts *o)
{
    trunk_loop loop = { t, o };
    unsigned long long last_seq = 0;
    cli_lines in;
    cli_lines_init(&in);
    for (;;) {
        struct pollfd fds[2] = {
            { cli_signal_fd(), POLLIN, 0 },
            { cli_lines_fd(&in), POLLIN, 0 },
        };
        if (poll(fds, 2, 200) < 0 && errno != EINTR) break;
        print_new_entries(t, o, &last_seq);
        if (fds[0].revents & POLLIN) break;
        if ((fds[1].revents & (POLLIN | POLLHUP)) && cli_lines_read(&in, trunk_line, &loop)) break;
    }
    print_new_entries(t, o, &last_seq);
}

int cli_trunk(int argc, char **argv)
{
    trunk_opts o = { DEFAULT_LISTEN, DEFAULT_USER, DEFAULT_PASSWORD, false, -1, 0, -1, false };
    sc_trunk *t;
    int rc;
    char line[512];

    setvbuf(stdout, NULL, _IOLBF, 0);
    rc = parse_trunk_args(argc, argv, &o);
    if (rc) return CLI_EXIT_CONFIG;
    if (cli_log_setup(o.log_level, false, NULL) < 0) return CLI_EXIT_CONFIG;
    if (cli_signal_pipe_open() < 0) {
        perror("skypeconnect trunk: pipe");
        return CLI_EXIT_FAILED;
    }

    t = sc_trunk_new(o.listen, o.user, o.password);
    if (!t) {
        fprintf(stderr, "skypeconnect trunk: %s\n", sc_last_error());
        rc = sc_last_status() == SC_EIO ? CLI_EXIT_FAILED : CLI_EXIT_CONFIG;
        goto out;
    }
    if (o.ring >= 0) sc_trunk_set_ring_seconds(t, o.ring);
    if (o.expires) sc_trunk_set_expires(t, o.expires);
    if (o.json) {
        /* The sentence too, for readers that look for it in either mode.
         * Address and user are safe in JSON: numeric, and checked by
         * sc_trunk_new() to hold no quotes or backslashes. */
        snprintf(line, sizeof line,
                 "{\"event\":\"listening\",\"address\":\"%s\",\"port\":%d,\"user\":\"%s\","
                 "\"message\":\"trunk listening on %s (user %s)\"}",
                 sc_trunk_address(t), sc_trunk_port(t), o.user, sc_trunk_address(t), o.user);
    } else {
        snprintf(line, sizeof line, "trunk listening on %s (user %s)", sc_trunk_address(t), o.user);
    }
    cli_print_line(line);
    trunk_serve(t, &o);
    rc = CLI_EXIT_OK;
out:
    sc_trunk_free(t);
    cli_signal_pipe_close();
    cli_log_close();
    return rc;
}
