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
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpts/version.h"
#include "dep/dep.h"
#include "export/export_int.h"

/* What a column holds. */
enum col_what {
	COL_CODE, COL_NOM, COL_DEP, COL_REG, COL_TERR, COL_IND, COL_MASK, COL_MIN, COL_MAX,
	COL_CLASS,
	COL_D1, COL_D1S, COL_D2, COL_D2S, COL_OWN, COL_STATUT, COL_POLE, COL_POLE_NOM,
	COL_COASSIGN,
};

/** One column of a layer: name, OGR type, French alias and description, source. */
typedef struct col {
	char name[64];              /* field name */
	OGRFieldType type;
	enum col_what what;
	const cpts_indicator *ind;  /* COL_IND / COL_MASK / COL_MIN / COL_MAX: BORROWED from
				       the catalogue */
	char label[160];            /* French alias (gpkg_data_columns.name) */
	char desc[320];             /* French description */
} col;

/** Writer state. */
typedef struct gw {
	cpts_ctx *ctx;
	ex_data *d;                 /* BORROWED (its reprojection cache is used) */
	GDALDriverH drv;            /* BORROWED */
	bool multi;                 /* the driver holds several layers in one dataset */
	bool is_gpkg;
	bool direct;                /* connection string: written in place */
	char *final_path;           /* OWNED */
	char *tmp_path;             /* OWNED: dataset or directory being written */
	char ext[16];               /* per-layer file extension (single-layer drivers) */
	GDALDatasetH ds;            /* OWNED: the open dataset */
	bool in_tx;                 /* a transaction is open on ds */
	OGRSpatialReferenceH srs;   /* OWNED: output CRS */
	int out_srid;
	cpts_buf dc_sql;            /* gpkg_data_columns inserts, run at the end */
	char geom_col[2][64];       /* geometry column of communes / territoires */
} gw;

