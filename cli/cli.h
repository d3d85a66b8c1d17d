/* The skypeconnect command: shared pieces of its subcommands. */
#ifndef SC_CLI_H
#define SC_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "skypeconnect/skypeconnect.h"
#include "line_reader.h"

/* Exit statuses */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILED 1     /* check found errors; a run ended in failure */
#define CLI_EXIT_CONFIG 2     /* bad usage or configuration */

int cli_check(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_trunk(int argc, char **argv);
int cli_edge_config(int argc, char **argv);

/* Loads every file into cfg, printing diagnostics to out.
 * Returns the number of errors. */
int cli_load_gateways(sc_config *cfg, char **files, int nfiles, FILE *out);

/* usage.c: the help of one subcommand ("run", ...), or of all of them
 * (NULL or an unknown name). */
void cli_usage(FILE *out, const char *subcommand);
/* Whether --help or -h is among the arguments: help wins over any other
 * argument, so that `skypeconnect run --gateway x --help` helps too. */
bool cli_wants_help(int argc, char **argv);

/* Prints a line to stdout and flushes it (output is read by programs). */
void cli_print_line(const char *line);

/* loop.c: signals and standard input for a poll() loop (run, trunk). */

/* Makes SIGINT and SIGTERM write to a pipe (cli_signal_fd() becomes
 * readable) and ignores SIGPIPE. -1 with errno set if the pipe fails. */
int cli_signal_pipe_open(void);
int cli_signal_fd(void);
void cli_signal_pipe_close(void);

/* Command lines read from standard input as poll() says they come. */
typedef struct cli_lines {
    cli_line_reader reader;
    bool open;          /* false after end of input or a read error */
} cli_lines;

void cli_lines_init(cli_lines *in);
/* What to poll: standard input, or -1 once it is closed. */
int cli_lines_fd(const cli_lines *in);
/* Reads what is there and calls on_line for each line it ends, as
 * cli_line_reader_feed() does (a refused line comes with an error); true
 * when on_line returned true (quit), the rest unread. */
bool cli_lines_read(cli_lines *in, cli_line_fn on_line, void *user);


#endif
