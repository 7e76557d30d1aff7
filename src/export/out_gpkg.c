/*
 * out_gpkg.c - write the export as a GeoPackage, or through any other OGR driver
 * (--format): layers `communes`, `territoires`, optional `flux`, non-spatial
 * `metadata`, and for multi-layer formats the QGIS `layer_styles` table, so the layers
 * open in QGIS already drawn as a labelled choropleth.
 *
 * Why this shape:
 * - The dataset is written under a temporary name next to the target and renamed on
 *   success; on any failure or Ctrl-C the temporary is removed, so a half-written
 *   GeoPackage never replaces a good one (git's lockfile rule). Connection strings
 *   (PG:..., anything with "://") are written in place: there is nothing to rename.
 * - Drivers that hold one layer per file (GeoJSON, FlatGeobuf, Shapefile, CSV: no
 *   DCAP_MULTIPLE_VECTOR_LAYERS) get a directory with one file per layer, so every
 *   format carries the same layers and fields.
 * - Columns are described once in a table (struct col) and written from it, so the
 *   schema and the values cannot drift, and a feature costs no field look-up by name.
 * - Masked values are NULL with a companion integer `<field>_masque` = 1 and the bounds
 *   a reader may know in `<field>_min` / `<field>_max` (as the report prints); French
 *   aliases go to gpkg_data_columns (GeoPackage schema extension), French layer titles
 *   and descriptions to gpkg_contents (IDENTIFIER / DESCRIPTION creation options).
 * - Output CRS: the common projected CRS of the partition's communes (EPSG:2154 for
 *   metropolitan France, the local UTM CRS for a single DROM); when the partition
 *   mixes CRSs, every layer is reprojected to EPSG:4326 (documented in docs/export.md).
 */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpts/basins.h"
#include "cpts/outfile.h"
#include "cpts/version.h"
#include "dep/dep.h"
#include "export/export_int.h"

/* What a column holds. */
enum col_what {
	COL_CODE, COL_NOM, COL_DEP, COL_REG, COL_TERR, COL_IND, COL_MASK, COL_MIN, COL_MAX,
	COL_CLASS, COL_CI_LO, COL_CI_HI,
	COL_D1, COL_D1S, COL_D2, COL_D2S, COL_OWN, COL_STATUT, COL_POLE, COL_POLE_NOM,
	COL_COASSIGN,
	COL_LI_LOW,
};

/** One column of a layer: name, OGR type, French alias and description, source. */
typedef struct col {
	char name[64];              /* field name */
	OGRFieldType type;
	enum col_what what;
	const cpts_indicator *ind;  /* COL_IND / COL_MASK / COL_MIN / COL_MAX: BORROWED from
				       the catalogue */
	char label[256];            /* French alias (gpkg_data_columns.name) */
	char desc[512];             /* French description */
	int decimals;               /* display precision of a real field (QML) */
} col;

/** Writer state. */
typedef struct gw {
	cpts_ctx *ctx;
	const ex_data *d;           /* BORROWED */
	ex_reproj rp;               /* OWNED: this writer's reprojection cache (the HTML
				       writer may use d's on another thread meanwhile) */
	GDALDriverH drv;            /* BORROWED */
	bool multi;                 /* the driver holds several layers in one dataset */
	bool is_gpkg;
	bool is_pg;                 /* PostgreSQL/PostGIS (out_pg.c) */
	bool is_shp;                /* ESRI Shapefile: 10-character names, UTF-8 .cpg */
	cpts_buf shp_map;           /* Shapefile: champs.csv, the short-name mapping */
	bool direct;                /* connection string: written in place */
	char *final_path;           /* OWNED */
	char *tmp_path;             /* OWNED: dataset or directory being written */
	char ext[16];               /* per-layer file extension (single-layer drivers) */
	GDALDatasetH ds;            /* OWNED: the open dataset */
	bool in_tx;                 /* a transaction is open on ds */
	OGRSpatialReferenceH srs;   /* OWNED: output CRS */
	int out_srid;
	cpts_buf dc_sql;            /* gpkg_data_columns inserts, run at the end */
	char geom_col[3][64];       /* geometry column of communes / territoires / flux */
	bool has_flux;              /* layer flux written */
	char *pg_catalog;           /* OWNED; PostGIS: database, f_table_catalog of the styles */
	const char *pg_schema;      /* PostGIS: target schema, f_table_schema of the styles */
	cpts_buf pg_sql;            /* PostGIS: comments and styles, run at the end */
} gw;

static const char *const commune_skip[] = { "n_communes", "aci_tier", "aci_ceiling_eur",
					    "aci_distance", "li", "msi", "pac", NULL };

/* The fields of one layer at most: SQLite's default column limit (2000) less the fid and
   the geometry (the catalogue's default rows need about 450; each ratio row of a user
   catalogue about 20). The column lists grow without bound; beyond it the export fails
   naming the layer. */
#define GW_MAX_FIELDS 1990

static bool skip_for_communes(const char *key)
{
	for (int k = 0; commune_skip[k]; k++)
		if (strcmp(commune_skip[k], key) == 0)
			return true;
	return false;
}

static col *col_push(cpts_vec *v, const char *name, OGRFieldType type, enum col_what what,
		     const char *label, const char *desc)
{
	col *c = cpts_vec_push(v);

	CPTS_ASSERT(c);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->type = type;
	c->what = what;
	cpts_utf8_copy(c->label, sizeof(c->label), label); /* never cut a character */
	cpts_utf8_copy(c->desc, sizeof(c->desc), desc);
	c->decimals = type == OFTReal ? 1 : -1;
	return c;
}

/* Indicators written as integers: counts and codes whatever their kind, and the
 * population and health counts shown without decimals (a split commune's weighted
 * share is rounded to the nearest unit, as the report prints it). */
static const char *const integral_keys[] = { "n_communes", "typology", "aci_tier",
					     "aci_ceiling_eur", "gp_count", "icc_signif", NULL };

static bool is_integral(const cpts_indicator *ind)
{
	for (int k = 0; integral_keys[k]; k++)
		if (strcmp(integral_keys[k], ind->key) == 0)
			return true;
	return ind->flag || (ind->decimals == 0 &&
			     (ind->kind == CPTS_IND_POPULATION || ind->kind == CPTS_IND_COUNT));
}

/* Confidence intervals published with a value (not the masking bounds _min/_max):
 * profile values keep [lo, hi] of their interval when they are not masked. Which
 * indicators have one is the catalogue's column `interval`. */
static bool has_interval(const cpts_indicator *ind)
{
	return ind->interval;
}

/** The companion fields of a maskable indicator: flag, then what a reader may know of a
 * masked value (the report prints it too). */
static const struct companion {
	const char *suffix, *label, *desc;
	OGRFieldType type;
	enum col_what what;
} companions[] = {
	{ "masque", "masqué", "1 lorsque la valeur est masquée par le secret statistique (champ"
	  " correspondant NULL), 0 sinon", OFTInteger, COL_MASK },
	{ "min", "borne basse si masqué", "Lorsque la valeur est masquée : la plus petite"
	  " valeur compatible avec les données publiées (NULL sinon)", OFTReal, COL_MIN },
	{ "max", "borne haute si masqué", "Lorsque la valeur est masquée : la plus grande"
	  " valeur compatible avec les données publiées (NULL sinon)", OFTReal, COL_MAX },
};

/* The indicator columns (and the companions of the maskable ones) of a layer. */
static void push_indicators(cpts_vec *v, bool communes)
{
	for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++) {
		char desc[512], name[64], label[512];
		col *c;
		if (communes && skip_for_communes(ind->key))
			continue;
		snprintf(desc, sizeof(desc), "%s%s%s%s", ind->label_fr, *ind->unit_fr ? " (" : "",
			 ind->unit_fr, *ind->unit_fr ? ")" : "");
		if (strcmp(ind->unit_fr, "%") == 0)
			snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc),
				 ", en pourcentage de 0 à 100");
		c = col_push(v, ind->key, is_integral(ind) ? OFTInteger : OFTReal, COL_IND,
			     ind->label_fr, desc);
		c->ind = ind;
		c->decimals = ind->decimals;
		for (int hi = 0; ind->interval && hi <= 1; hi++) {
			snprintf(name, sizeof(name), "%s_ic_%s", ind->key, hi ? "haut" : "bas");
			snprintf(label, sizeof(label), "%s : borne %s de l'intervalle de confiance",
				 ind->label_fr, hi ? "haute" : "basse");
			snprintf(desc, sizeof(desc), "Borne %s de l'intervalle de confiance à"
				 " 95 %% (NULL si la valeur est masquée)", hi ? "haute" : "basse");
			c = col_push(v, name, OFTReal, hi ? COL_CI_HI : COL_CI_LO, label, desc);
			c->ind = ind;
			c->decimals = ind->decimals;
		}
		if (!ex_maskable(ind))
			continue;
		for (size_t k = 0; k < sizeof(companions) / sizeof(companions[0]); k++) {
			const struct companion *cp = &companions[k];
			if (ind->flag && cp->what != COL_MASK)
				continue; /* a flag has no bounds */
			snprintf(name, sizeof(name), "%s_%s", ind->key, cp->suffix);
			snprintf(label, sizeof(label), "%s (%s)", ind->label_fr, cp->label);
			c = col_push(v, name, cp->type == OFTReal && is_integral(ind) ? OFTInteger :
					       cp->type, cp->what, label, cp->desc);
			c->ind = ind;
			c->decimals = ind->decimals;
		}
	}
}

