/*
 * cpts/store.h - the SpatiaLite workspace.
 *
 * One SQLite file with the SpatiaLite extension loaded. It holds the communes (geometry
 * in the projected CRS of their territory, DOMAIN.md section 4), the ingested indicator
 * tables, flows, partitions, derived results (graph, basins, profiles) and the run
 * metadata, with a schema version in table `meta`.
 *
 * Every command writes inside one transaction (cpts_store_begin / _commit); on any error
 * the caller rolls back, so a failed command leaves the file byte for byte as it was
 * (rollback journal, not WAL, for that reason).
 *
 * Schema (version CPTS_SCHEMA_VERSION), the contract between modules:
 *
 *   meta(key PK, value)                        schema_version, created, cpts_version
 *   sources(tbl PK, file, sha256, n_rows, n_communes, n_masked, vintage, ingested_at, options)
 *   runs(id PK, command, args, started, finished, status, cpts_version)
 *   communes(code PK, name, dep, reg, parent, srid, area_km2, perimeter_km,
 *            px, py,          -- representative point (inside), projected CRS metres
 *            lon, lat,        -- the same point in WGS84 degrees
 *            geom)            -- SpatiaLite geometry blob (MULTIPOLYGON, SRID = srid)
 *   population(code, sex, age, pop)            sex 'F'|'M'|'T'; age '00-04'..'95+' or 'ALL'
 *   population_total(code, pop)               per commune: the sum cpts_model_load uses,
 *                                               written by the population ingest (used
 *                                               while its record in `derived` is fresh)
 *   consumption(code, sex, age, actes, masked) actes NULL when masked (masked = 1)
 *   reference(sex, age, rate)                  consultations per inhabitant
 *   mt(code, patients, sans_mt, sans_mt_mt_parti, sans_mt_fictif, ald, ald_sans_mt,
 *      c2s, c2s_sans_mt, p70, p70_sans_mt, mask) value NULL + bit i of mask set when the
 *                                               i-th count (in that order) is masked;
 *                                               NULL with the bit clear = not given
 *   supply(code, profession, effectif, etp, age_60p)
 *   flows(orig, dest, profession, volume, masked, outside)
 *                                               profession '' when not given; outside = 1
 *                                               when dest is a well-formed code that is
 *                                               not an ingested commune
 *   flow_matrix(profession, n_communes, data) the flow matrix of cpts_flows_load, cached
 *                                               as packed CSR arrays; dropped whenever
 *                                               flows or communes are re-ingested
 *   traveltime(orig, dest, minutes)
 *   attributes(code, name, value)              any per-commune column, as text
 *   passage(old_code, new_code, weight)        COG vintage passage, split weights
 *   partitions(name PK, kind, source, params, created)  kind: 'input' | 'basins' | 'move'
 *   partition_members(partition, code, territory, statut, weight)
 *                                               weight < 1 for a commune split between
 *                                               territories (arrondissement partitions)
 *   territory_names(partition, territory, nom)  display name of a territory (partition
 *                                               file column `nom`, --names, --name-column);
 *                                               created at a writable open when missing
 *   graph_edges(a, b, kind, shared_km)         a < b; kind 0 queen point, 1 rook edge,
 *                                               2 bridge (island / component link); one
 *                                               row per edge in (a, b) order, no key
 *                                               (written and read whole)
 *   basin_communes(partition, code, class, first_terr, first_share, second_terr,
 *                  second_share, own_share)
 *   basin_metrics(partition, territory, pop, n_communes, pole, li, msi, pac, tier)
 *   profile_values(partition, territory, level, level_code, indicator, value, lo, hi,
 *                  masked)                      level: 'territoire' | 'departement' |
 *                                               'region' | 'ensemble'
 *   versions(name PK, version, replaced_at)    version of each input table ('mt', ...,
 *                                               'partition:NAME'), increased (one counter
 *                                               for all) each time it is replaced
 *   derived(name PK, inputs, params, computed_at)
 *                                               what each derived result ('graph',
 *                                               'profile:NAME', ...) was computed from:
 *                                               'communes=1;mt=4;...' (deps.c); both
 *                                               tables are created on the first write in
 *                                               workspaces made before them
 *   table_stats(tbl PK, version, n_rows, n_communes, n_masked)
 *                                               the counts `cpts info` shows of each input
 *                                               table and graph_edges, written before the
 *                                               COMMIT of every transaction that wrote the
 *                                               table (src/store/stats.c); used while
 *                                               version is the table's and n_rows its
 *                                               count(*), else info counts live; created
 *                                               at a writable open when missing
 */
