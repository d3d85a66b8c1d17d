/* The help texts of every subcommand, in one place, so that the top-level
 * usage can list every option of every subcommand (it prints them all) and
 * each `skypeconnect SUB --help` prints its own. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define LOG_LEVELS "error, warning (default), info, debug, sip"

static const char check_usage[] =
    "usage: skypeconnect check FILE|DIR...\n"
    "  Validates FreeSWITCH gateway XML and dialplan XML (a file, or a folder laid\n"
    "  out as conf/dialplan) and prints every error and warning with file and line;\n"
    "  exits 1 when there are errors.\n";

static const char run_usage[] =
    "usage: skypeconnect run --gateway FILE [--gateway FILE...] [--bind ADDR]\n"
    "                        [--tls-dir DIR [--tls-verify]] [--json] [--log LEVEL]\n"
    "                        [--log-to stderr|syslog[:SOCKET]|journald[:SOCKET]]\n"
    "                        [--on-incoming ring|answer|reject:CODE|dialplan] [--answer-timeout S]\n"
    "                        [--inbound-acl LIST] [--sdp FILE] [--dialplan DIR]\n"
    "                        [--internal ADDR [--internal-acl LIST]] [--metrics ADDR]\n"
    "                        [--udp-receive-buffer BYTES]\n"
    "  Registers every gateway and prints each event (one JSON object per line with\n"
    "  --json). --on-incoming defaults to ring. --log LEVEL: " LOG_LEVELS ";\n"
    "  sip is debug plus every SIP message sent and received. Log lines go to\n"
    "  stderr with a timestamp; --log-to (repeatable) sends them to syslog or\n"
    "  journald instead (stderr again when also named). --metrics ADDR serves\n"
    "  Prometheus text on http://ADDR/metrics. --udp-receive-buffer: the SIP UDP\n"
    "  socket's receive buffer (default 1048576; 0 keeps the system's default).\n"
    "  Commands on standard input: status [GW], calls, register GW, unregister GW,\n"
    "  dial GW NUMBER [CALLER], ring CALL, answer CALL, reject CALL CODE,\n"
    "  hangup CALL, dtmf CALL DIGITS, drain [on|off] (new inbound calls and\n"
    "  OPTIONS get 503 while calls run out), quit. A line over 4095 bytes or holding a\n"
    "  NUL byte is refused whole. The end of standard input does not stop the\n"
    "  command (it runs as a service with no input); quit, SIGINT or SIGTERM do:\n"
    "  they hang up, unregister, then exit.\n";

static const char demo_usage[] =
    "usage: skypeconnect demo [--json] [--keep DIR]\n"
    "  The Skype Connect setup end to end on the built-in loopback trunk.\n"
    "  --keep DIR writes the generated configuration (gateway skype.xml, dialplan/)\n"
    "  into DIR and leaves it there.\n";

static const char trunk_usage[] =
    "usage: skypeconnect trunk [--listen ADDR] [--user U --password P] [--json]\n"
    "                          [--ring SECONDS] [--expires SECONDS] [--log LEVEL]\n"
    "  Runs a small SIP provider on ADDR (default 127.0.0.1:5080; port 0 picks one)\n"
    "  with one account (default user and password \"demo\"): a registrar with\n"
    "  digest authentication, and a PSTN that answers numbers by their last digit:\n"
    "  0-5 ring then answer, 6 busy, 7 ring for ever, 8 not found, 9 incomplete.\n"
    "  A call to the account's name or to its online number +" SC_TRUNK_ONLINE_NUMBER "\n"
    "  comes from the PSTN: it goes, unchallenged, to the Contact the account\n"
    "  registered (SDP passed through both ways).\n"
    "  Prints every request it sees (one JSON object per line with --json).\n"
    "  --log LEVEL: error, warning (default), info, debug, sip (every SIP message).\n"
    "  Commands on standard input: call USER [CALLER], hangup, status,\n"
    "  fault none|wrong-password|unavailable|silent|interval [SECONDS],\n"
    "  ring SECONDS, expires SECONDS, quit. The end of standard input does not\n"
    "  stop the trunk; quit, SIGINT or SIGTERM do.\n";

static const char edge_usage[] =
    "usage: skypeconnect edge-config --gateway FILE [--name GATEWAY] --instance HOST:PORT\n"
    "         [--instance HOST:PORT...] [--listen HOST:PORT] [--advertise HOST:PORT]\n"
    "         [--probe-interval S] [--flood-limit N] [--control unix:PATH]\n"
    "  Prints the Kamailio configuration of an edge in front of the instances\n"
    "  (docs/scale-out.md): upstream registration, dispatcher with OPTIONS probing,\n"
    "  cluster-wide max-channels, the gateway's dial rule and emergency refusal.\n"
    "  The output holds the gateway's password: keep it readable by Kamailio only.\n";

void cli_usage(FILE *out, const char *subcommand)
{
    if (subcommand && !strcmp(subcommand, "check")) fputs(check_usage, out);
    else if (subcommand && !strcmp(subcommand, "run")) fputs(run_usage, out);
    else if (subcommand && !strcmp(subcommand, "demo")) fputs(demo_usage, out);
    else if (subcommand && !strcmp(subcommand, "trunk")) fputs(trunk_usage, out);
    else if (subcommand && !strcmp(subcommand, "edge-config")) fputs(edge_usage, out);
    else {
        fputs("skypeconnect: check gateway configuration, run gateways against a trunk.\n\n", out);
        fputs(check_usage, out);
        fputs(run_usage, out);
        fputs(demo_usage, out);
        fputs(trunk_usage, out);
        fputs(edge_usage, out);
        fputs("usage: skypeconnect --version | --help\n"
              "  SUB --help prints the help of one subcommand.\n", out);
    }
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return true;
    return false;
}
