/* skypeconnect demo: the Skype Connect setup, end to end, on the built-in
 * loopback trunk. Nothing leaves the machine.
 *
 * Cast: the loopback trunk (a provider with a PSTN behind it); the "office"
 * session running the seed configuration exactly as on the Skype Connect
 * page (gateway, public and default dialplan) with an internal side for
 * local phones; and "phone 1000", a local SIP phone (another session).
 *
 * Steps: register; an inbound call from the PSTN reaches phone 1000 through
 * `transfer 1000 XML default`; phone 1000 dials 0044... which goes out
 * through the gateway by the prefix rule; 112 and a number without the
 * prefix are refused, and nothing reaches the trunk for them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "cli.h"

#define DEMO_USER "skypeuser"
#define DEMO_PASSWORD "demo-password-7"
#define STEP_TIMEOUT_MS 15000

typedef struct demo {
    sc_trunk *trunk;
    sc_session *office;
    sc_session *phone;         /* "phone 1000" */
    char *dir;                 /* the seed configuration, written for the run */
    bool json;
    int failures;
} demo;

static void say(const demo *d, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void say(const demo *d, const char *fmt, ...)
{
    va_list ap;
    char *text;
    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (d->json) {
        GString *b = g_string_new("{\"event\":\"demo\",\"text\":\"");
        for (const char *p = text; *p; p++) {
            if (*p == '"' || *p == '\\') g_string_append_c(b, '\\');
            if ((unsigned char)*p >= 0x20) g_string_append_c(b, *p);
        }
        g_string_append(b, "\"}");
        cli_print_line(b->str);
        g_string_free(b, TRUE);
    } else {
        cli_print_line(text);
    }
    g_free(text);
}

static void show_event(const demo *d, const char *who, const sc_event *ev)
{
    char *line = d->json ? sc_event_to_json(ev) : sc_event_to_text(ev);
    if (d->json) cli_print_line(line);
    else {
        char *text = g_strdup_printf("    [%s] %s", who, line);
        cli_print_line(text);
        g_free(text);
    }
    sc_free(line);
}

/* Waits on a session's queue for an event that satisfies want(); prints
 * every event on the way, and says what it waits for while it waits. */
typedef bool (*want_fn)(const sc_event *ev, void *arg);

static sc_event *await(demo *d, sc_session *s, const char *who, const char *what, want_fn want, void *arg)
{
    gint64 end = g_get_monotonic_time() + STEP_TIMEOUT_MS * 1000LL, next_note = g_get_monotonic_time() + 3000000;
    while (g_get_monotonic_time() < end) {
        sc_event *ev = sc_session_next_event(s, 200);
        if (!ev) {
            if (g_get_monotonic_time() > next_note) {
                say(d, "    ... still waiting for %s", what);
                next_note = g_get_monotonic_time() + 3000000;
            }
            continue;
        }
        show_event(d, who, ev);
        if (want(ev, arg)) return ev;
        sc_event_free(ev);
    }
    say(d, "    FAILED: no %s within %d s", what, STEP_TIMEOUT_MS / 1000);
    d->failures++;
    return NULL;
}

static bool is_state(const sc_event *ev, void *arg)
{
    return sc_event_type_of(ev) == SC_EVENT_GATEWAY_STATE && sc_event_state(ev) == GPOINTER_TO_INT(arg);
}

static bool is_incoming(const sc_event *ev, void *arg)
{
    (void)arg;
    return sc_event_type_of(ev) == SC_EVENT_INCOMING_CALL;
}

static bool is_call_state(const sc_event *ev, void *arg)
{
    return sc_event_type_of(ev) == SC_EVENT_CALL_STATE && sc_event_call_state(ev) == GPOINTER_TO_INT(arg);
}

static bool is_refused(const sc_event *ev, void *arg)
{
    (void)arg;
    return sc_event_type_of(ev) == SC_EVENT_DIAL_REFUSED ||
           (sc_event_type_of(ev) == SC_EVENT_CALL_STATE && sc_event_call_state(ev) == SC_CALL_ENDED);
}

static void drain(demo *d, sc_session *s, const char *who, int ms)
{
    sc_event *ev;
    while ((ev = sc_session_next_event(s, ms))) {
        show_event(d, who, ev);
        sc_event_free(ev);
        ms = 50;
    }
}

static bool write_file(const char *dir, const char *name, const char *text)
{
    char *path = g_build_filename(dir, name, NULL), *parent = g_path_get_dirname(path);
    bool ok = g_mkdir_with_parents(parent, 0700) == 0 && g_file_set_contents(path, text, -1, NULL);
    g_free(path);
    g_free(parent);
    return ok;
}

/* The three snippets of the Skype Connect page, placeholders filled in, and
 * the local extension 1000 the inbound call is transferred to. */
static bool write_seed(demo *d, int phone_port)
{
    char *gateway = g_strdup_printf(
        "<include>\n"
        "  <gateway name=\"skype\">\n"
        "    <param name=\"realm\" value=\"%s\"/>\n"
        "    <param name=\"proxy\" value=\"%s\"/>\n"
        "    <param name=\"from-domain\" value=\"%s\"/>\n"
        "    <param name=\"username\" value=\"" DEMO_USER "\"/>\n"
        "    <param name=\"from-user\" value=\"" DEMO_USER "\"/>\n"
        "    <param name=\"password\" value=\"" DEMO_PASSWORD "\"/>\n"
        "    <param name=\"contact-params\" value=\"\"/>\n"
        "    <param name=\"extension\" value=\"" DEMO_USER "\"/>\n"
        "    <param name=\"extension-in-contact\" value=\"true\"/>\n"
        "    <param name=\"retry-seconds\" value=\"30\"/>\n"
        "    <param name=\"caller-id-in-from\" value=\"false\"/>\n"
        "  </gateway>\n"
        "</include>\n",
        sc_trunk_address(d->trunk), sc_trunk_address(d->trunk), sc_trunk_address(d->trunk));
    char *local = g_strdup_printf(
        "<include>\n"
        "  <extension name=\"local_1000\">\n"
        "    <condition field=\"destination_number\" expression=\"^1000$\">\n"
        "      <action application=\"bridge\" data=\"sofia/internal/1000@127.0.0.1:%d\"/>\n"
        "    </condition>\n"
        "  </extension>\n"
        "</include>\n", phone_port);
    bool ok = write_file(d->dir, "skype.xml", gateway) &&
        write_file(d->dir, "dialplan/public/01_skype.xml",
                   "<include>\n"
                   "  <extension name=\"skype_inbound\">\n"
                   "    <condition field=\"destination_number\" expression=\"" DEMO_USER "\">\n"
                   "      <action application=\"transfer\" data=\"1000 XML default\"/>\n"
                   "    </condition>\n"
                   "  </extension>\n"
                   "</include>\n") &&
        write_file(d->dir, "dialplan/default/01_skype.xml",
                   "<include>\n"
                   "  <extension name=\"skype_outbound\">\n"
                   "    <condition field=\"destination_number\" expression=\"^(00\\d+)$\">\n"
                   "      <action application=\"bridge\" data=\"sofia/gateway/skype/$1\"/>\n"
                   "    </condition>\n"
                   "  </extension>\n"
                   "</include>\n") &&
        write_file(d->dir, "dialplan/default/00_local.xml", local);
    g_free(gateway);
    g_free(local);
    return ok;
}

static int start_phone(demo *d)
{
    /* Phone 1000 only answers calls; its "gateway" is the office's internal
     * side, so the office may call it and it may call the office. */
    d->phone = sc_session_new();
    sc_session_set_dispatch(d->phone, SC_DISPATCH_QUEUE);
    sc_session_set_inbound_acl(d->phone, "127.0.0.1");
    return sc_session_start(d->phone);
}

static int start_office(demo *d)
{
    char *gw_path = g_build_filename(d->dir, "skype.xml", NULL), *dp = g_build_filename(d->dir, "dialplan", NULL);
    sc_config *cfg = sc_config_new();
    int rc = sc_config_load_file(cfg, gw_path);
    d->office = sc_session_new();
    sc_session_set_dispatch(d->office, SC_DISPATCH_QUEUE);
    if (!rc) rc = sc_session_set_internal(d->office, "127.0.0.1:0", "127.0.0.1");
    if (!rc) rc = sc_session_load_dialplan(d->office, dp);
    if (!rc) rc = sc_session_add_config(d->office, cfg);
    if (!rc) rc = sc_session_start(d->office);
    if (rc) say(d, "cannot start the office session: %s", sc_last_error());
    sc_config_free(cfg);
    g_free(gw_path);
    g_free(dp);
    return rc;
}

static const char *demo_sdp =
    "v=0\r\no=phone1000 1 1 IN IP4 127.0.0.1\r\ns=demo\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 41000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n";

/* Phone 1000's "gateway": the office's internal side, for its dial-outs. */
static int phone_gateway(demo *d)
{
    char proxy[64];
    sc_gateway *gw = sc_gateway_new("office");
    int rc;
    g_snprintf(proxy, sizeof proxy, "127.0.0.1:%d", sc_session_local_port(d->office, "internal"));
    sc_gateway_set(gw, "register", "false");
    sc_gateway_set(gw, "proxy", proxy);
    sc_gateway_set(gw, "username", "1000");
    sc_gateway_set(gw, "dial-pattern", "^(\\d+)$");  /* the office's dialplan decides */
    rc = sc_session_add_gateway(d->phone, gw);
    sc_gateway_free(gw);
    return rc;
}

static void step_inbound(demo *d)
{
    sc_event *ev;
    say(d, "\n2. A call from the PSTN (+4930123456) to the SIP username " DEMO_USER);
    say(d, "   public/01_skype.xml transfers it to 1000 in default; 1000 bridges to phone 1000.");
    if (sc_trunk_place_call(d->trunk, DEMO_USER, "4930123456") != SC_OK) {
        say(d, "    FAILED: %s", sc_last_error());
        d->failures++;
        return;
    }
    ev = await(d, d->phone, "phone 1000", "the call ringing at phone 1000", is_incoming, NULL);
    if (!ev) return;
    say(d, "   phone 1000 rings: caller %s; it answers.", sc_call_caller_number(sc_event_call(ev)));
    sc_call_answer(sc_event_call(ev), demo_sdp);
    sc_event_free(ev);
    ev = await(d, d->office, "office", "the PSTN leg to be answered", is_call_state,
               GINT_TO_POINTER(SC_CALL_ANSWERED));
    sc_event_free(ev);
    drain(d, d->phone, "phone 1000", 300);
    say(d, "   The PSTN caller hangs up.");
    sc_trunk_hangup_all(d->trunk);
    ev = await(d, d->phone, "phone 1000", "the hang-up to reach phone 1000", is_call_state,
               GINT_TO_POINTER(SC_CALL_ENDED));
    sc_event_free(ev);
    drain(d, d->office, "office", 300);
}

static void step_outbound(demo *d)
{
    sc_call *call = NULL;
    sc_event *ev;
    int invites = sc_trunk_count(d->trunk, "invite");
    say(d, "\n3. Phone 1000 dials 0044201234561: default/01_skype.xml ^(00\\d+)$ bridges sofia/gateway/skype/$1");
    if (sc_session_dial(d->phone, "office", "0044201234561", "1000", "Phone 1000", demo_sdp, &call) != SC_OK) {
        say(d, "    FAILED: %s", sc_last_error());
        d->failures++;
        return;
    }
    ev = await(d, d->phone, "phone 1000", "the PSTN to answer", is_call_state, GINT_TO_POINTER(SC_CALL_ANSWERED));
    sc_event_free(ev);
    drain(d, d->office, "office", 300);
    say(d, "   The trunk saw %d new INVITE(s); its log says what it received:", sc_trunk_count(d->trunk, "invite") - invites);
    {
        char *log = sc_trunk_log(d->trunk);
        char **lines = g_strsplit(log ? log : "", "\n", -1);
        for (char **l = lines; *l; l++)
            if (strstr(*l, "\"invite\"") && strstr(*l, "0044201234561")) say(d, "    %s", *l);
        g_strfreev(lines);
        sc_free(log);
    }
    say(d, "   Phone 1000 hangs up.");
    sc_call_hangup(call);
    ev = await(d, d->phone, "phone 1000", "the call to end", is_call_state, GINT_TO_POINTER(SC_CALL_ENDED));
    sc_event_free(ev);
    sc_call_unref(call);
    drain(d, d->office, "office", 300);
}

static void step_refused(demo *d, const char *number, const char *why)
{
    sc_call *call = NULL;
    sc_event *ev;
    int invites = sc_trunk_count(d->trunk, "invite");
    say(d, "\n%s Phone 1000 dials %s: %s", strcmp(number, "112") ? "5." : "4.", number, why);
    if (sc_session_dial(d->phone, "office", number, "1000", NULL, demo_sdp, &call) != SC_OK) {
        say(d, "   Phone 1000 runs libskypeconnect too, and refuses it before sending anything:");
        say(d, "    %s", sc_last_error());
        drain(d, d->phone, "phone 1000", 100);
        /* What the office does when its dialplan bridges a number to the gateway. */
        if (sc_session_dial_checked(d->office, "skype", number, NULL, NULL, demo_sdp, NULL) != SC_OK)
            say(d, "   The office refuses it as well when its dialplan bridges it to the gateway:\n    %s",
                sc_last_error());
        drain(d, d->office, "office", 100);
    } else {
        ev = await(d, d->phone, "phone 1000", "the office to refuse it", is_refused, NULL);
        if (ev && sc_event_type_of(ev) == SC_EVENT_CALL_STATE)
            say(d, "   The office answered SIP %d (%s).", sc_event_sip_code(ev), sc_event_cause(ev));
        sc_event_free(ev);
        sc_call_unref(call);
    }
    drain(d, d->office, "office", 300);
    if (sc_trunk_count(d->trunk, "invite") == invites) {
        say(d, "   The trunk received nothing: no INVITE left the office.");
    } else {
        say(d, "   FAILED: the trunk received an INVITE for %s", number);
        d->failures++;
    }
}

int cli_demo(int argc, char **argv)
{
    demo d = { 0 };
    sc_event *ev;
    const char *keep = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) d.json = true;
        else if (!strcmp(argv[i], "--keep") && i + 1 < argc) keep = argv[++i];
        else {
            fprintf(stderr, "skypeconnect demo: %s '%s'\n\n",
                    !strcmp(argv[i], "--keep") ? "missing value for" : "unknown argument", argv[i]);
            cli_usage(stderr, "demo");
            return CLI_EXIT_CONFIG;
        }
    }
    if (keep && g_mkdir_with_parents(keep, 0755) < 0) {
        fprintf(stderr, "skypeconnect demo: --keep %s: %s\n", keep, g_strerror(errno));
        return CLI_EXIT_CONFIG;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    say(&d, "libskypeconnect %s demo: the Skype Connect setup on the built-in loopback trunk", sc_version());
    d.dir = keep ? g_strdup(keep) : g_dir_make_tmp("skypeconnect-demo-XXXXXX", NULL);
    d.trunk = sc_trunk_new("127.0.0.1:0", DEMO_USER, DEMO_PASSWORD);
    if (!d.dir || !d.trunk || start_phone(&d) != SC_OK ||
        !write_seed(&d, sc_session_local_port(d.phone, "udp")) || start_office(&d) != SC_OK ||
        phone_gateway(&d) != SC_OK) {
        say(&d, "setup failed: %s", sc_last_error());
        d.failures++;
        goto out;
    }
    say(&d, "The loopback trunk listens on %s (account " DEMO_USER ").", sc_trunk_address(d.trunk));
    say(&d, "The seed configuration is in %s (gateway skype.xml, dialplan/public, dialplan/default).", d.dir);

    say(&d, "\n1. The gateway registers with digest authentication");
    ev = await(&d, d.office, "office", "the registration (REGED)", is_state, GINT_TO_POINTER(SC_REG_REGED));
    sc_event_free(ev);
    if (d.failures) goto out;
    drain(&d, d.phone, "phone 1000", 100);

    step_inbound(&d);
    step_outbound(&d);
    step_refused(&d, "112", "an emergency number: the provider forbids them, whatever the dialplan says");
    step_refused(&d, "44201234567", "no 00 prefix: no extension matches, so 404 and nothing goes out");

    say(&d, "\n6. Stop: the gateway unregisters");
out:
    if (d.office) {
        sc_session_stop(d.office, 3000);
        drain(&d, d.office, "office", 200);
    }
    sc_session_free(d.office);
    sc_session_free(d.phone);
    sc_trunk_free(d.trunk);
    if (d.dir && keep) {
        say(&d, "The configuration stays in %s.", d.dir);
        g_free(d.dir);
    } else if (d.dir) {
        char *cmd[] = { "rm", "-rf", d.dir, NULL };
        g_spawn_sync(NULL, cmd, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
        g_free(d.dir);
    }
    say(&d, d.failures ? "\ndemo FAILED (%d step(s))" : "\ndemo finished: every step worked%.0d", d.failures);
    return d.failures ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}
