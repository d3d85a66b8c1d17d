/* The skypeconnect command: shared pieces of its subcommands. */
#ifndef SC_CLI_H
#define SC_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "skypeconnect/skypeconnect.h"

/* Exit statuses */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILED 1     /* check found errors; a run ended in failure */
#define CLI_EXIT_CONFIG 2     /* bad usage or configuration */

int cli_check(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_trunk(int argc, char **argv);

/* Loads every file into cfg, printing diagnostics to out.
 * Returns the number of errors. */
int cli_load_gateways(sc_config *cfg, char **files, int nfiles, FILE *out);

/* Prints a line to stdout and flushes it (output is read by programs). */
void cli_print_line(const char *line);

#endif
