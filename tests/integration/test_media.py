"""Calls with the library's own media (issue #13), between real peers.

- Library to library through the Kamailio trunk: `skypeconnect run --media`
  on both sides (the "office" answers with `--on-incoming answer`, the other
  dials its registered number); a tone played one way is recorded on the
  other and checked as audio (Goertzel dominance and duration); DTMF 159#
  arrives in order by RFC 4733; media_stats come before "ended".
- Interop: a SIPp caller streams a G.711 tone (rtp_stream) through Kamailio
  to `run --media --on-incoming answer`, whose recording is analysed.
- Hold and unhold by re-INVITE: media_state "held" on both sides and the
  held side's call "held"; what the held party sends is not heard while
  held, and is again after unhold.
- Media timeout: the office puts the call on hold (the caller then sends
  nothing) with rtp-hold-timeout-sec=2; no RTP for 2 s hangs up with cause
  MEDIA_TIMEOUT.
- An RTP flood from a stranger's address once the peer is latched: dropped
  and counted, not played (the recording holds the peer's tone only).
- Malformed SDP from a SIPp caller: 488, a clear error, and the command goes on.
- SRTP (SDES) between two sessions carries the tone; a plain offer to an
  office that requires SRTP is 488.
- No common codec: 488, and both processes go on.
- An unreadable file: a clear error, and the call goes on.
- DTMF by SIP INFO: a SIPp caller's INFO digits (application/dtmf-relay and
  application/dtmf) arrive as dtmf events in order with method "info"; a
  malformed body gets 400 and an unknown Content-Type 415, with a log line,
  and the call goes on. Library to library with dtmf-type=info (no
  telephone-event offered): `dtmf` sends INFO and the office hears 159#
  by "info".
- The IVR examples in C, Python and Lua (examples/): each answers a caller
  over loopback, plays a greeting (a beep, or a WAV file), hears 42# and
  records the caller's 1.5 s of 1 kHz, checked as audio; --help, an unknown
  option and an unreadable greeting get usage or a clear error. The C one
  given a gateway file registers through Kamailio and serves a SIPp call
  whose INFO digits it hears.
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

from sctest import audio
from sctest.calls import CallTestCase
from sctest.cli import match, skype_gateway

OFFICE = "4930222"
OFFICE_PASSWORD = "office-secret"


class MediaTest(CallTestCase):

    def two_sides(self, caller_gw=None, office_gw=None):
        """Kamailio with two accounts; the caller (gateway "skype") and the office
        (gateway "office", answering with media). Returns (k, caller, office)."""
        k = self.start_kamailio(users={"skype": "secret", OFFICE: OFFICE_PASSWORD})
        caller_gw = dict({"dial_prefix": "49"}, **(caller_gw or {}))
        a = self.start_cli([self.gateway_file(skype_gateway(k.port, **caller_gw), name="skype")],
                           extra_args=["--media"])
        b = self.start_cli([self.gateway_file(skype_gateway(k.port, user=OFFICE, password=OFFICE_PASSWORD,
                                                            **(office_gw or {})), name="office")],
                           extra_args=["--media", "--on-incoming", "answer"])
        for cli, gw in ((a, "skype"), (b, "office")):
            cli.wait_for(match(gateway=gw, state="REGED"), 15, after=0)
        self.assertTrue(k.wait_count(2, 5, result="saved"), k.describe())
        return k, a, b

    def connect(self, a, b):
        """a dials the office; both sides' media up. Returns (a's call, b's call)."""
        ca = self.dial(a, OFFICE)
        self.wait_call(a, ca, "answered")
        cb = b.wait_for(match(event="incoming_call"), 15, after=0)["call"]
        self.wait_call(b, cb, "answered")
        for cli, c in ((a, ca), (b, cb)):
            ev = cli.wait_for(match(event="media_state", call=c, state="up"), 10, after=0)
            self.assertEqual(ev.get("codec"), "PCMU/8000", cli.describe())
            self.assertTrue(ev.get("local", "").startswith("127.0.0.1:"), cli.describe())
        return ca, cb

    def test_tone_and_dtmf_library_to_library(self):
        k, a, b = self.two_sides()
        ca, cb = self.connect(a, b)
        tone = os.path.join(self.tmp, "tone.wav")
        rec = os.path.join(self.tmp, "rec.wav")
        audio.write_tone_wav(tone, 1000, 2000)
        b.send("record %d %s" % (cb, rec))
        mark = len(a.events)
        a.send("play %d %s" % (ca, tone))
        a.wait_for(match(event="play_done", call=ca), 10, after=mark)
        # what is on the wire and in the jitter buffer reaches the file
        b.send("status")
        import time
        time.sleep(0.5)
        b.send("stop %d" % cb)
        # the figures of the tone, on request: no loss, little jitter
        mark = len(b.events)
        b.send("stats %d" % cb)
        now = b.wait_for(lambda e: e.get("call") == cb and "packets_received" in e and "event" not in e, 5,
                         after=mark, what="the stats line")
        self.assertEqual(now["packets_lost"], 0, b.describe())
        self.assertLess(now["jitter_ms"], 20.0, b.describe())
        self.assertGreater(now["packets_received"], 100, b.describe())

        mark = len(b.events)
        a.send("dtmf %d 159#" % ca)
        b.wait_for(lambda e: sum(1 for x in b.events_since(mark) if x.get("event") == "dtmf") >= 4, 10,
                   after=mark, what="four DTMF digits")
        dtmf = [x for x in b.events_since(mark) if x.get("event") == "dtmf"]
        self.assertEqual("".join(x["digit"] for x in dtmf), "159#", b.describe())
        self.assertEqual({x["method"] for x in dtmf}, {"rfc4733"}, b.describe())
        self.assertEqual({x["call"] for x in dtmf}, {cb}, b.describe())

        rate, samples = audio.read_wav(rec)
        self.assertEqual(rate, 8000)
        what = audio.describe(samples, rate, 1000)
        self.assertGreater(audio.dominance(samples, rate, 1000), 20.0, what)
        seconds = audio.tone_seconds(samples, rate, 1000)
        self.assertGreater(seconds, 1.7, what)
        self.assertLess(seconds, 2.3, what)

        a.send("hangup %d" % ca)
        for cli, c in ((a, ca), (b, cb)):
            self.wait_call(cli, c, "ended")
            evs = [e for e in cli.events_since(0) if e.get("call") == c and "event" in e]
            names = [e.get("event") + ("/" + e.get("state", "") if e.get("event") != "media_stats" else "")
                     for e in evs]
            i_stats = names.index("media_stats")
            self.assertLess(i_stats, names.index("call_state/ended"), names)
            self.assertLess(names.index("media_state/down"), names.index("call_state/ended"), names)
        stats_b = b.wait_for(match(event="media_stats", call=cb), 1, after=0)
        stats_a = a.wait_for(match(event="media_stats", call=ca), 1, after=0)
        # 2 s of tone at 50 packets a second, plus the DTMF and the rest of the call
        self.assertGreater(stats_b["packets_received"], 100, b.describe())
        self.assertGreater(stats_a["packets_sent"], 100, a.describe())
        self.assertEqual(stats_b["packets_lost"], 0, b.describe())

    def test_sipp_rtp_stream_through_the_trunk_is_recorded(self):
        k, cli = self.trunk(cli_args=["--media", "--on-incoming", "answer"])
        # the scenario streams tone.ulaw from SIPp's working folder
        os.makedirs(os.path.join(self.tmp, "sipp"), exist_ok=True)
        audio.write_tone_ulaw(os.path.join(self.tmp, "sipp", "tone.ulaw"), 800, 2000)
        rec = os.path.join(self.tmp, "sipp.wav")
        sipp = self.caller("call_uac_rtp_stream", k.port, duration_ms=3000)
        call = self.wait_incoming(cli)["call"]
        cli.send("record %d %s" % (call, rec))
        up = cli.wait_for(match(event="media_state", call=call, state="up"), 10, after=0)
        self.assertEqual(up.get("codec"), "PCMU/8000", cli.describe())
        self.assert_ended(cli, call, "NORMAL_CLEARING", "remote", timeout=20)
        self.assert_sipp_ok(sipp)
        stats = cli.wait_for(match(event="media_stats", call=call), 1, after=0)
        # 2 s of tone at 50 packets a second, all from the one peer
        self.assertGreaterEqual(stats["packets_received"], 95, cli.describe())
        self.assertEqual(stats["packets_dropped"], 0, cli.describe())
        rate, samples = audio.read_wav(rec)
        what = audio.describe(samples, rate, 800)
        self.assertGreater(audio.dominance(samples, rate, 800), 20.0, what)
        seconds = audio.tone_seconds(samples, rate, 800)
        self.assertGreater(seconds, 1.8, what)
        self.assertLess(seconds, 2.2, what)

    def tone_heard(self, sender, call_s, recorder, call_r, hz, name):
        """Seconds of hz that recorder heard while sender played 600 ms of it."""
        import time
        rec = os.path.join(self.tmp, name)
        recorder.send("record %d %s" % (call_r, rec))
        mark = len(sender.events)
        sender.send("tone %d %d 600" % (call_s, hz))
        sender.wait_for(match(event="play_done", call=call_s), 10, after=mark)
        time.sleep(0.3)
        recorder.send("stop %d" % call_r)
        mark = len(recorder.events)
        recorder.send("calls")   # a fence: the stop was done
        recorder.wait_for(match(event="calls"), 5, after=mark)
        rate, samples = audio.read_wav(rec)
        return audio.tone_seconds(samples, rate, hz)

    def test_hold_and_unhold(self):
        k, a, b = self.two_sides()
        ca, cb = self.connect(a, b)
        mark_a, mark_b = len(a.events), len(b.events)
        a.send("hold %d" % ca)
        a.wait_for(match(event="media_state", call=ca, state="held"), 10, after=mark_a)
        b.wait_for(match(event="media_state", call=cb, state="held"), 10, after=mark_b)
        self.wait_call(b, cb, "held")
        # on hold (we offered sendonly): the office's tone does not reach us
        self.assertEqual(self.tone_heard(b, cb, a, ca, 1200, "held.wav"), 0.0, a.describe())
        mark_a, mark_b = len(a.events), len(b.events)
        a.send("unhold %d" % ca)
        a.wait_for(match(event="media_state", call=ca, state="up"), 10, after=mark_a)
        b.wait_for(match(event="media_state", call=cb, state="up"), 10, after=mark_b)
        b.wait_for(match(event="call_state", call=cb, state="answered"), 10, after=mark_b)
        self.assertGreater(self.tone_heard(b, cb, a, ca, 1200, "unheld.wav"), 0.5, a.describe())
        a.send("hangup %d" % ca)
        self.wait_call(b, cb, "ended")

    def test_media_timeout_hangs_up(self):
        k, a, b = self.two_sides(office_gw={"rtp_hold_timeout_sec": 2})
        ca, cb = self.connect(a, b)
        mark = len(b.events)
        b.send("hold %d" % cb)   # the caller answers recvonly and stops sending
        b.wait_for(match(event="media_state", call=cb, state="held"), 10, after=mark)
        ev = b.wait_for(match(event="media_timeout", call=cb), 8, after=mark)
        self.assertEqual(ev.get("seconds"), 2, b.describe())
        ended = self.assert_ended(b, cb, "MEDIA_TIMEOUT", "local")
        self.assertLess(ended["_rel"] - ev["_rel"], 2.0, b.describe())
        self.assert_ended(a, ca, "NORMAL_CLEARING", "remote")

    def test_rtp_flood_from_a_stranger_is_dropped(self):
        k, a, b = self.two_sides()
        ca, cb = self.connect(a, b)
        up = b.wait_for(match(event="media_state", call=cb, state="up"), 5, after=0)
        port = int(up["local"].rsplit(":", 1)[1])
        time.sleep(0.3)   # the caller's packets have latched the office's stream
        stop = threading.Event()
        sent = [0]

        def flood():
            # loud noise as PCMU from another address and SSRC, 500 packets a second
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            seq = 0
            while not stop.is_set():
                hdr = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160, 0x5EED)
                sock.sendto(hdr + bytes([0x00, 0x80] * 80), ("127.0.0.1", port))
                seq += 1
                sent[0] += 1
                time.sleep(0.002)
            sock.close()
        t = threading.Thread(target=flood)
        rec = os.path.join(self.tmp, "flooded.wav")
        b.send("record %d %s" % (cb, rec))
        t.start()
        try:
            mark = len(a.events)
            a.send("tone %d 1000 1000" % ca)
            a.wait_for(match(event="play_done", call=ca), 10, after=mark)
            time.sleep(0.3)
        finally:
            stop.set()
            t.join()
        b.send("stop %d" % cb)
        mark = len(b.events)
        b.send("stats %d" % cb)
        st = b.wait_for(lambda e: e.get("call") == cb and "packets_dropped" in e and "event" not in e, 5,
                        after=mark, what="the stats line")
        self.assertGreater(sent[0], 200)
        self.assertGreaterEqual(st["packets_dropped"], sent[0] * 0.9, b.describe())
        rate, samples = audio.read_wav(rec)
        what = audio.describe(samples, rate, 1000)
        seconds = audio.tone_seconds(samples, rate, 1000)
        self.assertGreater(seconds, 0.9, what)
        self.assertLess(seconds, 1.1, what)
        self.assertEqual(self.live_calls(b)[0]["call"], cb)

    def test_malformed_sdp_is_488_and_the_command_goes_on(self):
        k, cli = self.trunk(cli_args=["--media", "--on-incoming", "answer"])
        uac = self.caller("call_uac_bad_sdp", k.port)
        self.wait_sipp_event(uac, "final", code=488)
        self.assert_sipp_ok(uac)
        err = cli.wait_for(match(event="error", command="on-incoming"), 10, after=0)
        self.assertEqual(err.get("code"), "SC_EPARSE", cli.describe())
        self.assertIn("SDP", err.get("message", ""), cli.describe())
        call = self.wait_incoming(cli)["call"]
        self.assert_ended(cli, call, "INCOMPATIBLE_DESTINATION", "local", sip_code=488)
        # the command goes on: a good call is answered with media afterwards
        os.makedirs(os.path.join(self.tmp, "sipp"), exist_ok=True)
        audio.write_tone_ulaw(os.path.join(self.tmp, "sipp", "tone.ulaw"), 800, 500)
        sipp = self.caller("call_uac_rtp_stream", k.port, duration_ms=500)
        self.assert_sipp_ok(sipp)
        self.assertEqual(self.live_calls(cli), [])

    def test_srtp_between_two_sessions(self):
        k, a, b = self.two_sides(caller_gw={"rtp_secure_media": "true"}, office_gw={"rtp_secure_media": "true"})
        ca, cb = self.connect(a, b)
        self.assertGreater(self.tone_heard(a, ca, b, cb, 1000, "srtp.wav"), 0.5, b.describe())
        a.send("hangup %d" % ca)
        self.wait_call(b, cb, "ended")

    def test_plain_offer_to_an_srtp_only_office_is_488(self):
        k, a, b = self.two_sides(office_gw={"rtp_secure_media": "mandatory"})
        ca = self.dial(a, OFFICE)
        ev = self.wait_call(a, ca, "ended")
        self.assertEqual(ev.get("sip_code"), 488, a.describe())
        err = b.wait_for(match(event="error", command="on-incoming"), 10, after=0)
        self.assertIn("requires SRTP", err.get("message", ""), b.describe())

    def test_no_common_codec_is_488_and_both_go_on(self):
        k, a, b = self.two_sides(caller_gw={"codec_prefs": "PCMU"}, office_gw={"codec_prefs": "PCMA"})
        ca = self.dial(a, OFFICE)
        ev = self.wait_call(a, ca, "ended")
        self.assertEqual(ev.get("sip_code"), 488, a.describe())
        err = b.wait_for(match(event="error", command="on-incoming"), 10, after=0)
        self.assertEqual(err.get("code"), "SC_ENOCODEC", b.describe())
        self.assertIn("no common codec", err.get("message", ""), b.describe())
        # both processes go on: a call with a codec in common works afterwards
        self.assertEqual(self.live_calls(b), [])
        self.assertEqual(self.live_calls(a), [])

    def test_unreadable_file_is_an_error_and_the_call_goes_on(self):
        k, a, b = self.two_sides()
        ca, cb = self.connect(a, b)
        mark = len(a.events)
        a.send("play %d %s" % (ca, os.path.join(self.tmp, "no-such-greeting.wav")))
        err = a.wait_for(match(event="error", command="play"), 10, after=mark)
        self.assertIn("no-such-greeting.wav", err.get("message", ""), a.describe())
        self.assertEqual(err.get("code"), "SC_EIO", a.describe())
        # the call goes on: a tone still reaches the other side
        rec = os.path.join(self.tmp, "rec.wav")
        b.send("record %d %s" % (cb, rec))
        mark = len(a.events)
        a.send("tone %d 700 1000" % ca)
        a.wait_for(match(event="play_done", call=ca), 10, after=mark)
        import time
        time.sleep(0.5)
        b.send("stop %d" % cb)
        time.sleep(0.3)
        rate, samples = audio.read_wav(rec)
        self.assertGreater(audio.tone_seconds(samples, rate, 700), 0.8, audio.describe(samples, rate, 700))
        self.assertEqual([c["call"] for c in self.live_calls(a)], [ca])
        a.send("hangup %d" % ca)
        self.wait_call(b, cb, "ended")

    def info_digits(self, cli, call, n, mark):
        cli.wait_for(lambda e: sum(1 for x in cli.events_since(mark) if x.get("event") == "dtmf") >= n, 10,
                     after=mark, what="%d DTMF digits" % n)
        dtmf = [x for x in cli.events_since(mark) if x.get("event") == "dtmf"]
        self.assertEqual({x["method"] for x in dtmf}, {"info"}, cli.describe())
        self.assertEqual({x["call"] for x in dtmf}, {call}, cli.describe())
        return "".join(x["digit"] for x in dtmf)

    def test_dtmf_by_sip_info_from_sipp(self):
        self.check_info_from_sipp(["--media", "--on-incoming", "answer"])

    def test_dtmf_by_sip_info_without_media(self):
        """INFO DTMF needs no media of ours: a signalling-only call hears it too."""
        self.check_info_from_sipp(["--on-incoming", "answer"])

    def check_info_from_sipp(self, cli_args):
        k, cli = self.trunk(cli_args=cli_args)
        uac = self.caller("call_uac_info_dtmf", k.port, duration_ms=500, timeout=30)
        call = self.wait_incoming(cli)["call"]
        self.wait_sipp_event(uac, "bye_ok", timeout=20)
        self.assert_sipp_ok(uac)
        # 1 (dtmf-relay), 5 (application/dtmf), # and, after the refused two, 9
        self.assertEqual(self.info_digits(cli, call, 4, 0), "15#9")
        self.assertEqual([r["signal"] for r in self.sipp_events(uac, "info_ok")], ["1", "5", "#", "9"])
        self.assertEqual(len(self.sipp_events(uac, "info_400")), 1, uac.describe())
        accept = self.sipp_events(uac, "info_415")[0]["accept"]
        self.assertIn("application/dtmf-relay", accept, uac.describe())
        self.assert_ended(cli, call, "NORMAL_CLEARING", "remote")
        err = cli.stderr_tail(200)
        self.assertIn("INFO refused with 400: application/dtmf-relay: Signal 'X'", err)
        self.assertIn("INFO refused with 415: Content-Type 'text/plain'", err)

    def test_c_ivr_serves_a_trunk_call(self):
        """examples/c/ivr.c given a gateway file: it registers through Kamailio and
        serves a SIPp caller's call; the caller's INFO digits reach it (15# by
        "info"), it starts recording, and the call's media_stats follow the BYE."""
        exe = os.path.join(os.environ.get("SC_BUILD_DIR", ""), "examples", "sc_example_ivr")
        if not os.path.exists(exe):
            self.skipTest("%s not built" % exe)
        k = self.start_kamailio(users={"skype": "secret"})
        gw = self.gateway_file(skype_gateway(k.port), name="skype")
        out = os.path.join(self.tmp, "ivr.wav")
        ivr = subprocess.Popen([exe, "--out", out, gw, "skype"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=dict(os.environ, SKYPECONNECT_LOG="error"))
        self.addCleanup(lambda: ivr.poll() is None and (ivr.kill(), ivr.wait()))
        self.assertTrue(k.wait_count(1, 15, result="saved"), k.describe())
        uac = self.caller("call_uac_info_dtmf", k.port, duration_ms=500, timeout=30)
        self.wait_sipp_event(uac, "bye_ok", timeout=20)
        self.assert_sipp_ok(uac)
        time.sleep(0.5)
        ivr.terminate()
        stdout, stderr = ivr.communicate(timeout=10)
        self.assertIn("IVR: digits 15# (info); recording the message", stdout, stderr)
        self.assertIn('"event":"media_stats"', stdout, stderr)
        # (the caller sends no RTP here: the recorded audio is checked by IvrExamplesTest)

    def test_dtmf_sent_by_info_without_telephone_event(self):
        k, a, b = self.two_sides(caller_gw={"dtmf_type": "info"})
        ca, cb = self.connect(a, b)
        mark = len(b.events)
        a.send("dtmf %d 159#" % ca)
        self.assertEqual(self.info_digits(b, cb, 4, mark), "159#")
        self.assertEqual([e for e in a.events_since(0) if e.get("event") == "error"], [], a.describe())
        a.send("hangup %d" % ca)
        self.wait_call(b, cb, "ended")


class IvrExamplesTest(unittest.TestCase):
    """examples/{c,python,lua}/ivr: real calls with the library's media, run as a user would."""

    def setUp(self):
        self.build = os.environ.get("SC_BUILD_DIR") or os.path.dirname(os.path.dirname(os.environ.get("SC_CLI", "")))
        self.source = os.environ.get("SC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.tmp = os.path.join(self.build, "tests", "ivr-%s" % self._testMethodName)
        shutil.rmtree(self.tmp, ignore_errors=True)
        os.makedirs(self.tmp)
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def command(self, lang):
        env = dict(os.environ, SKYPECONNECT_LOG="error", PYTHONPATH=os.path.join(self.build, "python"),
                   LUA_CPATH=os.path.join(self.build, "lua", "5.4", "?.so"))
        if lang == "c":
            argv = [os.path.join(self.build, "examples", "sc_example_ivr")]
        elif lang == "python":
            argv = [sys.executable, os.path.join(self.source, "examples", "python", "ivr.py")]
        else:
            argv = [shutil.which("lua5.4") or "lua5.4", os.path.join(self.source, "examples", "lua", "ivr.lua")]
        if not os.path.exists(argv[-1]) or not shutil.which(argv[0]):
            self.skipTest("%s not built or not installed" % argv)
        # the bindings are not built beside a sanitizer build (an ASan library
        # cannot be loaded into a plain interpreter): nothing to run there
        module = {"python": os.path.join(self.build, "python", "skypeconnect"),
                  "lua": os.path.join(self.build, "lua", "5.4", "skypeconnect.so")}.get(lang)
        if module and not os.path.exists(module):
            self.skipTest("the %s binding is not built in %s" % (lang, self.build))
        return argv, env

    def run_ivr(self, lang, *args):
        argv, env = self.command(lang)
        return subprocess.run(argv + list(args), capture_output=True, text=True, timeout=60, env=env, cwd=self.tmp)

    def check_ivr(self, lang):
        greeting = os.path.join(self.tmp, "greeting.wav")
        audio.write_tone_wav(greeting, 440, 600)
        for extra in ([], ["--greeting", greeting]):
            out = os.path.join(self.tmp, "%s-message%d.wav" % (lang, len(extra)))
            p = self.run_ivr(lang, "--out", out, *extra)
            what = "%s %s: rc %d\n%s\n%s" % (lang, extra, p.returncode, p.stdout, p.stderr)
            self.assertEqual(p.returncode, 0, what)
            self.assertIn("IVR: digits 42# (rfc4733); recording the message", p.stdout, what)
            self.assertIn('"event":"media_stats"', p.stdout, what)
            rate, samples = audio.read_wav(out)
            self.assertEqual(rate, 8000, what)
            heard = audio.describe(samples, rate, 1000)
            self.assertGreater(audio.dominance(samples, rate, 1000), 20.0, heard)
            seconds = audio.tone_seconds(samples, rate, 1000)
            self.assertGreater(seconds, 1.3, heard)
            self.assertLess(seconds, 1.7, heard)
        # bad arguments: usage or a clear error, never a crash or a call
        p = self.run_ivr(lang, "--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("usage:", p.stdout)
        p = self.run_ivr(lang, "--bogus")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("usage:", p.stderr)
        self.assertNotIn("IVR:", p.stdout)
        p = self.run_ivr(lang, "--greeting", os.path.join(self.tmp, "no-such-greeting.wav"))
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("no-such-greeting.wav", p.stderr)
        self.assertNotIn("IVR:", p.stdout)

    def test_c_ivr(self):
        self.check_ivr("c")

    def test_python_ivr(self):
        self.check_ivr("python")

    def test_lua_ivr(self):
        self.check_ivr("lua")


if __name__ == "__main__":
    unittest.main()
