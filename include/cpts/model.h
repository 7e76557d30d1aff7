/*
 * cpts/model.h - the in-memory view of a workspace that the analysis stages share.
 *
 * The workspace (cpts/store.h) is the storage; the stages (graph, basins, profile,
 * export, check) work on arrays. cpts_model loads the communes once, sorted by code,
 * with a code -> index map, their representative points and total population.
 * Geometries are loaded on demand as GEOS geometries in each commune's projected CRS.
 * cpts_partition maps communes to the territories of a named partition.
 */
#ifndef CPTS_MODEL_H
#define CPTS_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/domain.h"
#include "cpts/store.h"
#include "cpts/util.h"

#ifdef __cplusplus
extern "C" {
#endif

struct GEOSGeom_t;

/** One commune of the workspace. */
typedef struct cpts_commune {
	char code[6];     /* INSEE code */
	char dep[4];      /* département: `44`, `2A`, `971` */
	char reg[4];      /* region: `52` (`975` for a COM) */
	char parent[6];   /* commune of an arrondissement, else "" */
	char *name;       /* OWNED by the model */
	int srid;         /* EPSG of the projected CRS */
	double area_km2;
	double perimeter_km;
	double px, py;    /* representative point, projected metres */
	double lon, lat;  /* the same point, WGS84 */
	double pop;       /* total population; 0 when no population was ingested */
} cpts_commune;

/** Communes of a workspace. */
typedef struct cpts_model {
	size_t n;                   /* number of communes */
	cpts_commune *c;            /* OWNED; sorted by code */
	cpts_strmap *index;         /* OWNED; code -> index in c */
	struct GEOSGeom_t **geoms;  /* OWNED; NULL until cpts_model_load_geoms */
	bool has_population;        /* a population table was ingested */
} cpts_model;

/**
 * Load the communes of a workspace (without geometries).
 * @param[out] out OWNED by caller, free with cpts_model_free()
 * @return CPTS_OK, CPTS_EINPUT when the workspace holds no commune
 */
int cpts_model_load(cpts_ctx *ctx, cpts_model **out, cpts_store *s);

/** Load every commune geometry as a GEOS geometry (ctx->geos), in model order. */
int cpts_model_load_geoms(cpts_ctx *ctx, cpts_model *m, cpts_store *s);

/**
 * Rebuild table population_total from table population (inside the caller's
 * transaction): per commune, its total row (sex 'T', age 'ALL') or the sum of its
 * sex-by-age rows, the population every command's model carries. Summing a few
 * million sex-by-age rows at each model load cost more than most commands.
 */
int cpts_population_totals_refresh(cpts_ctx *ctx, cpts_store *s);

/** Index of a code, or -1. */
long cpts_model_find(const cpts_model *m, const char *code);

/** NULL-safe; destroys geometries with ctx->geos (must be the context that loaded them). */
void cpts_model_free(cpts_ctx *ctx, cpts_model *m);

/** One membership of a commune in a territory (weight < 1 for split communes). */
typedef struct cpts_member {
	size_t commune;   /* index in the model */
	size_t territory; /* index in partition->terr */
	double weight;    /* 1 for a whole commune */
} cpts_member;

/** A named partition of (part of) the communes into territories. */
typedef struct cpts_partition {
	char *name;            /* OWNED */
	size_t n_terr;
	char **terr;           /* OWNED territory ids, sorted */
	char **statut;         /* OWNED per territory: statut of its first member, or NULL */
	char **names;          /* OWNED per territory (parallel to terr): its display name
				  (table territory_names), NULL when unknown */
	size_t n_members;
	cpts_member *members;  /* OWNED, sorted by territory then commune */
	size_t *terr_start;    /* OWNED, n_terr + 1 offsets into members */
	long *commune_terr;    /* OWNED, per commune: its territory when it belongs wholly to
				  exactly one, -1 when in none, -2 when split or claimed twice */
} cpts_partition;

/**
 * Load a partition. Members whose commune is not in the model are an input error.
 * @param[out] out OWNED by caller, free with cpts_partition_free()
 */
int cpts_partition_load(cpts_ctx *ctx, cpts_partition **out, cpts_store *s,
			const cpts_model *m, const char *name);
void cpts_partition_free(cpts_partition *p);
/** Index of a territory id, or -1. */
long cpts_partition_find(const cpts_partition *p, const char *terr);

/**
 * Write a partition (replacing one of the same name) inside the caller's transaction.
 * commune_terr gives, per commune of the model, an index into terr (or -1: not a member).
 */
int cpts_partition_save(cpts_ctx *ctx, cpts_store *s, const cpts_model *m, const char *name,
			const char *kind, const char *source, const char *params,
			char *const *terr, const long *commune_terr);

/**
 * cpts_partition_save, plus the display names of the territories: names (may be NULL,
 * and any entry NULL or empty) is parallel to terr. cpts_partition_save stores none
 * (and drops the names a previous partition of that name had).
 */
int cpts_partition_save_named(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
			      const char *name, const char *kind, const char *source,
			      const char *params, char *const *terr, char *const *names,
			      const long *commune_terr);

/**
 * The partition cpts_partition_save writes, built in memory (what cpts_partition_load
 * would read back, without the round trip): territories with members only, sorted by id,
 * every member whole (weight 1), no statut, no names.
 * @return OWNED by caller, free with cpts_partition_free()
 */
cpts_partition *cpts_partition_from_labels(const cpts_model *m, const char *name,
					   char *const *terr, size_t n_terr,
					   const long *commune_terr);

/* The ACI tiers moved to cpts/domain.h (included above). */

#ifdef __cplusplus
}
#endif
#endif