static void commune_cols(cpts_vec *v)
{
	col_push(v, "code", OFTString, COL_CODE, "Code commune", "Code officiel géographique"
		 " (INSEE) de la commune");
	col_push(v, "nom", OFTString, COL_NOM, "Nom", "Nom de la commune");
	col_push(v, "dep", OFTString, COL_DEP, "Département", "Code du département");
	col_push(v, "reg", OFTString, COL_REG, "Région", "Code de la région");
	col_push(v, "territoire", OFTString, COL_TERR, "Territoire", "Identifiant du territoire"
		 " de la partition (plusieurs, séparés par des virgules, pour une commune"
		 " partagée)");
	push_indicators(v, true);
	col_push(v, "classe_attraction", OFTInteger, COL_CLASS, "Classe d'attraction",
		 "1 pôle du bassin ; 2 au moins 50 % des recours vers son bassin ; 3 de 30 à"
		 " 50 % ; 4 moins de 30 % mais son bassin reste la première destination ;"
		 " 5 multipolarisée");
	col_push(v, "dest1_territoire", OFTString, COL_D1, "Première destination",
		 "Territoire recevant la plus grande part des recours des habitants");
	col_push(v, "dest1_part", OFTReal, COL_D1S, "Part de la première destination",
		 "Part des recours vers la première destination (en pourcentage de 0 à 100)");
	col_push(v, "dest2_territoire", OFTString, COL_D2, "Deuxième destination",
		 "Territoire recevant la deuxième part des recours des habitants");
	col_push(v, "dest2_part", OFTReal, COL_D2S, "Part de la deuxième destination",
		 "Part des recours vers la deuxième destination (en pourcentage de 0 à 100)");
	col_push(v, "part_propre", OFTReal, COL_OWN, "Part vers son territoire",
		 "Part des recours des habitants vers leur propre territoire (en pourcentage de 0 à 100)");
	col_push(v, "coaffectation", OFTReal, COL_COASSIGN, "Stabilité du rattachement",
		 "Part des tirages aléatoires des flux où la commune reste dans le bassin de son"
		 " pôle (en pourcentage de 0 à 100 ; vide sans rééchantillonnage)");
}

static void territory_cols(cpts_vec *v)
{
	col_push(v, "territoire", OFTString, COL_TERR, "Territoire", "Identifiant du territoire");
	col_push(v, "statut", OFTString, COL_STATUT, "Statut", "Statut du territoire dans la"
		 " partition d'origine (CPTS en projet, signée...)");
	col_push(v, "pole", OFTString, COL_POLE, "Pôle", "Code de la commune pôle du bassin");
	col_push(v, "pole_nom", OFTString, COL_POLE_NOM, "Nom du pôle", "Nom de la commune pôle");
	push_indicators(v, false);
	col_push(v, "li_sous_seuil", OFTInteger, COL_LI_LOW, "LI sous le seuil de 0,4",
		 "1 si moins de 40 % des recours des habitants restent dans le territoire"
		 " (seuil de la boîte à outils HSAr), 0 sinon ; vide sans flux");
}

/* ---- Shapefile names ----
 *
 * dBase field names hold 10 bytes. GDAL truncates longer names and numbers clashes
 * (mt_ald_sans_mt_masque -> mt_ald_san, then mt_ald_s_1...), which hides which flag
 * goes with which value. Our mapping keeps a value and its companions together: a
 * maskable indicator (or one with a confidence interval) gets a base of at most 8
 * characters (the key, or the key without underscores cut to 8) shared by the value
 * and its companions, suffixed _m (masque), _n (min), _x (max), _b (ic_bas), _h
 * (ic_haut): mt_ald_sans_mt, mtaldsan_m, mtaldsan_n, mtaldsan_x. Other names are kept
 * when short enough, else taken from a fixed table or squeezed the same way to 10.
 * A clash (none in the current catalogue) ends the name with a digit. The mapping is
 * written beside the layers as champs.csv (couche;champ;champ_court;alias). */
static const char *const shp_fixed[][2] = {
	{ "classe_attraction", "classe_att" }, { "dest1_territoire", "dest1_terr" },
	{ "dest2_territoire", "dest2_terr" }, { "territoire_origine", "terr_orig" },
	{ "territoire_destination", "terr_dest" }, { "part_propre", "partpropre" },
};

/* s itself when at most max bytes, else s without underscores cut to max bytes. */
static void squeeze(char *out, size_t n, const char *s, size_t max)
{
	size_t len = 0;

	if (strlen(s) <= max) {
		snprintf(out, n, "%s", s);
		return;
	}
	for (; *s && len < max && len + 1 < n; s++)
		if (*s != '_')
			out[len++] = *s;
	out[len] = '\0';
}

static bool has_interval(const cpts_indicator *ind);

/* The base (at most 8 bytes) of an indicator and its companions: the key squeezed to 8,
 * or, when that base is already another key's (c2s_pop_num and c2s_pop_num_prec both
 * squeeze to c2spopnu), its first 6 bytes and a two-digit number. keys/bases hold the
 * n indicators seen so far in this layer (BORROWED keys). */
static void shp_base(char base[9], const char *key, const char **keys, char (*bases)[9],
		     size_t *n)
{
	for (size_t k = 0; k < *n; k++)
		if (strcmp(keys[k], key) == 0) {
			memcpy(base, bases[k], 9);
			return;
		}
	squeeze(base, 9, key, 8);
	for (int d = 1; d < 100; d++) {
		bool taken = false;
		for (size_t k = 0; k < *n && !taken; k++)
			taken = strcmp(bases[k], base) == 0;
		if (!taken)
			break;
		base[strlen(base) > 6 ? 6 : strlen(base)] = '\0';
		snprintf(base + strlen(base), 9 - strlen(base), "%02d", d);
	}
	keys[*n] = key;
	memcpy(bases[(*n)++], base, 9);
}

static void shp_name(char out[11], const col *c, const char **keys, char (*bases)[9],
		     size_t *n_bases)
{
	static const char letter[] = { [COL_MASK] = 'm', [COL_MIN] = 'n', [COL_MAX] = 'x',
				       [COL_CI_LO] = 'b', [COL_CI_HI] = 'h' };
	char base[9];

	if (c->ind && (c->what == COL_MASK || c->what == COL_MIN || c->what == COL_MAX ||
		       c->what == COL_CI_LO || c->what == COL_CI_HI ||
		       (c->what == COL_IND && (ex_maskable(c->ind) || has_interval(c->ind))))) {
		shp_base(base, c->ind->key, keys, bases, n_bases);
		if (c->what == COL_IND)
			snprintf(out, 11, "%s", base);
		else
			snprintf(out, 11, "%s_%c", base, letter[c->what]);
		return;
	}
	for (size_t k = 0; k < sizeof(shp_fixed) / sizeof(shp_fixed[0]); k++)
		if (strcmp(shp_fixed[k][0], c->name) == 0) {
			snprintf(out, 11, "%s", shp_fixed[k][1]);
			return;
		}
	squeeze(out, 11, c->name, 10);
}

/* The short names of a layer's columns, unique (OWNED by caller: n * 11 bytes). */
static char (*shp_names(const col *cols, size_t n))[11]
{
	char (*names)[11] = cpts_mallocarray(n + 1, 11);
	const char **keys = cpts_mallocarray(n + 1, sizeof(*keys));
	char (*bases)[9] = cpts_mallocarray(n + 1, 9);
	size_t n_bases = 0;

	for (size_t k = 0; k < n; k++) {
		shp_name(names[k], &cols[k], keys, bases, &n_bases);
		for (int d = 1; d < 100; d++) {
			bool clash = false;
			for (size_t j = 0; j < k && !clash; j++)
				clash = strcmp(names[j], names[k]) == 0;
			if (!clash)
				break;
			names[k][strlen(names[k]) > 8 ? 8 : strlen(names[k])] = '\0';
			snprintf(names[k] + strlen(names[k]), 11 - strlen(names[k]), "%d", d);
		}
	}
	free(keys);
	free(bases);
	return names;
}

