/*
 * Integration-test helpers for tests that run the host side in-process on a GLib main
 * context (libampsim): iterate the context until a condition holds, or for a fixed time.
 * The deadline holds even when no source fires, and a condition that changes outside the
 * loop (in shared memory, in another process) is seen within 10 ms.
 */
#ifndef AMP_ITEST_GLIB_H
#define AMP_ITEST_GLIB_H

#include <stdbool.h>

#include <glib.h>

#include "itest.h"

/**
 * Dispatch @p ctx (NULL: the global default context) until @p done(@p arg) is true or
 * @p ms pass. @p done is checked before each iteration, and at least every 10 ms.
 * @return whether @p done became true
 */
bool itest_loop_until(GMainContext *ctx, bool (*done)(const void *arg), const void *arg, int ms);

/** Dispatch @p ctx for @p ms. */
void itest_loop_for(GMainContext *ctx, int ms);

/** A condition for itest_loop_until(): *@p arg (a const bool *) is true. */
bool itest_flag_set(const void *arg);

/** Dispatch @p ctx until *@p count reaches @p want or @p ms pass; whether it did. */
bool itest_loop_until_count(GMainContext *ctx, const unsigned *count, unsigned want, int ms);

#endif /* AMP_ITEST_GLIB_H */
