/* A STUN server for the NAT tests: Sofia-SIP's own minimal server
 * (stun_mini_*) on one UDP socket, answering Binding requests with the
 * address it saw. No packet is built here.
 *
 *   sc_stun_server ADDR PORT SECONDS     (exits after SECONDS; prints "ready") */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <sofia-sip/su.h>
#include <sofia-sip/stun.h>

int main(int argc, char **argv)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    stun_mini_t *mini;
    time_t end;
    int fd;
    if (argc != 4) {
        fprintf(stderr, "usage: %s ADDR PORT SECONDS\n", argv[0]);
        return 2;
    }
    su_init();
    sa.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) return 2;
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("bind");
        return 1;
    }
    mini = stun_mini_create();
    if (!mini || stun_mini_add_socket(mini, fd) != 0) return 1;
    printf("ready\n");
    fflush(stdout);
    end = time(NULL) + atoi(argv[3]);
    while (time(NULL) < end) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        unsigned char buf[2048];
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t n;
        if (poll(&p, 1, 500) != 1) continue;
        n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        if (n > 0) {
            char host[64];
            inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, host, sizeof host);
            printf("request from %s:%d\n", host, ntohs(((struct sockaddr_in *)&from)->sin_port));
            fflush(stdout);
            stun_mini_request(mini, fd, buf, n, &from, flen);
        }
    }
    stun_mini_destroy(mini);
    close(fd);
    su_deinit();
    return 0;
}
