/* skypeconnect run: register gateways and report what happens.
 *
 * The session delivers events into a queue (SC_DISPATCH_QUEUE); this thread
 * waits with poll() on that queue's descriptor, standard input and a signal
 * pipe, so output lines, commands and signals never race. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cli.h"
#include "file_text.h"
#include "gw_stats.h"
#include "log_sink.h"
#include "metrics.h"
#include "status_table.h"

#define STOP_TIMEOUT_MS 5000
#define SDP_MAX (64u * 1024u)     /* an SDP is a few hundred bytes */

typedef enum incoming_policy { INCOMING_RING, INCOMING_ANSWER, INCOMING_REJECT } incoming_policy;

typedef struct run_opts {
    char **gateway_files;
    int ngateway_files;
    const char *bind;
    int udp_rmem;           /* --udp-receive-buffer; -1: the library's default */
    const char *tls_dir;
    bool tls_verify;
    bool json;
    incoming_policy on_incoming;
    int reject_code;
    int answer_timeout;
    const char *inbound_acl;
    const char *dialplan;
    const char *internal;
    const char *internal_acl;
    char *sdp;              /* what we offer and answer with */
    bool media;             /* --media: the library's own SDP and RTP */
    const sc_config *cfg;   /* the gateways loaded, for status */
    cli_stats *stats;       /* what the events say, for status and metrics */
    int log_level;          /* -1: SKYPECONNECT_LOG, else warning */
    bool sip_trace;         /* --log sip */
    const char *metrics;    /* --metrics ADDR */
} run_opts;

static int parse_on_incoming(const char *v, run_opts *o)
{
    if (!strcmp(v, "ring") || !strcmp(v, "dialplan")) {
        /* "dialplan": calls the dialplan leaves to the application just ring. */
        o->on_incoming = INCOMING_RING;
    } else if (!strcmp(v, "answer")) {
        o->on_incoming = INCOMING_ANSWER;
    } else if (!strncmp(v, "reject:", 7)) {
        char *end;
        long code = strtol(v + 7, &end, 10);
        if (*end || code < 400 || code > 699) {
            fprintf(stderr, "skypeconnect run: --on-incoming %s: the code must be 400..699\n", v);
            return -1;
        }
        o->on_incoming = INCOMING_REJECT;
        o->reject_code = (int)code;
    } else {
        fprintf(stderr, "skypeconnect run: --on-incoming: '%s' is not ring, answer or reject:CODE\n", v);
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, run_opts *o)
{
    char *log_error = NULL;
    o->log_level = -1;
    o->udp_rmem = -1;
    o->gateway_files = calloc((size_t)argc + 1, sizeof(char *));
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--media")) {
            o->media = true;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--tls-verify")) {
            o->tls_verify = true;
        } else if (!strcmp(a, "--gateway") && has_value) {
            o->gateway_files[o->ngateway_files++] = argv[++i];
        } else if (!strcmp(a, "--bind") && has_value) {
            o->bind = argv[++i];
        } else if (!strcmp(a, "--udp-receive-buffer") && has_value) {
            /* the range is the library's to judge (sc_session_set_udp_receive_buffer) */
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (!*argv[i] || *end || v < 0 || v > INT_MAX) {
                fprintf(stderr, "skypeconnect run: --udp-receive-buffer: '%s' is not a number of bytes\n",
                        argv[i]);
                return -1;
            }
            o->udp_rmem = (int)v;
        } else if (!strcmp(a, "--tls-dir") && has_value) {
            o->tls_dir = argv[++i];
        } else if (!strcmp(a, "--on-incoming") && has_value) {
            if (parse_on_incoming(argv[++i], o) < 0) return -1;
        } else if (!strcmp(a, "--answer-timeout") && has_value) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 3600) {
                fprintf(stderr, "skypeconnect run: --answer-timeout: '%s' is not 1..3600 seconds\n", argv[i]);
                return -1;
            }
            o->answer_timeout = (int)v;
        } else if (!strcmp(a, "--inbound-acl") && has_value) {
            o->inbound_acl = argv[++i];
        } else if (!strcmp(a, "--dialplan") && has_value) {
            o->dialplan = argv[++i];
        } else if (!strcmp(a, "--internal") && has_value) {
            o->internal = argv[++i];
        } else if (!strcmp(a, "--internal-acl") && has_value) {
            o->internal_acl = argv[++i];
        } else if (!strcmp(a, "--sdp") && has_value) {
            char *error = NULL;
            g_free(o->sdp);
            o->sdp = cli_read_file(argv[++i], SDP_MAX, &error);
            if (!o->sdp) {
                fprintf(stderr, "skypeconnect run: --sdp: %s\n", error);
                g_free(error);
                return -1;
            }
        } else if (!strcmp(a, "--log") && has_value) {
            o->log_level = cli_log_level_named(argv[++i], &o->sip_trace);
            if (o->log_level < 0) {
                fprintf(stderr, "skypeconnect run: --log: '%s' is not " CLI_LOG_LEVELS "\n", argv[i]);
                return -1;
            }
        } else if (!strcmp(a, "--log-to") && has_value) {
            char *error = NULL;
            if (cli_log_add_target(argv[++i], &error) < 0) {
                fprintf(stderr, "skypeconnect run: --log-to: %s\n", error);
                g_free(error);
                return -1;
            }
        } else if (!strcmp(a, "--metrics") && has_value) {
            o->metrics = argv[++i];
        } else {
            fprintf(stderr, "skypeconnect run: %s '%s'\n",
                    a[0] == '-' && !has_value ? "missing value for" : "unknown argument", a);
            return -1;
        }
    }
    if (o->ngateway_files == 0) {
        fprintf(stderr, "skypeconnect run: at least one --gateway FILE is needed\n");
        return -1;
    }
    if (cli_log_setup(o->log_level, o->sip_trace, &log_error) < 0) {
        fprintf(stderr, "skypeconnect run: --log-to %s\n", log_error ? log_error : sc_last_error());
        g_free(log_error);
        return -1;
    }
    return 0;
}

