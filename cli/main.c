/* skypeconnect: check gateway configuration, run gateways against a trunk. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: skypeconnect check FILE...\n"
            "       skypeconnect run --gateway FILE [--gateway FILE...] [--bind ADDR]\n"
            "                        [--tls-dir DIR [--tls-verify]] [--json] [--log LEVEL]\n"
            "                        [--on-incoming ring|answer|reject:CODE|dialplan] [--answer-timeout S]\n"
            "                        [--inbound-acl LIST] [--sdp FILE] [--dialplan DIR]\n"
            "                        [--internal ADDR [--internal-acl LIST]]\n"
            "       skypeconnect demo [--json]\n"
            "       skypeconnect trunk [--listen ADDR] [--user U --password P] [--json]\n"
            "       skypeconnect edge-config --gateway FILE --instance HOST:PORT... (edge-config --help)\n"
            "       skypeconnect --version\n"
            "\n"
            "check  validates FreeSWITCH gateway XML and prints every error and warning\n"
            "       with file and line; exits 1 when there are errors.\n"
            "run    registers every gateway and prints each state change (one JSON object\n"
            "       per line with --json). Commands on standard input: status, calls,\n"
            "       register GW, unregister GW, dial GW NUMBER [CALLER], ring CALL,\n"
            "       answer CALL, reject CALL CODE, hangup CALL, dtmf CALL DIGITS, quit.\n"
            "       A line over 4095 bytes or holding a NUL byte is refused whole.\n"
            "       SIGINT and SIGTERM hang up, unregister, then exit.\n"
            "demo   the Skype Connect setup end to end on the built-in loopback trunk.\n"
            "trunk  runs the loopback trunk alone, for a phone, a PBX or FreeSWITCH.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_CONFIG;
    }
    if (!strcmp(argv[1], "check")) return cli_check(argc - 2, argv + 2);
    if (!strcmp(argv[1], "run")) return cli_run(argc - 2, argv + 2);
    if (!strcmp(argv[1], "demo")) return cli_demo(argc - 2, argv + 2);
    if (!strcmp(argv[1], "trunk")) return cli_trunk(argc - 2, argv + 2);
    if (!strcmp(argv[1], "edge-config")) return cli_edge_config(argc - 2, argv + 2);
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("skypeconnect %s\n", sc_version());
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "skypeconnect: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_CONFIG;
}
