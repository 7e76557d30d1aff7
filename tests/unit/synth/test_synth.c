/*
 * test_synth.c - unit tests of src/synth, the synthetic territory generator.
 *
 * What is checked, and against what:
 *  - the xoshiro256** step, against values computed by hand from the state {1,2,3,4};
 *  - option checks (usage errors);
 *  - geometry of a 300-commune territory, with GEOS independently of the generator:
 *    every polygon valid, the sum of the areas equal to the area of their union
 *    (no overlap) within 1e-6, islands at positive distance from every other commune;
 *  - codes: well formed (cpts_code_valid), unique, in département 99;
 *  - the files: byte-identical for two runs (SHA-256), different for another seed;
 *    population.csv sums equal to the in-memory totals; masked cells present in
 *    consumption.csv and mt.csv; flows only from existing communes with positive
 *    volumes, outside destinations well formed and absent from the communes, and for
 *    communes without masked consumption the flow volumes summing exactly to the
 *    consultations; every territory of partition.csv non-empty, a white zone present.
 */
#include <geos_c.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/code.h"
#include "cpts/ctx.h"
#include "cpts/synth.h"
#include "cpts/util.h"
#include "synth/synth_int.h"
#include "tap.h"

static const char *const files[] = {
	"communes.geojson", "population.csv", "consumption.csv", "mt.csv", "supply.csv",
	"flows.csv", "partition.csv", "attributes.csv", "traveltime.csv", "README.txt",
};
#define N_FILES (sizeof(files) / sizeof(files[0]))

static void test_rng(void)
{
	synth_rng r = { { 1, 2, 3, 4 } };

	/* rotl(2 * 5, 7) * 9 = 1280 * 9 = 11520; after one step s[1] = 2 ^ (3 ^ 1) = 0 */
	is_int((long long)synth_rng_next(&r), 11520, "xoshiro256** first output from {1,2,3,4}");
	is_int((long long)synth_rng_next(&r), 0, "xoshiro256** second output is 0");
	synth_rng_seed(&r, 7, 1, 0);
	synth_rng a = r;
	ok(synth_rng_next(&r) == synth_rng_next(&a), "same seed, same stream");
	synth_rng_seed(&a, 7, 2, 0);
	ok(synth_rng_next(&r) != synth_rng_next(&a), "another stream differs");
}

static void test_opts(cpts_ctx *ctx)
{
	cpts_synth_opts o = CPTS_SYNTH_OPTS_INIT;
	cpts_synth *s = NULL;

	o.n_communes = 2;
	is_int(cpts_synth_generate(ctx, &s, &o), CPTS_EUSAGE, "2 communes is a usage error");
	ok(s == NULL && strstr(ctx->err.msg, "--communes") != NULL, "message names --communes");
	cpts_error_clear(ctx);
	o.n_communes = 30;
	o.flows_per_commune = 0;
	is_int(cpts_synth_generate(ctx, &s, &o), CPTS_EUSAGE, "0 flows per commune refused");
	cpts_error_clear(ctx);
	o.flows_per_commune = 5;
	o.n_towns = 11;
	is_int(cpts_synth_generate(ctx, &s, &o), CPTS_EUSAGE, "11 towns for 30 communes refused");
	cpts_error_clear(ctx);
	o.n_towns = 0;
	o.n_communes = 3;
	is_int(cpts_synth_generate(ctx, &s, &o), CPTS_OK, "3 communes (the minimum) work");
	ok(s && cpts_synth_n_communes(s) == 3, "3 communes generated");
	cpts_synth_free(s);
}

