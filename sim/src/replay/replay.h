/* `ampsim replay` (docs/capture.md): play a capture's Linux side against a firmware. */
#ifndef AMP_REPLAY_H
#define AMP_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "capture.h"

/** One message the firmware sent during the replay, waiting to be compared. */
struct replay_got {
	uint8_t hdr[AMP_RPMSG_HDR_SIZE];
	GBytes *payload;
};

/**
 * Compare the recorded firmware message @p want with @p got (name service: the name and the
 * flags; else the payload bytes; addresses are the run's own and may differ).
 * @return NULL when they match, else the report (g_free)
 */
char *replay_compare(const struct amp_cap_rec *want, const struct replay_got *got);

/** "5 bytes: 68 65 6c 6c 6f  \"hello\"": at most 64 bytes shown, text when printable. */
char *replay_hex(const uint8_t *data, size_t len);

#endif /* AMP_REPLAY_H */