#ifndef CPTS_STORE_H
#define CPTS_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "cpts/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CPTS_SCHEMA_VERSION 1

typedef struct cpts_store cpts_store;

enum cpts_store_flags {
	CPTS_STORE_CREATE = 1 << 0,   /* create the file and the schema when missing */
	CPTS_STORE_READONLY = 1 << 1, /* open read-only */
	CPTS_STORE_SCRATCH = 1 << 2,  /* a file built under a temporary name (`diagnose`):
					 commits are atomic but do not wait for the disk
					 (synchronous OFF; about 2 s of fdatasync on France);
					 the caller syncs it (cpts_fsync_path) before renaming */
};

/**
 * Open (and with CPTS_STORE_CREATE, create) a workspace.
 * @param[out] out new handle; OWNED by caller, free with cpts_store_free()
 * @return CPTS_OK; CPTS_EIO when the file cannot be opened; CPTS_EINPUT when it is not
 *         a cpts workspace or has another schema version; CPTS_EDEP when SpatiaLite
 *         cannot be loaded
 */
int cpts_store_open(cpts_ctx *ctx, cpts_store **out, const char *path, unsigned flags);

/** Close; rolls back an open transaction. NULL-safe. */
void cpts_store_free(cpts_store *s);

/** The SQLite connection; BORROWED, valid until cpts_store_free. */
sqlite3 *cpts_store_db(cpts_store *s);
/** The path given to cpts_store_open; BORROWED. */
const char *cpts_store_path(const cpts_store *s);

/** Transactions: one per command. rollback is safe when none is open. */
int cpts_store_begin(cpts_ctx *ctx, cpts_store *s);
int cpts_store_commit(cpts_ctx *ctx, cpts_store *s);
void cpts_store_rollback(cpts_store *s);
/** True between cpts_store_begin and its commit or rollback. */
bool cpts_store_in_transaction(const cpts_store *s);

/** Run SQL without results; errors carry sqlite3_errmsg. */
int cpts_store_exec(cpts_ctx *ctx, cpts_store *s, const char *sql);
/** Prepare a statement; *out OWNED by caller (sqlite3_finalize). */
int cpts_store_prepare(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt **out, const char *sql);
/**
 * Prepare, bind text parameters, step once and finalize: one statement that returns no
 * row. The parameters are the strings after sql, ended by NULL (NULL-valued parameters
 * cannot be passed this way; bind by hand for those).
 */
int cpts_store_run(cpts_ctx *ctx, cpts_store *s, const char *sql, ...);

/** Step a statement that returns no row (or whose row is ignored). */
int cpts_store_step_done(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt *st);
/** Turn the connection's last error into ours. */
int cpts_store_fail(cpts_ctx *ctx, cpts_store *s, const char *what);

/** One integer from a query (first column of the first row); def when no row, and
 * also on a database error (swallowed). Tests only (a short check of a stored value)
 * and the three context-less getters of store/profile_io.c (README, "Names inside a
 * module, and statuses"): production code uses cpts_store_count_get. */
long long cpts_store_count(cpts_store *s, const char *sql, long long def);
/** One integer from a query into *out: CPTS_OK, CPTS_ABSENT when no row or NULL (*out
 * 0), < 0 on a database error (reported: CPTS_EINTERNAL for an SQL error, CPTS_EIO for
 * the file's). */
int cpts_store_count_get(cpts_ctx *ctx, cpts_store *s, const char *sql, long long *out);
/**
 * Step a statement that returns rows: 1 for a row, 0 at the end, < 0 (CPTS_EINTERNAL,
 * reported with what) on any other result, so that a damaged file never reads as the
 * end of the data. The read loops of the store are `while ((r = cpts_store_row(...)) >
 * 0)` followed by a check of r.
 */
int cpts_store_row(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt *st, const char *what);

/** meta value into *out (OWNED by caller): CPTS_OK, CPTS_ABSENT (no such key; *out
 * NULL), CPTS_EINTERNAL on a database error (reported). */
int cpts_store_meta_lookup(cpts_ctx *ctx, cpts_store *s, const char *key, char **out);
int cpts_store_meta_set(cpts_ctx *ctx, cpts_store *s, const char *key, const char *value);