static void test_geometry(cpts_ctx *ctx, const cpts_synth *s)
{
	GEOSContextHandle_t h = ctx->geos;
	size_t n = cpts_synth_n_communes(s), n_valid = 0, n_isl = 0, n_isl_ok = 0;
	GEOSGeometry **g = malloc(n * sizeof(*g)), *coll, *uni;
	double sum = 0, ua = 0;

	for (size_t i = 0; i < n; i++) {
		const GEOSGeometry *p = cpts_synth_geom(s, i);
		double a = 0;
		n_valid += GEOSisValid_r(h, p) == 1 && GEOSGeomTypeId_r(h, p) == GEOS_POLYGON;
		GEOSArea_r(h, p, &a);
		sum += a;
		g[i] = GEOSGeom_clone_r(h, p);
		if (cpts_synth_is_island(s, i)) {
			bool apart = true;
			n_isl++;
			for (size_t j = 0; j < n; j++) {
				double d = 0;
				if (j != i && (GEOSDistance_r(h, p, cpts_synth_geom(s, j), &d) != 1 || d <= 0))
					apart = false;
			}
			n_isl_ok += apart;
		}
	}
	is_int(n_valid, n, "every commune is a valid polygon");
	is_int(n_isl, 2, "two islands for 300 communes");
	is_int(n_isl_ok, n_isl, "islands touch no other commune");
	coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, g, (unsigned)n);
	uni = GEOSUnaryUnion_r(h, coll);
	ok(uni != NULL, "GEOS union of the communes");
	if (uni)
		GEOSArea_r(h, uni, &ua);
	/* non-overlapping polygons: area of the union = sum of the areas */
	near(sum, ua, 1e-6, "sum of areas equals the union area (no overlap)");
	/* 298 mainland communes of about 14 km2 each (layout.c CELL_AREA_M2), plus islands */
	ok(sum / 1e6 > 298 * 14 * 0.8 && sum / 1e6 < 298 * 14 * 1.3,
	   "territory area plausible (%.0f km2)", sum / 1e6);
	/* the mainland is one piece: union = 1 polygon per island + 1 */
	is_int(uni ? GEOSGetNumGeometries_r(h, uni) : -1, 3, "union is the mainland and 2 islands");
	if (uni)
		GEOSGeom_destroy_r(h, uni);
	GEOSGeom_destroy_r(h, coll);
	free(g);
}

static void test_codes(const cpts_synth *s)
{
	size_t n = cpts_synth_n_communes(s), n_ok = 0;
	cpts_strmap *m = cpts_strmap_new(n);
	bool amp = false, apos = false;

	for (size_t i = 0; i < n; i++) {
		const char *c = cpts_synth_code(s, i);
		n_ok += cpts_code_valid(c) && strncmp(c, "99", 2) == 0 &&
			!cpts_strmap_get(m, c, NULL) && cpts_synth_population(s, i) > 0;
		cpts_strmap_put(m, c, (int64_t)i);
		amp |= strchr(cpts_synth_name(s, i), '&') != NULL;
		apos |= strcmp(cpts_synth_name(s, i), "Saint-Aubin-l'Étang") == 0;
	}
	is_int(n_ok, n, "codes valid, unique, in département 99, population > 0");
	ok(amp && apos, "names with & and with an apostrophe and accent present");
	cpts_strmap_free(m);
}

/* ---- file checks ---- */

typedef struct csv {
	char *data;      /* whole file */
	char **line;     /* lines, NUL-terminated in place */
	size_t n_lines;
} csv;

static bool csv_load(csv *c, const char *dir, const char *name)
{
	char *path = cpts_asprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	long len;

	free(path);
	memset(c, 0, sizeof(*c));
	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	c->data = malloc((size_t)len + 1);
	if (fread(c->data, 1, (size_t)len, f) != (size_t)len)
		len = 0;
	c->data[len] = '\0';
	fclose(f);
	c->line = malloc(((size_t)len / 8 + 2) * sizeof(char *));
	for (char *p = c->data; *p;) {
		char *e = strchr(p, '\n');
		c->line[c->n_lines++] = p;
		if (!e)
			break;
		*e = '\0';
		p = e + 1;
	}
	return true;
}

static void csv_free(csv *c)
{
	free(c->data);
	free(c->line);
}