static void csv_field(cpts_buf *b, const char *s, char end)
{
	bool quote = strpbrk(s, ";\"\n") != NULL;

	if (quote)
		cpts_buf_addch(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			cpts_buf_addch(b, '"');
		cpts_buf_addch(b, *s);
	}
	if (quote)
		cpts_buf_addch(b, '"');
	cpts_buf_addch(b, end);
}

/* ---- dataset and layers ---- */

static void sql_quote(cpts_buf *b, const char *s)
{
	cpts_buf_addch(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			cpts_buf_addch(b, '\'');
		cpts_buf_addch(b, *s);
	}
	cpts_buf_addch(b, '\'');
}

static bool is_connection(const char *path)
{
	return strncmp(path, "PG:", 3) == 0 || strstr(path, "://") != NULL;
}

/* A new temporary name next to path that does not exist yet: "dir/.out.tmp<pid>-<k>.gpkg"
 * (drivers check the extension); "dir/x" -> "dir/.x.tmp<pid>-<k>". Never an existing
 * file or directory, so failure cleanup only ever removes what this run created. */
static char *tmp_name(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	const char *base = slash ? slash + 1 : path;
	int dir_len = slash ? (int)(slash - path + 1) : 0;

	for (unsigned k = 0;; k++) {
		struct stat sb;
		char *t;
		if (dot && dot > base)
			t = cpts_asprintf("%.*s.%.*s.tmp%ld-%u%s", dir_len, path, (int)(dot - base),
					  base, (long)getpid(), k, dot);
		else
			t = cpts_asprintf("%.*s.%s.tmp%ld-%u", dir_len, path, base, (long)getpid(),
					  k);
		if (lstat(t, &sb) != 0 || k == 1000) /* free (or unusable: creating it fails) */
			return t;
		free(t);
	}
}

/* Layer files a single-layer driver writes into its directory: "<layer>.<ext>" and
 * the driver's side files ("<layer>.shx", ...). */
static bool is_layer_file(const char *name)
{
	static const char *const layers[] = { "communes", "territoires", "flux", "metadata",
					      "layer_styles", NULL };

	for (int k = 0; layers[k]; k++) {
		size_t n = strlen(layers[k]);
		if (strncmp(name, layers[k], n) == 0 && name[n] == '.')
			return true;
	}
	return false;
}

/* Whether a directory holds only regular layer files (what remove_path may delete);
 * *bad_out gets the first other entry (OWNED by the caller). */
static bool is_layer_dir(const char *path, char **bad_out)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	bool ok = true;

	*bad_out = NULL;
	if (!dir) {
		*bad_out = cpts_strdup("(unreadable)");
		return false;
	}
	while (ok && (e = readdir(dir))) {
		struct stat sb;
		char *f;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		f = cpts_asprintf("%s/%s", path, e->d_name);
		ok = lstat(f, &sb) == 0 && S_ISREG(sb.st_mode) && is_layer_file(e->d_name);
		if (!ok)
			*bad_out = cpts_strdup(e->d_name);
		free(f);
	}
	closedir(dir);
	return ok;
}

/* Remove a file, or a directory of layer files (what single-layer drivers write). Only
 * called on paths this run created, or on a directory is_layer_dir accepted. */
static void remove_path(const char *path)
{
	struct stat sb;
	DIR *dir;
	struct dirent *e;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	if ((dir = opendir(path))) {
		while ((e = readdir(dir))) {
			char *f;
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			f = cpts_asprintf("%s/%s", path, e->d_name);
			unlink(f);
			free(f);
		}
		closedir(dir);
	}
	rmdir(path);
}

int ex_gpkg_check(cpts_ctx *ctx, const char *path, const char *format,
		  const char *const *inputs, size_t n_inputs)
{
	GDALDriverH drv;
	bool multi;
	char *bad = NULL;
	struct stat sb;
	int rc;

	if (is_connection(path))
		return CPTS_OK;
	cpts_gdal_init();
	drv = GDALGetDriverByName(format && *format ? format : "GPKG");
	if (!drv) /* gw_open names the bad driver */
		return CPTS_OK;
	multi = GDALGetMetadataItem(drv, GDAL_DCAP_MULTIPLE_VECTOR_LAYERS, NULL) != NULL;
	if ((rc = cpts_output_check(ctx, "--gpkg", path, !multi, inputs, n_inputs)) < 0)
		return rc;
	if (multi || stat(path, &sb) != 0)
		return CPTS_OK;
	for (size_t k = 0; k < n_inputs; k++) { /* an input inside the directory */
		char *slash = inputs[k] ? strrchr(inputs[k], '/') : NULL;
		char *parent = slash ? cpts_strndup(inputs[k], (size_t)(slash - inputs[k]))
				     : cpts_strdup(".");
		bool inside = inputs[k] && cpts_same_file(parent, path);
		free(parent);
		if (inside)
			return cpts_fail(ctx, CPTS_EINPUT, "--gpkg '%s' holds the input '%s':"
					 " refusing to replace it", path, inputs[k]);
	}
	if (!is_layer_dir(path, &bad)) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "--gpkg '%s' is a directory holding '%s', which"
			       " cpts did not write: refusing to replace it (choose a new or"
			       " empty directory)", path, cpts_text(bad));
		free(bad);
		return rc;
	}
	return CPTS_OK;
}

static int gw_open(gw *w, const char *path, const char *format)
{
	cpts_ctx *ctx = w->ctx;
	const char *ext;

	cpts_gdal_init();
	w->drv = GDALGetDriverByName(format);
	if (!w->drv || !GDALGetMetadataItem(w->drv, GDAL_DCAP_VECTOR, NULL))
		return cpts_fail(ctx, CPTS_EUSAGE, "'%s' is not an OGR vector driver (see"
				 " 'ogrinfo --formats')", format);
	if (!GDALGetMetadataItem(w->drv, GDAL_DCAP_CREATE, NULL))
		return cpts_fail(ctx, CPTS_EDEP, "OGR driver '%s' cannot create datasets", format);
	w->is_gpkg = strcmp(format, "GPKG") == 0;
	w->is_pg = strcmp(format, "PostgreSQL") == 0;
	w->is_shp = strcmp(format, "ESRI Shapefile") == 0;
	if (w->is_shp)
		cpts_buf_addstr(&w->shp_map, "couche;champ;champ_court;alias\n");
	if (w->is_pg && strncmp(path, "PG:", 3) != 0)
		return cpts_fail(ctx, CPTS_EUSAGE, "--format PostgreSQL writes to a database: give"
				 " --dsn \"PG:host=... dbname=...\"");
	w->multi = GDALGetMetadataItem(w->drv, GDAL_DCAP_MULTIPLE_VECTOR_LAYERS, NULL) != NULL;
	ext = GDALGetMetadataItem(w->drv, GDAL_DMD_EXTENSION, NULL);
	if (!ext)
		ext = GDALGetMetadataItem(w->drv, GDAL_DMD_EXTENSIONS, NULL);
	/* DMD_EXTENSIONS is a list ("json geojson"): its first entry */
	snprintf(w->ext, sizeof(w->ext), "%.*s", ext ? (int)strcspn(ext, " ") : 3,
		 ext ? ext : "dat");
	w->direct = is_connection(path);
	w->final_path = cpts_strdup(path);
	w->tmp_path = w->direct ? cpts_strdup(path) : tmp_name(path);
	if (!w->direct) {
		const char *slash = strrchr(path, '/');
		if (slash && slash != path) { /* create the parent directory (mkdir -p) */
			char *parent = cpts_strndup(path, (size_t)(slash - path));
			int e = cpts_mkdir_p(parent, 0777);
			free(parent);
			if (e != 0)
				return cpts_fail(ctx, CPTS_EIO, "cannot create the directory of '%s':"
						 " %s", path, strerror(-e));
		}
	}
	if (!(w->srs = ex_srs_new(ctx, w->out_srid)))
		return ctx->err.code;
	if (!w->multi) {
		if (mkdir(w->tmp_path, 0777) != 0) {
			int e = errno;
			free(w->tmp_path); /* not ours: nothing to remove on failure */
			w->tmp_path = NULL;
			return cpts_fail(ctx, CPTS_EIO, "cannot create directory '%s': %s",
					 path, strerror(e));
		}
		return CPTS_OK;
	}
	cpts_gdal_clear_error();
	w->ds = GDALCreate(w->drv, w->tmp_path, 0, 0, 0, GDT_Unknown, NULL);
	if (!w->ds) {
		char safe[512];
		ex_dsn_safe(safe, sizeof(safe), w->tmp_path);
		return cpts_fail_gdal(ctx, CPTS_EIO, "cannot %s '%s' with"
				      " driver %s", w->is_pg ? "connect to" : "create", safe, format);
	}
	if (w->is_pg)
		return ex_pg_prepare(ctx, w->ds, path, w->pg_schema, &w->pg_catalog);
	return CPTS_OK;
}

