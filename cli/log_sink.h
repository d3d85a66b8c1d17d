/* Where run and trunk send log lines: stderr with a timestamp, and/or
 * syslog or journald datagrams, as --log and --log-to say. */
#ifndef SC_CLI_LOG_SINK_H
#define SC_CLI_LOG_SINK_H

#include <stdbool.h>

/* The level of a --log value; "sip" is debug with *sip set. -1 when it is
 * not a level (the caller names the levels: CLI_LOG_LEVELS). */
#define CLI_LOG_LEVELS "error, warning, info, debug or sip"
int cli_log_level_named(const char *name, bool *sip);

/* Adds a --log-to target: "stderr", "syslog[:SOCKET]" (default /dev/log)
 * or "journald[:SOCKET]" (default /run/systemd/journal/socket). -1 with a
 * message in *error (g_free) for anything else. Sockets are opened at
 * cli_log_setup(). */
int cli_log_add_target(const char *spec, char **error);

/* Installs the log callback: the level of --log (or SKYPECONNECT_LOG, else
 * warning when @p level is -1), the SIP trace when @p sip, to the targets
 * added (stderr when none). -1 with *error when a socket cannot be opened. */
int cli_log_setup(int level, bool sip, char **error);

/* Restores the library's default log and closes the sockets. */
void cli_log_close(void);

#endif
