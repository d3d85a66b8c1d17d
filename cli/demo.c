/* skypeconnect demo: the Skype Connect setup, end to end, on the built-in
 * loopback trunk. Nothing leaves the machine.
 *
 * Cast: the loopback trunk (a provider with a PSTN behind it); the "office"
 * session running the seed configuration exactly as on the Skype Connect
 * page (gateway, public and default dialplan) with an internal side for
 * local phones; and "phone 1000", a local SIP phone (another session).
 *
 * Steps: 1. register; 2. an inbound call from the PSTN reaches phone 1000
 * through `transfer 1000 XML default`; 3. a "PSTN caller" (a third session,
 * with media) dials the account's online number: the trunk relays the call
 * to the office, which routes it to phone 1000 the same way; phone 1000
 * answers with media and plays a 440 Hz greeting tone for 1.5 s, the caller
 * records it to greeting-recorded.wav in the demo's folder, and the demo
 * measures the recording (duration of the tone, frequency by zero crossings,
 * share of energy at 440 Hz by Goertzel): a mismatch fails the step, a
 * build without media skips it; 4. phone 1000 dials 0044... which goes out
 * through the gateway by the prefix rule; 5.-6. 112 and a number without
 * the prefix are refused, and nothing reaches the trunk for them; 7. stop. */
#include <errno.h>
#include <math.h>
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
    sc_session *caller;        /* the "PSTN caller" with media (step 3) */
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
    /* Media for step 3 (answer with audio and play); calls answered with
     * our own SDP (steps 2 and 4) work as before. */
    if (sc_media_supported()) sc_session_set_media(d->phone, 1);
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


/* ------------------------------------------------------------------ */
/* Step 3: a greeting with real audio, recorded at the caller and measured. */

#define GREETING_HZ 440
#define GREETING_MS 1500
#define GREETING_HZ_TOLERANCE 15      /* Hz, by zero crossings */
#define GREETING_MS_TOLERANCE 250     /* jitter buffer, first and last packets */

static bool is_control(const sc_event *ev, void *arg)
{
    return sc_event_type_of(ev) == SC_EVENT_CALL_CONTROL && !strcmp(sc_event_control(ev), arg);
}

static bool is_notice(const sc_event *ev, void *arg)
{
    return sc_event_type_of(ev) == SC_EVENT_MEDIA_NOTICE && !strcmp(sc_event_media_state(ev), arg);
}

/* A 16-bit mono PCM WAV's samples (g_free) and rate, or NULL with why. */
static short *wav_read(const char *path, size_t *n, int *rate, char **why)
{
    char *data = NULL;
    gsize len = 0, off = 12;
    short *pcm = NULL;
    int channels = 0, bits = 0;
    *n = 0;
    *rate = 0;
    if (!g_file_get_contents(path, &data, &len, NULL)) {
        *why = g_strdup_printf("cannot read %s", path);
        return NULL;
    }
    if (len < 12 || memcmp(data, "RIFF", 4) || memcmp(data + 8, "WAVE", 4)) {
        *why = g_strdup_printf("%s is not a WAV file (%zu bytes)", path, (size_t)len);
        g_free(data);
        return NULL;
    }
    while (off + 8 <= len) {
        guint32 size = (guint32)(guchar)data[off + 4] | (guint32)(guchar)data[off + 5] << 8 |
                       (guint32)(guchar)data[off + 6] << 16 | (guint32)(guchar)data[off + 7] << 24;
        const guchar *body = (const guchar *)data + off + 8;
        if (size > len - off - 8) size = (guint32)(len - off - 8);   /* a header not finished */
        if (!memcmp(data + off, "fmt ", 4) && size >= 16) {
            channels = body[2] | body[3] << 8;
            *rate = (int)(body[4] | body[5] << 8 | body[6] << 16 | (guint32)body[7] << 24);
            bits = body[14] | body[15] << 8;
        } else if (!memcmp(data + off, "data", 4) && channels == 1 && bits == 16) {
            *n = size / 2;
            pcm = g_new(short, *n + 1);
            for (size_t i = 0; i < *n; i++) pcm[i] = (short)(body[2 * i] | body[2 * i + 1] << 8);
            break;
        }
        off += 8 + size + (size & 1);
    }
    if (!pcm) *why = g_strdup_printf("%s has no 16-bit mono PCM data (%d channel(s), %d bits)", path, channels, bits);
    g_free(data);
    return pcm;
}

