/*
 * The floors bench_e2e measures its paths against (docs/performance.md): processes that wait
 * as a path does and do no protocol work. Each *_start() forks the floor's peers, which die
 * with bench_e2e; *_round_trips(n) runs n 16-byte round trips and returns microseconds per
 * round trip; *_throughput(n) echoes n 496-byte messages, ECHO_WINDOW in flight, and returns
 * messages per second. Their pids are here so that bench_e2e can place them on CPUs.
 */
#ifndef BENCH_E2E_FLOORS_H
#define BENCH_E2E_FLOORS_H

#include <sys/types.h>

#define ECHO_LEN 496   /* the RPMsg MTU with 512-byte buffers */
#define ECHO_WINDOW 16 /* messages in flight in the throughput runs */

/* fork() for a peer of this run, sent @p sig when bench_e2e ends (fork_peer(): SIGKILL). */
pid_t fork_peer_sig(int sig);
pid_t fork_peer(void);

/* 16-byte round trips, or ECHO_WINDOW-deep echoes, on a SEQPACKET socket whose end echoes. */
double socket_round_trips(int fd, unsigned n);
double socket_throughput(int fd, unsigned n);

/* floor: two processes ping-pong over two eventfds. */
extern int floor_pid;
void floor_start(void);
void floor_stop(void);
double floor_round_trips(unsigned n);

/* glib: the floor's ping-pong, this side waiting in a GLib loop (after floor_start()). */
void glib_floor_start(void);
void glib_floor_stop(void);
double glib_round_trips(unsigned n);

/* shm: two processes ping-pong a word in shared memory, both polling. */
extern int spin_pid;
void spin_floor_start(void);
void spin_floor_stop(void);
double spin_round_trips(unsigned n);

/* hop: client -SEQPACKET- relay -eventfd ping-pong- the floor's peer (after floor_start()). */
extern int relay_pid;
void hop_start(void);
void hop_stop(void);
double hop_round_trips(unsigned n);

/* hop-glib: the hop with the relay waiting in a GLib loop, and an eventfd peer of its own.
 * Start it before anything in bench_e2e starts a thread. */
extern int ghop_pid, ghop_peer;
void ghop_start(void);
void ghop_stop(void);
double ghop_round_trips(unsigned n);

/* relay: client -SEQPACKET- relay -SEQPACKET- echo process, one recv and one send per
 * message per hop (the naive 3-process relay). */
extern int relay3_pid, echo3_pid;
void relay3_start(void);
void relay3_stop(void);
double relay3_throughput(unsigned n);

#endif /* BENCH_E2E_FLOORS_H */
