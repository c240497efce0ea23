// The kernel's own price for the rooms fan-out, with no runtime in the way: one sender thread writes a small
// pre-built WebSocket frame to each of N loopback TCP connections on a fixed schedule, one receiver thread reads them
// all through epoll and times each frame. It prints the CPU both threads used, so docs/benchmarks.md can set the
// product's figures against what this machine can do at all. Loopback only; stops by itself.
//
//   cc -O2 -pthread -o loopback_floor loopback_floor.c
//   ./loopback_floor <connections> <deliveries per second> <seconds>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int conns, rate, seconds;
static int *senders, *receivers;
static volatile int done;
static uint64_t hist[200000]; // 10 us buckets up to 2 s
static uint64_t received, sent;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static double thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double send_cpu, recv_cpu;

// Frames of 2 + 150 bytes, unmasked as a server sends them; the payload starts with the send time.
static void *sender(void *arg) {
    (void)arg;
    unsigned char frame[152];
    memset(frame, 'x', sizeof frame);
    frame[0] = 0x81;
    frame[1] = 150;
    uint64_t start = now_ns(), interval = 1000000000ull / (uint64_t)rate, next = start;
    uint64_t end = start + (uint64_t)seconds * 1000000000ull;
    long i = 0;
    double cpu0 = thread_cpu();
    while (next < end) {
        uint64_t t = now_ns();
        while (next <= t && next < end) { // everything due since the last wake-up, each stamped when written
            uint64_t stamp = now_ns();
            memcpy(frame + 2, &stamp, sizeof stamp);
            if (send(senders[i % conns], frame, sizeof frame, MSG_DONTWAIT) != (ssize_t)sizeof frame) {
                fprintf(stderr, "short send\n");
                exit(1);
            }
            i++;
            sent++;
            next += interval;
        }
        struct timespec pause = {0, 1000000}; // wake at most every millisecond, like the .NET generator
        nanosleep(&pause, NULL);
    }
    send_cpu = thread_cpu() - cpu0;
    done = 1;
    return NULL;
}

// Each connection keeps the tail of a frame a read cut in two.
static unsigned char (*pending)[152];
static int *pending_len;

static void *receiver(void *arg) {
    int ep = *(int *)arg;
    struct epoll_event events[256];
    unsigned char buf[16384];
    double cpu0 = thread_cpu();
    for (int n = 1; !done || n > 0;) { // after the sender ends, read until 100 ms pass with nothing in flight
        n = epoll_wait(ep, events, 256, 100);
        for (int e = 0; e < n; e++) {
            int c = events[e].data.u32;
            int held = pending_len[c];
            memcpy(buf, pending[c], held);
            ssize_t got = recv(receivers[c], buf + held, sizeof buf - held, MSG_DONTWAIT);
            if (got <= 0) continue;
            got += held;
            uint64_t t = now_ns();
            ssize_t off = 0;
            for (; off + 152 <= got; off += 152) {
                uint64_t stamp;
                memcpy(&stamp, buf + off + 2, sizeof stamp);
                uint64_t bucket = (t - stamp) / 10000;
                hist[bucket < 199999 ? bucket : 199999]++;
                received++;
            }
            pending_len[c] = (int)(got - off);
            memcpy(pending[c], buf + off, got - off);
        }
    }
    recv_cpu = thread_cpu() - cpu0;
    return NULL;
}

static double percentile(double p) {
    uint64_t target = (uint64_t)(p * received), seen = 0;
    for (int i = 0; i < 200000; i++) {
        seen += hist[i];
        if (seen >= target && target > 0) return (i + 1) * 0.01;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s <connections> <deliveries/s> <seconds>\n", argv[0]);
        return 2;
    }
    conns = atoi(argv[1]);
    rate = atoi(argv[2]);
    seconds = atoi(argv[3]);
    struct rlimit lim = {65536, 65536};
    setrlimit(RLIMIT_NOFILE, &lim);

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, 4096) ||
        getsockname(listener, (struct sockaddr *)&addr, &len)) {
        perror("listen");
        return 1;
    }
    senders = calloc(conns, sizeof(int));
    receivers = calloc(conns, sizeof(int));
    pending = calloc(conns, sizeof *pending);
    pending_len = calloc(conns, sizeof(int));
    int ep = epoll_create1(0), one = 1;
    for (int i = 0; i < conns; i++) {
        receivers[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(receivers[i], (struct sockaddr *)&addr, sizeof addr)) {
            perror("connect");
            return 1;
        }
        senders[i] = accept(listener, NULL, NULL);
        setsockopt(senders[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, receivers[i], &ev);
    }

    pthread_t s, r;
    uint64_t wall0 = now_ns();
    pthread_create(&r, NULL, receiver, &ep);
    pthread_create(&s, NULL, sender, NULL);
    pthread_join(s, NULL);
    pthread_join(r, NULL);
    // A sender that falls behind takes longer than asked: rates and cores are per second of wall time.
    double wall = (now_ns() - wall0) / 1e9;
    printf("connections=%d asked=%d/s seconds=%d wall=%.1fs sent=%llu received=%llu (%.0f/s)\n", conns, rate, seconds, wall,
           (unsigned long long)sent, (unsigned long long)received, received / wall);
    printf("cpu_cores sender=%.2f receiver=%.2f total=%.2f\n", send_cpu / wall, recv_cpu / wall,
           (send_cpu + recv_cpu) / wall);
    printf("latency_ms p50=%.3f p99=%.3f p99.9=%.3f\n", percentile(0.5), percentile(0.99), percentile(0.999));
    return 0;
}