static void print_event(const run_opts *o, const sc_event *ev)
{
    char *line = o->json ? sc_event_to_json(ev) : sc_event_to_text(ev);
    if (line) cli_print_line(line);
    sc_free(line);
}

/* Prints every waiting event; returns true once the session said it stopped. */
static void command_error(const run_opts *o, const char *command, int rc);

/* Call controls from this thread do not wait for the session's: a failure
 * found there comes later as a call_control event. It is reported as the
 * error of the command that asked, remembered here by call id. */
static GHashTable *call_commands;   /* call id -> command (static text) */

static void remember_command(int call_id, const char *command)
{
    if (!call_commands) call_commands = g_hash_table_new(NULL, NULL);
    g_hash_table_insert(call_commands, GINT_TO_POINTER(call_id), (gpointer)command);
}

static void print_error(const run_opts *o, const char *command, const char *code, const char *message);

static void control_outcome(const run_opts *o, const sc_event *ev)
{
    const char *cmd = call_commands ? g_hash_table_lookup(call_commands, GINT_TO_POINTER(sc_event_call_id(ev))) : NULL;
    int rc = sc_event_result(ev);
    /* a dial's refusal has its dial_refused event */
    if (rc == SC_OK || rc == SC_EREFUSED || rc == SC_ECHANNELS) return;
    print_error(o, cmd ? cmd : sc_event_control(ev), sc_status_name(rc), sc_event_message(ev));
}

/* What --on-incoming says to do with a new inbound call. */
static void handle_incoming(const run_opts *o, sc_call *call)
{
    int rc = SC_OK;
    remember_command(sc_call_id(call), "on-incoming");
    switch (o->on_incoming) {
    case INCOMING_RING: rc = sc_call_ring(call); break;
    case INCOMING_ANSWER: rc = o->media ? sc_call_answer_media(call) : sc_call_answer(call, o->sdp); break;
    case INCOMING_REJECT: rc = sc_call_reject(call, o->reject_code, NULL); break;
    }
    if (rc) command_error(o, "on-incoming", rc);
}

static bool drain_events(sc_session *s, const run_opts *o, int wait_ms)
{
    sc_event *ev;
    bool stopped = false;
    while ((ev = sc_session_next_event(s, wait_ms))) {
        print_event(o, ev);
        cli_stats_event(o->stats, ev);
        if (sc_event_type_of(ev) == SC_EVENT_INCOMING_CALL) handle_incoming(o, sc_event_call(ev));
        if (sc_event_type_of(ev) == SC_EVENT_CALL_CONTROL) control_outcome(o, ev);
        if (sc_event_call_state(ev) == SC_CALL_ENDED && call_commands)
            g_hash_table_remove(call_commands, GINT_TO_POINTER(sc_event_call_id(ev)));
        if (sc_event_type_of(ev) == SC_EVENT_SESSION_STOPPED) stopped = true;
        sc_event_free(ev);
        wait_ms = 0;
    }
    return stopped;
}

