/*
 * The soak and kill campaign's run: one poll loop over the three paths, the firmware's pid
 * from RUNDIR/control, kills at seeded points, and the summary. See soak_client.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "soak_internal.h"

#define STATUS_EVERY_NS 2000000 /* ask "status" at most every 2 ms while a path waits */
#define KILL_JITTER_US 2000u	/* a kill lands up to 2 ms after its point: mid-traffic */
#define NOTES_TO_LOG 20		/* violations described on cfg->log; the rest are counted */

const char *const soak_chan_name[SOAK_NCHAN] = {
    [SOAK_CH_FRAME] = "frame", [SOAK_CH_CTRL] = "ctrl", [SOAK_CH_TTY] = "tty"};

int64_t soak_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void soak_note(struct soak_ctx *x, const char *fmt, ...)
{
	if (!x->cfg->log || x->notes++ >= NOTES_TO_LOG)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(x->cfg->log, "soak: violation: ");
	vfprintf(x->cfg->log, fmt, ap);
	fputc('\n', x->cfg->log);
	va_end(ap);
}

static void fail(struct soak_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct soak_ctx *x, const char *fmt, ...)
{
	if (x->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->res->error, sizeof(x->res->error), fmt, ap);
	va_end(ap);
	x->failed = true;
}

/* splitmix64: the kill points and jitter, replayable from the seed. */
static uint64_t rnd(struct soak_ctx *x)
{
	uint64_t z = (x->rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Kill points: echo counts spread over 5 %..85 % of the run, sorted. */
static void plan_kills(struct soak_ctx *x)
{
	uint64_t total = (uint64_t)x->cfg->msgs_per_chan * SOAK_NCHAN;
	uint64_t lo = total / 20, span = total * 80 / 100;
	for (unsigned i = 0; i < x->cfg->kills; i++)
		x->kill_points[i] = lo + (span ? rnd(x) % span : 0);
	qsort(x->kill_points, x->cfg->kills, sizeof(uint64_t), cmp_u64);
}

/* ---- RUNDIR/control -------------------------------------------------------------------- */

/* "status": the firmware's pid when it runs, 0 when not (crashed, starting), -1 no answer. */
static int status_pid(struct soak_ctx *x)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(x->control) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, x->control, strlen(x->control) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, "status\n", 7) != 7) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char buf[1024];
	size_t len = 0;
	ssize_t n;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (len < sizeof(buf) - 1 && poll(&p, 1, 5000) > 0 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	const char *pid = strstr(buf, "firmware pid: ");
	if (strncmp(buf, "ok\n", 3) != 0 || !pid)
		return -1;
	return strstr(buf, "state: running") ? atoi(pid + strlen("firmware pid: ")) : 0;
}

/* The gate for reconnecting: a firmware runs and it is not the one we killed. */
static void refresh_live_pid(struct soak_ctx *x, int64_t now)
{
	if (x->live_pid > 0 || now - x->last_status_ns < STATUS_EVERY_NS)
		return;
	x->last_status_ns = now;
	int pid = status_pid(x);
	if (pid > 0 && pid != x->killed_pid)
		x->live_pid = pid;
}

/* ---- kills ----------------------------------------------------------------------------- */

/* The last kill is behind every path: each is back and has had its first echo (or is done). */
static bool all_recovered(const struct soak_ctx *x)
{
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		const struct soak_chan *c = &x->ch[i];
		if (c->state != SOAK_UP || c->kill_pending ||
		    (c->first_echo_wanted && c->next_seq < x->cfg->msgs_per_chan))
			return false;
	}
	return true;
}

static void do_kill(struct soak_ctx *x, int64_t now)
{
	int pid = status_pid(x);
	if (pid != x->live_pid) {
		fail(x, "the firmware is pid %d, not %d, with no kill of ours", pid, x->live_pid);
		return;
	}
	struct soak_kill *k = &x->res->kill[x->res->kills_done++];
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	k->at_echoes = x->echoes_total;
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		x->ch[i].kill_pending = x->ch[i].first_echo_wanted = true;
		k->back_ms[i] = k->first_echo_ms[i] = -1;
	}
	x->kill_ns = now;
	x->killed_pid = pid;
	x->live_pid = 0;
	if (kill(pid, SIGKILL) != 0)
		fail(x, "kill(%d, SIGKILL): %s", pid, strerror(errno));
}

static void maybe_kill(struct soak_ctx *x, int64_t now)
{
	struct soak_result *r = x->res;
	if (r->kills_done >= x->cfg->kills || x->live_pid <= 0 || !all_recovered(x) ||
	    x->echoes_total < x->kill_points[r->kills_done])
		return;
	if (!x->kill_deadline_ns) {
		x->kill_deadline_ns = now + (int64_t)(rnd(x) % KILL_JITTER_US) * 1000 + 1;
		return;
	}
	if (now < x->kill_deadline_ns)
		return;
	x->kill_deadline_ns = 0;
	do_kill(x, now);
}