/* Sync the temporary dataset and put it in place: a file by rename over the previous
 * one; a directory of layer files by exchange with the previous one (checked by
 * ex_gpkg_check to hold only layer files), which is then removed. */
static int commit_tmp(gw *w)
{
	struct stat sb;
	char *bad = NULL;
	int e;

	if (w->multi)
		return cpts_tmp_commit(w->ctx, w->tmp_path, w->final_path);
	e = cpts_fsync_dir_of(w->tmp_path); /* the files: syncfs of their file system */
	{
		int fd = open(w->tmp_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			if (syncfs(fd) != 0 && e == 0)
				e = -errno;
			close(fd);
		}
	}
	if (e < 0)
		return cpts_fail(w->ctx, CPTS_EIO, "cannot sync '%s': %s", w->tmp_path,
				 strerror(-e));
	if (lstat(w->final_path, &sb) != 0)
		return cpts_tmp_commit(w->ctx, w->tmp_path, w->final_path);
	if (!S_ISDIR(sb.st_mode) || !is_layer_dir(w->final_path, &bad)) {
		e = cpts_fail(w->ctx, CPTS_EINPUT, "'%s' changed during the export and holds '%s':"
			      " refusing to replace it", w->final_path, cpts_text(bad ? bad : ""));
		free(bad);
		return e;
	}
	if (renameat2(AT_FDCWD, w->tmp_path, AT_FDCWD, w->final_path, RENAME_EXCHANGE) != 0) {
		if (errno != EINVAL && errno != ENOSYS)
			return cpts_fail(w->ctx, CPTS_EIO, "cannot rename '%s' to '%s': %s",
					 w->tmp_path, w->final_path, strerror(errno));
		remove_path(w->final_path); /* layer files only (checked above) */
		return cpts_tmp_commit(w->ctx, w->tmp_path, w->final_path);
	}
	remove_path(w->tmp_path); /* the previous layer files */
	if ((e = cpts_fsync_dir_of(w->final_path)) < 0)
		return cpts_fail(w->ctx, CPTS_EIO, "cannot sync the directory of '%s': %s",
				 w->final_path, strerror(-e));
	return CPTS_OK;
}

static int gw_close_ds(gw *w)
{
	int rc = CPTS_OK;

	if (!w->ds)
		return CPTS_OK;
	if (w->in_tx && GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE)
		rc = cpts_fail_gdal(w->ctx, CPTS_EIO, "cannot commit '%s'", w->tmp_path);
	w->in_tx = false;
	cpts_gdal_clear_error();
	GDALClose(w->ds);
	w->ds = NULL;
	if (rc == CPTS_OK && CPLGetLastErrorType() >= CE_Failure)
		rc = cpts_fail_gdal(w->ctx, CPTS_EIO, "cannot finish writing '%s'", w->tmp_path);
	return rc;
}

static int gw_layer(gw *w, OGRLayerH *out, const char *name, OGRwkbGeometryType gtype,
		    const char *title, const char *desc)
{
	char **lco = NULL;
	int rc = CPTS_OK;

	*out = NULL;
	if (!w->multi) {
		char *p;
		if ((rc = gw_close_ds(w)) < 0)
			return rc;
		p = cpts_asprintf("%s/%s.%s", w->tmp_path, name, w->ext);
		w->ds = GDALCreate(w->drv, p, 0, 0, 0, GDT_Unknown, NULL);
		free(p);
		if (!w->ds)
			return cpts_fail_gdal(w->ctx, CPTS_EIO, "cannot create layer file '%s' in"
					      " '%s'", name, w->tmp_path);
	}
	if (w->is_gpkg) {
		lco = CSLSetNameValue(lco, "IDENTIFIER", title);
		lco = CSLSetNameValue(lco, "DESCRIPTION", desc);
	}
	if (w->is_shp) /* UTF-8 attributes and a .cpg saying so ("œ" has no Latin-1 code) */
		lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
	if (w->is_pg) { /* same names as in the GeoPackage; a new export replaces the tables */
		char *c = cpts_asprintf("%s : %s", title, desc);
		lco = CSLSetNameValue(lco, "OVERWRITE", "YES");
		lco = CSLSetNameValue(lco, "SCHEMA", w->pg_schema);
		lco = CSLSetNameValue(lco, "GEOMETRY_NAME", "geom");
		lco = CSLSetNameValue(lco, "FID", "fid");
		lco = CSLSetNameValue(lco, "DESCRIPTION", c); /* COMMENT ON TABLE */
		free(c);
	}
	cpts_gdal_clear_error();
	*out = GDALDatasetCreateLayer(w->ds, name, gtype == wkbNone ? NULL : w->srs, gtype, lco);
	CSLDestroy(lco);
	if (!*out)
		return cpts_fail_gdal(w->ctx, CPTS_EIO, "cannot create layer '%s' in '%s'", name,
				      w->tmp_path);
	if (!w->in_tx && GDALDatasetStartTransaction(w->ds, FALSE) == OGRERR_NONE)
		w->in_tx = true;
	return CPTS_OK;
}

static int gw_fields(gw *w, OGRLayerH lyr, const char *layer, const col *cols, size_t n)
{
	char (*shp)[11];

	if (n > GW_MAX_FIELDS)
		return cpts_fail(w->ctx, CPTS_EINPUT, "layer '%s' would have %zu fields, more than"
				 " the %d a table holds: the catalogue has too many indicators"
				 " (remove rows, or use several catalogues)", layer, n,
				 GW_MAX_FIELDS);
	shp = w->is_shp ? shp_names(cols, n) : NULL;

	for (size_t k = 0; k < n; k++) {
		OGRFieldDefnH f = OGR_Fld_Create(shp ? shp[k] : cols[k].name, cols[k].type);
		OGRErr e;
		if (shp) {
			csv_field(&w->shp_map, layer, ';');
			csv_field(&w->shp_map, cols[k].name, ';');
			csv_field(&w->shp_map, shp[k], ';');
			csv_field(&w->shp_map, cols[k].label, '\n');
		}
		if (!w->is_gpkg)
			OGR_Fld_SetAlternativeName(f, cols[k].label);
		cpts_gdal_clear_error();
		e = OGR_L_CreateField(lyr, f, TRUE);
		OGR_Fld_Destroy(f);
		if (e != OGRERR_NONE) {
			free(shp);
			return cpts_fail_gdal(w->ctx, CPTS_EIO, "cannot create field '%s' of layer"
					      " '%s'", cols[k].name, layer);
		}
		if (w->is_pg && *cols[k].label) {
			char *c = cpts_asprintf("%s : %s", cols[k].label, cols[k].desc);
			ex_pg_comment(&w->pg_sql, w->pg_schema, layer, cols[k].name, c);
			free(c);
		}
		if (!w->is_gpkg)
			continue;
		cpts_buf_addstr(&w->dc_sql, "INSERT OR REPLACE INTO gpkg_data_columns(table_name,"
				" column_name, name, title, description) VALUES(");
		sql_quote(&w->dc_sql, layer);
		cpts_buf_addch(&w->dc_sql, ',');
		sql_quote(&w->dc_sql, cols[k].name);
		cpts_buf_addch(&w->dc_sql, ',');
		sql_quote(&w->dc_sql, cols[k].label);
		cpts_buf_addch(&w->dc_sql, ',');
		sql_quote(&w->dc_sql, cols[k].label);
		cpts_buf_addch(&w->dc_sql, ',');
		sql_quote(&w->dc_sql, cols[k].desc);
		cpts_buf_addstr(&w->dc_sql, ");\n");
	}
	free(shp);
	return CPTS_OK;
}

static int gw_add(gw *w, OGRLayerH lyr, OGRFeatureH f, const char *layer)
{
	cpts_gdal_clear_error();
	if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE)
		return cpts_fail_gdal(w->ctx, CPTS_EIO, "cannot write a feature of layer '%s'",
				      layer);
	return CPTS_OK;
}

/* v rounded to 12 significant digits: the double nearest a short decimal, which every
 * format (GDAL's PostgreSQL driver prints 15 digits, CSV and GeoJSON print text) writes
 * and reads back unchanged, so a GeoPackage and its PostGIS copy hold the same values;
 * 297.77998264146794 becomes 297.779982641, far below any displayed precision. */
static double round_sig12(double v)
{
	char b[40];

	snprintf(b, sizeof(b), "%.12g", v);
	return strtod(b, NULL);
}

/* A number, rounded to the nearest unit in an integer field; NAN is NULL. */
static void set_real(OGRFeatureH f, int k, double v)
{
	if (isnan(v))
		OGR_F_SetFieldNull(f, k);
	else if (OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, k)) == OFTInteger)
		OGR_F_SetFieldInteger(f, k, (int)lround(v));
	else
		OGR_F_SetFieldDouble(f, k, round_sig12(v));
}

