/* skypeconnect check FILE...: validate gateway XML. */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "cli.h"
#include "file_text.h"

/* The library refuses gateway files over 64 MiB; a look at a file never
 * reads more than that either. */
#define CHECK_SNIFF_MAX (64u * 1024u * 1024u)

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

/* A folder, or a file with <extension>s or <context>s, is dialplan XML;
 * anything else is gateway XML (whose loader then says what is wrong with
 * a file that cannot be read or is too large). */
static bool is_dialplan(const char *path)
{
    char *text, *error = NULL;
    bool dialplan;
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) return true;
    text = cli_read_file(path, CHECK_SNIFF_MAX, &error);
    g_free(error);
    if (!text) return false;
    dialplan = (strstr(text, "<extension") || strstr(text, "<context")) && !strstr(text, "<gateway");
    g_free(text);
    return dialplan;
}

static int check_dialplan(const char *path, size_t *extensions_ok)
{
    sc_dialplan *dp = sc_dialplan_new();
    int errors;
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) sc_dialplan_load_dir(dp, path);
    else sc_dialplan_load_file(dp, path, NULL);
    for (size_t i = 0; i < sc_dialplan_diag_count(dp); i++) printf("%s\n", sc_dialplan_diag_text(dp, i));
    errors = (int)sc_dialplan_error_count(dp);
    if (!errors && sc_dialplan_diag_count(dp) == 0 && sc_last_status() != SC_OK) {
        printf("%s: error: %s\n", path, sc_last_error());
        errors = 1;
    }
    if (!errors) (*extensions_ok)++;
    sc_dialplan_free(dp);
    return errors;
}

int cli_check(int argc, char **argv)
{
    sc_config *cfg;
    int errors = 0;
    size_t dialplans = 0;
    char **gateway_files;
    int ngateway_files = 0;
    if (argc < 1) {
        cli_usage(stderr, "check");
        return CLI_EXIT_CONFIG;
    }
    cfg = sc_config_new();
    gateway_files = g_new0(char *, (size_t)argc + 1);
    for (int i = 0; i < argc; i++) {
        if (is_dialplan(argv[i])) errors += check_dialplan(argv[i], &dialplans);
        else gateway_files[ngateway_files++] = argv[i];
    }
    errors += cli_load_gateways(cfg, gateway_files, ngateway_files, stdout);
    if (errors == 0)
        printf("%zu gateway%s and %zu dialplan%s OK\n", sc_config_gateway_count(cfg),
               sc_config_gateway_count(cfg) == 1 ? "" : "s", dialplans, dialplans == 1 ? "" : "s");
    else
        printf("%d error%s\n", errors, errors == 1 ? "" : "s");
    g_free(gateway_files);
    sc_config_free(cfg);
    return errors ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}
