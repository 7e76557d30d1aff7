/*
 * cpts/store_partition.h - the one writer of partitions (issue 13: one partition
 * writer). Whatever makes a partition (basins and --communes through
 * cpts_partition_save, `cpts ingest partition`, `cpts move`), its members, its record in
 * table partitions and its territory names are written here, and what was derived from
 * the partition it replaces is dropped or marked stale (deps.c).
 */
#ifndef CPTS_STORE_PARTITION_H
#define CPTS_STORE_PARTITION_H

#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One member row: a commune (wholly or for weight) in a territory. */
typedef struct cpts_member_rec {
	const char *code, *territory; /* BORROWED */
	const char *statut;           /* BORROWED; NULL when none */
	double weight;                /* 1 unless the commune is split between territories */
} cpts_member_rec;

/** A whole partition, as written. */
typedef struct cpts_partition_rec {
	const char *name;
	const char *kind;             /* 'input' | 'basins' | 'move' */
	const char *source, *params;  /* may be NULL */
	const cpts_member_rec *members;
	size_t n_members;             /* (code, territory) distinct */
	const char *const *terr;      /* display names: terr[i] is named nom[i] (NULL or ""
					 nom skipped); kept for the territories that have
					 members */
	const char *const *nom;
	size_t n_names;
} cpts_partition_rec;

/**
 * Replace partition p->name (inside the caller's transaction): members, record (created
 * now) and names; what was derived from the old one is dropped or marked stale.
 * @return CPTS_OK; CPTS_EINPUT for a repeated (code, territory); CPTS_EIO on a database
 *         error
 */
int cpts_store_partition_write(cpts_ctx *ctx, cpts_store *s, const cpts_partition_rec *p);

/** Each member row of partition name (statut NULL when none) to fn, by code. */
int cpts_store_partition_members_each(cpts_ctx *ctx, cpts_store *s, const char *name,
				      int (*fn)(void *arg, const char *code, const char *terr,
						const char *statut, double weight),
				      void *arg);
/** Each territory name of partition name to fn. */
int cpts_store_territory_names_each(cpts_ctx *ctx, cpts_store *s, const char *name,
				    int (*fn)(void *arg, const char *terr, const char *nom),
				    void *arg);

#ifdef __cplusplus
}
#endif

#endif
