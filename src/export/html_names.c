/*
 * html_names.c - names a report reader sees instead of codes: départements and regions
 * (with their French article, for sentences such as "15 points de plus que la
 * Loire-Atlantique"), the scope of the whole ingested area ("France métropolitaine",
 * the region's name, or "zone étudiée"), territory titles and French dates.
 *
 * Why here: the names themselves come from the COG table embedded in
 * src/core/code_table.c; the articles come from data/reference/departements.csv and
 * regions.csv, which the project writes and versions, mirrored below (the unit test
 * test_report checks that names and articles agree with the CSV files).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/code.h"
#include "export/report_int.h"

struct place_article {
	const char *code;
	const char *article;
};

/* Generated from data/reference/departements.csv and regions.csv (articles);
 * tests/unit/export/test_report.c checks that the two agree. */
static const struct place_article dep_articles[] = {
	{ "01", "l'" },
	{ "02", "l'" },
	{ "03", "l'" },
	{ "04", "les" },
	{ "05", "les" },
	{ "06", "les" },
	{ "07", "l'" },
	{ "08", "les" },
	{ "09", "l'" },
	{ "10", "l'" },
	{ "11", "l'" },
	{ "12", "l'" },
	{ "13", "les" },
	{ "14", "le" },
	{ "15", "le" },
	{ "16", "la" },
	{ "17", "la" },
	{ "18", "le" },
	{ "19", "la" },
	{ "21", "la" },
	{ "22", "les" },
	{ "23", "la" },
	{ "24", "la" },
	{ "25", "le" },
	{ "26", "la" },
	{ "27", "l'" },
	{ "28", "l'" },
	{ "29", "le" },
	{ "2A", "la" },
	{ "2B", "la" },
	{ "30", "le" },
	{ "31", "la" },
	{ "32", "le" },
	{ "33", "la" },
	{ "34", "l'" },
	{ "35", "l'" },
	{ "36", "l'" },
	{ "37", "l'" },
	{ "38", "l'" },
	{ "39", "le" },
	{ "40", "les" },
	{ "41", "le" },
	{ "42", "la" },
	{ "43", "la" },
	{ "44", "la" },
	{ "45", "le" },
	{ "46", "le" },
	{ "47", "le" },
	{ "48", "la" },
	{ "49", "le" },
	{ "50", "la" },
	{ "51", "la" },
	{ "52", "la" },
	{ "53", "la" },
	{ "54", "la" },
	{ "55", "la" },
	{ "56", "le" },
	{ "57", "la" },
	{ "58", "la" },
	{ "59", "le" },
	{ "60", "l'" },
	{ "61", "l'" },
	{ "62", "le" },
	{ "63", "le" },
	{ "64", "les" },
	{ "65", "les" },
	{ "66", "les" },
	{ "67", "le" },
	{ "68", "le" },
	{ "69", "le" },
	{ "70", "la" },
	{ "71", "la" },
	{ "72", "la" },
	{ "73", "la" },
	{ "74", "la" },
	{ "75", "" },
	{ "76", "la" },
	{ "77", "la" },
	{ "78", "les" },
	{ "79", "les" },
	{ "80", "la" },
	{ "81", "le" },
	{ "82", "le" },
	{ "83", "le" },
	{ "84", "le" },
	{ "85", "la" },
	{ "86", "la" },
	{ "87", "la" },
	{ "88", "les" },
	{ "89", "l'" },
	{ "90", "le" },
	{ "91", "l'" },
	{ "92", "les" },
	{ "93", "la" },
	{ "94", "le" },
	{ "95", "le" },
	{ "971", "la" },
	{ "972", "la" },
	{ "973", "la" },
	{ "974", "" },
	{ "976", "" },
	{ NULL, NULL },
};
static const struct place_article reg_articles[] = {
	{ "01", "la" },
	{ "02", "la" },
	{ "03", "la" },
	{ "04", "" },
	{ "06", "" },
	{ "11", "l'" },
	{ "24", "le" },
	{ "27", "la" },
	{ "28", "la" },
	{ "32", "les" },
	{ "44", "le" },
	{ "52", "les" },
	{ "53", "la" },
	{ "75", "la" },
	{ "76", "l'" },
	{ "84", "l'" },
	{ "93", "la" },
	{ "94", "la" },
	{ NULL, NULL },
};

