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
 *                                               written by the population ingest (valid
 *                                               while meta population_total_rows is the
 *                                               population table's row count)
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

/** One integer from a query (first column of the first row); def when no row. */
long long cpts_store_count(cpts_store *s, const char *sql, long long def);

/** meta table; value OWNED by caller (NULL when absent). */
char *cpts_store_meta_get(cpts_store *s, const char *key);
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

/** True when the partition exists. */
bool cpts_store_has_partition(cpts_store *s, const char *name);

#ifdef __cplusplus
}
#endif
#endif
