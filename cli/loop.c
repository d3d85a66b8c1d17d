/* The plumbing of the commands that run until told to stop (run, trunk):
 * a self-pipe that SIGINT and SIGTERM write to, so a poll() loop sees
 * signals as readable input and nothing is done in the handler; and the
 * reading of command lines from standard input without blocking that loop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int signal_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
    char c = (char)sig;
    int saved = errno;
    if (write(signal_pipe[1], &c, 1) < 0) { /* pipe full: a stop is pending anyway */ }
    errno = saved;
}

int cli_signal_pipe_open(void)
{
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) return -1;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

int cli_signal_fd(void)
{
    return signal_pipe[0];
}

void cli_signal_pipe_close(void)
{
    close(signal_pipe[0]);
    close(signal_pipe[1]);
}

void cli_lines_init(cli_lines *in)
{
    cli_line_reader_init(&in->reader);
    in->open = true;
}

int cli_lines_fd(const cli_lines *in)
{
    return in->open ? STDIN_FILENO : -1;
}

bool cli_lines_read(cli_lines *in, cli_line_fn on_line, void *user)
{
    char chunk[4096];
    ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return false;
    if (n <= 0) {
        /* End of input is not a quit: a daemonised command has no stdin. */
        in->open = false;
        return false;
    }
    return cli_line_reader_feed(&in->reader, chunk, (size_t)n, on_line, user);
}