/* The confidence interval of a published value (NULL when masked or none). */
static void set_ci(OGRFeatureH f, int k, const cpts_pvalue *pv, bool upper)
{
	set_real(f, k, pv && !pv->masked ? (upper ? pv->hi : pv->lo) : NAN);
}

/* The known bound of a masked value, in the unit of its field (profile values are
 * stored as they are written: percentages 0-100); NULL when the value is not masked. */
static void set_bound(OGRFeatureH f, int k, const cpts_pvalue *pv, bool upper)
{
	set_real(f, k, pv && pv->masked ? (upper ? pv->hi : pv->lo) : NAN);
}

static void set_str(OGRFeatureH f, int k, const char *s)
{
	if (s && *s)
		OGR_F_SetFieldString(f, k, s);
	else
		OGR_F_SetFieldNull(f, k);
}

/* ---- communes ---- */

static void commune_terr_list(const ex_data *d, size_t i, cpts_buf *b)
{
	long t = d->p->commune_terr[i];

	cpts_buf_reset(b);
	if (t >= 0) {
		cpts_buf_addstr(b, d->p->terr[t]);
		return;
	}
	for (size_t k = 0; k < d->p->n_members; k++)
		if (d->p->members[k].commune == i) {
			if (b->len)
				cpts_buf_addch(b, ',');
			cpts_buf_addstr(b, d->p->terr[d->p->members[k].territory]);
		}
}

/* A commune's value, and for a commune outside the partition (no profile value) the
 * public ones the workspace holds: population, area, density (never a health count). */
static double commune_number(const ex_data *d, size_t i, const char *key,
			     const cpts_pvalue *pv, bool *masked)
{
	const cpts_commune *c = &d->m->c[i];

	*masked = pv && pv->masked;
	if (pv)
		return pv->masked ? NAN : pv->value;
	if (d->p->commune_terr[i] != -1)
		return NAN;
	if (strcmp(key, "area_km2") == 0)
		return c->area_km2 > 0 ? c->area_km2 : NAN;
	if (!d->m->has_population)
		return NAN;
	if (strcmp(key, "pop_total") == 0)
		return c->pop;
	if (strcmp(key, "density") == 0)
		return c->area_km2 > 0 ? c->pop / c->area_km2 : NAN;
	return NAN;
}

static void commune_fields(const ex_data *d, size_t i, OGRFeatureH f, const col *cols,
			   size_t n, cpts_buf *tmp, size_t *hints)
{
	const cpts_commune *c = &d->m->c[i];
	const ex_attract *a = &d->att[i];

	/* the columns of one indicator (value, interval, mask, bounds) are adjacent: its
	 * value is looked up once for them (a look-up compares strings: 5 % of an export
	 * of France when it was made per column) */
	const char *key = NULL;
	const cpts_pvalue *pv = NULL;
	long t = d->p->commune_terr[i];
	ex_vblock blk;
	bool in_blk = t >= 0 && ex_vblock_find(&blk, &d->vi, d->pt, d->p->terr[t], "commune",
						c->code);

	for (size_t k = 0; k < n; k++) {
		bool masked;
		int fk = (int)k;
		if (cols[k].ind && cols[k].ind->key != key) {
			key = cols[k].ind->key;
			pv = in_blk ? ex_vblock_get(&blk, d->pt, key, &hints[k])
				    : ex_commune_value(d, i, key);
		}
		switch (cols[k].what) {
		case COL_CODE: set_str(f, fk, c->code); break;
		case COL_NOM: set_str(f, fk, c->name); break;
		case COL_DEP: set_str(f, fk, c->dep); break;
		case COL_REG: set_str(f, fk, c->reg); break;
		case COL_TERR:
			commune_terr_list(d, i, tmp);
			set_str(f, fk, tmp->data);
			break;
		case COL_IND:
			set_real(f, fk, commune_number(d, i, key, pv, &masked));
			break;
		case COL_CI_LO:
		case COL_CI_HI:
			set_ci(f, fk, pv, cols[k].what == COL_CI_HI);
			break;
		case COL_MASK:
			OGR_F_SetFieldInteger(f, fk, pv && pv->masked ? 1 : 0);
			break;
		case COL_MIN:
		case COL_MAX:
			set_bound(f, fk, pv, cols[k].what == COL_MAX);
			break;
		case COL_CLASS:
			if (a->has && a->klass > 0)
				OGR_F_SetFieldInteger(f, fk, a->klass);
			else
				OGR_F_SetFieldNull(f, fk);
			break;
		case COL_D1: set_str(f, fk, a->first_terr); break;
		case COL_D1S: set_real(f, fk, a->has ? 100.0 * a->first_share : NAN); break;
		case COL_D2: set_str(f, fk, a->second_terr); break;
		case COL_D2S: set_real(f, fk, a->has ? 100.0 * a->second_share : NAN); break;
		case COL_OWN: set_real(f, fk, a->has ? 100.0 * a->own_share : NAN); break;
		case COL_COASSIGN: set_real(f, fk, 100.0 * a->coassign); break;
		default: OGR_F_SetFieldNull(f, fk); break;
		}
	}
}

static int set_geom(gw *w, OGRFeatureH f, const GEOSGeometry *g, int srid, bool multi)
{
	OGRGeometryH og = NULL;
	int rc;

	if (!g)
		return CPTS_OK;
	if ((rc = ex_geos_to_ogr(w->ctx, &w->rp, &og, g, srid, w->out_srid)) < 0)
		return rc;
	if (multi)
		og = OGR_G_ForceToMultiPolygon(og);
	OGR_F_SetGeometryDirectly(f, og);
	return CPTS_OK;
}

/* Communes outside every territory (white zones) are written too, with no territory,
 * so planners see them; only those of the output's CRS area. */
static bool commune_written(const gw *w, size_t i)
{
	const ex_data *d = w->d;

	return !(d->p->commune_terr[i] == -1 && w->out_srid != 4326 &&
		 d->m->c[i].srid != w->out_srid);
}

static int write_communes(gw *w)
{
	const ex_data *d = w->d;
	cpts_vec cols;
	OGRLayerH lyr;
	cpts_buf tmp = CPTS_BUF_INIT;
	size_t *hints = NULL; /* OWNED: per column, the offset of its row in a commune's run */
	int rc;

	cpts_vec_init(&cols, sizeof(col), SIZE_MAX / sizeof(col));
	commune_cols(&cols);
	if ((rc = gw_layer(w, &lyr, "communes", wkbMultiPolygon, "Communes",
			   "Communes avec leur territoire (vide pour une commune hors de tout"
			   " territoire) et leurs indicateurs (valeurs soumises au secret"
			   " statistique : NULL et champ _masque = 1)")) < 0 ||
	    (rc = gw_fields(w, lyr, "communes", cols.data, cols.n)) < 0)
		goto out;
	snprintf(w->geom_col[0], sizeof(w->geom_col[0]), "%s", OGR_L_GetGeometryColumn(lyr));
	hints = cpts_calloc(cols.n + 1, sizeof(size_t));
	for (size_t i = 0; i < d->m->n && rc == CPTS_OK; i++) {
		OGRFeatureH f;
		if (!commune_written(w, i))
			continue;
		if ((i & 255) == 0 &&
		    (rc = cpts_progress(w->ctx, 0.3 + 0.2 * (double)i / (double)d->m->n,
					"writing communes")) < 0)
			break;
		f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
		commune_fields(d, i, f, cols.data, cols.n, &tmp, hints);
		rc = set_geom(w, f, d->m->geoms[i], d->m->c[i].srid, true);
		if (rc == CPTS_OK)
			rc = gw_add(w, lyr, f, "communes");
		OGR_F_Destroy(f);
	}
out:
	free(hints);
	cpts_buf_release(&tmp);
	cpts_vec_release(&cols);
	return rc;
}

/* ---- territories ---- */

