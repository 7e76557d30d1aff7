/*
 * test_report.c - unit tests of the report's content generators (src/export/html_*.c):
 * - the reference tables data/reference/departements.csv and regions.csv agree with
 *   the names embedded in src/core/code_table.c and the articles of html_names.c, and
 *   give "la Loire-Atlantique", "les Pays de la Loire", "Paris";
 * - French dates; the scope of the whole area (one region, all metropolitan
 *   départements, anything else);
 * - the points clés on constructed profiles: a significant gap is stated with its size
 *   and the place's name; a gap the test does not support, an ICC whose interval
 *   contains 100, overlapping intervals are never stated as differences (checked
 *   against a two-proportion z-test computed here, independently of the code);
 * - the Markdown rendering of a lettre d'intention document.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/code.h"
#include "cpts/model.h"
#include "export/report_int.h"
#include "tap.h"

#define NNBSP "\xe2\x80\xaf" /* narrow no-break space, thousands */
#define NBSP "\xc2\xa0"      /* no-break space before % */

/* Read a reference CSV: code;nom;...;article (article last). */
static int check_reference(const char *path, bool region)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0, bad = 0;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *code = line, *nom, *art, *e;
		line[strcspn(line, "\r\n")] = 0;
		nom = strchr(code, ';');
		art = strrchr(line, ';');
		if (!nom || !art)
			continue;
		*nom++ = 0;
		e = strchr(nom, ';');
		if (e)
			*e = 0;
		art++;
		n++;
		if (strcmp(region ? cpts_region_name(code) ? cpts_region_name(code) : ""
				  : cpts_dep_name(code) ? cpts_dep_name(code) : "", nom) != 0 ||
		    strcmp(region ? ex_reg_article(code) ? ex_reg_article(code) : "?"
				  : ex_dep_article(code) ? ex_dep_article(code) : "?", art) != 0) {
			diag("%s: %s / %s disagrees", code, nom, art);
			bad++;
		}
	}
	fclose(f);
	return bad ? -bad : n;
}

static void test_reference(void)
{
	const char *src = getenv("CPTS_SRC");
	char path[1024], s[128];

	snprintf(path, sizeof(path), "%s/data/reference/departements.csv", src ? src : ".");
	is_int(check_reference(path, false), 101, "101 départements: names and articles agree");
	snprintf(path, sizeof(path), "%s/data/reference/regions.csv", src ? src : ".");
	is_int(check_reference(path, true), 18, "18 regions: names and articles agree");
	ex_place_the(s, sizeof(s), false, "44");
	is_str(s, "la Loire-Atlantique", "44 -> la Loire-Atlantique");
	ex_place_the(s, sizeof(s), true, "52");
	is_str(s, "les Pays de la Loire", "52 -> les Pays de la Loire");
	ex_place_the(s, sizeof(s), false, "75");
	is_str(s, "Paris", "75 -> Paris (no article)");
	ex_place_the(s, sizeof(s), false, "01");
	is_str(s, "l'Ain", "01 -> l'Ain");
	is_str(ex_dep_label("99"), "Département 99", "an unknown code is labelled, not bare");
	ex_date_fr(s, sizeof(s), "2026-01-01T00:00:00Z");
	is_str(s, "1er janvier 2026", "French date, 1er");
	ex_date_fr(s, sizeof(s), "2025-08-15T10:00:00Z");
	is_str(s, "15 août 2025", "French date");
}

/* A model of n communes in the given départements (only dep/reg are read). */
static void scope_of(ex_scope *sc, const char *const *deps, size_t n)
{
	cpts_model m;
	cpts_commune *c = calloc(n, sizeof(cpts_commune));

	memset(&m, 0, sizeof(m));
	for (size_t k = 0; k < n; k++) {
		snprintf(c[k].dep, sizeof(c[k].dep), "%s", deps[k]);
		snprintf(c[k].reg, sizeof(c[k].reg), "%s", cpts_dep_region(deps[k]));
	}
	m.c = c;
	m.n = n;
	ex_scope_make(sc, &m);
	free(c);
}

