/*
 * cpts/store_ledger.h - the publication ledger of a workspace (issue 19, point 3): which
 * commune sets were published with which health counts, so that a later publication
 * (another partition, `cpts move`, `profile --communes`) is protected against the
 * differences with every earlier one. SQL in src/store/ledger_io.c; the logic that
 * records and uses it is in src/profile/disclosure_ledger.c.
 *
 * Tables (appended to the schema, created at open in older workspaces):
 * - publications(id, partition, what, published_at): one per export or printed table;
 * - publication_values(pub, level, code, indicator, value): the published (unmasked)
 *   health counts, level 'territoire' (code = territory) or 'commune' (code = commune);
 * - publication_members(pub, territory, code): the communes of each published
 *   territory (territories holding a split commune are not recorded: their split is
 *   not published, so no relation ties them to their communes).
 */
#ifndef CPTS_STORE_LEDGER_H
#define CPTS_STORE_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "cpts/ctx.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open recording of one publication (statements prepared once). */
typedef struct cpts_ledger_writer cpts_ledger_writer;

/**
 * Start recording a publication (opens a transaction).
 * @param[out] out OWNED by caller: end with cpts_ledger_end (commit or roll back)
 */
int cpts_ledger_begin(cpts_ctx *ctx, cpts_store *s, cpts_ledger_writer **out,
		      const char *partition, const char *what, const char *when);
int cpts_ledger_add_value(cpts_ctx *ctx, cpts_ledger_writer *w, const char *level,
			  const char *code, const char *indicator, double value);
int cpts_ledger_add_member(cpts_ctx *ctx, cpts_ledger_writer *w, const char *territory,
			   const char *code);
/** Commit (ok) or roll back, and free w (NULL-safe). */
int cpts_ledger_end(cpts_ctx *ctx, cpts_ledger_writer *w, bool ok);

/** Called for every published value of the ledger (strings BORROWED for the call). */
typedef void (*cpts_ledger_value_fn)(void *arg, int64_t pub, const char *partition,
				     const char *what, const char *level, const char *code,
				     const char *indicator, double value);
/** Called for every member of a published territory. */
typedef void (*cpts_ledger_member_fn)(void *arg, int64_t pub, const char *territory,
				      const char *code);
/** Read the whole ledger (nothing when the workspace has none), values then members,
 * each ordered by publication. */
int cpts_ledger_read(cpts_ctx *ctx, cpts_store *s, cpts_ledger_value_fn vf,
		     cpts_ledger_member_fn mf, void *arg);

#ifdef __cplusplus
}
#endif
#endif
