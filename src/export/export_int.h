/*
 * export/export_int.h - what the files of src/export share: one in-memory snapshot of
 * everything an export reads from the workspace (communes, partition, disclosed
 * profile values, basin metrics, attraction of each commune, flows, sources), loaded
 * once by load.c and then written by out_gpkg.c (GDAL/OGR) and out_html.c (HTML + SVG).
 *
 * Why one snapshot: both outputs must show the same numbers, and profile values reach
 * them only through the disclosure API (cpts_ptable_load), never from profile_values
 * directly, so no writer can bypass disclosure control by accident.
 */
#ifndef CPTS_EXPORT_INT_H
#define CPTS_EXPORT_INT_H

#include <gdal.h>
#include <geos_c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpts/export.h"
#include "cpts/model.h"
#include "cpts/profile.h"
#include "cpts/util.h"
#include "export/geom.h"

/** Attraction of one commune in the partition (table basin_communes). */
typedef struct ex_attract {
	bool has;             /* a basin_communes row exists */
	int klass;            /* attraction class 1..5 (0 when NULL) */
	char *first_terr;     /* OWNED, or NULL */
	double first_share;   /* NAN when NULL */
	char *second_terr;    /* OWNED, or NULL */
	double second_share;  /* NAN when NULL */
	double own_share;     /* NAN when NULL */
	double coassign;      /* co-assignment with its pole (basins --resample), or NAN */
} ex_attract;

#define EX_MAX_CMP 4   /* comparison départements / regions shown per territory */
#define EX_MAX_BANDS 32 /* age bands of the pyramid */

/** One territory of the partition, with its dissolved geometry and basin metrics. */
typedef struct ex_terr {
	GEOSGeometry *geom;   /* OWNED; union of its communes in CRS srid (NULL: none) */
	int srid;             /* CRS of geom: the common CRS of its communes, 4326 if mixed */
	bool unary_union;     /* not a clean coverage: dissolved by a unary union */
	size_t n_communes;    /* members of the partition */
	bool has_metrics;     /* a basin_metrics row exists */
	double pop;           /* basin_metrics.pop (NAN when absent) */
	double li, msi, pac;  /* NAN when absent */
	bool li_masked;       /* residents' flows (LI's denominator) below the threshold */
	bool msi_masked;      /* flows received (MSI's denominator) below the threshold */
	bool flows_withheld;  /* a flow total differs by 1 to T-1 from one published earlier
				 (cpts_pub_flow): no flow table, LI and MSI masked */
	int tier;             /* 0 when absent */
	char pole[8];         /* pole commune code, "" when none */
	char deps[EX_MAX_CMP][8]; /* départements with profile values, sorted */
	int n_deps;
	char regs[EX_MAX_CMP][8]; /* regions with profile values, sorted */
	int n_regs;
} ex_terr;

/** One origin -> destination pair of flows, summed over professions. */
typedef struct ex_flow {
	long orig, dest;      /* model indices; dest -1 when outside the workspace */
	char dest_code[8];    /* destination code (also for outside destinations) */
	double volume;        /* sum of the unmasked volumes */
	bool masked;          /* at least one row of the pair is masked */
} ex_flow;

/** One row of table sources. */
typedef struct ex_source {
	char *tbl, *file, *sha256, *vintage, *ingested_at; /* OWNED (may be NULL) */
	long long n_rows, n_masked;
} ex_source;

/** A hash index over the rows of a disclosed table (values.c): ex_value in constant
 * time, where the binary search of cpts_ptable_get (four string comparisons per step)
 * was a tenth of an export of France. Read-only once built (shared by the threads). */
typedef struct ex_vindex {
	uint32_t *slot;               /* OWNED: row + 1 per slot, 0 empty; NULL: no index */
	size_t mask;                  /* slots - 1 (a power of two minus one) */
} ex_vindex;
/** Build the index of t (NULL: none); without one (a key twice, too many rows),
 * lookups go through cpts_ptable_get, which it then always agrees with. */
void ex_vindex_build(ex_vindex *x, const cpts_ptable *t);
void ex_vindex_release(ex_vindex *x);
/** The row of (territory, level, level_code, indicator), as cpts_ptable_get. */
const cpts_pvalue *ex_vindex_get(const ex_vindex *x, const cpts_ptable *t,
				 const char *territory, const char *level,
				 const char *level_code, const char *indicator);
/** The rows of one (territory, level, level_code) of a disclosed table: [lo, hi), a
 * contiguous run since the table is sorted. Looking a commune's indicators up in its
 * run, already in cache, replaced two cache misses per value of the hash index (the
 * commune layer of France: 10 % of an export). */