/* Split a line on ';' in place into at most max fields; returns the count. */
static size_t fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, ';');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static void test_files(const cpts_synth *s, const char *dir)
{
	size_t n = cpts_synth_n_communes(s);
	cpts_strmap *idx = cpts_strmap_new(n);
	long *popsum = calloc(n, sizeof(long)), *actsum = calloc(n, sizeof(long));
	long *flowsum = calloc(n, sizeof(long));
	bool *masked = calloc(n, sizeof(bool));
	size_t *terr_count = calloc(cpts_synth_n_territories(s) + 1, sizeof(size_t));
	csv c;
	char *f[12];
	int64_t v;
	size_t bad = 0, n_masked = 0, n_outside = 0, n_flows = 0, n_part = 0;

	for (size_t i = 0; i < n; i++)
		cpts_strmap_put(idx, cpts_synth_code(s, i), (int64_t)i);
	ok(csv_load(&c, dir, "population.csv"), "population.csv readable");
	is_str(c.line[0], "code_commune;sexe;classe_age;population", "population header");
	for (size_t l = 1; l < c.n_lines; l++) {
		if (fields(c.line[l], f, 12) != 4 || !cpts_strmap_get(idx, f[0], &v)) {
			bad++;
			continue;
		}
		popsum[v] += strtol(f[3], NULL, 10);
	}
	is_int(c.n_lines - 1, n * 40, "40 age-sex rows per commune");
	csv_free(&c);
	size_t pop_ok = 0;
	for (size_t i = 0; i < n; i++)
		pop_ok += popsum[i] == cpts_synth_population(s, i);
	is_int(pop_ok, n, "population.csv sums equal the commune totals");

	ok(csv_load(&c, dir, "consumption.csv"), "consumption.csv readable");
	for (size_t l = 1; l < c.n_lines; l++) {
		if (fields(c.line[l], f, 12) != 5 || !cpts_strmap_get(idx, f[0], &v)) {
			bad++;
			continue;
		}
		if (strcmp(f[4], "medecin_generaliste") != 0)
			continue; /* the other professions (issue 14): not in the flows */
		if (strcmp(f[3], "<11") == 0)
			masked[v] = true, n_masked++;
		else
			actsum[v] += strtol(f[3], NULL, 10);
	}
	csv_free(&c);
	ok(n_masked > 0, "consumption.csv has masked cells (%zu)", n_masked);

	ok(csv_load(&c, dir, "mt.csv"), "mt.csv readable");
	n_masked = 0;
	for (size_t l = 1; l < c.n_lines; l++)
		n_masked += strstr(c.line[l], "<11") != NULL;
	is_int(c.n_lines - 1, n, "one mt.csv row per commune");
	ok(n_masked > 0, "mt.csv has masked cells (%zu rows)", n_masked);
	csv_free(&c);

	ok(csv_load(&c, dir, "flows.csv"), "flows.csv readable");
	is_str(c.line[0], "commune_residence;commune_exercice;volume;profession", "flows header");
	for (size_t l = 1; l < c.n_lines; l++) {
		char *end;
		long vol;
		int64_t o;
		if (fields(c.line[l], f, 12) != 4 || !cpts_strmap_get(idx, f[0], &o)) {
			bad++;
			continue;
		}
		vol = strtol(f[2], &end, 10);
		if (*end || vol <= 0 || !cpts_code_valid(f[1]))
			bad++;
		if (!cpts_strmap_get(idx, f[1], &v))
			n_outside++;
		flowsum[o] += vol;
		n_flows++;
	}
	csv_free(&c);
	is_int(bad, 0, "every row names an existing commune, volumes positive, codes valid");
	ok(n_flows > n && n_flows <= n * 20, "flows: %zu pairs (at most 20 per commune)", n_flows);
	ok(n_outside > 0, "some flows go outside the territory (%zu)", n_outside);
	size_t agree = 0, unmasked = 0;
	for (size_t i = 0; i < n; i++) {
		if (masked[i])
			continue;
		unmasked++;
		agree += flowsum[i] == actsum[i];
	}
	ok(unmasked > 0, "communes without masked consumption exist (%zu)", unmasked);
	is_int(agree, unmasked, "their flows sum to their consultations");

	ok(csv_load(&c, dir, "partition.csv"), "partition.csv readable");
	bad = 0;
	for (size_t l = 1; l < c.n_lines; l++) {
		if (fields(c.line[l], f, 12) != 3 || !cpts_strmap_get(idx, f[0], &v) || !*f[1] ||
		    (strcmp(f[2], "ACI signée") && strcmp(f[2], "projet de santé validé") &&
		     strcmp(f[2], "lettre d'intention"))) {
			bad++;
			continue;
		}
		long t = cpts_synth_territory(s, (size_t)v);
		if (t < 0)
			bad++;
		else
			terr_count[t]++;
		n_part++;
	}
	csv_free(&c);
	is_int(bad, 0, "partition rows well formed, statut among the three");
	size_t nonempty = 0;
	for (size_t t = 0; t < cpts_synth_n_territories(s); t++)
		nonempty += terr_count[t] > 0;
	is_int(nonempty, cpts_synth_n_territories(s), "every territory is non-empty");
	ok(n_part < n && n_part > n * 9 / 10, "a small white zone (%zu uncovered)", n - n_part);

	ok(csv_load(&c, dir, "traveltime.csv"), "traveltime.csv written with the option");
	ok(c.n_lines > n, "travel times: %zu rows", c.n_lines - 1);
	csv_free(&c);
	cpts_strmap_free(idx);
	free(popsum);
	free(actsum);
	free(flowsum);
	free(masked);
	free(terr_count);
}

