/*
 * cpts/store_check.h - what `cpts check`, `move` and the report's partition check read
 * from the workspace (src/store/check_io.c): the SQL of src/check lives there, the
 * analysis takes and returns plain values.
 */
#ifndef CPTS_STORE_CHECK_H
#define CPTS_STORE_CHECK_H

#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The one rule for the partitions a partition is compared with (`cpts check`, the
 * report's index): the basins partitions (kind 'basins') first, then the partitions
 * whose name says BV, bassin or EPCI, each group by name; never self. At most max
 * names (0: no limit). *names OWNED by the caller (each name and the array; free with
 * cpts_store_names_free), *n their count. Returns CPTS_OK or an error.
 */
int cpts_store_compare_targets(cpts_ctx *ctx, cpts_store *s, const char *self, size_t max,
			       char ***names, size_t *n);
/** Free a names array of cpts_store_compare_targets (NULL-safe). */
void cpts_store_names_free(char **names, size_t n);

/**
 * Co-assignments of the communes of partition (table basin_stability, `basins
 * --resample`): calls fn(arg, code, coassign, resamples) per row; nothing when the
 * table is missing. Returns CPTS_OK or an error (a read that ends early is one).
 */
int cpts_store_basin_stability(cpts_ctx *ctx, cpts_store *s, const char *partition,
			       void (*fn)(void *arg, const char *code, double coassign,
					  int resamples),
			       void *arg);

/** 1 when commune code is in the workspace, 0 when not, < 0 on a read error. */
int cpts_store_has_commune(cpts_ctx *ctx, cpts_store *s, const char *code);

/**
 * Write partition as (kind 'move', source from): a copy of partition from (members with
 * their statut and weight, territory names) where the communes codes belong wholly to
 * territory to (their statut: the smallest of to's members). A partition as replaced
 * takes nothing of the old one (its metrics and profiles are dropped, deps.c). Inside
 * the caller's transaction.
 */
int cpts_store_partition_move(cpts_ctx *ctx, cpts_store *s, const char *from, const char *as,
			      const char *const *codes, size_t n_codes, const char *to);

#ifdef __cplusplus
}
#endif
#endif
