/*
 * write.c - the files of a synthetic territory, in the input contract of DOMAIN.md
 * section 3: communes.geojson, population.csv, consumption.csv, mt.csv, supply.csv,
 * flows.csv, partition.csv, attributes.csv, traveltime.csv (optional), README.txt; and
 * the catalogue's indicators (indicators.c): indicators.csv, zonage.csv,
 * indicators_truth.csv (optional).
 *
 * Why hand-written writers: the output must be byte-identical for a seed, small and
 * diffable (one GeoJSON feature per line, rows sorted by commune code), and the flows
 * file must stream millions of rows without holding them. Every file is written to
 * `<name>.tmp` and renamed on success, so an interrupted run leaves no half file.
 *
 * Formats: `;`-separated UTF-8 without BOM, `\n` line ends; health counts between 1
 * and 10 are written `<11` (masked, DOMAIN.md section 7); populations are not masked.
 * GeoJSON carries the CRS as a `crs` member (urn:ogc:def:crs:EPSG::2154), which GDAL
 * reads; coordinates are metres rounded to the centimetre, exterior rings
 * counter-clockwise.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/util.h"
#include "dep/dep.h"
#include "synth/synth_int.h"

/* An output file being written under a temporary name. */
typedef struct out_file {
	FILE *f;
	char *path; /* OWNED final path */
	char *tmp;  /* OWNED temporary path */
} out_file;

static int out_open(cpts_ctx *ctx, out_file *o, const char *dir, const char *name)
{
	o->path = cpts_asprintf("%s/%s", dir, name);
	o->tmp = cpts_asprintf("%s/%s.tmp", dir, name);
	o->f = fopen(o->tmp, "wb");
	if (!o->f)
		return cpts_fail(ctx, CPTS_EIO, "cannot write '%s': %s", o->tmp, strerror(errno));
	setvbuf(o->f, NULL, _IOFBF, 1 << 20);
	return CPTS_OK;
}

