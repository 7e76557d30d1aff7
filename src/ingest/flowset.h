/*
 * ingest/flowset.h - the rows of a flows file gathered in memory before they are
 * stored (flowset.c; private to src/ingest/).
 *
 * Why: storing millions of flow rows one INSERT each, in file order, spent half of the
 * ingest in B-tree seeks and page splits. The rows are gathered as 32-byte records, the
 * professions interned, then sorted by the key of table flows with a stable radix sort
 * (rows of one key keep their order of arrival), folded key by key with the rules the
 * loader applied one row at a time (load.c, emit), and written in key order by the store
 * (cpts_store_flows_write: appends only).
 */
#ifndef CPTS_INGEST_FLOWSET_H
#define CPTS_INGEST_FLOWSET_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/store_ingest.h"
#include "cpts/util.h"

typedef struct cpts_flowset {
	cpts_flow_rec *r;     /* OWNED: the records, n of cap */
	size_t n, cap;
	cpts_strmap *prof_idx; /* OWNED: profession -> index in profs */
	char **profs;          /* OWNED array of OWNED names, n_profs of them */
	size_t n_profs;
	uint32_t last_prof;    /* index of the profession of the last record (most files
				  have one, or group their rows by profession) */
	bool folded;           /* cpts_flowset_fold ran (on the prefetch thread, load.c) */
	double fold_s;         /* its CPU seconds, for the note of the store */
	double store_s;        /* CPU seconds of the read-ahead's write (load.c) */
} cpts_flowset;

void cpts_flowset_init(cpts_flowset *fs);
void cpts_flowset_release(cpts_flowset *fs); /* NULL-safe */

/** Add one resolved row; volume ignored when masked; how is an enum cpts_resolve_how. */
void cpts_flowset_add(cpts_flowset *fs, const char *orig, const char *dest, const char *prof,
		      double volume, bool masked, bool outside, int how, size_t line);

/**
 * Sort the records by key (orig, dest, profession) keeping the order of arrival within
 * a key, then fold the records of each key into one: the direct row (a second one is a
 * duplicate) and the rows mapped through the passage table add up; the rows of
 * arrondissements add up too, unless the commune has its own row, which then wins
 * (never both; the dropped ones counted in *n_arm_dropped). Sums run in the order of
 * arrival (volume NULL once one is masked; outside depends on dest alone). Whatever
 * the order of the rows of the file, the result is the same.
 * @param[out] dup index of the record found a duplicate (SIZE_MAX when none): it is
 *             left in fs->r[*dup], the fold stopped there
 */
void cpts_flowset_fold(cpts_flowset *fs, size_t *dup, long long *n_arm_dropped);

#endif
