/* The fault plan's grammar (faults_parse.c), private to the engine (faults.c). */
#ifndef AMP_FAULTS_PARSE_H
#define AMP_FAULTS_PARSE_H

#include <glib.h>

#include "faults.h"

/**
 * One rule's text (trimmed, no ';' or '#') parsed and checked, its run-time fields zero;
 * NULL with @p err naming the token and what is allowed. @p nchan: the SoC's IPCC channels.
 */
struct amp_fault_rule *amp_fault_rule_parse(const char *text, unsigned nchan, GError **err);

/** Free a rule (a GDestroyNotify, for the plan's arrays). */
void amp_fault_rule_free(gpointer p);

#endif /* AMP_FAULTS_PARSE_H */
