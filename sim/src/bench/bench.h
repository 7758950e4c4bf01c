/*
 * `ampsim bench` (docs/performance.md): what its parts share. bench_paths.c talks to the
 * runs (frame socket, tty, rpmsg-sdb, the floor) and reads their IPCC counters,
 * bench_out.c prints the figures as a table, JSON or CSV, bench_svg.c draws them.
 */
#ifndef AMP_SIM_BENCH_H
#define AMP_SIM_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <ampsim/sdb.h>

#define BENCH_NBLOCKS 7u
#define BENCH_CTRL_FEW 16u  /* rpmsg_ctrl0 clients: the base case */
#define BENCH_CTRL_MANY 64u /* ... and the many-client case measured against it */

/* The paths a block can take; the floor is the protocol without the simulator. */
enum bench_path { BENCH_FRAME, BENCH_TTY, BENCH_SDB, BENCH_FLOOR, BENCH_NPATHS };
/* How the firmware waits for interrupts (ampsim run --ipcc-mode). */
enum bench_mode { BENCH_BLOCKING, BENCH_ADAPTIVE, BENCH_NMODES };

extern const uint32_t bench_block_sizes[BENCH_NBLOCKS];
extern const double bench_article_netlink_ms[BENCH_NBLOCKS];
extern const double bench_article_tty_ms[BENCH_NBLOCKS]; /* < 0: not measured there */
extern const char *const bench_path_names[BENCH_NPATHS];
extern const char *const bench_mode_names[BENCH_NMODES];

/* One endpoint to send blocks to. */
struct bench_target {
	enum bench_path path;
	int fd;			/* frame socket, tty, or the floor's socketpair end */
	struct amp_sdb *sdb;	/* BENCH_SDB */
	struct amp_sdb_buf buf; /* its to-firmware buffer */
};

/* One run of `ampsim run` (or the floor's process) that bench started. */
struct bench_run {
	pid_t pid;
	char *dir; /* its run directory (NULL for the floor) */
};

/* The host's own IPCC and RPMsg counters of a run (`ampsim ctl stats`), summed. */
struct bench_counts {
	uint64_t msgs;	     /* RPMsg messages, both ways */
	uint64_t kicks;	     /* doorbells Linux rang (IPCC Linux->firmware kicks) */
	uint64_t m4_irqs;    /* interrupts raised on the firmware */
	uint64_t linux_irqs; /* firmware doorbells the host took as interrupts */
};

struct bench_lat {
	double p50, p90, p99, msg_s; /* microseconds; messages (round trips) per second */
};

struct bench_results {
	unsigned rounds, round_trips;
	double ms[BENCH_NPATHS][BENCH_NBLOCKS];		  /* medians, blocking mode */
	struct bench_counts counts[BENCH_NPATHS];	  /* over every block round */
	uint64_t bytes[BENCH_NPATHS];			  /* payload bytes of those rounds */
	struct bench_lat lat[BENCH_NPATHS][BENCH_NMODES]; /* the floor: [BENCH_BLOCKING] */
	double boot_ms[2];    /* boot to the first announced channel: median, min */
	double ctrl_msg_s[2]; /* echo msg/s with BENCH_CTRL_FEW, BENCH_CTRL_MANY clients */
};

/* bench_paths.c */
bool bench_run_start(const char *fw, const char *mode, struct bench_run *run);
void bench_run_stop(struct bench_run *run);
bool bench_target_open(const struct bench_run *run, enum bench_path path, struct bench_target *t);
bool bench_floor_start(struct bench_run *run, struct bench_target *t);
void bench_target_close(struct bench_target *t);
double bench_block(struct bench_target *t, uint32_t size); /* ms, or < 0 */
int bench_connect_seqpacket(const char *path);		   /* a frame socket of the run, or -1 */
bool bench_counts_read(const struct bench_run *run, struct bench_counts *c);
double bench_now_s(void);
int bench_cmp_double(const void *a, const void *b);

/* bench_ctrl.c */
double bench_boot_ms(const char *fw); /* ampsim run start -> RUNDIR/rpmsg0 connectable */
bool bench_ctrl(const char *echo_fw, unsigned rounds, unsigned total, double msg_s[2]);

/* bench_out.c */
double bench_mb_per_s(uint32_t size, double ms);
void bench_print_table(FILE *out, const struct bench_results *r, const char *fw,
		       const char *sdb_fw);
void bench_print_json(FILE *out, const struct bench_results *r);
void bench_print_csv(FILE *out, const struct bench_results *r);

/* bench_svg.c: both plots in one SVG document; false if it could not be written. */
bool bench_write_svg(const char *path, const struct bench_results *r);

#endif /* AMP_SIM_BENCH_H */