static const char *const commune_skip[] = { "n_communes", "aci_tier", "aci_ceiling_eur",
					    "aci_distance", "li", "msi", "pac", NULL };

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
	snprintf(c->label, sizeof(c->label), "%s", label);
	snprintf(c->desc, sizeof(c->desc), "%s", desc);
	return c;
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
		char desc[320], name[64], label[160];
		col *c;
		if (communes && skip_for_communes(ind->key))
			continue;
		snprintf(desc, sizeof(desc), "%s%s%s%s", ind->label_fr, *ind->unit_fr ? " (" : "",
			 ind->unit_fr, *ind->unit_fr ? ")" : "");
		if (strcmp(ind->unit_fr, "%") == 0)
			snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc),
				 ", en pourcentage de 0 à 100");
		c = col_push(v, ind->key, OFTReal, COL_IND, ind->label_fr, desc);
		c->ind = ind;
		if (!ex_maskable(ind))
			continue;
		for (size_t k = 0; k < sizeof(companions) / sizeof(companions[0]); k++) {
			const struct companion *cp = &companions[k];
			snprintf(name, sizeof(name), "%s_%s", ind->key, cp->suffix);
			snprintf(label, sizeof(label), "%s (%s)", ind->label_fr, cp->label);
			c = col_push(v, name, cp->type, cp->what, label, cp->desc);
			c->ind = ind;
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

/* "dir/out.gpkg" -> "dir/out.tmp.gpkg" (drivers check the extension); "dir/x" -> "x.tmp" */
static char *tmp_name(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

	if (dot && (!slash || dot > slash + 1))
		return cpts_asprintf("%.*s.tmp%s", (int)(dot - path), path, dot);
	return cpts_asprintf("%s.tmp", path);
}

/* Remove a file, or a directory of files (one level: what single-layer drivers write). */
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
		remove_path(w->tmp_path);
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
		int e = cpts_mkdir_p(w->tmp_path, 0777);
		if (e != 0)
			return cpts_fail(ctx, CPTS_EIO, "cannot create directory '%s': %s",
					 w->tmp_path, strerror(-e));
		return CPTS_OK;
	}
	cpts_gdal_clear_error();
	w->ds = GDALCreate(w->drv, w->tmp_path, 0, 0, 0, GDT_Unknown, NULL);
	if (!w->ds)
		return cpts_fail_gdal(ctx, CPTS_EIO, "cannot create '%s' with driver %s",
				      w->tmp_path, format);
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
	for (size_t k = 0; k < n; k++) {
		OGRFieldDefnH f = OGR_Fld_Create(cols[k].name, cols[k].type);
		OGRErr e;
		if (!w->is_gpkg)
			OGR_Fld_SetAlternativeName(f, cols[k].label);
		cpts_gdal_clear_error();
		e = OGR_L_CreateField(lyr, f, TRUE);
		OGR_Fld_Destroy(f);
		if (e != OGRERR_NONE)
			return cpts_fail_gdal(w->ctx, CPTS_EIO, "cannot create field '%s' of layer"
					      " '%s'", cols[k].name, layer);
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

static void set_real(OGRFeatureH f, int k, double v)
{
	if (isnan(v))
		OGR_F_SetFieldNull(f, k);
	else
		OGR_F_SetFieldDouble(f, k, v);
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

static void commune_fields(const ex_data *d, size_t i, OGRFeatureH f, const col *cols,
			   size_t n, cpts_buf *tmp)
{
	const cpts_commune *c = &d->m->c[i];
	const ex_attract *a = &d->att[i];

	for (size_t k = 0; k < n; k++) {
		const cpts_pvalue *pv;
		int fk = (int)k;
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
			pv = ex_commune_value(d, i, cols[k].ind->key);
			set_real(f, fk, pv && !pv->masked ? pv->value : NAN);
			break;
		case COL_MASK:
			pv = ex_commune_value(d, i, cols[k].ind->key);
			OGR_F_SetFieldInteger(f, fk, pv && pv->masked ? 1 : 0);
			break;
		case COL_MIN:
		case COL_MAX:
			set_bound(f, fk, ex_commune_value(d, i, cols[k].ind->key),
				  cols[k].what == COL_MAX);
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
	if ((rc = ex_geos_to_ogr(w->ctx, &w->d->rp, &og, g, srid, w->out_srid)) < 0)
		return rc;
	if (multi)
		og = OGR_G_ForceToMultiPolygon(og);
	OGR_F_SetGeometryDirectly(f, og);
	return CPTS_OK;
}

static int write_communes(gw *w)
{
	const ex_data *d = w->d;
	cpts_vec cols;
	OGRLayerH lyr;
	cpts_buf tmp = CPTS_BUF_INIT;
	int rc;

	cpts_vec_init(&cols, sizeof(col), 512);
	commune_cols(&cols);
	if ((rc = gw_layer(w, &lyr, "communes", wkbMultiPolygon, "Communes",
			   "Communes avec leur territoire (vide pour une commune hors de tout"
			   " territoire) et leurs indicateurs (valeurs soumises au secret"
			   " statistique : NULL et champ _masque = 1)")) < 0 ||
	    (rc = gw_fields(w, lyr, "communes", cols.data, cols.n)) < 0)
		goto out;
	snprintf(w->geom_col[0], sizeof(w->geom_col[0]), "%s", OGR_L_GetGeometryColumn(lyr));
	for (size_t i = 0; i < d->m->n && rc == CPTS_OK; i++) {
		OGRFeatureH f;
		/* communes outside every territory (white zones) are written too, with no
		   territory, so planners see them; only those of the output's CRS area */
		if (d->p->commune_terr[i] == -1 && w->out_srid != 4326 &&
		    d->m->c[i].srid != w->out_srid)
			continue;
		if ((i & 255) == 0 &&
		    (rc = cpts_progress(w->ctx, 0.3 + 0.2 * (double)i / (double)d->m->n,
					"writing communes")) < 0)
			break;
		f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
		commune_fields(d, i, f, cols.data, cols.n, &tmp);
		rc = set_geom(w, f, d->m->geoms[i], d->m->c[i].srid, true);
		if (rc == CPTS_OK)
			rc = gw_add(w, lyr, f, "communes");
		OGR_F_Destroy(f);
	}
out:
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

	cpts_vec_init(&cols, sizeof(col), 512);
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
	if ((rc = ex_reproj_get(w->ctx, &w->d->rp, &ct, c->srid, w->out_srid)) < 0)
		return rc;
	if (!OCTTransform(ct, 1, x, y, NULL))
		return cpts_fail_gdal(w->ctx, CPTS_EINPUT, "cannot reproject the point of"
				      " commune %s", c->code);
	return CPTS_OK;
}

static int write_flows(gw *w)
{
	const ex_data *d = w->d;
	double thr = fmax(d->opts->flow_threshold, d->threshold);
	OGRLayerH lyr;
	static const col cols[] = {
		{ "origine", OFTString, COL_CODE, NULL, "Commune d'origine",
		  "Commune de résidence des patients" },
		{ "destination", OFTString, COL_CODE, NULL, "Commune de destination",
		  "Commune d'exercice des professionnels" },
		{ "territoire_origine", OFTString, COL_TERR, NULL, "Territoire d'origine", "" },
		{ "territoire_destination", OFTString, COL_TERR, NULL, "Territoire de destination",
		  "" },
		{ "volume", OFTReal, COL_IND, NULL, "Volume", "Nombre de recours (actes), toutes"
		  " professions ; seuls les flux au moins égaux au seuil et non masqués sont"
		  " écrits" },
	};
	int rc;

	if ((rc = gw_layer(w, &lyr, "flux", wkbLineString, "Flux",
			   "Flux de patients entre communes (au moins égaux au seuil ; les flux"
			   " masqués ne sont jamais écrits)")) < 0 ||
	    (rc = gw_fields(w, lyr, "flux", cols, sizeof(cols) / sizeof(cols[0]))) < 0)
		return rc;
	for (size_t k = 0; k < d->n_flows && rc == CPTS_OK; k++) {
		const ex_flow *fl = &d->flows[k];
		const cpts_commune *o, *de;
		long to, td;
		double x0, y0, x1, y1;
		OGRFeatureH f;
		OGRGeometryH ln;
		if (fl->masked || fl->dest < 0 || fl->dest == fl->orig || !(fl->volume >= thr))
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
		OGR_F_SetFieldDouble(f, 4, fl->volume);
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

static int write_metadata(gw *w)
{
	const ex_data *d = w->d;
	static const col cols[] = {
		{ "categorie", OFTString, COL_CODE, NULL, "Catégorie",
		  "logiciel, export, partition, option, profil ou source" },
		{ "cle", OFTString, COL_CODE, NULL, "Clé", "" },
		{ "valeur", OFTString, COL_CODE, NULL, "Valeur", "" },
		{ "sha256", OFTString, COL_CODE, NULL, "Empreinte SHA-256",
		  "Empreinte SHA-256 du fichier source" },
		{ "n_lignes", OFTInteger64, COL_CODE, NULL, "Lignes", "Lignes lues du fichier" },
		{ "millesime", OFTString, COL_CODE, NULL, "Millésime", "" },
	};
	char num[64], crs[32];
	OGRLayerH lyr;
	int rc;

	if ((rc = gw_layer(w, &lyr, "metadata", wkbNone, "Métadonnées",
			   "Entrées (avec empreintes SHA-256), options et version de l'export")) < 0 ||
	    (rc = gw_fields(w, lyr, "metadata", cols, sizeof(cols) / sizeof(cols[0]))) < 0)
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
	ROW("profil", "commande", d->profile_args);
#undef ROW
	for (size_t k = 0; k < d->n_src; k++) {
		const ex_source *x = &d->src[k];
		if ((rc = meta_row(w, lyr, "source", x->tbl, x->file, x->sha256, x->n_rows,
				   x->vintage)) < 0)
			return rc;
	}
	return CPTS_OK;
}

static void classes_for(const ex_data *d, bool communes, ex_classes *cl)
{
	size_t n = communes ? d->m->n : d->p->n_terr, m = 0;
	double *v = cpts_mallocarray(n + 1, sizeof(double));

	for (size_t i = 0; i < n; i++) {
		const cpts_pvalue *pv;
		if (!communes) {
			v[m++] = ex_terr_number(d, i, d->map_key, NULL);
			continue;
		}
		if (d->p->commune_terr[i] == -1)
			continue;
		pv = ex_commune_value(d, i, d->map_key);
		v[m++] = pv && !pv->masked ? pv->value : NAN;
	}
	ex_classes_make(cl, v, m);
	free(v);
}

static int style_row(gw *w, OGRLayerH lyr, const char *table, const char *geom_col,
		     const char *qml, const char *desc)
{
	const ex_data *d = w->d;
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
	char name[96];
	int rc;

	snprintf(name, sizeof(name), "%s (%s)", table, d->map_key);
	set_str(f, 0, "");
	set_str(f, 1, "");
	set_str(f, 2, table);
	set_str(f, 3, geom_col);
	set_str(f, 4, name);
	set_str(f, 5, qml);
	set_str(f, 6, "");
	OGR_F_SetFieldInteger(f, 7, 1);
	set_str(f, 8, desc);
	set_str(f, 9, "cpts");
	OGR_F_SetFieldNull(f, 10);
	OGR_F_SetFieldString(f, 11, d->timestamp);
	rc = gw_add(w, lyr, f, "layer_styles");
	OGR_F_Destroy(f);
	return rc;
}

static int write_styles(gw *w)
{
	const ex_data *d = w->d;
	static const col cols[] = {
		{ "f_table_catalog", OFTString, COL_CODE, NULL, "", "" },
		{ "f_table_schema", OFTString, COL_CODE, NULL, "", "" },
		{ "f_table_name", OFTString, COL_CODE, NULL, "", "" },
		{ "f_geometry_column", OFTString, COL_CODE, NULL, "", "" },
		{ "styleName", OFTString, COL_CODE, NULL, "", "" },
		{ "styleQML", OFTString, COL_CODE, NULL, "", "" },
		{ "styleSLD", OFTString, COL_CODE, NULL, "", "" },
		{ "useAsDefault", OFTInteger, COL_CODE, NULL, "", "" },
		{ "description", OFTString, COL_CODE, NULL, "", "" },
		{ "owner", OFTString, COL_CODE, NULL, "", "" },
		{ "ui", OFTString, COL_CODE, NULL, "", "" },
		{ "update_time", OFTDateTime, COL_CODE, NULL, "", "" },
	};
	const cpts_indicator *ind = cpts_indicator_find(d->map_key);
	cpts_buf qml = CPTS_BUF_INIT;
	ex_classes cl;
	OGRLayerH lyr;
	bool gpkg = w->is_gpkg;
	int rc;

	w->is_gpkg = false; /* QGIS's own table: no French aliases */
	rc = gw_layer(w, &lyr, "layer_styles", wkbNone, "layer_styles", "Styles QGIS par défaut");
	if (rc == CPTS_OK)
		rc = gw_fields(w, lyr, "layer_styles", cols, sizeof(cols) / sizeof(cols[0]));
	w->is_gpkg = gpkg;
	if (rc < 0)
		goto out;
	classes_for(d, true, &cl);
	ex_qml_graduated(&qml, d->map_key, ind, &cl, "nom", 0.1);
	if ((rc = style_row(w, lyr, "communes", w->geom_col[0], qml.data,
			    "Choroplèthe des communes, étiquettes : nom")) < 0)
		goto out;
	cpts_buf_reset(&qml);
	classes_for(d, false, &cl);
	ex_qml_graduated(&qml, d->map_key, ind, &cl, "territoire", 0.6);
	rc = style_row(w, lyr, "territoires", w->geom_col[1], qml.data,
		       "Choroplèthe des territoires, étiquettes : identifiant");
out:
	cpts_buf_release(&qml);
	return rc;
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
	if ((rc = gw_close_ds(w)) < 0)
		return rc;
	if (w->direct)
		return CPTS_OK;
	remove_path(w->final_path);
	if (rename(w->tmp_path, w->final_path) != 0)
		return cpts_fail(w->ctx, CPTS_EIO, "cannot rename '%s' to '%s': %s", w->tmp_path,
				 w->final_path, strerror(errno));
	return CPTS_OK;
}

int ex_write_gpkg(cpts_ctx *ctx, const ex_data *d, const char *path, const char *format)
{
	gw w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.d = (ex_data *)d; /* only its reprojection cache is written */
	w.dc_sql = (cpts_buf)CPTS_BUF_INIT;
	w.out_srid = output_srid(d);
	if ((rc = gw_open(&w, path, format)) < 0 || (rc = write_communes(&w)) < 0 ||
	    (rc = cpts_progress(ctx, 0.5, "writing territories")) < 0 ||
	    (rc = write_territories(&w)) < 0)
		goto out;
	if (d->opts->flow_threshold > 0 && (rc = write_flows(&w)) < 0)
		goto out;
	if ((rc = write_metadata(&w)) < 0)
		goto out;
	if (w.multi && (rc = write_styles(&w)) < 0)
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
	return rc;
}