typedef struct ex_vblock {
	size_t lo, hi;
} ex_vblock;
/** Find the run of (territory, level, level_code); false when x has no index (then
 * use ex_vindex_get, whose fallback decides between repeated keys). */
bool ex_vblock_find(ex_vblock *out, const ex_vindex *x, const cpts_ptable *t,
		    const char *territory, const char *level, const char *level_code);
/** The row of indicator in the run, as ex_vindex_get would return it. hint (may be
 * NULL): the row's offset in the run, tried first and updated when found. */
const cpts_pvalue *ex_vblock_get(const ex_vblock *blk, const cpts_ptable *t,
				 const char *indicator, size_t *hint);

/** The snapshot. */
typedef struct ex_top ex_top;
typedef struct ex_data {
	const cpts_export_opts *opts; /* BORROWED */
	cpts_store *s;                /* BORROWED */
	cpts_model *m;                /* BORROWED from ss, with geometries */
	cpts_partition *p;            /* BORROWED from ss */
	struct cpts_session *ss;      /* BORROWED (opts->session) or own_ss */
	struct cpts_session *own_ss;  /* OWNED when the export opened its own session */
	cpts_ptable *pt;              /* OWNED, disclosed values */
	ex_vindex vi;                 /* OWNED: index of pt (ex_value) */
	ex_terr *terr;                /* OWNED, p->n_terr entries */
	ex_attract *att;              /* OWNED, m->n entries (model order) */
	ex_flow *flows;               /* OWNED, sorted by (orig, dest code) */
	size_t n_flows;
	ex_source *src;               /* OWNED, sorted by table name */
	size_t n_src;
	char *part_kind, *part_source, *part_params, *part_created; /* OWNED (may be NULL) */
	char *profile_params;         /* OWNED: the profile's options in French, or NULL */
	ex_reproj rp;                 /* OWNED: cached reprojections */
	char timestamp[32];           /* export date (CPTS_FIXED_TIME makes it fixed) */
	char bands[EX_MAX_BANDS][12]; /* age bands of the pyramid (pyr_F_<band>), sorted */
	int n_bands;
	const char *map_key;          /* choropleth indicator key (BORROWED, catalogue) */
	double threshold;             /* disclosure threshold */
	unsigned char *flux_pub;      /* OWNED, per flow: 1 when written in the flux layer
				         (ex_flux_prepare, flux_pub.c) */
	unsigned char *flux_known;    /* OWNED, per flow: 1 when published earlier (ledger) */
	struct cpts_pub_flows *pf;    /* OWNED flow totals published (cpts/publish.h):
					 recorded in the ledger by cpts_export_run */
	bool *main_only;              /* OWNED, per territory: mixed CRS or a split commune,
					 so never on the worker thread (par.c) */
	struct ex_top *top;           /* OWNED while the HTML is written: the top destinations
					 of each territory (ex_top_prepare), else NULL */
	char **page_files;            /* OWNED while the HTML is written: page file name of
					 each territory (ex_page_files), else NULL */
	/* called by ex_write_html once the report is written, before it replaces the
	   directory (NULL: none); < 0 (error in ctx) abandons the report: export.c waits
	   there for the GeoPackage written meanwhile on another thread */
	int (*html_gate)(cpts_ctx *ctx, void *arg);
	void *html_gate_arg;          /* BORROWED */
} ex_data;

/** Load the snapshot; *out OWNED by caller (ex_data_free). */
int ex_data_load(cpts_ctx *ctx, ex_data **out, cpts_store *s, const cpts_export_opts *opts);

/** One item of a parallel run: work on item k with ctx (the calling thread's, or the
 * worker's own) and the lane's scratch; CPTS_OK or a negative status with ctx->err. */
typedef int (*ex_item_fn)(cpts_ctx *ctx, void *arg, size_t k, void *scratch);

/**
 * Run fn on items 0..n-1 on two threads (par.c): the calling thread and a worker with
 * its own context. Items with main_only[k] (may be NULL) run on the calling thread only.
 * Returns the status of the failed item a single thread would have met first, with its
 * error in ctx; progress goes from p0 to p1 with msg.
 */
int ex_par_run(cpts_ctx *ctx, size_t n, ex_item_fn fn, void *arg, const bool *main_only,
	       void *scratch_main, void *scratch_worker, double p0, double p1, const char *msg);
/* Test hook (NULL in the program): called by ex_par_run on the calling thread after the
 * worker has started and before the calling lane takes an item, so a test can let the
 * worker take every item first (the schedule of a loaded machine). */
