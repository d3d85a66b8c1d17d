/* See free_port.h. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "free_port.h"

int sc_find_free_port(const char *host, bool v6, bool need_udp, int wanted)
{
    for (int attempt = 0; attempt < (wanted > 0 ? 1 : 50); attempt++) {
        struct sockaddr_storage ss;
        socklen_t len;
        int port, fd_tcp, fd_udp;
        memset(&ss, 0, sizeof ss);
        if (v6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            a->sin6_family = AF_INET6;
            a->sin6_port = htons((uint16_t)wanted);
            inet_pton(AF_INET6, host, &a->sin6_addr);
            len = sizeof *a;
        } else {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            a->sin_family = AF_INET;
            a->sin_port = htons((uint16_t)wanted);
            inet_pton(AF_INET, host, &a->sin_addr);
            len = sizeof *a;
        }
        /* TCP first, port 0: the kernel picks; then UDP must take the same. */
        fd_tcp = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_tcp < 0) return -1;
        if (bind(fd_tcp, (struct sockaddr *)&ss, len) < 0 ||
            getsockname(fd_tcp, (struct sockaddr *)&ss, &len) < 0) {
            close(fd_tcp);
            return -1;
        }
        port = v6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                  : ntohs(((struct sockaddr_in *)&ss)->sin_port);
        if (need_udp) {
            fd_udp = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd_udp < 0 || bind(fd_udp, (struct sockaddr *)&ss, len) < 0) {
                int saved = errno;
                if (fd_udp >= 0) close(fd_udp);
                close(fd_tcp);
                errno = saved;
                continue;   /* taken for UDP: another port (none when wanted) */
            }
            close(fd_udp);
        }
        close(fd_tcp);
        return port;
    }
    return -1;
}