static void territory_fields(const ex_data *d, size_t t, OGRFeatureH f, const col *cols,
			     size_t n)
{
	const ex_terr *e = &d->terr[t];
	long pole = e->pole[0] ? cpts_model_find(d->m, e->pole) : -1;

	for (size_t k = 0; k < n; k++) {
		int fk = (int)k;
		bool masked;
		double v;
		switch (cols[k].what) {
		case COL_TERR: set_str(f, fk, d->p->terr[t]); break;
		case COL_STATUT: set_str(f, fk, d->p->statut[t]); break;
		case COL_POLE: set_str(f, fk, e->pole); break;
		case COL_POLE_NOM: set_str(f, fk, pole >= 0 ? d->m->c[pole].name : NULL); break;
		case COL_LI_LOW: /* the catalogue's li is in percent */
			v = ex_terr_number(d, t, "li", NULL);
			if (isnan(v))
				OGR_F_SetFieldNull(f, fk);
			else
				OGR_F_SetFieldInteger(f, fk, v < 100.0 * CPTS_BASINS_LI_FLOOR);
			break;
		case COL_IND:
			set_real(f, fk, ex_terr_number(d, t, cols[k].ind->key, NULL));
			break;
		case COL_MASK:
			v = ex_terr_number(d, t, cols[k].ind->key, &masked);
			(void)v;
			OGR_F_SetFieldInteger(f, fk, masked ? 1 : 0);
			break;
		case COL_MIN:
		case COL_MAX:
			set_bound(f, fk, ex_value(d, d->p->terr[t], "territoire", d->p->terr[t],
						  cols[k].ind->key),
				  cols[k].what == COL_MAX);
			break;
		case COL_CI_LO:
		case COL_CI_HI:
			set_ci(f, fk, ex_value(d, d->p->terr[t], "territoire", d->p->terr[t],
					       cols[k].ind->key), cols[k].what == COL_CI_HI);
			break;
		default: OGR_F_SetFieldNull(f, fk); break;
		}
	}
}

static int write_territories(gw *w)
{
	const ex_data *d = w->d;
	cpts_vec cols;
	OGRLayerH lyr;
	int rc;

	cpts_vec_init(&cols, sizeof(col), SIZE_MAX / sizeof(col));
	territory_cols(&cols);
	if ((rc = gw_layer(w, &lyr, "territoires", wkbMultiPolygon, "Territoires",
			   "Territoires de la partition (communes fusionnées) avec tous les"
			   " indicateurs du profil, la taille ACI, LI, MSI et PAC")) < 0 ||
	    (rc = gw_fields(w, lyr, "territoires", cols.data, cols.n)) < 0)
		goto out;
	snprintf(w->geom_col[1], sizeof(w->geom_col[1]), "%s", OGR_L_GetGeometryColumn(lyr));
	for (size_t t = 0; t < d->p->n_terr && rc == CPTS_OK; t++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
		territory_fields(d, t, f, cols.data, cols.n);
		rc = set_geom(w, f, d->terr[t].geom, d->terr[t].srid, true);
		if (rc == CPTS_OK)
			rc = gw_add(w, lyr, f, "territoires");
		OGR_F_Destroy(f);
	}
out:
	cpts_vec_release(&cols);
	return rc;
}

/* ---- flows ---- */

static int point_out(gw *w, const cpts_commune *c, double *x, double *y)
{
	OGRCoordinateTransformationH ct;
	int rc;

	*x = c->px;
	*y = c->py;
	if (c->srid == w->out_srid)
		return CPTS_OK;
	if ((rc = ex_reproj_get(w->ctx, &w->rp, &ct, c->srid, w->out_srid)) < 0)
		return rc;
	if (!OCTTransform(ct, 1, x, y, NULL))
		return cpts_fail_gdal(w->ctx, CPTS_EINPUT, "cannot reproject the point of"
				      " commune %s", c->code);
	return CPTS_OK;
}

/* Fields of the flux layer. */
static const col flux_cols[] = {
	{ "origine", OFTString, COL_CODE, NULL, "Commune d'origine",
	  "Commune de résidence des patients", -1 },
	{ "destination", OFTString, COL_CODE, NULL, "Commune de destination",
	  "Commune d'exercice des professionnels", -1 },
	{ "territoire_origine", OFTString, COL_TERR, NULL, "Territoire d'origine", "", -1 },
	{ "territoire_destination", OFTString, COL_TERR, NULL, "Territoire de destination",
	  "", -1 },
	{ "volume", OFTReal, COL_IND, NULL, "Volume", "Nombre de recours (actes), toutes"
	  " professions ; seuls les flux au moins égaux au seuil et non masqués sont"
	  " écrits", 0 },
};
#define N_FLUX_COLS (sizeof(flux_cols) / sizeof(flux_cols[0]))

/* The volume column's legend entry (no catalogue indicator). */
static const cpts_indicator volume_ind = { "volume", "Volume de recours", "actes",
					   CPTS_IND_VALUE, 0, NULL, NULL, NULL,
					   CPTS_TYPE_VALUE, 1, NULL, NULL, true, false, false, false };

/* A flow pair is written when published, between two communes, at or above thr, and
 * kept by ex_flux_prepare (no flow table row minus its pairs gives a small flow). */
static bool flow_written(const ex_data *d, size_t k, double thr)
{
	const ex_flow *fl = &d->flows[k];

	return !fl->masked && fl->dest >= 0 && fl->dest != fl->orig && fl->volume >= thr &&
	       d->flux_pub && d->flux_pub[k];
}

static int write_flows(gw *w)
{
	const ex_data *d = w->d;
	double thr = fmax(d->opts->flow_threshold, d->threshold);
	OGRLayerH lyr;
	int rc;

	if ((rc = gw_layer(w, &lyr, "flux", wkbLineString, "Flux",
			   "Flux de patients entre communes (au moins égaux au seuil ; les flux"
			   " masqués ne sont jamais écrits)")) < 0 ||
	    (rc = gw_fields(w, lyr, "flux", flux_cols, N_FLUX_COLS)) < 0)
		return rc;
	snprintf(w->geom_col[2], sizeof(w->geom_col[2]), "%s", OGR_L_GetGeometryColumn(lyr));
	w->has_flux = true;
	for (size_t k = 0; k < d->n_flows && rc == CPTS_OK; k++) {
		const ex_flow *fl = &d->flows[k];
		const cpts_commune *o, *de;
		long to, td;
		double x0, y0, x1, y1;
		OGRFeatureH f;
		OGRGeometryH ln;
		if (!flow_written(d, k, thr))
			continue;
		o = &d->m->c[fl->orig];
		de = &d->m->c[fl->dest];
		if ((rc = point_out(w, o, &x0, &y0)) < 0 || (rc = point_out(w, de, &x1, &y1)) < 0)
			break;
		to = d->p->commune_terr[fl->orig];
		td = d->p->commune_terr[fl->dest];
		f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
		set_str(f, 0, o->code);
		set_str(f, 1, de->code);
		set_str(f, 2, to >= 0 ? d->p->terr[to] : NULL);
		set_str(f, 3, td >= 0 ? d->p->terr[td] : NULL);
		set_real(f, 4, fl->volume);
		ln = OGR_G_CreateGeometry(wkbLineString);
		OGR_G_AddPoint_2D(ln, x0, y0);
		OGR_G_AddPoint_2D(ln, x1, y1);
		OGR_F_SetGeometryDirectly(f, ln);
		rc = gw_add(w, lyr, f, "flux");
		OGR_F_Destroy(f);
	}
	return rc;
}

/* ---- metadata and styles ---- */

static int meta_row(gw *w, OGRLayerH lyr, const char *cat, const char *key, const char *value,
		    const char *sha, long long n_rows, const char *vintage)
{
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
	int rc;

	set_str(f, 0, cat);
	set_str(f, 1, key);
	set_str(f, 2, value);
	set_str(f, 3, sha);
	if (n_rows >= 0)
		OGR_F_SetFieldInteger64(f, 4, n_rows);
	else
		OGR_F_SetFieldNull(f, 4);
	set_str(f, 5, vintage);
	rc = gw_add(w, lyr, f, "metadata");
	OGR_F_Destroy(f);
	return rc;
}

/* Fields of the metadata table. */
static const col meta_cols[] = {
	{ "categorie", OFTString, COL_CODE, NULL, "Catégorie",
	  "logiciel, export, partition, option, profil ou source", -1 },
	{ "cle", OFTString, COL_CODE, NULL, "Clé", "", -1 },
	{ "valeur", OFTString, COL_CODE, NULL, "Valeur", "", -1 },
	{ "sha256", OFTString, COL_CODE, NULL, "Empreinte SHA-256",
	  "Empreinte SHA-256 du fichier source", -1 },
	{ "n_lignes", OFTInteger64, COL_CODE, NULL, "Lignes", "Lignes lues du fichier", -1 },
	{ "millesime", OFTString, COL_CODE, NULL, "Millésime", "", -1 },
};
#define N_META_COLS (sizeof(meta_cols) / sizeof(meta_cols[0]))