/* Measures the tone in a recording: how long it sounds (20 ms blocks above
 * a quarter of the loudest block's level), its frequency by zero crossings
 * over those blocks, and the share of their energy at GREETING_HZ
 * (Goertzel, per block). Says what it found; false on a mismatch. */
static bool check_greeting(demo *d, const char *path)
{
    size_t n, block, loud = 0, crossings = 0;
    int rate;
    char *why = NULL;
    short *pcm = wav_read(path, &n, &rate, &why);
    double max_rms = 0, energy = 0, at_tone = 0, seconds, hz, share;
    bool ok;
    if (!pcm) {
        say(d, "    FAILED: %s", why);
        g_free(why);
        return false;
    }
    block = rate > 0 ? (size_t)rate / 50 : 160;
    for (size_t b = 0; b + block <= n; b += block) {
        double sum = 0;
        for (size_t i = 0; i < block; i++) sum += (double)pcm[b + i] * pcm[b + i];
        if (sqrt(sum / block) > max_rms) max_rms = sqrt(sum / block);
    }
    for (size_t b = 0; max_rms >= 300 && b + block <= n; b += block) {
        double sum = 0, s1 = 0, s2 = 0, coeff = 2 * cos(2 * G_PI * GREETING_HZ / rate);
        for (size_t i = 0; i < block; i++) sum += (double)pcm[b + i] * pcm[b + i];
        if (sqrt(sum / block) < max_rms / 4) continue;
        loud++;
        for (size_t i = 0; i < block; i++) {
            double s0 = pcm[b + i] + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
            if (b + i > 0 && (pcm[b + i - 1] < 0) != (pcm[b + i] < 0)) crossings++;
        }
        energy += sum;
        /* |X(k)|^2 of a sine of amplitude A over N samples is (A N / 2)^2,
         * its energy A^2 N / 2: the share is 2 |X|^2 / (N * energy). */
        at_tone += 2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (double)block;
    }
    g_free(pcm);
    seconds = (double)(loud * block) / (rate > 0 ? rate : 8000);
    hz = seconds > 0 ? crossings / 2.0 / seconds : 0;
    share = energy > 0 ? at_tone / energy : 0;
    say(d, "   recorded %.2f s of tone (%.2f s in the file), %.0f Hz by zero crossings, "
        "%d Hz holding %.0f %% of its energy", seconds, (double)n / (rate > 0 ? rate : 8000), hz, GREETING_HZ,
        share * 100);
    ok = fabs(hz - GREETING_HZ) <= GREETING_HZ_TOLERANCE && share >= 0.5 &&
         fabs(seconds * 1000 - GREETING_MS) <= GREETING_MS_TOLERANCE;
    if (ok) {
        say(d, "   The caller heard the greeting: %d Hz dominant for %.2f s (%d ms played).", GREETING_HZ, seconds,
            GREETING_MS);
    } else {
        say(d, "    FAILED: expected %d Hz (within %d Hz, at least half the energy) for %d ms (within %d ms)",
            GREETING_HZ, GREETING_HZ_TOLERANCE, GREETING_MS, GREETING_MS_TOLERANCE);
    }
    return ok;
}

static int start_caller(demo *d)
{
    sc_gateway *gw = sc_gateway_new("pstn");
    int rc;
    d->caller = sc_session_new();
    sc_session_set_dispatch(d->caller, SC_DISPATCH_QUEUE);
    rc = sc_session_set_media(d->caller, 1);
    /* The PSTN side of the trunk: no registration, no digest. It dials the
     * account's online number, which the trunk relays to the account. */
    sc_gateway_set(gw, "register", "false");
    sc_gateway_set(gw, "proxy", sc_trunk_address(d->trunk));
    sc_gateway_set(gw, "username", "4930765432");
    sc_gateway_set(gw, "dial-pattern", "^(\\d+)$");
    if (!rc) rc = sc_session_add_gateway(d->caller, gw);
    if (!rc) rc = sc_session_start(d->caller);
    sc_gateway_free(gw);
    return rc;
}

