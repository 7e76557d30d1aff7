/*
 * cpts/ingest.h - the ingestion layer: commune geometries from any GDAL vector source,
 * and the CSV tables of the input contract (DOMAIN.md section 3), into the workspace.
 *
 * Each call is one transaction: on any error the workspace is unchanged. Errors name
 * the file, the line (or feature) and the field.
 */
#ifndef CPTS_INGEST_H
#define CPTS_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/store.h"
#include "cpts/store_graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of CSV table (cpts ingest KIND WS FILE). */
typedef enum cpts_table_kind {
	CPTS_TABLE_POPULATION,
	CPTS_TABLE_CONSUMPTION,
	CPTS_TABLE_REFERENCE,
	CPTS_TABLE_MT,
	CPTS_TABLE_SUPPLY,
	CPTS_TABLE_FLOWS,
	CPTS_TABLE_TRAVELTIME,
	CPTS_TABLE_PARTITION,
	CPTS_TABLE_ATTRIBUTES,
	CPTS_TABLE_PASSAGE,
	CPTS_TABLE_N_KINDS
} cpts_table_kind;

/** Name of a kind ("population", ...), and the kind of a name (-1 when unknown). */
const char *cpts_table_kind_name(cpts_table_kind k);
int cpts_table_kind_parse(const char *name);

/** Options of the commune-layer reader. */
typedef struct cpts_ingest_communes_opts {
	const char *layer;       /* layer name; NULL = the first layer */
	const char *code_field;  /* NULL = detect among code, code_insee, insee_com, codgeo, com */
	const char *name_field;  /* NULL = detect among nom, name, libelle, nom_com, libgeo */
	const char *s_srs;       /* source CRS when the file has none; NULL = EPSG:4326 */
	bool skip_failures;      /* skip bad features instead of failing (exit code 1) */
	const char *vintage;     /* e.g. "COG 2024", recorded in sources */
	struct cpts_ingest_prefetch *wait; /* BORROWED: a read-ahead writing into the same
				    workspace (cpts_ingest_prefetch_start_into), waited for
				    before the communes are stored; NULL: none */
} cpts_ingest_communes_opts;
#define CPTS_INGEST_COMMUNES_OPTS_INIT { NULL, NULL, NULL, NULL, false, NULL, NULL }

/**
 * Load a commune layer, replacing the communes of the workspace. Reprojects each
 * commune to the CRS of its territory, repairs invalid polygons (warning), computes
 * area, perimeter, a representative point and the département/region.
 * @param n_skipped_out number of features skipped with skip_failures (may be NULL)
 * @return CPTS_OK, CPTS_EINPUT (bad data, named), CPTS_EIO (unreadable file)
 */
int cpts_ingest_communes(cpts_ctx *ctx, cpts_store *s, const char *path,
			 const cpts_ingest_communes_opts *opts, size_t *n_skipped_out);

/** Options of the CSV table readers. */
typedef struct cpts_ingest_table_opts {
	const char *const *map;  /* "canonical=theirs" pairs (BORROWED), n_map of them */
	size_t n_map;
	bool skip_unknown;       /* set aside rows of unknown communes (counted) */
	bool snds_codes;         /* residence codes are 6-char SNDS codes */
	const char *name;        /* partition name (CPTS_TABLE_PARTITION); NULL = file stem */
	const char *vintage;     /* recorded in sources */
	const char *profession;  /* supply/flows: keep only this profession (NULL = all) */
	/* partition only: */
	const char *from_column; /* the territory is this column of any per-commune file
				    (e.g. INSEE epci_siren); rows without a value leave their
				    commune uncovered (reported), other columns are ignored */
	const char *name_column; /* with from_column: the territory names' column */
	const char *names_file;  /* CSV of territory names: first column (or one named
				    territoire/code/id) the territory id, column nom the name */
	bool diagnose_hints;     /* error hints name the options of `cpts diagnose`, which
				    reads several kinds: --map KIND:canonical=theirs, --passage */
} cpts_ingest_table_opts;
#define CPTS_INGEST_TABLE_OPTS_INIT \
	{ NULL, 0, false, false, NULL, NULL, NULL, NULL, NULL, NULL, false }

/**
 * Load one CSV table (replacing the previous content of that table; partitions are
 * replaced by name). Commune codes are checked against the ingested communes.
 */
