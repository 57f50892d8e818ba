#define _GNU_SOURCE
#include "csocket.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

int gatehouse_wakeup_fd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

int gatehouse_accept_nonblocking(int listener, struct sockaddr *address, socklen_t *length) {
    return accept4(listener, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int gatehouse_stream_socket(int family) {
    return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int gatehouse_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

ssize_t gatehouse_send(int fd, const void *bytes, size_t length) {
    return send(fd, bytes, length, MSG_NOSIGNAL);
}

int gatehouse_errno(void) {
    return errno;
}

int gatehouse_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

static int epoll_change(int epfd, int operation, int fd, int readable, int writable) {
    struct epoll_event event = {0};
    // A half-close (EPOLLRDHUP) is asked for only with reading, and then reads as readable: a
    // read finds the end. Asked for while reading is paused it would fire without end.
    event.events = (readable ? EPOLLIN | EPOLLRDHUP : 0) | (writable ? EPOLLOUT : 0);
    event.data.fd = fd;
    return epoll_ctl(epfd, operation, fd, &event);
}

int gatehouse_epoll_add(int epfd, int fd, int readable, int writable) {
    return epoll_change(epfd, EPOLL_CTL_ADD, fd, readable, writable);
}

int gatehouse_epoll_add_listener(int epfd, int fd) {
    struct epoll_event event = {0};
    event.events = EPOLLIN | EPOLLEXCLUSIVE;
    event.data.fd = fd;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

int gatehouse_epoll_modify(int epfd, int fd, int readable, int writable) {
    return epoll_change(epfd, EPOLL_CTL_MOD, fd, readable, writable);
}

int gatehouse_epoll_remove(int epfd, int fd) {
    struct epoll_event unused = {0};
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused);
}

int gatehouse_epoll_wait(int epfd, int *fds, int *events, int capacity, int timeoutMilliseconds) {
    struct epoll_event ready[256];
    if (capacity > 256) capacity = 256;
    int count = epoll_wait(epfd, ready, capacity, timeoutMilliseconds);
    for (int i = 0; i < count; i++) {
        fds[i] = ready[i].data.fd;
        uint32_t what = ready[i].events;
        events[i] = ((what & (EPOLLIN | EPOLLRDHUP)) ? 1 : 0) | ((what & EPOLLOUT) ? 2 : 0)
            | ((what & (EPOLLERR | EPOLLHUP)) ? 4 : 0);
    }
    return count;
}