/* Where --metrics listens (port 0 picks one): before "started". */
static void print_metrics_address(const run_opts *o, const char *address)
{
    char line[160];
    if (o->json) snprintf(line, sizeof line, "{\"event\":\"metrics\",\"address\":\"%s\",\"path\":\"/metrics\"}", address);
    else snprintf(line, sizeof line, "metrics on http://%s/metrics", address);
    cli_print_line(line);
}

static void print_started(sc_session *s, const run_opts *o)
{
    char line[256];
    int udp = sc_session_local_port(s, "udp");
    int tcp = sc_session_local_port(s, "tcp");
    int tls = o->tls_dir ? sc_session_local_port(s, "tls") : 0;
    /* what the session chose: --bind, every interface ("0.0.0.0"), or loopback */
    const char *listen = sc_session_listen_host(s);
    char host[128];
    snprintf(host, sizeof host, "%s", listen ? listen : "?");
    if (o->json) {
        char tls_text[16] = "null";
        if (tls > 0) snprintf(tls_text, sizeof tls_text, "%d", tls);
        char internal_text[16] = "null";
        if (o->internal) snprintf(internal_text, sizeof internal_text, "%d", sc_session_local_port(s, "internal"));
        char *host_json = sc_json_quote(host);
        snprintf(line, sizeof line,
                 "{\"event\":\"started\",\"bind\":%s,\"udp_port\":%d,\"tcp_port\":%d,\"tls_port\":%s,"
                 "\"internal_port\":%s}",
                 host_json, udp, tcp, tls_text, internal_text);
        sc_free(host_json);
    } else if (tls > 0) {
        snprintf(line, sizeof line, "started on %s: udp and tcp port %d, tls port %d", host, udp, tls);
    } else {
        snprintf(line, sizeof line, "started on %s: udp and tcp port %d", host, udp);
    }
    cli_print_line(line);
}

/* An error line: --json prints an "error" event that parses whatever bytes
 * the command and the message hold (they echo what was typed). */
static void print_error(const run_opts *o, const char *command, const char *code, const char *message)
{
    if (o->json) {
        char *cmd = sc_json_quote(command), *msg = sc_json_quote(message);
        char *line = g_strdup_printf("{\"event\":\"error\",\"command\":%s,\"code\":\"%s\",\"message\":%s}",
                                     cmd, code, msg);
        cli_print_line(line);
        g_free(line);
        sc_free(cmd);
        sc_free(msg);
    } else {
        fprintf(stderr, "%s: %s\n", command, message);
    }
}

static void command_error(const run_opts *o, const char *command, int rc)
{
    print_error(o, command, sc_status_name(rc), sc_last_error());
}

static bool is_call_command(const char *cmd)
{
    return !strcmp(cmd, "answer") || !strcmp(cmd, "reject") || !strcmp(cmd, "hangup") ||
           !strcmp(cmd, "ring") || !strcmp(cmd, "dtmf") || !strcmp(cmd, "play") || !strcmp(cmd, "record") ||
           !strcmp(cmd, "stop") || !strcmp(cmd, "tone") || !strcmp(cmd, "stats") || !strcmp(cmd, "hold") ||
           !strcmp(cmd, "unhold");
}

/* The rest of the command line after the call number: a file name may hold spaces. */
static char *rest_of_line(void)
{
    char *rest = strtok(NULL, "\r\n");
    while (rest && (*rest == ' ' || *rest == '\t')) rest++;
    return rest && *rest ? rest : NULL;
}

static int media_command(sc_call *call, const char *cmd)
{
    if (!strcmp(cmd, "play")) {
        char *file = rest_of_line();
        return file ? sc_call_play(call, file, 0) : (fprintf(stderr, "usage: play CALL FILE\n"), SC_OK);
    }
    if (!strcmp(cmd, "record")) {
        char *file = rest_of_line();
        return file ? sc_call_record(call, file) : (fprintf(stderr, "usage: record CALL FILE\n"), SC_OK);
    }
    if (!strcmp(cmd, "tone")) {
        char *hz = strtok(NULL, " \t\r\n"), *ms = hz ? strtok(NULL, " \t\r\n") : NULL;
        if (!ms) return fprintf(stderr, "usage: tone CALL HZ MS\n"), SC_OK;
        return sc_call_play_tone(call, atoi(hz), atoi(ms), 0);
    }
    if (!strcmp(cmd, "stats")) {
        char *json = sc_call_media_stats_json(call);
        if (!json) return sc_last_status();
        cli_print_line(json);
        sc_free(json);
        return SC_OK;
    }
    if (!strcmp(cmd, "hold") || !strcmp(cmd, "unhold")) return sc_call_hold(call, !strcmp(cmd, "hold"));
    return sc_call_stop_media(call);
}

