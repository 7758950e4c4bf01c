/*
 * The fault plan's engine (docs/faults.md): the grammar, the rules, and the decision of
 * which rule fires on an event. It knows nothing of libampsim: the host's hooks
 * (sim/src/host/host_faults.c) describe each event, ask amp_faults_hit(), and apply the
 * fault. Deterministic: each rule draws from its own PRNG seeded from the plan's seed and
 * the rule's index, and only when an event it matches occurs, so the same seed and the same
 * sequence of events fire the same faults.
 */
#ifndef AMP_FAULTS_H
#define AMP_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* IRQ and FW_RING (ring:fw) rules, and fw exit, are applied by the firmware itself: the host
 * passes them in its environment (amp_faults_fw_spec()) and shows the counts it reports.
 * HDR: msg rules that corrupt-header, on the host bus's own header events (before a publish,
 * or before its checks of a received one), which the other msg rules do not see. BUF: the
 * host's buffer pools (buf:tx, buf:rx). RING: the host as a buggy driver (ring:vringN). */
enum amp_fault_target {
	AMP_FT_KICK,
	AMP_FT_MSG,
	AMP_FT_FW,
	AMP_FT_IRQ,
	AMP_FT_FW_RING,
	AMP_FT_HDR,
	AMP_FT_BUF,
	AMP_FT_RING,
};

/** Direction of an event: Linux (the host) to the firmware, or back. buf:tx is TO_FW (the
 * host's TX pool), buf:rx TO_LINUX (the RX buffers it posts). */
enum amp_fault_dir { AMP_FD_ANY, AMP_FD_TO_FW, AMP_FD_TO_LINUX };

enum amp_fault_action {
	AMP_FA_DROP,
	AMP_FA_DUP,
	AMP_FA_DELAY,
	AMP_FA_CORRUPT_BYTE,
	AMP_FA_FLIP_BIT,
	AMP_FA_TRUNCATE,
	AMP_FA_HOLD,	/* msg fw->linux: keep it (and its RX buffer, and what follows) ms=N */
	AMP_FA_REORDER, /* msg linux->fw: send it after the next 1..window-1 messages */
	AMP_FA_CRASH,
	AMP_FA_STALL,
	AMP_FA_EXIT,		  /* fw: the firmware calls exit(code) itself */
	AMP_FA_SPURIOUS,	  /* irq: the handler runs again with nothing new */
	AMP_FA_USED_ID,		  /* ring:fw: the used entry names id >= num */
	AMP_FA_USED_LEN,	  /* ring:fw: the used entry's len exceeds any buffer */
	AMP_FA_USED_IDX_JUMP,	  /* ring:fw: used idx moves by more than was published */
	AMP_FA_NOTIFY_NO_PUBLISH, /* ring:fw: an extra doorbell with nothing published */
	AMP_FA_CORRUPT_HDR, /* msg: a header field (hdr_field) replaced before anyone checks it */
	AMP_FA_EXHAUST,	    /* buf:tx: the host finds its TX pool empty (for ms=N) */
	AMP_FA_SHRINK,	    /* buf:rx: a consumed RX buffer is not posted again (n=N stay posted) */
	AMP_FA_AVAIL_JUMP,  /* ring: the host's avail.idx moves n (keep) past what it published */
	AMP_FA_BAD_ADDR,    /* ring: a descriptor published with addr=A (value) */
};

/** At most this many firmware-side rules (the table the firmware reports counts in). */
#define AMP_FAULTS_FW_MAX 8u

/** corrupt-header: which field of the 16-byte RPMsg header. */
enum amp_fault_hdr_field { AMP_FH_LEN, AMP_FH_SRC, AMP_FH_DST };

/** What a fw rule waits for. */
enum amp_fault_trigger { AMP_FT_NONE, AMP_FT_AT_MSG, AMP_FT_AT_MS, AMP_FT_MATCH };