static const char *article_of(const struct place_article *t, const char *code)
{
	for (; t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->article;
	return NULL;
}

const char *ex_dep_article(const char *dep)
{
	return article_of(dep_articles, dep);
}

const char *ex_reg_article(const char *reg)
{
	return article_of(reg_articles, reg);
}

/* Labels of unknown codes (a fictional territory, a code outside the COG). */
#define UNKNOWN_MAX 8
static _Thread_local char unknown_label[UNKNOWN_MAX][32];
static _Thread_local int unknown_next;

static const char *unknown(const char *what, const char *code)
{
	char *s = unknown_label[unknown_next++ % UNKNOWN_MAX];

	snprintf(s, 32, "%s %s", what, code);
	return s;
}

const char *ex_dep_label(const char *dep)
{
	const char *s = cpts_dep_name(dep);
	return s ? s : unknown("Département", dep);
}

const char *ex_reg_label(const char *reg)
{
	const char *s = cpts_region_name(reg);
	return s ? s : unknown("Région", reg);
}

void ex_place_the(char *out, size_t n, bool is_region, const char *code)
{
	const char *art = is_region ? ex_reg_article(code) : ex_dep_article(code);
	const char *name = is_region ? ex_reg_label(code) : ex_dep_label(code);

	if (!art)
		snprintf(out, n, "%s %s", is_region ? "la région" : "le département", code);
	else /* "l'Ain", "la Loire-Atlantique", "Paris" */
		snprintf(out, n, "%s%s%s", art, *art && art[strlen(art) - 1] != '\'' ? " " : "",
			 name);
}

/* Metropolitan départements: 94 numbered 01-95 except 20, plus 2A and 2B. */
#define N_METRO_DEPS 96

void ex_scope_make(ex_scope *out, const cpts_model *m)
{
	char seen_dep[N_METRO_DEPS + 8][4];
	size_t n_metro = 0;
	char reg[4] = "";
	bool one_reg = true, any = false, outside_metro = false;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < m->n; i++) {
		const char *dp = m->c[i].dep;
		bool metro = strlen(dp) == 2;
		size_t k;
		if (!any) {
			snprintf(reg, sizeof(reg), "%s", m->c[i].reg);
			any = true;
		} else if (strcmp(reg, m->c[i].reg) != 0) {
			one_reg = false;
		}
		if (!metro) {
			outside_metro = true;
			continue;
		}
		for (k = 0; k < n_metro && strcmp(seen_dep[k], dp) != 0; k++)
			;
		if (k == n_metro && n_metro < N_METRO_DEPS + 8)
			snprintf(seen_dep[n_metro++], 4, "%s", dp);
	}
	if (any && one_reg) {
		/* one region: the whole area is that region (named when it is known) */
		out->is_one_region = true;
		snprintf(out->reg, sizeof(out->reg), "%s", reg);
		if (cpts_region_name(reg)) {
			snprintf(out->label, sizeof(out->label), "%s", ex_reg_label(reg));
			ex_place_the(out->the, sizeof(out->the), true, reg);
		} else {
			snprintf(out->label, sizeof(out->label), "zone étudiée");
			snprintf(out->the, sizeof(out->the), "la zone étudiée");
		}
	} else if (n_metro >= N_METRO_DEPS) {
		snprintf(out->label, sizeof(out->label), "%s",
			 outside_metro ? "France" : "France métropolitaine");
		snprintf(out->the, sizeof(out->the), "la %s", out->label);
	} else {
		snprintf(out->label, sizeof(out->label), "zone étudiée");
		snprintf(out->the, sizeof(out->the), "la zone étudiée");
	}
}

char *ex_terr_name(const ex_data *d, size_t t)
{
	const ex_terr *e = &d->terr[t];
	long pole = e->pole[0] ? cpts_model_find(d->m, e->pole) : -1;

	if (d->p->names && d->p->names[t] && *d->p->names[t])
		return cpts_strdup(d->p->names[t]);
	const char *id = d->p->terr[t];
	bool wordy = strchr(id, ' ') != NULL;

	if (strcmp(d->p->name, "_adhoc") == 0)
		return cpts_strdup("Territoire étudié"); /* cpts profile --communes, no --name */
	if (wordy) /* an id that is already a name ("CPTS Vileux et environs") */
		return cpts_strdup(id);
	if (pole >= 0 && d->m->c[pole].name && *d->m->c[pole].name)
		return cpts_asprintf("Territoire de %s", d->m->c[pole].name);
	return cpts_asprintf("Territoire %s", id);
}

void ex_date_fr(char *out, size_t n, const char *iso)
{
	static const char *const months[12] = { "janvier", "février", "mars", "avril", "mai",
		"juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre" };
	int y, mo, da;

	if (sscanf(iso, "%4d-%2d-%2d", &y, &mo, &da) != 3 || mo < 1 || mo > 12 || da < 1 ||
	    da > 31) {
		snprintf(out, n, "%s", iso);
		return;
	}
	if (da == 1)
		snprintf(out, n, "1er %s %d", months[mo - 1], y);
	else
		snprintf(out, n, "%d %s %d", da, months[mo - 1], y);
}