static void hash_dir(const char *dir, char hex[N_FILES][65])
{
	for (size_t k = 0; k < N_FILES; k++) {
		char *p = cpts_asprintf("%s/%s", dir, files[k]);
		if (cpts_sha256_file(p, hex[k]) < 0)
			hex[k][0] = '\0';
		free(p);
	}
}

static void rm_dir(const char *dir)
{
	for (size_t k = 0; k < N_FILES; k++) {
		char *p = cpts_asprintf("%s/%s", dir, files[k]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
}

int main(void)
{
	cpts_ctx ctx;
	cpts_synth_opts o = CPTS_SYNTH_OPTS_INIT;
	cpts_synth *s = NULL, *s2 = NULL;
	char d1[] = "/tmp/cpts-synth-XXXXXX", d2[] = "/tmp/cpts-synth-XXXXXX";
	char d3[] = "/tmp/cpts-synth-XXXXXX";
	char h1[N_FILES][65], h2[N_FILES][65], h3[N_FILES][65];

	if (cpts_ctx_init(&ctx) < 0)
		skip_all("cannot initialise the context");
	ctx.verbosity = CPTS_LOG_ERROR;
	test_rng();
	test_opts(&ctx);
	if (!mkdtemp(d1) || !mkdtemp(d2) || !mkdtemp(d3))
		skip_all("cannot create temporary directories");
	o.traveltime = true;
	is_int(cpts_synth_generate(&ctx, &s, &o), CPTS_OK, "generate 300 communes");
	if (!s)
		return done_testing();
	is_int(cpts_synth_n_communes(s), 300, "300 communes");
	test_geometry(&ctx, s);
	test_codes(s);
	is_int(cpts_synth_write(&ctx, s, d1), CPTS_OK, "write the files");
	test_files(s, d1);
	is_int(cpts_synth_generate(&ctx, &s2, &o), CPTS_OK, "generate again");
	is_int(cpts_synth_write(&ctx, s2, d2), CPTS_OK, "write again");
	cpts_synth_free(s2);
	o.seed = 2027;
	is_int(cpts_synth_run(&ctx, d3, &o), CPTS_OK, "run with another seed");
	hash_dir(d1, h1);
	hash_dir(d2, h2);
	hash_dir(d3, h3);
	for (size_t k = 0; k < N_FILES; k++)
		ok(h1[k][0] && strcmp(h1[k], h2[k]) == 0, "%s byte-identical for the same seed", files[k]);
	ok(strcmp(h1[0], h3[0]) != 0, "another seed gives other communes");
	is_int(cpts_synth_write(&ctx, s, "/proc/cpts-no-such-dir"), CPTS_EIO,
	       "unwritable directory is an I/O error");
	ok(strstr(ctx.err.msg, "/proc/cpts-no-such-dir") != NULL, "the directory is named");
	cpts_synth_free(s);
	rm_dir(d1);
	rm_dir(d2);
	rm_dir(d3);
	cpts_ctx_release(&ctx);
	return done_testing();
}
