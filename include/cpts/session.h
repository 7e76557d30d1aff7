/*
 * cpts/session.h - one command's view of a workspace: the open store and the data the
 * stages read from it, each loaded once, on first use, and kept until the session ends.
 *
 * Why: the stages (graph, basins, metrics, profile, export) used to take the store and
 * reload their inputs themselves; one `cpts diagnose` read the commune model seven
 * times. A command now holds one session and every stage asks it: the first getter call
 * loads (through the store's loaders), later calls return the same object.
 *
 * Ownership: the session OWNS the store it was given (cpts_session_new) and every
 * object its getters return; they are BORROWED by the caller, valid until the entry is
 * invalidated or the session is freed. Callers must not free them, and modify them only
 * through the session (cpts_session_model_geoms).
 *
 * Invalidation: a stage that writes an input of a cached entry (a partition, the graph,
 * the flows, the communes) calls cpts_session_invalidate (or hands its in-memory result
 * over with cpts_session_put_partition / _put_graph) inside the same command; nothing
 * else is cached, nowhere else. A session never outlives its command, so writes by other
 * processes are not its concern (the store's own versions, deps.c, cover those).
 *
 * Load counts: with CPTS_DEBUG_LOADS=1 in the environment, the cli prints on stderr how
 * many times each loader read the workspace (cpts_loads_report), which the tests use to
 * show that one `cpts diagnose` loads each input once.
 */
#ifndef CPTS_SESSION_H
#define CPTS_SESSION_H

#include <stdio.h>

#include "cpts/ctx.h"
#include "cpts/graph.h"
#include "cpts/model.h"
#include "cpts/store.h"
#include "cpts/store_graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cpts_session cpts_session;

/** A session over an open store. @param s OWNED by the session from now on (freed by
 * cpts_session_free). @return OWNED by caller, free with cpts_session_free. */
cpts_session *cpts_session_new(cpts_store *s);

/** A session over a store it does not own (cpts_session_free leaves it open): for a stage
 * called without its command's session. @return OWNED by caller. */
cpts_session *cpts_session_borrow(cpts_store *s);

/** Free the cached data and the store unless borrowed (NULL-safe). ctx: the context that loaded the
 * geometries (GEOS handle). */
void cpts_session_free(cpts_ctx *ctx, cpts_session *ss);

/** The store; BORROWED. */
cpts_store *cpts_session_store(cpts_session *ss);

/**
 * Replace the store (the old one is closed) keeping the cache: for `diagnose`, which
 * closes its workspace to rename it and opens it again under its final name.
 * @param s OWNED by the session from now on
 */
void cpts_session_set_store(cpts_session *ss, cpts_store *s);

/** The commune model (without geometries); *out BORROWED. Errors as cpts_model_load. */
int cpts_session_model(cpts_ctx *ctx, cpts_session *ss, cpts_model **out);
/** The model with its geometries loaded (once); *out BORROWED. */
int cpts_session_model_geoms(cpts_ctx *ctx, cpts_session *ss, cpts_model **out);
/** A partition by name; *out BORROWED. Errors as cpts_partition_load. */
int cpts_session_partition(cpts_ctx *ctx, cpts_session *ss, const char *name,
			   cpts_partition **out);
/** The stored contiguity graph; *out BORROWED. CPTS_ABSENT (no error set, *out NULL)
 * when none was built: the caller builds one (cpts_session_put_graph) or goes without. */
int cpts_session_graph(cpts_ctx *ctx, cpts_session *ss, cpts_graph **out);
/** The flow matrix of one profession (NULL: all); *out BORROWED. */
int cpts_session_flows(cpts_ctx *ctx, cpts_session *ss, const char *profession,
		       cpts_flows **out);
/**
 * Hand over the rows of table flows held in memory, exactly what the table holds (the
 * ingest's, cpts_ingest_table_prefetched_rows): later flow matrices are built from them
 * and readers of the rows use them instead of the table. @param rows OWNED by the
 * session from now on; dropped with CPTS_SESSION_FLOWS.
 */
void cpts_session_put_flow_rows(cpts_session *ss, cpts_flow_rows *rows);
/** The rows handed over, or NULL (read the table then); BORROWED, read-only (several
 * threads may read them at once). */
const cpts_flow_rows *cpts_session_flow_rows(const cpts_session *ss);
/** Its transpose (rows = practice communes, columns = residences; outside[] zero,
 * row_total and col_total swapped); *out BORROWED. */
int cpts_session_flows_t(cpts_ctx *ctx, cpts_session *ss, const char *profession,
			 cpts_flows **out);

/** Hand over a partition just written (OWNED by the session from now on), replacing a
 * cached one of that name. */
void cpts_session_put_partition(cpts_session *ss, cpts_partition *p);
/** Hand over the graph just built (OWNED by the session from now on). */
void cpts_session_put_graph(cpts_session *ss, cpts_graph *g);

/** What an invalidation drops. */
typedef enum cpts_session_entry {
	CPTS_SESSION_MODEL,     /* communes or population replaced: drops everything */
	CPTS_SESSION_PARTITION, /* one partition (name) */
	CPTS_SESSION_GRAPH,
	CPTS_SESSION_FLOWS,     /* the flow matrices of every profession, the rows held */
} cpts_session_entry;

/** Drop a cached entry (name: the partition's for CPTS_SESSION_PARTITION, else NULL). */
void cpts_session_invalidate(cpts_ctx *ctx, cpts_session *ss, cpts_session_entry e,
			     const char *name);

#ifdef __cplusplus
}
#endif
#endif