static int call_command(sc_session *s, const run_opts *o, const char *cmd, const char *id_text)
{
    char *end, *extra = NULL;
    long id = strtol(id_text, &end, 10);
    sc_call *call;
    int rc;
    if (*end || id <= 0) {
        fprintf(stderr, "%s: '%s' is not a call number\n", cmd, id_text);
        return SC_OK;
    }
    call = sc_session_find_call(s, (int)id);
    if (!call) return sc_last_status();
    if (!strcmp(cmd, "play") || !strcmp(cmd, "record") || !strcmp(cmd, "stop") || !strcmp(cmd, "tone") ||
        !strcmp(cmd, "stats") || !strcmp(cmd, "hold") || !strcmp(cmd, "unhold")) {
        rc = media_command(call, cmd);
        sc_call_unref(call);
        return rc;
    }
    extra = strtok(NULL, " \t\r\n");
    if (!strcmp(cmd, "answer")) rc = o->media ? sc_call_answer_media(call) : sc_call_answer(call, o->sdp);
    else if (!strcmp(cmd, "ring")) rc = sc_call_ring(call);
    else if (!strcmp(cmd, "hangup")) rc = sc_call_hangup(call);
    else if (!strcmp(cmd, "dtmf")) rc = sc_call_send_dtmf(call, extra ? extra : "");
    else {
        long code = extra ? strtol(extra, &end, 10) : 0;
        rc = sc_call_reject(call, extra && !*end ? (int)code : 0, NULL);
    }
    sc_call_unref(call);
    return rc;
}

/* Every live call, one line each; then, in --json, a "calls" event with the
 * count (so a reader knows the list is complete, and an empty list shows). */
static void print_calls(sc_session *s, const run_opts *o)
{
    size_t n = 0;
    sc_call **calls = sc_session_list_calls(s, &n);
    for (sc_call **c = calls; c && *c; c++) {
        char *json = sc_call_to_json(*c);
        if (json && o->json) {
            char *line = g_strdup_printf("{\"event\":\"call\",%s", json + 1);
            cli_print_line(line);
            g_free(line);
        } else if (json) {
            char *text = g_strdup_printf("call %d: %s %s via %s to %s", sc_call_id(*c),
                                         sc_call_direction_of(*c) == SC_CALL_INBOUND ? "inbound" : "outbound",
                                         sc_call_state_name(sc_call_state_of(*c)), sc_call_gateway(*c),
                                         sc_call_destination(*c));
            cli_print_line(text);
            g_free(text);
        }
        sc_free(json);
    }
    sc_call_list_free(calls);
    if (o->json) {
        char line[64];
        snprintf(line, sizeof line, "{\"event\":\"calls\",\"count\":%zu}", n);
        cli_print_line(line);
    } else if (n == 0) {
        cli_print_line("no calls");
    }
}