struct amp_fault_rule {
	unsigned id; /* 1-based, in the order added; never reused in a plan */
	char *text;  /* the rule as written (trimmed), for listings and logs */
	enum amp_fault_target target;
	enum amp_fault_action action;
	enum amp_fault_dir dir;
	unsigned chan; /* kick: IPCC channel, 1-based as in docs (ch1 = vring0); ring, ring:fw: the
			  vring */
	char *name;    /* msg: channel/endpoint name, NULL for any */
	double p;      /* probability per eligible event, (0, 1] */
	uint64_t after, count; /* skip the first `after` events; fire at most `count` (0: no cap) */
	uint32_t ms_min, ms_max; /* delay and stall: ms=N or ms=A..B */
	uint32_t at_ms;		 /* trigger at-ms=N */
	int64_t offset;		 /* corrupt-byte / flip-bit position, -1: drawn */
	int64_t len;		 /* truncate: bytes kept, -1: half */
	uint32_t window;	 /* reorder: 2..16 */
	int sig;		 /* crash */
	int code;		 /* fw exit: the status, 0..255 */
	uint32_t by;		 /* ring:fw used-idx-jump: by how much (0: the ring's size) */
	enum amp_fault_hdr_field hdr_field; /* corrupt-header */
	int64_t value; /* corrupt-header: the new value; bad-addr: the address; -1: default */
	int64_t keep;  /* shrink: RX buffers left posted; avail-jump: by how much; -1: unset */
	bool field_set;
	enum amp_fault_trigger trigger;
	char *match; /* trigger match=TEXT */
	/* run time */
	uint64_t rng;
	uint64_t seen, fired;
	uint64_t fw_base_seen, fw_base_fired; /* firmware-side: counts of earlier boots */
};

/** One event the hooks ask about. */
struct amp_fault_event {
	enum amp_fault_target target; /* KICK or MSG (fw rules watch MSG events) */
	enum amp_fault_dir dir;
	unsigned chan;	  /* KICK: 1-based IPCC channel; RING: the vring (0 or 1) */
	const char *name; /* MSG: channel or endpoint name */
	const void *data; /* MSG: payload */
	size_t len;
	uint32_t src, dst; /* MSG, HDR: addresses, for the log */
	uint32_t posted;   /* BUF TO_LINUX: RX buffers the firmware holds now */
};

struct amp_faults;

struct amp_faults *amp_faults_new(uint64_t seed);
void amp_faults_free(struct amp_faults *f);

/**
 * Parse @p spec (rules separated by ';' or newlines, '#' comments) and append its rules.
 * All or nothing: on an error nothing is added and @p err names the token and what is
 * allowed. @p nchan: IPCC channels of the SoC (kick:chN is checked against it).
 */
gboolean amp_faults_parse(struct amp_faults *f, const char *spec, unsigned nchan, GError **err);

/** Remove every rule; counters and the record of fired faults start again. */
void amp_faults_clear(struct amp_faults *f);

/** Set the seed and restart the plan: PRNGs, counters and the record (rules stay). */
void amp_faults_reseed(struct amp_faults *f, uint64_t seed);
uint64_t amp_faults_seed(const struct amp_faults *f);

/** The rules (struct amp_fault_rule *), in order. */
GPtrArray *amp_faults_rules(struct amp_faults *f);

/**
 * The first rule that fires on @p ev, or NULL. Every rule that matches @p ev counts it; the
 * one that fires is counted, logged and recorded with @p what (a description of the event).
 */
struct amp_fault_rule *amp_faults_hit(struct amp_faults *f, const struct amp_fault_event *ev);

/** Record and log a firing decided outside amp_faults_hit() (a fw rule's at-ms timer). */
void amp_faults_fired(struct amp_faults *f, struct amp_fault_rule *r, const char *what);
/** Told of each fault that fires, with its record line ("#n rule r (text): event"). */
struct amp_faults_observer {
	void (*fn)(void *priv, const char *line);
	void *priv;
};
/** @p o (NULL: none) must outlive the plan or be replaced first. */
void amp_faults_set_observer(struct amp_faults *f, const struct amp_faults_observer *o);

/** True for a rule the firmware applies (irq, ring:fw, fw exit), not the host. */
bool amp_fault_rule_in_fw(const struct amp_fault_rule *r);

/**
 * The firmware-side rules as AMPSIM_FAULTS carries them (docs/firmware-abi.md), or NULL when
 * there are none. g_free() it.
 */
char *amp_faults_fw_spec(struct amp_faults *f);

/** A number from rule @p r's PRNG in [0, n) (n > 0). */
uint64_t amp_faults_draw(struct amp_fault_rule *r, uint64_t n);

/** The seed, every rule with its counters, and the sequence of fired faults. */
void amp_faults_report(struct amp_faults *f, GString *out);

#endif /* AMP_FAULTS_H */