/* Close; on success rename to the final name, on failure (rc < 0) remove the temp. */
static int out_close(cpts_ctx *ctx, out_file *o, int rc)
{
	if (o->f) {
		bool bad = fflush(o->f) != 0 || ferror(o->f);
		int err = errno;
		if (fclose(o->f) != 0 && !bad)
			bad = true, err = errno;
		o->f = NULL;
		if (bad && rc >= 0)
			rc = cpts_fail(ctx, CPTS_EIO, "cannot write '%s': %s", o->tmp, strerror(err));
		if (rc >= 0 && rename(o->tmp, o->path) != 0)
			rc = cpts_fail(ctx, CPTS_EIO, "cannot rename '%s' to '%s': %s", o->tmp,
				       o->path, strerror(errno));
		if (rc < 0)
			unlink(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	o->path = o->tmp = NULL;
	return rc;
}

static const cpts_synth *g_order_s; /* qsort has no context argument (C17) */

static int cmp_code(const void *a, const void *b)
{
	return strcmp(g_order_s->code[*(const size_t *)a], g_order_s->code[*(const size_t *)b]);
}

/* Commune indices in code order (OWNED). */
static size_t *code_order(const cpts_synth *s)
{
	size_t *ord = cpts_mallocarray(s->n, sizeof(*ord));

	for (size_t i = 0; i < s->n; i++)
		ord[i] = i;
	g_order_s = s;
	cpts_qsort(ord, s->n, sizeof(*ord), cmp_code);
	return ord;
}

/* One polygon ring as GeoJSON, centimetre-rounded, consecutive duplicates dropped,
 * counter-clockwise. */
static void put_ring(cpts_ctx *ctx, cpts_buf *b, const GEOSGeometry *g)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(ctx->geos, GEOSGetExteriorRing_r(ctx->geos, g));
	unsigned nv = 0, m = 0;
	double *xy, area2 = 0;

	GEOSCoordSeq_getSize_r(ctx->geos, cs, &nv);
	xy = cpts_mallocarray(nv ? nv : 1, 2 * sizeof(double));
	for (unsigned v = 0; v < nv; v++) {
		double x, y;
		GEOSCoordSeq_getXY_r(ctx->geos, cs, v, &x, &y);
		x = round(x * 100.0) / 100.0;
		y = round(y * 100.0) / 100.0;
		if (m > 0 && xy[2 * m - 2] == x && xy[2 * m - 1] == y)
			continue;
		xy[2 * m] = x, xy[2 * m + 1] = y;
		m++;
	}
	for (unsigned v = 0; v + 1 < m; v++)
		area2 += xy[2 * v] * xy[2 * v + 3] - xy[2 * v + 2] * xy[2 * v + 1];
	cpts_buf_addstr(b, "[[");
	for (unsigned k = 0; k < m; k++) {
		unsigned v = area2 >= 0 ? k : m - 1 - k;
		cpts_buf_addf(b, "%s[%.2f,%.2f]", k ? "," : "", xy[2 * v], xy[2 * v + 1]);
	}
	cpts_buf_addstr(b, "]]");
	free(xy);
}

static int write_communes(cpts_ctx *ctx, const cpts_synth *s, const size_t *ord, const char *dir)
{
	out_file o = { 0 };
	cpts_buf b = CPTS_BUF_INIT;
	int rc;

	if ((rc = out_open(ctx, &o, dir, "communes.geojson")) < 0)
		goto out;
	fputs("{\"type\":\"FeatureCollection\",\"name\":\"communes\",\"crs\":{\"type\":\"name\","
	      "\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::2154\"}},\"features\":[\n", o.f);
	for (size_t k = 0; k < s->n; k++) {
		size_t i = ord[k];
		cpts_buf_reset(&b);
		cpts_buf_addf(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":\"%s\",\"nom\":", s->code[i]);
		cpts_buf_add_json(&b, s->name[i]);
		cpts_buf_addf(&b, ",\"dep\":\"%s\",\"reg\":\"%s\"},\"geometry\":{\"type\":\"Polygon\","
			      "\"coordinates\":", s->dep_code[s->dep[i]], s->dep_reg[s->dep[i]]);
		put_ring(ctx, &b, s->geom[i]);
		cpts_buf_addf(&b, "}}%s\n", k + 1 < s->n ? "," : "");
		fwrite(b.data, 1, b.len, o.f);
	}
	fputs("]}\n", o.f);
out:
	cpts_buf_release(&b);
	return out_close(ctx, &o, rc);
}

static int write_population(cpts_ctx *ctx, const cpts_synth *s, const size_t *ord,
			    const char *dir, bool actes)
{
	out_file o = { 0 };
	int rc;

	if ((rc = out_open(ctx, &o, dir, actes ? "consumption.csv" : "population.csv")) < 0)
		goto out;
	/* consumption: GPs, then the other professions (synth_prof_consumption_put) */
	fprintf(o.f, "code_commune;sexe;classe_age;%s\n", actes ? "actes;profession" : "population");
	for (size_t k = 0; k < s->n; k++) {
		size_t i = ord[k];
		for (int x = 0; x < 2; x++) {
			for (int a = 0; a < SYNTH_N_AGES; a++) {
				fputs(s->code[i], o.f);
				fputs(x ? ";M;" : ";F;", o.f);
				fputs(synth_age_label[a], o.f);
				fputc(';', o.f);
				if (actes) {
					synth_put_count(o.f, s->actes[i][x][a]);
					fputs(";medecin_generaliste", o.f);
				} else {
					synth_put_long(o.f, s->cells[i][x][a]);
				}
				fputc('\n', o.f);
			}
		}
		if (actes && s->ind)
			synth_prof_consumption_put(o.f, s, i);
	}
out:
	return out_close(ctx, &o, rc);
}

static int write_mt(cpts_ctx *ctx, const cpts_synth *s, const size_t *ord, const char *dir)
{
	out_file o = { 0 };
	int rc;

	if ((rc = out_open(ctx, &o, dir, "mt.csv")) < 0)
		goto out;
	fputs("code_commune;patients;sans_mt;sans_mt_mt_parti;sans_mt_fictif;ald;ald_sans_mt;"
	      "c2s;c2s_sans_mt;p70;p70_sans_mt\n", o.f);
	for (size_t k = 0; k < s->n; k++) {
		size_t i = ord[k];
		fputs(s->code[i], o.f);
		for (int c = 0; c < 10; c++) {
			fputc(';', o.f);
			synth_put_count(o.f, s->mt[i].v[c]);
		}
		fputc('\n', o.f);
	}
out:
	return out_close(ctx, &o, rc);
}

static int write_supply(cpts_ctx *ctx, const cpts_synth *s, const size_t *ord, const char *dir)
{
	out_file o = { 0 };
	int rc;

	if ((rc = out_open(ctx, &o, dir, "supply.csv")) < 0)
		goto out;
	fputs("code_commune;profession;effectif;etp;age_60p\n", o.f);
	for (size_t k = 0; k < s->n; k++) {
		size_t i = ord[k];
		for (int p = 0; p < SYNTH_N_PROF; p++)
			if (s->supply[i][p] > 0)
				fprintf(o.f, "%s;%s;%ld;%.1f;%ld\n", s->code[i], synth_prof_label[p],
					s->supply[i][p], s->etp[i][p], s->age60[i][p]);
	}
out:
	return out_close(ctx, &o, rc);
}

/* Destination code of a flow (commune or outside site). */
static const char *dest_code(const cpts_synth *s, int32_t d)
{
	return d >= 0 ? s->code[d] : s->outside[-1 - d].code;
}

typedef struct flow_row {
	const char *code; /* BORROWED destination code */
	int32_t rank;     /* rank of the code among all codes, for sorting */
	long vol;
	double minutes;
} flow_row;

static int cmp_row(const void *a, const void *b)
{
	int32_t x = ((const flow_row *)a)->rank, y = ((const flow_row *)b)->rank;

	return (x > y) - (x < y);
}

typedef struct code_ref {
	const char *code; /* BORROWED */
	int32_t ref;      /* commune index or -1 - outside index */
} code_ref;

static int cmp_code_ref(const void *a, const void *b)
{
	return strcmp(((const code_ref *)a)->code, ((const code_ref *)b)->code);
}

/* Rank of every destination code (communes and outside sites) in code order, indexed
 * by ref + n_outside (OWNED): rows then sort on integers instead of strings. */
static int32_t *code_ranks(const cpts_synth *s)
{
	size_t n = s->n + s->n_outside;
	code_ref *all = cpts_mallocarray(n, sizeof(*all));
	int32_t *rank = cpts_mallocarray(n, sizeof(*rank));

	for (size_t i = 0; i < s->n; i++)
		all[i] = (code_ref){ s->code[i], (int32_t)i };
	for (size_t o = 0; o < s->n_outside; o++)
		all[s->n + o] = (code_ref){ s->outside[o].code, -1 - (int32_t)o };
	cpts_qsort(all, n, sizeof(*all), cmp_code_ref);
	for (size_t r = 0; r < n; r++)
		rank[(size_t)((int64_t)all[r].ref + (int64_t)s->n_outside)] = (int32_t)r;
	free(all);
	return rank;
}

/* flows.csv (and traveltime.csv when travel is true): streamed origin by origin. */
static int write_flows(cpts_ctx *ctx, const cpts_synth *s, const size_t *ord, const char *dir,
		       bool travel)
{
	out_file o = { 0 };
	synth_flow_writer fw;
	size_t cap = (size_t)s->opts.flows_per_commune + s->n + 1;
	int32_t *dest = cpts_mallocarray(cap, sizeof(*dest));
	long *vol = cpts_mallocarray(cap, sizeof(*vol));
	double *mins = cpts_mallocarray(cap, sizeof(*mins));
	flow_row *rows = cpts_mallocarray(cap, sizeof(*rows));
	int32_t *rank = code_ranks(s);
	int rc;

	synth_flows_init(&fw, s);
	if ((rc = out_open(ctx, &o, dir, travel ? "traveltime.csv" : "flows.csv")) < 0)
		goto out;
	fputs(travel ? "origine;destination;minutes\n"
		     : "commune_residence;commune_exercice;volume;profession\n", o.f);
	for (size_t k = 0; k < s->n; k++) {
		size_t i = ord[k], m;
		if (k % 2048 == 0 &&
		    (rc = cpts_progress(ctx, (travel ? 0.9 : 0.6) + (travel ? 0.08 : 0.3) *
					(double)k / (double)s->n, travel ? "synth: travel times" :
					"synth: flows")) < 0)
			goto out;
		m = travel ? synth_travel_origin(&fw, i, dest, mins, cap)
			   : synth_flows_origin(&fw, i, dest, vol, cap);
		for (size_t j = 0; j < m; j++)
			rows[j] = (flow_row){ dest_code(s, dest[j]),
					      rank[(int64_t)dest[j] + (int64_t)s->n_outside],
					      travel ? 0 : vol[j], travel ? mins[j] : 0 };
		cpts_qsort(rows, m, sizeof(*rows), cmp_row);
		for (size_t j = 0; j < m; j++) {
			fputs(s->code[i], o.f);
			fputc(';', o.f);
			fputs(rows[j].code, o.f);
			fputc(';', o.f);
			if (travel) {
				synth_put_tenths(o.f, rows[j].minutes);
				fputc('\n', o.f);
			} else {
				synth_put_long(o.f, rows[j].vol);
				fputs(";medecin_generaliste\n", o.f);
			}
		}
	}
out:
	synth_flows_release(&fw);
	free(dest);
	free(vol);
	free(mins);
	free(rows);
	free(rank);
	return out_close(ctx, &o, rc);
}

static int write_partition(cpts_ctx *ctx, const cpts_synth *s, const size_t *ord, const char *dir)
{
	static const char *const statut[] = { "ACI signée", "projet de santé validé",
					      "lettre d'intention" };
	out_file o = { 0 };
	int rc;

	if ((rc = out_open(ctx, &o, dir, "partition.csv")) < 0)
		goto out;
	fputs("code_commune;territoire;statut\n", o.f);
	for (size_t k = 0; k < s->n; k++) {
		size_t i = ord[k];
		if (s->terr[i] < 0)
			continue; /* white zone */
		fprintf(o.f, "%s;%s;%s\n", s->code[i], s->terr_name[s->terr[i]],
			statut[s->terr_statut[s->terr[i]]]);
	}
out:
	return out_close(ctx, &o, rc);
}

static int write_attributes(cpts_ctx *ctx, const cpts_synth *s, const size_t *ord, const char *dir)
{
	out_file o = { 0 };
	int rc;

	if ((rc = out_open(ctx, &o, dir, "attributes.csv")) < 0)
		goto out;
	fputs("code_commune;DENS\n", o.f);
	for (size_t k = 0; k < s->n; k++)
		fprintf(o.f, "%s;%d\n", s->code[ord[k]], s->dens_code[ord[k]]);
out:
	return out_close(ctx, &o, rc);
}

/* A file written by one of the put functions of indicators.c. */
static int write_put(cpts_ctx *ctx, const cpts_synth *s, const size_t *ord, const char *dir,
		     const char *name, void (*put)(FILE *, const cpts_synth *, const size_t *))
{
	out_file o = { 0 };
	int rc;

	if ((rc = out_open(ctx, &o, dir, name)) < 0)
		goto out;
	put(o.f, s, ord);
out:
	return out_close(ctx, &o, rc);
}

static int write_readme(cpts_ctx *ctx, const cpts_synth *s, const char *dir)
{
	out_file o = { 0 };
	int rc;

	if ((rc = out_open(ctx, &o, dir, "README.txt")) < 0)
		goto out;
	fprintf(o.f,
		"FICTIONAL DATA - DONNÉES FICTIVES\n\n"
		"This territory was generated by `cpts synth --communes %ld --seed %llu --towns %ld"
		" --flows-per-commune %ld%s`.\n"
		"Every commune, name, code, population, consultation, doctor and flow in these\n"
		"files is invented. None describes a real place or person. Codes look like INSEE\n"
		"codes but belong to fictional departements (99 \"Val-de-Fiction\", and for large\n"
		"territories reused two-digit numbers) in fictional regions; destinations coded\n"
		"98xxx are practices outside the territory, in a fictional neighbouring\n"
		"departement. Coordinates are Lambert-93 (EPSG:2154) metres.\n\n"
		"Ce territoire est entièrement fictif : aucune donnée ne décrit un lieu ou une\n"
		"personne réels.\n\n"
		"Files: communes.geojson, population.csv, consumption.csv, mt.csv, supply.csv,\n"
		"flows.csv, partition.csv, attributes.csv, indicators.csv, zonage.csv%s.\n"
		"Separator ';', UTF-8.\n"
		"Health counts between 1 and 10 are masked as '<11' (in indicators.csv, the\n"
		"shares' numerators; the strata of the standardised indicators are exact, as an\n"
		"ORS provides them under agreement).\n",
		s->opts.n_communes, (unsigned long long)s->opts.seed, s->opts.n_towns,
		s->opts.flows_per_commune, s->opts.traveltime ? " --traveltime" : "",
		s->opts.traveltime ? ", traveltime.csv" : "");
out:
	return out_close(ctx, &o, rc);
}

int cpts_synth_write(cpts_ctx *ctx, const cpts_synth *s, const char *dir)
{
	size_t *ord = NULL;
	int rc = CPTS_OK, e;

	if ((e = cpts_mkdir_p(dir, 0777)) < 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot create directory '%s': %s", dir, strerror(-e));
		goto out;
	}
	ord = code_order(s);
	if ((rc = write_communes(ctx, s, ord, dir)) < 0 ||
	    (rc = write_population(ctx, s, ord, dir, false)) < 0 ||
	    (rc = write_population(ctx, s, ord, dir, true)) < 0 ||
	    (rc = write_mt(ctx, s, ord, dir)) < 0 || (rc = write_supply(ctx, s, ord, dir)) < 0 ||
	    (rc = write_partition(ctx, s, ord, dir)) < 0 ||
	    (rc = write_attributes(ctx, s, ord, dir)) < 0 ||
	    (rc = write_put(ctx, s, ord, dir, "indicators.csv", synth_indicators_put)) < 0 ||
	    (rc = write_put(ctx, s, ord, dir, "zonage.csv", synth_zonage_put)) < 0 ||
	    (s->opts.truth &&
	     (rc = write_put(ctx, s, ord, dir, "indicators_truth.csv", synth_truth_put)) < 0) ||
	    (rc = write_flows(ctx, s, ord, dir, false)) < 0)
		goto out;
	if (s->opts.traveltime && (rc = write_flows(ctx, s, ord, dir, true)) < 0)
		goto out;
	if ((rc = write_readme(ctx, s, dir)) < 0)
		goto out;
	rc = cpts_progress(ctx, 1.0, "synth: done");
out:
	free(ord);
	return rc;
}