static int write_metadata(gw *w)
{
	const ex_data *d = w->d;
	char num[64], crs[32];
	OGRLayerH lyr;
	int rc;

	if ((rc = gw_layer(w, &lyr, "metadata", wkbNone, "Métadonnées",
			   "Entrées (avec empreintes SHA-256), options et version de l'export")) < 0 ||
	    (rc = gw_fields(w, lyr, "metadata", meta_cols, N_META_COLS)) < 0)
		return rc;
	snprintf(crs, sizeof(crs), "EPSG:%d", w->out_srid);
#define ROW(cat, key, val)                                                              \
	do {                                                                            \
		if ((rc = meta_row(w, lyr, cat, key, val, NULL, -1, NULL)) < 0)          \
			return rc;                                                      \
	} while (0)
	ROW("logiciel", "cpts_version", CPTS_VERSION);
	ROW("export", "date", d->timestamp);
	ROW("export", "systeme_de_coordonnees", crs);
	ROW("partition", "nom", d->opts->partition);
	ROW("partition", "type", d->part_kind);
	ROW("partition", "source", d->part_source);
	ROW("partition", "parametres", d->part_params);
	ROW("partition", "creation", d->part_created);
	snprintf(num, sizeof(num), "%zu", d->p->n_terr);
	ROW("partition", "territoires", num);
	ROW("option", "format", d->opts->format);
	snprintf(num, sizeof(num), "%g", d->threshold);
	ROW("option", "seuil_masquage", num);
	snprintf(num, sizeof(num), "%g", d->opts->flow_threshold);
	ROW("option", "seuil_flux", num);
	ROW("option", "indicateur_carte", d->map_key);
	ROW("profil", "parametres", d->profile_params);
#undef ROW
	for (size_t k = 0; k < d->n_src; k++) {
		const ex_source *x = &d->src[k];
		if ((rc = meta_row(w, lyr, "source", x->tbl, x->file, x->sha256, x->n_rows,
				   x->vintage)) < 0)
			return rc;
	}
	return CPTS_OK;
}

/* Map indicators tried, in order, after the requested one when it has fewer than two
 * distinct values on a layer (a map of one colour, or of none, says nothing). */
static const char *const fallback_keys[] = { "mt_share", "icc", "gp_density", "apl",
					     "density", "share_75p", "pop_total", NULL };

/* The values of key on a layer, as written; returns their number. */
static size_t layer_values(const gw *w, bool communes, const char *key, double *v)
{
	const ex_data *d = w->d;
	size_t m = 0;
	bool masked;

	if (!communes) {
		for (size_t t = 0; t < d->p->n_terr; t++)
			v[m++] = ex_terr_number(d, t, key, NULL);
		return m;
	}
	for (size_t i = 0; i < d->m->n; i++)
		if (commune_written(w, i))
			v[m++] = commune_number(d, i, key, ex_commune_value(d, i, key), &masked);
	return m;
}

/* Choose the indicator a layer's style draws: the map indicator when it has two
 * distinct values there, else the first fallback that has (with a warning), else none
 * (outline style, with a warning). Fills m->attr, m->ind, m->cl. */
static void style_indicator(gw *w, bool communes, ex_qml_map *m)
{
	const ex_data *d = w->d;
	const char *layer = communes ? "communes" : "territoires";
	double *v = cpts_mallocarray((communes ? d->m->n : d->p->n_terr) + 1, sizeof(double));

	m->attr = NULL;
	for (int k = -1; fallback_keys[k + 1] || k < 0; k++) {
		const char *key = k < 0 ? d->map_key : fallback_keys[k];
		size_t n;
		if ((k >= 0 && strcmp(key, d->map_key) == 0) ||
		    (communes && skip_for_communes(key)))
			continue;
		n = layer_values(w, communes, key, v);
		if (ex_style_distinct(v, n) < 2)
			continue;
		m->attr = key;
		m->ind = cpts_indicator_find(key);
		ex_style_classes(&m->cl, v, n);
		break;
	}
	if (!m->attr)
		cpts_warn(w->ctx, "map indicator '%s' has fewer than two distinct values on layer"
			  " %s and so has every other: its default style draws outlines only",
			  d->map_key, layer);
	else if (strcmp(m->attr, d->map_key) != 0)
		cpts_warn(w->ctx, "map indicator '%s' has fewer than two distinct values on layer"
			  " %s: its default style draws '%s' instead", d->map_key, layer, m->attr);
	m->has_mask = m->attr && ex_maskable(m->ind) && (!communes || !skip_for_communes(m->attr));
	free(v);
}

/* The aliases and precisions of a layer's columns, for its QML; names (may be NULL)
 * are the Shapefile names. */
static ex_qml_field *qml_fields(const col *cols, size_t n, char (*names)[11])
{
	ex_qml_field *f = cpts_mallocarray(n + 1, sizeof(ex_qml_field));

	for (size_t k = 0; k < n; k++) {
		f[k].name = names ? names[k] : cols[k].name;
		f[k].alias = cols[k].label;
		f[k].decimals = cols[k].type == OFTReal ? cols[k].decimals : -1;
	}
	return f;
}

static int style_row(gw *w, OGRLayerH lyr, const char *table, const char *geom_col,
		     const char *key, const char *qml, const char *desc)
{
	const ex_data *d = w->d;
	OGRFeatureH f;
	char name[96];
	int rc;

	if (key)
		snprintf(name, sizeof(name), "%s (%s)", table, key);
	else
		snprintf(name, sizeof(name), "%s", table);
	if (w->is_pg) {
		ex_pg_style(&w->pg_sql, w->pg_catalog, w->pg_schema, table, geom_col, name, qml,
			    desc, d->timestamp);
		return CPTS_OK;
	}
	if (w->is_shp) { /* QGIS reads <layer>.qml beside a shapefile as its default style */
		char *p = cpts_asprintf("%s/%s.qml", w->tmp_path, table);
		rc = ex_write_file_atomic(w->ctx, p, qml, strlen(qml));
		free(p);
		return rc;
	}
	f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
	/* QGIS selects a GeoPackage's default style with f_table_catalog = '' and
	   f_table_schema = '': never NULL (PostGIS: database and schema, out_pg.c) */
	OGR_F_SetFieldString(f, 0, "");
	OGR_F_SetFieldString(f, 1, "");
	set_str(f, 2, table);
	OGR_F_SetFieldString(f, 3, geom_col); /* '' for a table without geometry */
	set_str(f, 4, name);
	set_str(f, 5, qml);
	OGR_F_SetFieldString(f, 6, "");
	OGR_F_SetFieldInteger(f, 7, 1);
	set_str(f, 8, desc);
	set_str(f, 9, "cpts");
	OGR_F_SetFieldNull(f, 10);
	OGR_F_SetFieldString(f, 11, d->timestamp);
	rc = gw_add(w, lyr, f, "layer_styles");
	OGR_F_Destroy(f);
	return rc;
}

/* Style of the communes (communes = true) or territories layer. */
static int polygon_style(gw *w, OGRLayerH lyr, bool communes)
{
	cpts_vec cols;
	ex_qml_map m;
	ex_qml_field *f;
	cpts_buf qml = CPTS_BUF_INIT;
	char (*names)[11] = NULL;
	const char *attr = NULL, *key;
	int rc = CPTS_OK;

	memset(&m, 0, sizeof(m));
	cpts_vec_init(&cols, sizeof(col), SIZE_MAX / sizeof(col));
	if (communes)
		commune_cols(&cols);
	else
		territory_cols(&cols);
	style_indicator(w, communes, &m);
	key = m.attr;
	m.threshold = w->d->threshold;
	m.label_field = communes ? "nom" : "territoire";
	m.fill_outline = communes ? 0.1 : 0.3;
	m.outline_rule = !communes;
	m.line_width = 0.8;
	m.outline_label = "Limites des territoires";
	if (communes && !m.attr) {
		m.outline_label = "Limites des communes";
		m.line_width = 0.2;
	}
	if (w->is_shp) { /* the style names the short fields */
		const col *c = cols.data;
		names = shp_names(c, cols.n);
		for (size_t k = 0; m.attr && k < cols.n; k++) {
			if (!c[k].ind || strcmp(c[k].ind->key, m.attr) != 0)
				continue;
			if (c[k].what == COL_IND)
				attr = names[k];
			else if (c[k].what == COL_MASK)
				m.mask_attr = names[k];
		}
	}
	f = qml_fields(cols.data, cols.n, names);
	if (attr) {
		key = m.attr;
		m.attr = attr;
	}
	ex_qml_write(&qml, &m, f, cols.n);
	free(names);
	rc = style_row(w, lyr, communes ? "communes" : "territoires",
		       w->geom_col[communes ? 0 : 1], key, qml.data,
		       communes ? "Choroplèthe des communes, étiquettes : nom"
				: "Choroplèthe et limites des territoires, étiquettes : identifiant");
	free(f);
	cpts_buf_release(&qml);
	cpts_vec_release(&cols);
	return rc;
}

