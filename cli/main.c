/* skypeconnect: check gateway configuration, run gateways against a trunk. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage(stderr, NULL);
        return CLI_EXIT_CONFIG;
    }
    if (cli_wants_help(argc - 2, argv + 2) && (!strcmp(argv[1], "check") || !strcmp(argv[1], "run") ||
                                               !strcmp(argv[1], "demo") || !strcmp(argv[1], "trunk") ||
                                               !strcmp(argv[1], "edge-config"))) {
        cli_usage(stdout, argv[1]);
        return CLI_EXIT_OK;
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
        cli_usage(stdout, NULL);
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "skypeconnect: unknown command '%s'\n\n", argv[1]);
    cli_usage(stderr, NULL);
    return CLI_EXIT_CONFIG;
}