static void test_scope(void)
{
	static const char *const pdl[] = { "44", "49", "53", "72", "85" };
	static const char *const two[] = { "44", "35" };
	const char *metro[96];
	char codes[96][4];
	ex_scope sc;
	size_t n = 0;

	scope_of(&sc, pdl, 5);
	is_str(sc.label, "Pays de la Loire", "one region: its name");
	ok(sc.is_one_region && strcmp(sc.reg, "52") == 0, "one region: 52");
	scope_of(&sc, two, 2);
	is_str(sc.label, "zone étudiée", "two regions, not all of France: zone étudiée");
	for (int k = 1; k <= 95; k++) {
		if (k == 20)
			continue;
		snprintf(codes[n], 4, "%02d", k);
		metro[n] = codes[n];
		n++;
	}
	metro[n++] = "2A";
	metro[n++] = "2B";
	scope_of(&sc, metro, n);
	is_str(sc.label, "France métropolitaine", "all 96 metropolitan départements");
	scope_of(&sc, metro, n - 1);
	is_str(sc.label, "zone étudiée", "95 of them: zone étudiée");
}

/* Two-proportion z-test, pooled (written here, independently of stats.c). */
static double p_two(double x1, double n1, double x2, double n2)
{
	double p = (x1 + x2) / (n1 + n2);
	double z = (x1 / n1 - x2 / n2) / sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
	return erfc(fabs(z) / sqrt(2.0));
}

static void base_input(ex_kp_input *in)
{
	memset(in, 0, sizeof(*in));
	in->alpha = 0.05;
	in->pop = NAN;
	in->mt_share = in->mt_x = in->mt_n = in->mt_p_dep = NAN;
	in->icc = in->icc_lo = in->icc_hi = in->missing_gps = NAN;
	in->gp_density = in->li = in->first_out_share = NAN;
	in->dep_gp_density = in->reg_gp_density = NAN;
	for (int k = 0; k < 2; k++) {
		ex_kp_place *p = k ? &in->reg : &in->dep;
		p->share = p->x = p->n = p->icc = p->icc_lo = p->icc_hi = NAN;
	}
}

static void free_all(char **s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(s[k]);
}

static bool any_has(char **s, size_t n, const char *needle)
{
	for (size_t k = 0; k < n; k++)
		if (strstr(s[k], needle))
			return true;
	return false;
}