/* Runs one command line; returns true when it asks to quit. */
static bool run_command(sc_session *s, const run_opts *o, char *line)
{
    char *cmd = strtok(line, " \t\r\n");
    char *arg = strtok(NULL, " \t\r\n");
    int rc = SC_OK;
    if (!cmd) return false;
    if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) return true;
    if (!strcmp(cmd, "status")) {
        rc = cli_status_print(s, o->cfg, o->stats, arg, o->json);
    } else if (!strcmp(cmd, "register") && arg) {
        rc = sc_session_gateway_register(s, arg);
    } else if (!strcmp(cmd, "unregister") && arg) {
        rc = sc_session_gateway_unregister(s, arg);
    } else if (!strcmp(cmd, "dial") && arg) {
        char *number = strtok(NULL, " \t\r\n");
        char *caller = strtok(NULL, " \t\r\n");
        sc_call *call = NULL;
        rc = !number ? SC_OK
             : o->media ? sc_session_dial_media(s, arg, number, caller, NULL, &call)
             : sc_session_dial(s, arg, number, caller, NULL, o->sdp, &call);
        if (!number) fprintf(stderr, "usage: dial GATEWAY NUMBER [CALLER]\n");
        sc_call_unref(call);
        /* a refusal is reported by its dial_refused event already */
        if (rc == SC_EREFUSED || rc == SC_ECHANNELS) rc = SC_OK;
    } else if (is_call_command(cmd) && arg) {
        remember_command(atoi(arg), g_intern_string(cmd));
        rc = call_command(s, o, cmd, arg);
    } else if (!strcmp(cmd, "calls")) {
        print_calls(s, o);
    } else if (!strcmp(cmd, "drain")) {
        /* the drain event that follows says it happened */
        if (!arg || !strcmp(arg, "on")) rc = sc_session_set_draining(s, 1);
        else if (!strcmp(arg, "off")) rc = sc_session_set_draining(s, 0);
        else fprintf(stderr, "usage: drain [on|off] (not '%s')\n", arg);
    } else {
        fprintf(stderr, "unknown command '%s' (status [GW], calls, register GW, unregister GW, dial GW NUMBER, "
                        "ring|answer|hangup CALL, reject CALL CODE, dtmf CALL DIGITS, play|record CALL FILE, "
                        "tone CALL HZ MS, stop|stats|hold|unhold CALL, drain [on|off], quit)\n", cmd);
        return false;
    }
    if (rc) command_error(o, cmd, rc);
    return false;
}

static int start_session(sc_session *s, const run_opts *o, const sc_config *cfg)
{
    int rc = sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    if (!rc && o->media) rc = sc_session_set_media(s, 1);
    if (!rc && o->answer_timeout) rc = sc_session_set_answer_timeout(s, o->answer_timeout);
    if (!rc && o->inbound_acl) rc = sc_session_set_inbound_acl(s, o->inbound_acl);
    if (!rc && o->internal) rc = sc_session_set_internal(s, o->internal, o->internal_acl);
    if (!rc && o->dialplan) rc = sc_session_load_dialplan(s, o->dialplan);
    if (!rc && o->bind) rc = sc_session_set_bind(s, o->bind);
    if (!rc && o->udp_rmem >= 0) rc = sc_session_set_udp_receive_buffer(s, o->udp_rmem);
    if (!rc && o->tls_dir) rc = sc_session_set_tls(s, o->tls_dir, o->tls_verify);
    if (!rc) rc = sc_session_add_config(s, cfg);
    if (!rc) rc = sc_session_start(s);
    if (rc) fprintf(stderr, "skypeconnect run: %s\n", sc_last_error());
    return rc;
}

/* Text mode: after a quiet spell, say what we are waiting for, so that
 * nothing hangs silently (a registration retrying, a call ringing). */
static void say_what_we_wait_for(sc_session *s)
{
    int n = sc_session_gateway_count(s), calls = sc_session_call_count(s);
    for (int i = 0; i < n; i++) {
        char *name = sc_session_gateway_name_at(s, i);
        int state = name ? sc_session_gateway_state(s, name) : -1;
        if (name && state != SC_REG_REGED && state != SC_REG_NOREG) {
            char *json = sc_session_gateway_json(s, name);
            const char *retry = json ? strstr(json, "\"next_retry\":") : NULL;
            int seconds = retry ? atoi(retry + 13) : -1;
            if (seconds >= 0)
                printf("waiting: gateway %s is %s; next attempt in %d s\n", name, sc_reg_state_name(state), seconds);
            else
                printf("waiting: gateway %s is %s\n", name, sc_reg_state_name(state));
            sc_free(json);
        }
        sc_free(name);
    }
    if (calls > 0) printf("waiting: %d call%s in progress\n", calls, calls == 1 ? "" : "s");
    fflush(stdout);
}

#define QUIET_NOTE_US (10 * G_USEC_PER_SEC)

typedef struct run_loop {
    sc_session *s;
    const run_opts *o;
} run_loop;

static bool run_line(char *line, const char *error, void *p)
{
    run_loop *l = p;
    if (!line) {
        print_error(l->o, "input", sc_status_name(SC_EINVAL), error);
        return false;
    }
    return run_command(l->s, l->o, line);
}

