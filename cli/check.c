/* skypeconnect check FILE...: validate gateway XML. */
#include <stdio.h>

#include "cli.h"

void cli_print_line(const char *line)
{
    fputs(line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

int cli_load_gateways(sc_config *cfg, char **files, int nfiles, FILE *out)
{
    size_t shown = 0;
    for (int i = 0; i < nfiles; i++) {
        sc_config_load_file(cfg, files[i]);
        for (; shown < sc_config_diag_count(cfg); shown++)
            fprintf(out, "%s\n", sc_config_diag_text(cfg, shown));
    }
    return (int)sc_config_error_count(cfg);
}

int cli_check(int argc, char **argv)
{
    sc_config *cfg;
    int errors;
    if (argc < 1) {
        fprintf(stderr, "usage: skypeconnect check FILE...\n");
        return CLI_EXIT_CONFIG;
    }
    cfg = sc_config_new();
    if (!cfg) {
        fprintf(stderr, "skypeconnect: %s\n", sc_last_error());
        return CLI_EXIT_FAILED;
    }
    errors = cli_load_gateways(cfg, argv, argc, stdout);
    if (errors == 0)
        printf("%zu gateway%s OK\n", sc_config_gateway_count(cfg),
               sc_config_gateway_count(cfg) == 1 ? "" : "s");
    else
        printf("%d error%s\n", errors, errors == 1 ? "" : "s");
    sc_config_free(cfg);
    return errors ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}
