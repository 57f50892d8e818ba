#ifndef GATEHOUSE_CSOCKET_H
#define GATEHOUSE_CSOCKET_H
#include <sys/types.h>
#include <sys/socket.h>

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC. Glibc declares accept4 only under _GNU_SOURCE,
/// which Swift's Glibc module does not define, so this wrapper lives in C.
int gatehouse_accept_nonblocking(int listener, struct sockaddr *address, socklen_t *length);

/// socket(2) with SOCK_NONBLOCK | SOCK_CLOEXEC for a stream socket of the given family.
int gatehouse_stream_socket(int family);

/// Marks an existing descriptor non-blocking. Returns 0 or -1 with errno set.
int gatehouse_set_nonblocking(int fd);

/// send(2) with MSG_NOSIGNAL, so a peer that went away gives EPIPE instead of killing the process.
ssize_t gatehouse_send(int fd, const void *bytes, size_t length);

/// eventfd(2), non-blocking and close-on-exec: how work posted to an event loop wakes it.
int gatehouse_wakeup_fd(void);

/// epoll(7), behind calls that take and give plain integers: `struct epoll_event` is packed on
/// x86-64, which Swift does not lay out as C does. `token` is the descriptor itself.
int gatehouse_epoll_create(void);
/// Adds or changes `fd`'s interest: `readable` selects EPOLLIN and EPOLLRDHUP (a half-close
/// reads as readable), `writable` EPOLLOUT; EPOLLERR and EPOLLHUP are always reported.
/// Level-triggered.
int gatehouse_epoll_add(int epfd, int fd, int readable, int writable);
int gatehouse_epoll_modify(int epfd, int fd, int readable, int writable);
int gatehouse_epoll_remove(int epfd, int fd);
/// Adds a listening socket, readable when a connection waits, with EPOLLEXCLUSIVE: when several
/// epoll instances watch it, a new connection wakes one of the waiting ones, not all.
int gatehouse_epoll_add_listener(int epfd, int fd);
/// Waits up to `timeoutMilliseconds` (-1 forever) and writes each ready descriptor to `fds` and
/// what it is ready for to `events` (1 readable or half-closed, 2 writable, 4 hung up or in error). Returns the
/// count, 0 on timeout, or -1 with errno set.
int gatehouse_epoll_wait(int epfd, int *fds, int *events, int capacity, int timeoutMilliseconds);

/// Current errno, read in C because Swift's errno accessor is not thread-safe to reason about everywhere.
int gatehouse_errno(void);
#endif
