/* SPDX-License-Identifier: Apache-2.0 */
/* fake_http.h: the socket plumbing of the tests' fake HTTP servers
 * (fake_openai.h's chat server, test_asr.c's transcription server): a
 * listening socket on 127.0.0.1 at an ephemeral port served by one thread,
 * accepting connections until told to stop, and sending whole buffers.
 * Header-only (static functions). */
#ifndef SZ_TESTS_FAKE_HTTP_H
#define SZ_TESTS_FAKE_HTTP_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>

/* Not every includer uses every helper. */
#define FAKE_HTTP_FN static __attribute__((unused))

/* Sends all of p (no SIGPIPE). Returns 0, or -1 when the peer is gone. */
FAKE_HTTP_FN int fake_http_send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Listens on 127.0.0.1 at an ephemeral port (*listen_fd, *port) and starts
 * *thread running fn(arg). Returns 0, or -1 with the socket closed. */
FAKE_HTTP_FN int fake_http_start(int *listen_fd, int *port, pthread_t *thread, void *(*fn)(void *),
                                 void *arg)
{
    *listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*listen_fd < 0)
        return -1;
    int one = 1;
    setsockopt(*listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(*listen_fd, (struct sockaddr *)&a, sizeof a) || listen(*listen_fd, 16) ||
        getsockname(*listen_fd, (struct sockaddr *)&a, &al)) {
        close(*listen_fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    if (pthread_create(thread, NULL, fn, arg)) {
        close(*listen_fd);
        return -1;
    }
    return 0;
}

/* The server thread's next connection; -1 once *stop is raised (checked
 * every 20 ms). */
FAKE_HTTP_FN int fake_http_accept(int listen_fd, atomic_int *stop)
{
    while (!atomic_load(stop)) {
        struct pollfd p = {listen_fd, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept(listen_fd, NULL, NULL);
        if (fd >= 0)
            return fd;
    }
    return -1;
}

/* Raises *stop, joins the server thread and closes the listening socket. */
FAKE_HTTP_FN void fake_http_stop(atomic_int *stop, pthread_t thread, int listen_fd)
{
    atomic_store(stop, 1);
    pthread_join(thread, NULL);
    close(listen_fd);
}

#endif