extern void (*ex__par_before_main_hook)(void *arg);
void ex_data_free(cpts_ctx *ctx, ex_data *d);

/** Territory index of commune i in the partition (-1 none, -2 split). */
static inline long ex_commune_terr(const ex_data *d, size_t i)
{
	return d->p->commune_terr[i];
}

/** First flow whose origin is commune i (d->flows is sorted by origin), or d->n_flows. */
static inline size_t ex_first_flow(const ex_data *d, long i)
{
	size_t lo = 0, hi = d->n_flows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->flows[mid].orig < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/** A disclosed value (NULL when absent). level 'commune' takes territory from d. */
const cpts_pvalue *ex_value(const ex_data *d, const char *terr, const char *level,
			    const char *level_code, const char *key);
/** The commune-level value of commune i. */
const cpts_pvalue *ex_commune_value(const ex_data *d, size_t i, const char *key);

/** The number a map draws for a value: the value, or the middle of the published range
 * of a ratio over masked input cells; NAN otherwise. */
double ex_map_number(const cpts_pvalue *pv);
/** ex_map_number of a territory's value (with the public fallbacks of ex_terr_number). */
double ex_terr_map_number(const ex_data *d, size_t t, const char *key);

/**
 * A territory's number for an indicator key: the disclosed profile value when there
 * is one, else what the export can derive from public data (population and ACI tier
 * from basin_metrics, number of communes, area, LI/MSI/PAC). NAN when unknown or
 * masked; *masked (may be NULL) tells which.
 */
double ex_terr_number(const ex_data *d, size_t t, const char *key, bool *masked);

/** True for the kinds that disclosure control can mask (a `_masque` flag is written). */
bool ex_maskable(const cpts_indicator *ind);

/** Write the GeoPackage (or any OGR dataset). */
int ex_write_gpkg(cpts_ctx *ctx, const ex_data *d, const char *path, const char *format);
/** Refuse, before any work, a --gpkg path that is an input, a directory (multi-layer
 * drivers) or a directory holding files cpts did not write (one-layer-per-file drivers).
 * Connection strings pass. @return CPTS_OK or CPTS_EINPUT */
int ex_gpkg_check(cpts_ctx *ctx, const char *path, const char *format,
		  const char *const *inputs, size_t n_inputs);
/* ---- PostgreSQL/PostGIS output (out_pg.c) ---- */
#define EX_PG_SEP "\n;\x1e\n"      /* between the statements of a buffer */
/** dsn with any password=... replaced by ***, for messages. */
void ex_dsn_safe(char *out, size_t n, const char *dsn);
/** Check that the database has PostGIS (CPTS_EDEP otherwise, saying how to add it),
 * create the schema; *dbname_out OWNED by caller. */
int ex_pg_prepare(cpts_ctx *ctx, GDALDatasetH ds, const char *dsn, const char *schema,
		  char **dbname_out);
/** Append COMMENT ON TABLE (column NULL) or COLUMN. */
void ex_pg_comment(cpts_buf *sql, const char *schema, const char *table, const char *column,
		   const char *text);
/** Append the creation of QGIS's layer_styles table and the removal of the styles of
 * the layers an export replaces. */
void ex_pg_styles_table(cpts_buf *sql, const char *catalog, const char *schema);
/** Append one default style row. */
void ex_pg_style(cpts_buf *sql, const char *catalog, const char *schema, const char *table,
		 const char *geom_col, const char *name, const char *qml, const char *desc,
		 const char *timestamp);
/** Run the statements of sql (separated by EX_PG_SEP; the buffer is cut in place). */
int ex_pg_exec(cpts_ctx *ctx, GDALDatasetH ds, cpts_buf *sql, const char *dsn);

/** The map indicator when none is asked: mt_share, else the first of icc, gp_density,
 * density that some commune has a value of (html_charts.c). BORROWED (catalogue). */
const char *ex_default_map_key(const ex_data *d);
/** Write the HTML report into dir. */
int ex_write_html(cpts_ctx *ctx, const ex_data *d, const char *dir);

/*
 * The report directory as a unit (report_dir.c). ex_html_dir_check refuses, before any
 * work, a --html path that is an input, not a directory, or a directory holding
 * anything but a cpts report. ex_html_dir_begin makes the temporary sibling directory
 * (*tmp_out OWNED by the caller); ex_html_dir_commit syncs it and swaps it into place,
 * removing the previous report; ex_html_dir_abort removes it after a failure.
 */
int ex_html_dir_check(cpts_ctx *ctx, const char *dir, const char *const *inputs,
		      size_t n_inputs);
int ex_html_dir_begin(cpts_ctx *ctx, const char *dir, char **tmp_out);
int ex_html_dir_commit(cpts_ctx *ctx, const char *tmp, const char *dir);
void ex_html_dir_abort(const char *tmp);
/** Page file names of territories ids[0..n-1]: "<slug>.html", with "-<8 hex of the id's
 * SHA-256>" when two ids share a slug (or the slug is "index"); unique. OWNED by the
 * caller, free with ex_page_files_free. */
char **ex_page_files(const char *const *ids, size_t n);
void ex_page_files_free(char **files, size_t n);
/** Write a whole file atomically (cpts_write_file_atomic). */
int ex_write_file_atomic(cpts_ctx *ctx, const char *path, const char *data, size_t len);

/*
 * Choropleth classes: five quantile classes over the values of a set (deterministic:
 * sorted values, breaks at ranks n*k/5). Colours of a sequential palette.
 */
#define EX_N_CLASSES 5
typedef struct ex_classes {
	int n;                       /* classes in use (0 when no value at all) */
	double brk[EX_N_CLASSES + 1]; /* class k covers [brk[k], brk[k+1]] */
} ex_classes;
void ex_classes_make(ex_classes *c, double *values, size_t n);
/** Drop the NANs of values and sort the rest in place; returns how many are left. */
size_t ex_sort_values(double *values, size_t n);
/** Class of v, or -1 when v is NAN. */
int ex_classes_of(const ex_classes *c, double v);
extern const char *const ex_palette[EX_N_CLASSES]; /* "#rrggbb" */
extern const char ex_palette_na[];                 /* no value / masked */

/** One field of a layer as its QGIS style describes it. */
typedef struct ex_qml_field {
	const char *name;            /* field name; BORROWED */
	const char *alias;           /* French alias; BORROWED */
	int decimals;                /* display precision of a real field, -1 none */
} ex_qml_field;

/** What a layer's default style draws (qml.c). */
typedef struct ex_qml_map {
	const char *attr;            /* field of the classes; NULL: outlines only */
	const cpts_indicator *ind;   /* its catalogue entry (legend title, number format) */
	bool has_mask;               /* attr_masque exists: a "Secret statistique" rule */
	const char *mask_attr;       /* name of that flag when not attr_masque (Shapefile) */
	double threshold;            /* masking threshold shown in that rule */
	ex_classes cl;               /* classes of attr (ex_style_classes) */
	const char *label_field;     /* field of the labels, or NULL */
	double fill_outline;         /* outline width of the class symbols (mm) */
	bool outline_rule;           /* add an outline-only rule over every feature */
	double line_width;           /* width of that outline (mm) */
	const char *outline_label;   /* its legend label */
	bool lines;                  /* a line layer (flows): arrows by class */
	bool table;                  /* no geometry: no renderer, aliases only */
} ex_qml_map;

/** Classes of a style: quantiles that skip values already covered, so a value shared
 * by many features takes one class and the others spread over the rest (values are
 * sorted in place; NANs ignored). */
void ex_style_classes(ex_classes *c, double *values, size_t n);
/** 0, 1 or 2 (two or more) distinct non-NAN values. */
int ex_style_distinct(const double *values, size_t n);
/** Colour of class k of n, spread over the whole palette. */
const char *ex_style_colour(int k, int n);
/** Legend title of an indicator: "label (unit)". */
void ex_style_title(char *out, size_t n, const cpts_indicator *ind);
/** Append the QML document of a layer (renderer, labels, aliases, precisions). */
void ex_qml_write(cpts_buf *out, const ex_qml_map *m, const ex_qml_field *f, size_t n_f);

/** Format a value for a French reader: "12 345", "12,4 %", "< 11", "n.d.". */
void ex_fmt_value(char *out, size_t n, const cpts_indicator *ind, const cpts_pvalue *v,
		  double threshold);
/** Format a raw number with an indicator's unit rules (NAN -> "n.d."). */
void ex_fmt_number(char *out, size_t n, const cpts_indicator *ind, double v);

/** Rows of a flow table shown (see out_html.c); *rest gets the grouped remainder,
 * 0 or at least threshold. vol sorted by decreasing volume; BORROWED. */
size_t ex_flow_rows_shown(const double *vol, size_t n_rows, double total, double threshold,
			  double *rest);

/* ---- flux_pub.c: the flux layer and the report's flow numbers as one publication ---- */
/** Decide the pairs of the flux layer (d->flux_pub) so that no block of pairs a flow
 * table row sums leaves 1 to T-1 flows unpublished; mark them for the ledger. */
int ex_flux_prepare(cpts_ctx *ctx, ex_data *d);

#endif