static void test_keypoints_mt(void)
{
	ex_kp_input in;
	char *s[EX_KP_MAX];
	size_t n;

	/* significant: 2 520 / 10 000 (25,2 %) against 10 200 / 100 000 (10,2 %) */
	base_input(&in);
	in.mt_share = 25.2;
	in.mt_x = 2520;
	in.mt_n = 10000;
	in.dep.the = "la Loire-Atlantique";
	in.dep.share = 10.2;
	in.dep.x = 10200;
	in.dep.n = 100000;
	in.reg.the = "les Pays de la Loire";
	in.reg.share = 24.9;
	in.reg.x = 99600;
	in.reg.n = 400000;
	ok(p_two(2520, 10000, 10200, 100000) < 0.05, "(check) the département gap is significant");
	ok(p_two(2520, 10000, 99600, 400000) > 0.05, "(check) the region gap is not");
	n = ex_keypoints(s, &in);
	is_int((int)n, 1, "one sentence from the MT input alone");
	if (n)
		is_str(s[0], "25,2" NBSP "% des patients n'ont pas de médecin traitant, 15,0 points"
		       " de plus que la Loire-Atlantique et sans écart significatif avec les Pays de"
		       " la Loire (24,9" NBSP "%).", "MT: significant gap stated, the other not");
	free_all(s, n);

	/* a small significant gap takes the singular: 1 200 / 10 000 against 11 / 100 000 */
	base_input(&in);
	in.mt_share = 12.0;
	in.mt_x = 1200;
	in.mt_n = 10000;
	in.dep.the = "la Sarthe";
	in.dep.share = 11.0;
	in.dep.x = 11000;
	in.dep.n = 100000;
	ok(p_two(1200, 10000, 11000, 100000) < 0.05, "(check) 12 %% vs 11 %% is significant");
	n = ex_keypoints(s, &in);
	ok(n == 1 && any_has(s, n, "12,0" NBSP "% des patients n'ont pas de médecin traitant,"
			     " 1,0 point de plus que la Sarthe."), "MT: 1,0 point (singular)");
	free_all(s, n);

	/* not significant: 12 / 100 against 10 000 / 100 000 */
	base_input(&in);
	in.mt_share = 12.0;
	in.mt_x = 12;
	in.mt_n = 100;
	in.dep.the = "la Loire-Atlantique";
	in.dep.share = 10.0;
	in.dep.x = 10000;
	in.dep.n = 100000;
	ok(p_two(12, 100, 10000, 100000) > 0.05, "(check) 12/100 vs 10 %% is not significant");
	n = ex_keypoints(s, &in);
	ok(n == 1 && !any_has(s, n, "de plus") && !any_has(s, n, "de moins") &&
	   any_has(s, n, "sans écart significatif avec la Loire-Atlantique (10,0" NBSP "%)"),
	   "MT: no unsupported gap");
	free_all(s, n);

	/* a stored p-value decides for the département: 0.2 -> no claim even if far */
	base_input(&in);
	in.mt_share = 30.0;
	in.mt_p_dep = 0.2;
	in.dep.the = "la Sarthe";
	in.dep.share = 10.0;
	n = ex_keypoints(s, &in);
	ok(n == 1 && !any_has(s, n, "points de plus"), "MT: the stored test is obeyed");
	free_all(s, n);
}

static void test_keypoints_icc(void)
{
	ex_kp_input in;
	char *s[EX_KP_MAX];
	size_t n;

	/* interval containing 100: never "supérieur"/"inférieur", no missing GPs */
	base_input(&in);
	in.icc = 97.0;
	in.icc_lo = 93.5;
	in.icc_hi = 100.6;
	in.missing_gps = 2.5;
	in.dep.the = "la Loire-Atlantique";
	in.dep.icc = 104.0;
	in.dep.icc_lo = 99.0;
	in.dep.icc_hi = 107.0;
	n = ex_keypoints(s, &in);
	ok(n == 1 && any_has(s, n, "n'est pas significativement différent de la référence") &&
	   !any_has(s, n, "est supérieur") && !any_has(s, n, "est inférieur") &&
	   !any_has(s, n, "temps plein") && !any_has(s, n, "plus faible que"),
	   "ICC: an interval containing 100 and overlapping the département's states nothing");
	free_all(s, n);

	/* significantly below 100 and below the département (intervals apart) */
	base_input(&in);
	in.icc = 90.0;
	in.icc_lo = 86.0;
	in.icc_hi = 94.0;
	in.missing_gps = 3.2;
	in.dep.the = "la Loire-Atlantique";
	in.dep.icc = 101.0;
	in.dep.icc_lo = 99.0;
	in.dep.icc_hi = 103.0;
	in.reg.the = "les Pays de la Loire";
	in.reg.icc = 95.0;
	in.reg.icc_lo = 93.0;
	in.reg.icc_hi = 97.0;
	n = ex_keypoints(s, &in);
	if (n)
		is_str(s[0], "Le recours aux médecins généralistes, à âge et sexe égaux, est"
		       " inférieur à la référence (indice 90,0, intervalle de confiance à 95" NBSP
		       "% de 86,0 à 94,0) et plus faible que dans la Loire-Atlantique : l'écart"
		       " représente l'activité de 3,2 médecin(s) généraliste(s) à temps plein.",
		       "ICC: below 100 and below the département; the region (overlapping) not"
		       " named");
	free_all(s, n);
}

