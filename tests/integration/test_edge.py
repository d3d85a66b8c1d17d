"""Several `skypeconnect run` instances behind a Kamailio edge from `skypeconnect edge-config`.

The provider is the Kamailio trunk (tests/kamailio/trunk.cfg) with a SIPp "PSTN" behind it
on 127.0.0.1; the edge listens on 127.0.0.5; the instances are 127.0.0.2, .3 and .4, as if
they were three machines. Instances run with register=false and the edge as their proxy.
"""
import os
import subprocess
import time
import unittest

from sctest.calls import ACCOUNT, PASSWORD, CallTestCase
from sctest.cli import ScCli, match, run_command, skype_gateway, write_gateway
from sctest.edge import Edge
from sctest.kamailio import kamailio_binary
from sctest.ports import free_port

EDGE_HOST = "127.0.0.5"
INSTANCE_HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
PROBE_S = 1


class EdgeCase(CallTestCase):

    def provider_gateway(self, k, **gw):
        """The trunk account as the edge holds it (the real provider's address)."""
        return write_gateway(self.tmp, ACCOUNT, skype_gateway(k.port, expire_seconds=60, **gw),
                             filename="gw-provider.xml")

    def start_cluster(self, n=3, max_channels=None, on_incoming="answer"):
        k = self.start_kamailio(users={ACCOUNT: PASSWORD})
        gw = {"max_channels": max_channels} if max_channels else {}
        provider_gw = self.provider_gateway(k, dial_prefix="00", **gw)
        ports = [free_port(host=h) for h in INSTANCE_HOSTS[:n]]
        addrs = ["%s:%d" % (h, p) for h, p in zip(INSTANCE_HOSTS, ports)]
        edge = Edge(os.path.join(self.tmp, "edge"), provider_gw, addrs, host=EDGE_HOST,
                    probe_interval=PROBE_S)
        self.addCleanup(edge.stop)
        edge.start()
        # every instance: the same account, in IP-auth mode towards the edge
        inst_gw = write_gateway(self.tmp, ACCOUNT, skype_gateway(
            edge.port, host=EDGE_HOST, register="false", dial_prefix="00", password=None),
            filename="gw-instance.xml")
        instances = []
        for n_inst, addr in enumerate(addrs):
            wd = os.path.join(self.tmp, "instance%d" % (n_inst + 1))
            os.makedirs(wd, exist_ok=True)
            cli = ScCli([inst_gw], bind=addr, workdir=wd,
                        extra_args=["--on-incoming", on_incoming])
            self.addCleanup(cli.stop)
            cli.start()
            cli.wait_started(15)
            instances.append(cli)
        # the edge registers the account at the provider
        self.assertTrue(k.wait_count(1, 20, result="saved"), k.describe() + "\n" + edge.describe())
        reg = k.registers(result="saved")[0]
        self.assertEqual(reg["src"].split(":")[0], EDGE_HOST, reg)
        self.assertEqual(reg.get("user"), ACCOUNT, reg)
        # every instance answers the edge's probes before calls start
        time.sleep(PROBE_S + 0.5)
        return k, edge, instances

    def incoming(self, cli, since_idx=0):
        return [e for e in cli.events_since(since_idx) if e.get("event") == "incoming_call"]

    def inbound_calls(self, k, n, rate, duration_ms=300, timeout=60):
        return self.caller("call_uac_bye", k.port, max_calls=n, rate=rate, limit=n,
                           duration_ms=duration_ms, timeout=timeout)

    # ---------------------------------------------------------------- tests
    def test_config_passes_kamailio_check_and_bad_input_is_refused(self):
        k_port = free_port()
        gwf = write_gateway(self.tmp, ACCOUNT, skype_gateway(k_port, dial_prefix="00", max_channels=4,
                                                             emergency_country="FR"), filename="gw.xml")
        r = run_command(["edge-config", "--gateway", gwf, "--instance", "127.0.0.2:5070",
                         "--instance", "127.0.0.3:5070", "--control", "unix:%s/ctl" % self.tmp])
        self.assertEqual(r.returncode, 0, r.stderr)
        cfg = r.stdout
        self.assertIn("Edge proxy for gateway 'skype' from %s" % gwf, cfg.splitlines()[2])
        self.assertIn("listen=udp:0.0.0.0:5060", cfg)
        # the emergency list is the library's (FR adds 15, 17, 18), refused after any prefix
        self.assertIn("15|17|18|", cfg)
        self.assertIn("(0|00[0-9]{0,3}|011[0-9]{0,3})*", cfg)
        self.assertIn('"^(00[0-9]+)$"', cfg)
        self.assertIn('$var(busy) >= 4', cfg)
        path = os.path.join(self.tmp, "edge.cfg")
        with open(path, "w") as f:
            f.write(cfg)
        c = subprocess.run([kamailio_binary(), "-c", "-f", path], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=30)
        self.assertEqual(c.returncode, 0, c.stdout)
        self.assertIn("config file ok", c.stdout)
        # listening everywhere, the edge registers the address that reaches the provider
        self.assertIn('modparam("uac", "reg_contact_addr", "127.0.0.1:5060")', cfg)
        # and a configuration without --advertise starts (uac refuses to start without
        # a Contact address, which `kamailio -c` does not check)
        e = Edge(os.path.join(self.tmp, "edge"), gwf, ["127.0.0.2:5070"], host="127.0.0.7", advertise=False)
        self.addCleanup(e.stop)
        e.start()
        self.assertIn('modparam("uac", "reg_contact_addr", "127.0.0.7:%d")' % e.port, e.config_text)
        e.stop()
        # the password is in the file (Kamailio needs it), never on stderr
        self.assertIn(PASSWORD, cfg)
        self.assertNotIn(PASSWORD, r.stderr)

        bad = [
            (["--gateway", gwf], "--instance"),
            (["--gateway", gwf, "--instance", "127.0.0.2:99999"], "--instance '127.0.0.2:99999'"),
            (["--gateway", gwf, "--instance", "h:1", "--probe-interval", "0"], "--probe-interval '0'"),
            (["--gateway", gwf, "--instance", "h:1", "--bogus", "1"], "unknown option '--bogus'"),
            (["--gateway", os.path.join(self.tmp, "missing.xml"), "--instance", "h:1"], "missing.xml"),
        ]
        for args, needle in bad:
            r = run_command(["edge-config"] + args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(needle, r.stderr, args)
            self.assertEqual(r.stdout, "", args)
        # a password Kamailio's strings cannot carry: named, not shown
        gw2 = write_gateway(self.tmp, ACCOUNT, skype_gateway(k_port, password='se"cret'), filename="gw2.xml")
        r = run_command(["edge-config", "--gateway", gw2, "--instance", "h:1"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("password contains", r.stderr)
        self.assertNotIn('se"cret', r.stderr)

    def test_cluster_calls_in_out_and_emergency_at_the_edge(self):
        k, edge, instances = self.start_cluster()

        # 60 inbound calls, spread over all three instances
        uac = self.inbound_calls(k, 60, rate=15)
        self.assert_sipp_ok(uac, timeout=60)
        self.assertEqual(len(self.sipp_events(uac, "bye_ok")), 60, uac.describe())
        counts = [len(self.incoming(cli)) for cli in instances]
        self.assertEqual(sum(counts), 60, counts)
        for c in counts:
            self.assertGreaterEqual(c, 15, "calls per instance %s" % counts)

        # dial-outs from every instance reach the PSTN (digest answered by the edge)
        pstn = self.pstn("call_uas_answer", k, max_calls=3)
        for i, cli in enumerate(instances):
            call = self.dial(cli, "00493012345%d" % i)
            self.wait_call(cli, call, "answered", timeout=15)
            cli.send("hangup %s" % call)
            self.wait_call(cli, call, "ended", timeout=15)
        invites = [r for r in k.invites() if r.get("result") == "relayed" and r.get("direction") == "out"]
        self.assertEqual(sorted(r["rusr"] for r in invites),
                         ["004930123450", "004930123451", "004930123452"], k.describe())
        for r in invites:
            self.assertEqual(r["src"].split(":")[0], EDGE_HOST, r)
            self.assertEqual(r.get("user"), ACCOUNT, r)       # the edge's credential
        self.assertEqual(len(pstn.received_requests("INVITE")), 3, pstn.describe())

        # an emergency number sent straight to the edge from an instance's machine,
        # bypassing the library: refused there, never seen by the provider
        before = len(k.invites())
        for number in ("112", "+44999", "0000112", "00441999"):
            rogue = self.caller("call_uac_rejected", edge.port, host=EDGE_HOST, service=number,
                                local_ip=INSTANCE_HOSTS[0])
            self.assert_sipp_ok(rogue)
            finals = self.sipp_events(rogue, "final")
            self.assertEqual([f.get("code") for f in finals], ["403"], rogue.describe())
            self.assertIsNotNone(edge.wait_line("an emergency number", 5), edge.describe())
        # a number outside the dial rule (no 00) likewise
        rogue = self.caller("call_uac_rejected", edge.port, host=EDGE_HOST, service="4930123456",
                            local_ip=INSTANCE_HOSTS[0])
        self.assert_sipp_ok(rogue)
        self.assertEqual([f.get("code") for f in self.sipp_events(rogue, "final")], ["403"])
        self.assertIsNotNone(edge.wait_line("outside the dial rule", 5), edge.describe())
        self.assertEqual(len(k.invites()), before, k.describe())
        # and a stranger (not an instance, not the provider) gets 403 for anything
        stranger = self.caller("call_uac_rejected", edge.port, host=EDGE_HOST, service="0049301234",
                               local_ip="127.0.0.9")
        self.assert_sipp_ok(stranger)
        self.assertEqual([f.get("code") for f in self.sipp_events(stranger, "final")], ["403"])
        self.assertEqual(edge.errors(), [], edge.describe())

    def test_instance_killed_mid_load_no_failed_new_calls(self):
        k, edge, instances = self.start_cluster()
        uac = self.inbound_calls(k, 60, rate=6, duration_ms=200, timeout=60)
        # kill one instance once calls are flowing
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(k.relayed_invites("in")) < 12:
            time.sleep(0.1)
        victim = instances[1]
        t_kill = time.monotonic()
        victim.proc.kill_hard()
        # every call placed and answered one way or the other; the calls the dead
        # instance had answered drop (their BYE times out): not asserted
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            inv = k.relayed_invites("in")
            if len(inv) == 60 and all(k.replies(callid=r["callid"]) for r in inv):
                break
            time.sleep(0.2)
        time.sleep(1.0)
        uac.stop()
        settled = t_kill + PROBE_S + 1.0
        late = [r for r in k.relayed_invites("in") if r["_t"] > settled]
        self.assertGreaterEqual(len(late), 20, "too few calls after the probe interval to tell")
        failed = []
        for r in late:
            codes = [x.get("code") for x in k.replies(callid=r["callid"])]
            if codes != ["200"]:
                failed.append((r["callid"], codes))
        self.assertEqual(failed, [], "new calls failed after the probing interval\n" + edge.describe())
        # the survivors took them all
        survivors = [instances[0], instances[2]]
        late_in = sum(1 for cli in survivors for e in self.incoming(cli)
                      if e.get("_t", settled) >= settled - 0.5)
        self.assertGreaterEqual(late_in, len(late), [len(self.incoming(c)) for c in instances])

    def test_max_channels_across_the_cluster(self):
        k, edge, instances = self.start_cluster(max_channels=4, on_incoming="answer")
        pstn = self.pstn("call_uas_answer", k, max_calls=10)
        # two inbound calls held open (to two instances), two dial-outs from the others
        uac = self.inbound_calls(k, 2, rate=10, duration_ms=20000, timeout=60)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(self.sipp_events(uac, "answered")) < 2:
            time.sleep(0.1)
        self.assertEqual(len(self.sipp_events(uac, "answered")), 2, uac.describe())
        calls = []
        for cli, number in ((instances[1], "0049301111"), (instances[2], "0049302222")):
            call = self.dial(cli, number)
            self.wait_call(cli, call, "answered", timeout=15)
            calls.append((cli, call))
        # the fifth: inbound from the provider -> 503 at the edge
        fifth_in = self.caller("call_uac_rejected", k.port, service=ACCOUNT)
        self.assert_sipp_ok(fifth_in)
        self.assertIn([f.get("code") for f in self.sipp_events(fifth_in, "final")], (["503"], ["500"]),
                      fifth_in.describe())
        # the fifth: outbound, from each instance -> 503 from the edge
        for cli in instances:
            call = self.dial(cli, "0049303333")
            ev = self.wait_call(cli, call, "ended", timeout=15)
            self.assertEqual(ev.get("sip_code"), 503, cli.describe())
        # one inbound and three outbound refusals, logged by the edge (its log lags)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(edge.records("all 4 channels busy")) < 4:
            time.sleep(0.1)
        self.assertEqual(len(edge.records("all 4 channels busy")), 4, edge.describe())
        self.assertEqual(len(edge.records("refused provider call")), 1, edge.describe())
        # a channel freed is a channel usable again
        cli, call = calls.pop()
        cli.send("hangup %s" % call)
        self.wait_call(cli, call, "ended", timeout=15)
        time.sleep(0.5)
        call = self.dial(instances[0], "0049304444")
        self.wait_call(instances[0], call, "answered", timeout=15)
        self.assertEqual(len(pstn.received_requests("INVITE")), 3, pstn.describe())
        # the lock around the channel count exists (an unknown lock is only an ERROR line)
        self.assertEqual(edge.errors(), [], edge.describe())

    def test_drained_instance_gets_no_new_calls_and_keeps_its_own(self):
        """`drain` on one instance: its OPTIONS answer turns 503, the edge's probe
        takes it out, new calls all succeed on the others, its running call ends
        normally, and a "drain" event with calls 0 says it may stop. `drain off`
        brings it back."""
        k, edge, instances = self.start_cluster()
        # one long call on every instance (round robin)
        long_calls = self.inbound_calls(k, 3, rate=10, duration_ms=8000, timeout=60)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not all(self.incoming(c) for c in instances):
            time.sleep(0.1)
        self.assertTrue(all(self.incoming(c) for c in instances), [len(self.incoming(c)) for c in instances])
        victim = instances[1]
        call = self.incoming(victim)[0]["call"]
        self.wait_call(victim, call, "answered", timeout=10)
        mark = len(victim.events)
        victim.send("drain")
        ev = victim.wait_for(match(event="drain", draining=True), 5)
        self.assertEqual(ev.get("calls"), 1, victim.describe())
        victim.send("status")
        st = victim.wait_for(match(event="session_status"), 5, after=mark)
        self.assertEqual((st["draining"], st["calls"]), (True, 1), victim.describe())
        time.sleep(PROBE_S + 1.0)   # the edge's next probe sees 503

        # new calls: all answered, none of them by the drained instance, which
        # the edge no longer even tries (no INVITE refused for draining)
        probed = len(victim.events)
        uac = self.inbound_calls(k, 24, rate=12, duration_ms=200, timeout=60)
        self.assert_sipp_ok(uac, timeout=60)
        self.assertEqual(len(self.sipp_events(uac, "bye_ok")), 24, uac.describe())
        self.assertEqual(self.incoming(victim, mark), [], victim.describe())
        self.assertEqual([e for e in victim.events_since(probed) if e.get("event") == "inbound_refused"], [],
                         "the edge still sent calls to the drained instance\n" + victim.describe())
        # its own call ran on and ended by the caller's BYE; then "drained"
        self.assert_ended(victim, call, "NORMAL_CLEARING", "remote", timeout=15)
        drained = victim.wait_for(match(event="drain", draining=True, calls=0), 5, after=mark)
        self.assertIsNotNone(drained)
        self.assert_sipp_ok(long_calls, timeout=30)

        # drain off: the probe sees 200 again, and calls reach it
        mark = len(victim.events)
        victim.send("drain off")
        victim.wait_for(match(event="drain", draining=False), 5, after=mark)
        time.sleep(PROBE_S + 1.5)
        uac = self.inbound_calls(k, 9, rate=10, duration_ms=200, timeout=60)
        self.assert_sipp_ok(uac, timeout=60)
        self.assertGreaterEqual(len(self.incoming(victim, mark)), 1, victim.describe())
        self.assertEqual(edge.errors(), [], edge.describe())


if __name__ == "__main__":
    unittest.main()