int cpts_ingest_table(cpts_ctx *ctx, cpts_store *s, cpts_table_kind kind, const char *path,
		      const cpts_ingest_table_opts *opts);

/**
 * A flows file read ahead on a thread of its own (src/ingest/load.c says why): parsed,
 * gathered and folded while the caller does something else (`diagnose`: the communes),
 * then stored by cpts_ingest_table_prefetched.
 */
typedef struct cpts_ingest_prefetch cpts_ingest_prefetch;

/**
 * Start reading path (kind CPTS_TABLE_FLOWS only) with opts, which must stay valid and
 * unchanged until the prefetch is consumed or freed (path too).
 * @return OWNED prefetch (cpts_ingest_table_prefetched or cpts_ingest_prefetch_free),
 *         or NULL when none was started (another kind, no thread): use cpts_ingest_table
 */
cpts_ingest_prefetch *cpts_ingest_prefetch_start(cpts_ctx *ctx, cpts_table_kind kind,
						 const char *path,
						 const cpts_ingest_table_opts *opts);
/**
 * cpts_ingest_prefetch_start, and the thread also writes the rows into the flows table
 * of the workspace at path ws (its own connection, one transaction; load.c says why).
 * The caller must not write to ws until cpts_ingest_prefetch_wait returned (the rows
 * are then adopted by cpts_ingest_table_prefetched, or cleared by its loader).
 */
cpts_ingest_prefetch *cpts_ingest_prefetch_start_into(cpts_ctx *ctx, cpts_table_kind kind,
						      const char *path,
						      const cpts_ingest_table_opts *opts,
						      const char *ws);
/** Wait until the thread of pf is done (NULL-safe); pf stays to be consumed or freed. */
void cpts_ingest_prefetch_wait(cpts_ingest_prefetch *pf);

/**
 * cpts_ingest_table(ctx, s, CPTS_TABLE_FLOWS, path, opts) with the rows pf read: the
 * same table, messages and errors. When every code read is a commune of s the rows are
 * stored as read; otherwise (or when the thread met an error) the file is read again by
 * cpts_ingest_table. pf is consumed (joined and freed) in every case.
 */
int cpts_ingest_table_prefetched(cpts_ctx *ctx, cpts_store *s, cpts_ingest_prefetch *pf);
/**
 * cpts_ingest_table_prefetched, and *rows (when rows is not NULL) receives the rows
 * stored when they were the prefetch's (OWNED by caller, cpts_flow_rows_free; the
 * table's rows in its key order), NULL when the file was read again.
 */
int cpts_ingest_table_prefetched_rows(cpts_ctx *ctx, cpts_store *s, cpts_ingest_prefetch *pf,
				      cpts_flow_rows **rows);

/** Wait for and free a prefetch that will not be used (NULL-safe). */
void cpts_ingest_prefetch_free(cpts_ingest_prefetch *pf);

/**
 * `cpts ingest indicators WS FILE`: cells of any indicator in long format
 * (indicateur;code_commune;numerateur[;denominateur;sexe;classe_age;annee]), masked
 * cells kept as masked (src/ingest/read_indicators.c, docs/profile.md).
 * @return CPTS_OK, CPTS_EINPUT (file, line and field named), CPTS_EIO
 */
int cpts_ingest_indicators(cpts_ctx *ctx, cpts_store *s, const char *path);

/**
 * As cpts_ingest_indicators, and a file without an `indicateur` column is read in wide
 * format: each of the n_sources columns named in sources (the `source` of catalogue
 * rows: `NB_D113` a count column, `zonage_mg=1_ZIP` the share of population where the
 * column holds 1_ZIP) that the file has becomes an indicator of that name; rows of
 * communes not in the workspace are set aside (counted).
 * @param sources BORROWED, n_sources strings (NULL with 0: long format only)
 * @return as cpts_ingest_indicators; CPTS_EINPUT when a category column needs the
 *         population and none was ingested
 */
int cpts_ingest_indicators_from(cpts_ctx *ctx, cpts_store *s, const char *path,
				const char *const *sources, size_t n_sources);
/** The same on the caller's commune model m (BORROWED; loaded after the communes and
 * the population were ingested), so that `diagnose` reads the model once. */
struct cpts_model;
int cpts_ingest_indicators_with(cpts_ctx *ctx, cpts_store *s, const struct cpts_model *m,
				const char *path, const char *const *sources, size_t n_sources);

#ifdef __cplusplus
}
#endif
#endif