/* over masked input cells: no value, the widened interval only */
static void test_keypoints_icc_bounds(void)
{
	ex_kp_input in;
	char *s[EX_KP_MAX];
	size_t n;

	base_input(&in);
	in.icc_lo = 97.1;
	in.icc_hi = 98.4;
	n = ex_keypoints(s, &in);
	if (n)
		is_str(s[0], "Le recours aux médecins généralistes, à âge et sexe égaux, est"
		       " inférieur à la référence (intervalle de confiance à 95" NBSP "%, élargi"
		       " pour tenir compte des effectifs masqués, de 97,1 à 98,4).",
		       "ICC over masked cells: the widened interval, below 100, is stated");
	else
		ok(0, "ICC over masked cells: a sentence");
	free_all(s, n);
	in.icc_hi = 100.4;
	n = ex_keypoints(s, &in);
	ok(n == 1 && any_has(s, n, "n'est pas significativement différent"),
	   "ICC over masked cells: an interval containing 100 states no difference");
	free_all(s, n);
}

static void test_keypoints_all(void)
{
	ex_kp_input in;
	char *s[EX_KP_MAX];
	size_t n;

	base_input(&in);
	in.pop = 45300;
	in.tier = 2;
	in.mt_share = 25.2;
	in.mt_x = 2520;
	in.mt_n = 10000;
	in.dep.the = "la Loire-Atlantique";
	in.dep.share = 10.2;
	in.dep.x = 10200;
	in.dep.n = 100000;
	in.icc = 90.0;
	in.icc_lo = 86.0;
	in.icc_hi = 94.0;
	in.gp_density = 7.8;
	in.dep_gp_density = 9.1;
	in.li = 62.0;
	in.first_out = "Nantes";
	in.first_out_share = 18.2;
	n = ex_keypoints(s, &in);
	ok(n >= 4 && n <= EX_KP_MAX, "4 to 6 points clés from a full profile (%zu)", n);
	ok(any_has(s, n, "Avec 45" NNBSP "300 habitants, le territoire relève de la taille 2") &&
	   any_has(s, n, "(40" NNBSP "000 à 80" NNBSP "000 habitants)") &&
	   any_has(s, n, "287" NNBSP "000" NBSP "€"), "tier sentence (45 300 -> taille 2)");
	ok(any_has(s, n, "62,0" NBSP "% des recours des habitants") &&
	   any_has(s, n, "le périmètre suit les flux de patients") &&
	   any_has(s, n, "première destination extérieure : Nantes (18,2" NBSP "% des recours)"),
	   "flows sentence with the destination town");
	ok(any_has(s, n, "7,8 médecins généralistes pour 10" NNBSP "000 habitants, contre 9,1"
		   " dans la Loire-Atlantique"), "supply sentence");
	free_all(s, n);
	base_input(&in);
	is_int((int)ex_keypoints(s, &in), 0, "no input, no sentence");
}

static void test_markdown(void)
{
	ex_doc doc = { 0 };
	cpts_buf b = CPTS_BUF_INIT;

	ex_doc_add(&doc, EX_DOC_TITLE, "Premiers éléments — CPTS *Sud*");
	ex_doc_add(&doc, EX_DOC_HEAD, "Points clés");
	ex_doc_add(&doc, EX_DOC_ITEM, "un");
	ex_doc_add(&doc, EX_DOC_ITEM, "deux");
	ex_doc_add(&doc, EX_DOC_PARA, "fin");
	ex_doc_markdown(&b, &doc);
	is_str(b.data, "# Premiers éléments — CPTS \\*Sud\\*\n\n\n## Points clés\n\n- un\n- deux\n"
	       "\nfin\n\n", "Markdown rendering, markup escaped");
	cpts_buf_reset(&b);
	ex_doc_html(&b, &doc);
	ok(strstr(b.data, "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>\n<p>fin</p>") != NULL,
	   "HTML rendering of the same document");
	cpts_buf_release(&b);
	ex_doc_release(&doc);
}

int main(void)
{
	test_reference();
	test_scope();
	test_keypoints_mt();
	test_keypoints_icc();
	test_keypoints_icc_bounds();
	test_keypoints_all();
	test_markdown();
	return done_testing();
}