/* The poll loop: events, commands, signals. Returns when asked to quit. */
static void serve(sc_session *s, const run_opts *o)
{
    run_loop loop = { s, o };
    cli_lines in;
    gint64 last_note = g_get_monotonic_time();
    cli_lines_init(&in);
    for (;;) {
        struct pollfd fds[3] = {
            { sc_session_event_fd(s), POLLIN, 0 },
            { cli_signal_fd(), POLLIN, 0 },
            { cli_lines_fd(&in), POLLIN, 0 },
        };
        int ready = poll(fds, 3, 1000);
        if (ready < 0 && errno != EINTR) break;
        if (fds[0].revents & POLLIN) last_note = g_get_monotonic_time();
        drain_events(s, o, 0);
        if (!o->json && g_get_monotonic_time() - last_note > QUIET_NOTE_US) {
            say_what_we_wait_for(s);
            last_note = g_get_monotonic_time();
        }
        if (fds[1].revents & POLLIN) return;
        if ((fds[2].revents & (POLLIN | POLLHUP)) && cli_lines_read(&in, run_line, &loop)) return;
    }
}

static gpointer stop_thread(gpointer p)
{
    if (sc_session_stop(p, STOP_TIMEOUT_MS) != SC_OK)
        fprintf(stderr, "skypeconnect run: %s\n", sc_last_error());
    return NULL;
}

/* Stops on another thread so that every event of the stop (UNREGISTER,
 * DOWN, calls ending) is printed as it happens, not when the stop is over. */
static void stop_and_report(sc_session *s, const run_opts *o)
{
    GThread *t = g_thread_new("stop", stop_thread, s);
    gint64 end = g_get_monotonic_time() + (STOP_TIMEOUT_MS + 40000) * (gint64)1000;
    while (!drain_events(s, o, 200) && g_get_monotonic_time() < end) {}
    g_thread_join(t);
    drain_events(s, o, 0);
}

/* A plain audio offer/answer for calls placed or taken from the command
 * line: PCMU, PCMA and DTMF events on a nominal port (media is not ours). */
static char *default_sdp(const char *bind)
{
    char host[64] = "127.0.0.1";
    if (bind && bind[0] != '[') snprintf(host, sizeof host, "%.*s", (int)strcspn(bind, ":"), bind);
    return g_strdup_printf("v=0\r\no=skypeconnect 1 1 IN IP4 %s\r\ns=skypeconnect\r\nc=IN IP4 %s\r\n"
                           "t=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
                           "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
                           "a=fmtp:101 0-15\r\na=sendrecv\r\n", host, host);
}

int cli_run(int argc, char **argv)
{
    run_opts o = { 0 };
    sc_config *cfg = NULL;
    sc_session *s = NULL;
    cli_metrics *metrics = NULL;
    int status = CLI_EXIT_OK;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (parse_args(argc, argv, &o) < 0) {
        free(o.gateway_files);
        g_free(o.sdp);
        return CLI_EXIT_CONFIG;
    }
    if (!o.sdp) o.sdp = default_sdp(o.bind);
    cfg = sc_config_new();
    o.cfg = cfg;
    o.stats = cli_stats_new();
    if (cli_load_gateways(cfg, o.gateway_files, o.ngateway_files, stderr) > 0) {
        fprintf(stderr, "skypeconnect run: configuration has errors; nothing started\n");
        status = CLI_EXIT_CONFIG;
        goto out;
    }
    if (sc_config_gateway_count(cfg) == 0) {
        fprintf(stderr, "skypeconnect run: no gateway in the configuration\n");
        status = CLI_EXIT_CONFIG;
        goto out;
    }
    if (cli_signal_pipe_open() < 0) {
        perror("skypeconnect run: pipe");
        status = CLI_EXIT_FAILED;
        goto out;
    }

    s = sc_session_new();
    if (!s || start_session(s, &o, cfg)) {
        status = CLI_EXIT_CONFIG;
        goto out;
    }
    cli_stats_started(o.stats);
    if (o.metrics && !(metrics = cli_metrics_start(o.metrics, s, o.cfg, o.stats))) {
        status = CLI_EXIT_CONFIG;
        goto out;
    }
    if (metrics) print_metrics_address(&o, cli_metrics_address(metrics));
    print_started(s, &o);
    serve(s, &o);
    stop_and_report(s, &o);
out:
    cli_metrics_stop(metrics);
    sc_session_free(s);
    sc_config_free(cfg);
    cli_stats_free(o.stats);
    free(o.gateway_files);
    g_free(o.sdp);
    cli_log_close();
    return status;
}