/** Record where a table came from (replaces the previous record of that table). */
typedef struct cpts_source_info {
	const char *tbl;
	const char *file;
	const char *sha256;
	long long n_rows, n_communes, n_masked;
	const char *vintage; /* may be NULL */
	const char *options; /* may be NULL */
} cpts_source_info;
int cpts_store_record_source(cpts_ctx *ctx, cpts_store *s, const cpts_source_info *info);

/** Record a command run (started now, finished now) in table runs. */
int cpts_store_record_run(cpts_ctx *ctx, cpts_store *s, const char *command, const char *args);

/** Print what the workspace holds (tables, counts, CRS, vintages, sources). */
int cpts_store_info(cpts_ctx *ctx, cpts_store *s, FILE *out, bool json);

/** 1 when the partition exists, 0 when it does not, < 0 on a database error (reported). */
int cpts_store_has_partition(cpts_ctx *ctx, cpts_store *s, const char *name);
/** 1 when the population table has rows by sex and age (not only commune totals), 0 when
 * not, < 0 on a database error (reported). */
int cpts_store_population_by_sex_age(cpts_ctx *ctx, cpts_store *s);

/* ---- versions of inputs, provenance of derived results (deps.c) -------------------
 * Input names: the table kinds ("communes", "population", "consumption", "reference",
 * "mt", "supply", "flows", "traveltime", "attributes", "passage") and "partition" (with
 * the partition's name). Derived kinds: "graph", "flow_matrix", "population_total"
 * (whole workspace), "basin_partition" (the membership of a basins partition), "basins"
 * (basin_metrics + basin_communes), "profile" (profile_values), per partition. Which
 * derived result depends on which input, and whether replacing the input drops the
 * result or leaves it stale, is the table deps[] of deps.c, and only there. */

/** State of a derived result. */
typedef enum cpts_derived_state {
	CPTS_DERIVED_FRESH = 0,   /* computed from the current version of every input */
	CPTS_DERIVED_MISSING = 1, /* never computed (or dropped; or made before versions) */
	CPTS_DERIVED_STALE = 2,   /* an input was replaced since */
} cpts_derived_state;

/**
 * An input table was replaced (inside the writer's transaction): bump its version and
 * drop the results deps[] says to drop. partition: the partition's name for input
 * "partition", else NULL.
 * @return CPTS_OK or CPTS_EIO
 */
int cpts_store_input_replaced(cpts_ctx *ctx, cpts_store *s, const char *input,
			      const char *partition);

/**
 * Record that a derived result was just computed from the current inputs (inside the
 * writer's transaction). partition: NULL for whole-workspace kinds; params (may be
 * NULL, BORROWED) is kept with the record, e.g. the options of a profile.
 */
int cpts_store_derived_record(cpts_ctx *ctx, cpts_store *s, const char *derived,
			      const char *partition, const char *params);

/** True when the workspace cannot be written (opened read-only or a read-only file). */
bool cpts_store_readonly(cpts_store *s);

/**
 * Whether a derived result is fresh: a cpts_derived_state (>= 0; MISSING is the expected
 * absence), or < 0 on a read error (reported). why (may be NULL) receives one line naming
 * the input that changed ("mt was re-ingested (from 'mt.csv' at ...)"); *params_out (may
 * be NULL) the params of the record, OWNED by caller (NULL when none).
 */
int cpts_store_derived_status(cpts_ctx *ctx, cpts_store *s, const char *derived,
			      const char *partition, char *why, size_t n_why, char **params_out);

/* ---- load counts (src/store/loads.c; CPTS_DEBUG_LOADS=1 prints them) ------------------------------------------- */
typedef enum cpts_load_kind {
	CPTS_LOAD_MODEL, CPTS_LOAD_PARTITION, CPTS_LOAD_GRAPH, CPTS_LOAD_FLOWS,
	CPTS_LOAD_KINDS
} cpts_load_kind;
/** Called by each loader when it reads the workspace. */
void cpts_load_note(cpts_load_kind k);
/** How many loads of kind k so far in this process. */
unsigned long cpts_load_count(cpts_load_kind k);
/** Print "loads: model N, partitions N, graph N, flows N" to out. */
void cpts_loads_report(FILE *out);

#ifdef __cplusplus
}
#endif
#endif
