/*
 * publish_flows_int.h - shared by publish_flows.c and publish_flows_chain.c: the check
 * of a new flow total against every combination of the flow totals of the same kind
 * published earlier (issue 19 point 3, three or more publications).
 */
#ifndef CPTS_PUBLISH_FLOWS_INT_H
#define CPTS_PUBLISH_FLOWS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "cpts/ctx.h"
#include "cpts/util.h"

/** A published flow total: its commune codes (char *, sorted, BORROWED) and value. */
typedef struct cpts_pf_set {
	const cpts_vec *codes;
	double value;
} cpts_pf_set;

/** Do two sorted lists of commune codes (char *) share a commune? Here, inline, so
 *  that neither file of the pair needs the other for it (no import loop). */
static inline bool cpts_profile__codes_overlap(const cpts_vec *a, const cpts_vec *b)
{
	size_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		int c = strcmp(cpts_vec_at(a, char *, i), cpts_vec_at(b, char *, j));
		if (c == 0)
			return true;
		if (c < 0)
			i++;
		else
			j++;
	}
	return false;
}

/**
 * Would publishing the total `value` over the communes `codes` (sorted, BORROWED),
 * together with the totals `old` (same kind), let a reader bound a sum of flows to 1..T-1?
 * The totals are sums over communes (pairs = false: residents' flows, flows received)
 * or over the pairs of their communes (pairs = true: flows staying in the territory).
 * A reader's unknowns are the flows of each group of communes (pairs of groups) that
 * the published sets cannot tell apart; each is bounded by linear programming (>= 0,
 * every published total an equality) and must reach 1 and T-1 (or be proved 0, or at
 * least T), as a masked count. A narrowing the old totals alone give is not blamed on
 * the new one.
 * @param[out] culprits OWNED by caller (free): indices into old of the totals that,
 *             with the new one, narrow a group (NULL when none)
 * @return 1 when it would (the total is to be withheld), 0 when not, 2 when the
 *         system is too large to be checked (more groups than the caps of
 *         publish_flows_chain.c), CPTS_EDEP on a GLPK failure
 */
int cpts_profile__flow_chain(cpts_ctx *ctx, size_t **culprits, size_t *n_culprits,
			     double thr, const cpts_pf_set *old, size_t n_old,
			     const cpts_vec *codes, double value, bool pairs);

#endif