static void step_greeting(demo *d)
{
    sc_call *call = NULL, *answered = NULL;
    sc_event *ev;
    char *wav;
    say(d, "\n3. A PSTN caller with audio (+4930765432) dials the online number +" SC_TRUNK_ONLINE_NUMBER
        " of " DEMO_USER);
    say(d, "   The trunk relays it to the office, which routes it as in step 2; phone 1000 answers with media and plays");
    say(d, "   a %d Hz tone for %.1f s; the caller records what it hears and the demo measures the recording.",
        GREETING_HZ, GREETING_MS / 1000.0);
    if (!sc_media_supported()) {
        say(d, "   Skipped: this build has no media (SC_WITH_MEDIA off, or GStreamer lacks an element: "
            "scripts/install-deps.sh --demo installs it).");
        return;
    }
    if (start_caller(d) != SC_OK) {
        say(d, "    FAILED: the PSTN caller cannot start: %s", sc_last_error());
        d->failures++;
        return;
    }
    if (sc_session_dial_media(d->caller, "pstn", SC_TRUNK_ONLINE_NUMBER, "4930765432", "PSTN caller", &call) != SC_OK) {
        say(d, "    FAILED: %s", sc_last_error());
        d->failures++;
        return;
    }
    ev = await(d, d->phone, "phone 1000", "the call ringing at phone 1000", is_incoming, NULL);
    if (!ev) goto out;
    answered = sc_call_ref(sc_event_call(ev));
    say(d, "   phone 1000 rings: caller %s; it answers with media.", sc_call_caller_number(answered));
    sc_event_free(ev);
    if (sc_call_answer_media(answered) != SC_OK) {
        say(d, "    FAILED: %s", sc_last_error());
        d->failures++;
        goto out;
    }
    ev = await(d, d->caller, "caller", "the caller's call to be answered", is_call_state,
               GINT_TO_POINTER(SC_CALL_ANSWERED));
    if (!ev) goto out;
    sc_event_free(ev);
    wav = g_build_filename(d->dir, "greeting-recorded.wav", NULL);
    say(d, "   The caller records to %s; phone 1000 plays the greeting.", wav);
    if (sc_call_record(call, wav) != SC_OK) {
        say(d, "    FAILED: %s", sc_last_error());
        d->failures++;
        g_free(wav);
        goto out;
    }
    /* The recorder runs before the first note is sent. */
    ev = await(d, d->caller, "caller", "the recording to start", is_control, "sc_call_record");
    if (!ev || sc_event_result(ev) != SC_OK || sc_call_play_tone(answered, GREETING_HZ, GREETING_MS, 0) != SC_OK) {
        if (ev) say(d, "    FAILED: %s", ev && sc_event_result(ev) != SC_OK ? sc_event_message(ev) : sc_last_error());
        if (ev) d->failures++;
        sc_event_free(ev);
        g_free(wav);
        goto out;
    }
    sc_event_free(ev);
    ev = await(d, d->phone, "phone 1000", "the greeting to finish (play_done)", is_notice, "play_done");
    sc_event_free(ev);
    drain(d, d->caller, "caller", 400);     /* the last packets through the jitter buffer */
    sc_call_stop_media(call);              /* the WAV is complete when it returns */
    say(d, "   The caller hangs up.");
    sc_call_hangup(call);
    ev = await(d, d->phone, "phone 1000", "the hang-up to reach phone 1000", is_call_state,
               GINT_TO_POINTER(SC_CALL_ENDED));
    sc_event_free(ev);
    drain(d, d->caller, "caller", 300);
    drain(d, d->office, "office", 100);
    if (!check_greeting(d, wav)) d->failures++;
    g_free(wav);
out:
    if (answered) sc_call_unref(answered);
    sc_call_unref(call);
}

static void step_outbound(demo *d)
{
    sc_call *call = NULL;
    sc_event *ev;
    int invites = sc_trunk_count(d->trunk, "invite");
    say(d, "\n4. Phone 1000 dials 0044201234561: default/01_skype.xml ^(00\\d+)$ bridges sofia/gateway/skype/$1");
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
    say(d, "\n%s Phone 1000 dials %s: %s", strcmp(number, "112") ? "6." : "5.", number, why);
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
    step_greeting(&d);
    step_outbound(&d);
    step_refused(&d, "112", "an emergency number: the provider forbids them, whatever the dialplan says");
    step_refused(&d, "44201234567", "no 00 prefix: no extension matches, so 404 and nothing goes out");

    say(&d, "\n7. Stop: the gateway unregisters");
out:
    if (d.office) {
        sc_session_stop(d.office, 3000);
        drain(&d, d.office, "office", 200);
    }
    sc_session_free(d.office);
    sc_session_free(d.phone);
    sc_session_free(d.caller);
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
