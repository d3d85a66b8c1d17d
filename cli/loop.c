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
    in->used = 0;
    in->open = true;
}

int cli_lines_fd(const cli_lines *in)
{
    return in->open ? STDIN_FILENO : -1;
}

bool cli_lines_read(cli_lines *in, bool (*on_line)(char *line, void *user), void *user)
{
    char *nl;
    ssize_t n = read(STDIN_FILENO, in->buf + in->used, sizeof in->buf - 1 - in->used);
    if (n <= 0) {
        /* End of input is not a quit: a daemonised command has no stdin. */
        in->open = false;
        return false;
    }
    in->used += (size_t)n;
    in->buf[in->used] = '\0';
    while ((nl = strchr(in->buf, '\n'))) {
        bool quit;
        *nl = '\0';
        quit = on_line(in->buf, user);
        in->used -= (size_t)(nl + 1 - in->buf);
        memmove(in->buf, nl + 1, in->used + 1);
        if (quit) return true;
    }
    if (in->used == sizeof in->buf - 1) in->used = 0;  /* an absurd line: drop it */
    return false;
}