/* ---- the loop -------------------------------------------------------------------------- */

static bool finished(const struct soak_ctx *x)
{
	if (x->res->kills_done < x->cfg->kills)
		return false;
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		const struct soak_chan *c = &x->ch[i];
		if (c->state != SOAK_UP || c->kill_pending || c->next_seq < x->cfg->msgs_per_chan ||
		    c->oldest != c->next_seq || c->conn_origins < c->conn_echoes)
			return false;
	}
	return true;
}

static const char *state_name(enum soak_state s)
{
	static const char *const names[] = {"down", "creating", "waiting", "up"};
	return names[s];
}

static void stalled(struct soak_ctx *x)
{
	char what[384] = "";
	size_t n = 0;
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		const struct soak_chan *c = &x->ch[i];
		n += (size_t)snprintf(what + n, sizeof(what) - n,
				      "; %s %s, seq %u..%u unanswered, %llu origins / %llu echoes",
				      soak_chan_name[i], state_name(c->state), c->oldest,
				      c->next_seq, (unsigned long long)c->conn_origins,
				      (unsigned long long)c->conn_echoes);
		if (n >= sizeof(what))
			break;
	}
	fail(x, "no progress for %d ms (after %u of %u kills, firmware pid %d)%s", x->cfg->stall_ms,
	     x->res->kills_done, x->cfg->kills, x->live_pid, what);
}

/* One round: connect what can, send, maybe kill, then wait for the fds. */
static void step(struct soak_ctx *x)
{
	int64_t now = soak_now_ns();
	bool waiting = false;
	refresh_live_pid(x, now);
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		struct soak_chan *c = &x->ch[i];
		if (c->state == SOAK_DOWN && x->live_pid > 0)
			soak_chan_connect(x, c);
		if (c->state == SOAK_WAIT_FW)
			soak_chan_check_ready(x, c);
		soak_chan_fill(x, c);
		waiting |= c->state != SOAK_UP;
	}
	maybe_kill(x, now);
	struct pollfd p[SOAK_NCHAN];
	for (unsigned i = 0; i < SOAK_NCHAN; i++)
		p[i] = (struct pollfd){.fd = x->ch[i].fd, .events = soak_chan_events(&x->ch[i])};
	int timeout = waiting || x->kill_deadline_ns ? 1 : 50;
	if (poll(p, SOAK_NCHAN, timeout) < 0 && errno != EINTR) {
		fail(x, "poll: %s", strerror(errno));
		return;
	}
	for (unsigned i = 0; i < SOAK_NCHAN; i++)
		if (p[i].fd >= 0 && p[i].revents)
			soak_chan_ready(x, &x->ch[i], p[i].revents);
}

static void init_ctx(struct soak_ctx *x, const struct soak_cfg *cfg, struct soak_result *res)
{
	memset(res, 0, sizeof(*res));
	memset(x, 0, sizeof(*x));
	x->cfg = cfg;
	x->res = res;
	x->rng = cfg->seed;
	res->kill = calloc(cfg->kills + 1u, sizeof(*res->kill));
	x->kill_points = calloc(cfg->kills + 1u, sizeof(*x->kill_points));
	snprintf(x->control, sizeof(x->control), "%s/control", cfg->rundir);
	for (unsigned i = 0; i < SOAK_NCHAN; i++)
		soak_chan_init(x, i);
	plan_kills(x);
	x->last_progress_ns = soak_now_ns();
}

bool soak_run(const struct soak_cfg *cfg_in, struct soak_result *res)
{
	struct soak_cfg cfg = *cfg_in;
	if (!cfg.window)
		cfg.window = 4;
	if (!cfg.stall_ms)
		cfg.stall_ms = 20000;
	struct soak_ctx *x = malloc(sizeof(*x));
	if (!x)
		return false;
	init_ctx(x, &cfg, res);
	int64_t t0 = soak_now_ns();
	while (!x->failed && !finished(x)) {
		step(x);
		if (soak_now_ns() - x->last_progress_ns > (int64_t)cfg.stall_ms * 1000000)
			stalled(x);
	}
	res->seconds = (double)(soak_now_ns() - t0) / 1e9;
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		if (x->ch[i].kill_pending)
			res->ch[i].missed_hangups++;
		soak_chan_close(&x->ch[i]);
	}
	bool ok = !x->failed;
	free(x->kill_points);
	free(x);
	return ok;
}

uint64_t soak_violations(const struct soak_result *res)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		const struct soak_chan_stats *s = &res->ch[i];
		v += s->lost + s->duplicated + s->reordered + s->corrupted + s->bad_boot +
		     s->origin_errors + s->fw_errors + s->spurious_hangups + s->missed_hangups;
	}
	return v;
}

void soak_result_free(struct soak_result *res)
{
	free(res->kill);
	res->kill = NULL;
}