/* Style of the flux layer: arrows whose width grows with the volume class. */
static int flow_style(gw *w, OGRLayerH lyr)
{
	const ex_data *d = w->d;
	double thr = fmax(d->opts->flow_threshold, d->threshold);
	double *v = cpts_mallocarray(d->n_flows + 1, sizeof(double));
	char (*names)[11] = w->is_shp ? shp_names(flux_cols, N_FLUX_COLS) : NULL;
	ex_qml_field *f = qml_fields(flux_cols, N_FLUX_COLS, names);
	cpts_buf qml = CPTS_BUF_INIT;
	ex_qml_map m;
	size_t n = 0;
	int rc;

	memset(&m, 0, sizeof(m));
	for (size_t k = 0; k < d->n_flows; k++)
		if (flow_written(d, k, thr))
			v[n++] = d->flows[k].volume;
	m.attr = "volume";
	m.ind = &volume_ind;
	m.lines = true;
	ex_style_classes(&m.cl, v, n);
	ex_qml_write(&qml, &m, f, N_FLUX_COLS);
	rc = style_row(w, lyr, "flux", w->geom_col[2], "volume", qml.data,
		       "Flux de patients : flèches d'épaisseur croissante avec le volume");
	cpts_buf_release(&qml);
	free(f);
	free(names);
	free(v);
	return rc;
}

/* Style of the metadata table: its French aliases. */
static int table_style(gw *w, OGRLayerH lyr)
{
	ex_qml_field *f = qml_fields(meta_cols, N_META_COLS, NULL);
	cpts_buf qml = CPTS_BUF_INIT;
	ex_qml_map m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.table = true;
	ex_qml_write(&qml, &m, f, N_META_COLS);
	rc = style_row(w, lyr, "metadata", "", NULL, qml.data, "Alias des champs");
	cpts_buf_release(&qml);
	free(f);
	return rc;
}

static int write_styles(gw *w)
{
	static const col cols[] = {
		{ "f_table_catalog", OFTString, COL_CODE, NULL, "", "", -1 },
		{ "f_table_schema", OFTString, COL_CODE, NULL, "", "", -1 },
		{ "f_table_name", OFTString, COL_CODE, NULL, "", "", -1 },
		{ "f_geometry_column", OFTString, COL_CODE, NULL, "", "", -1 },
		{ "styleName", OFTString, COL_CODE, NULL, "", "", -1 },
		{ "styleQML", OFTString, COL_CODE, NULL, "", "", -1 },
		{ "styleSLD", OFTString, COL_CODE, NULL, "", "", -1 },
		{ "useAsDefault", OFTInteger, COL_CODE, NULL, "", "", -1 },
		{ "description", OFTString, COL_CODE, NULL, "", "", -1 },
		{ "owner", OFTString, COL_CODE, NULL, "", "", -1 },
		{ "ui", OFTString, COL_CODE, NULL, "", "", -1 },
		{ "update_time", OFTDateTime, COL_CODE, NULL, "", "", -1 },
	};
	OGRLayerH lyr = NULL;
	bool gpkg = w->is_gpkg;
	int rc = CPTS_OK;

	w->is_gpkg = false; /* QGIS's own table: no French aliases */
	if (w->is_pg) /* QGIS's own table, in SQL (out_pg.c) */
		ex_pg_styles_table(&w->pg_sql, w->pg_catalog, w->pg_schema);
	else if (!w->is_shp) /* Shapefile: one .qml file per layer */
		rc = gw_layer(w, &lyr, "layer_styles", wkbNone, "layer_styles",
			      "Styles QGIS par défaut");
	if (rc == CPTS_OK && lyr)
		rc = gw_fields(w, lyr, "layer_styles", cols, sizeof(cols) / sizeof(cols[0]));
	w->is_gpkg = gpkg;
	if (rc < 0 || (rc = polygon_style(w, lyr, true)) < 0 ||
	    (rc = polygon_style(w, lyr, false)) < 0)
		return rc;
	if (w->has_flux && (rc = flow_style(w, lyr)) < 0)
		return rc;
	return table_style(w, lyr);
}

static int write_data_columns(gw *w)
{
	static const char ddl[] =
		"CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL,"
		" column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT,"
		" mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY"
		" (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name));\n"
		"CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT,"
		" extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,"
		" CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));\n"
		"INSERT OR IGNORE INTO gpkg_extensions VALUES('gpkg_data_columns', NULL,"
		" 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema',"
		" 'read-write');\n"
		/* the schema extension is the two tables (Req 141 of the GeoPackage
		   standard, checked by GDAL's validate_gpkg.py) */
		"CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT"
		" NOT NULL, constraint_type TEXT NOT NULL, value TEXT, min NUMERIC,"
		" min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description"
		" TEXT, CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type,"
		" value));\n"
		"INSERT OR IGNORE INTO gpkg_extensions VALUES('gpkg_data_column_constraints',"
		" NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema',"
		" 'read-write');\n";
	cpts_buf all = CPTS_BUF_INIT;
	char *p, *stmt;
	int rc = CPTS_OK;

	if (!w->is_gpkg)
		return CPTS_OK;
	cpts_buf_addstr(&all, ddl);
	cpts_buf_add(&all, w->dc_sql.data, w->dc_sql.len);
	/* one statement per line: ExecuteSQL runs a single statement */
	for (p = all.data; rc == CPTS_OK && (stmt = p) && *p; ) {
		OGRLayerH res;
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : p + strlen(p);
		if (!*stmt)
			continue;
		cpts_gdal_clear_error();
		res = GDALDatasetExecuteSQL(w->ds, stmt, NULL, "NATIVE");
		if (res)
			GDALDatasetReleaseResultSet(w->ds, res);
		if (CPLGetLastErrorType() >= CE_Failure)
			rc = cpts_fail_gdal(w->ctx, CPTS_EIO, "cannot write the field aliases of"
					    " '%s'", w->tmp_path);
	}
	cpts_buf_release(&all);
	return rc;
}

/* Choose the output CRS: the common CRS of the partition's communes, else EPSG:4326. */
static int output_srid(const ex_data *d)
{
	int srid = 0;

	for (size_t k = 0; k < d->p->n_members; k++) {
		int s = d->m->c[d->p->members[k].commune].srid;
		if (srid == 0)
			srid = s;
		else if (s != srid)
			return 4326;
	}
	return srid ? srid : 2154;
}

static int gw_finish(gw *w)
{
	int rc;

	if (w->ds && w->in_tx) {
		if (GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE)
			return cpts_fail_gdal(w->ctx, CPTS_EIO, "cannot commit '%s'", w->tmp_path);
		w->in_tx = false;
	}
	if (w->ds && (rc = write_data_columns(w)) < 0)
		return rc;
	if (w->ds && w->is_pg && (rc = ex_pg_exec(w->ctx, w->ds, &w->pg_sql, w->final_path)) < 0)
		return rc;
	if ((rc = gw_close_ds(w)) < 0)
		return rc;
	if (w->direct)
		return CPTS_OK;
	if (w->is_shp) { /* the short-name mapping beside the layers */
		char *p = cpts_asprintf("%s/champs.csv", w->tmp_path);
		rc = ex_write_file_atomic(w->ctx, p, w->shp_map.data, w->shp_map.len);
		free(p);
		if (rc < 0)
			return rc;
	}
	return commit_tmp(w);
}

int ex_write_gpkg(cpts_ctx *ctx, const ex_data *d, const char *path, const char *format)
{
	gw w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.d = d;
	w.dc_sql = (cpts_buf)CPTS_BUF_INIT;
	w.pg_sql = (cpts_buf)CPTS_BUF_INIT;
	w.shp_map = (cpts_buf)CPTS_BUF_INIT;
	w.pg_schema = d->opts->schema && *d->opts->schema ? d->opts->schema : "public";
	w.out_srid = output_srid(d);
	if ((rc = gw_open(&w, path, format)) < 0 || (rc = write_communes(&w)) < 0 ||
	    (rc = cpts_progress(ctx, 0.5, "writing territories")) < 0 ||
	    (rc = write_territories(&w)) < 0)
		goto out;
	if (d->opts->flow_threshold > 0 && (rc = write_flows(&w)) < 0)
		goto out;
	if ((rc = write_metadata(&w)) < 0)
		goto out;
	if ((w.multi || w.is_shp) && (rc = write_styles(&w)) < 0)
		goto out;
	if ((rc = cpts_progress(ctx, 0.6, "closing the dataset")) < 0)
		goto out;
	rc = gw_finish(&w);
out:
	if (w.ds) {
		if (w.in_tx)
			GDALDatasetRollbackTransaction(w.ds);
		GDALClose(w.ds);
	}
	if (rc < 0 && w.tmp_path && !w.direct)
		remove_path(w.tmp_path);
	if (w.srs)
		OSRRelease(w.srs);
	free(w.final_path);
	free(w.tmp_path);
	cpts_buf_release(&w.dc_sql);
	cpts_buf_release(&w.pg_sql);
	cpts_buf_release(&w.shp_map);
	free(w.pg_catalog);
	ex_reproj_release(&w.rp);
	return rc;
}
