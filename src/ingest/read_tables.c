/*
 * read_tables.c - the CSV kinds of the input contract (DOMAIN.md section 3) into the
 * workspace: population, consumption, reference, mt, supply, flows, traveltime,
 * partition, attributes (passage is in read_passage.c).
 *
 * Why one table-driven loader: every kind is "find the columns, parse each cell with
 * the same rules (masked cells, decimal commas, lost leading zeros), resolve the commune
 * codes, insert". A kind is a row of kinds[]: its columns in the order of the workspace
 * table, and what to do when two rows land on the same key (merged communes add up).
 *
 * Duplicates are caught by the table's primary key, not by an in-memory set, so a flows
 * file of tens of millions of rows is read with bounded memory: only the keys produced
 * by passage or arrondissement mapping (a few thousand) are remembered, to tell a real
 * duplicate from a legitimate sum.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/code.h"
#include "cpts/store.h"
#include "ingest/ingest_int.h"
#include "ingest/read_int.h"
#include "ingest/resolve.h"

#define MAX_COUNT 70e6 /* more than the population of France: absurd */

#define R CPTS_COL_REQUIRED
#define K CPTS_COL_KEY

static const cpts_colspec population_cols[] = {
	{ "code_commune", CPTS_ALIASES_CODE, CPTS_COL_CODE, R | K, 0 },
	{ "sexe", "sexe,sex,genre", CPTS_COL_SEX, K, 0 },
	{ "classe_age", "classe_age,age,tranche_age,classe_d_age,cl_age,tranche", CPTS_COL_AGE, K, 0 },
	{ "population", "population,population_municipale,pop,pmun,population_totale,ptot",
	  CPTS_COL_COUNT, R, MAX_COUNT },
};
static const cpts_colspec consumption_cols[] = {
	{ "code_commune", CPTS_ALIASES_CODE, CPTS_COL_CODE, R | K, 0 },
	{ "sexe", "sexe,sex,genre", CPTS_COL_SEX, K, 0 },
	{ "classe_age", "classe_age,age,tranche_age,classe_d_age,cl_age,tranche", CPTS_COL_AGE, K, 0 },
	{ "actes", "actes,nb_actes,consultations,nb_consultations,volume", CPTS_COL_COUNT, R, MAX_COUNT * 20 },
};
static const cpts_colspec reference_cols[] = {
	{ "sexe", "sexe,sex,genre", CPTS_COL_SEX, R | K, 0 },
	{ "classe_age", "classe_age,age,tranche_age,classe_d_age,cl_age,tranche", CPTS_COL_AGE, R | K, 0 },
	{ "taux", "taux,rate,taux_recours,taux_de_recours", CPTS_COL_REAL, R, 1000 },
};
static const cpts_colspec mt_cols[] = {
	{ "code_commune", CPTS_ALIASES_CODE, CPTS_COL_CODE, R | K, 0 },
	{ "patients", "patients,nb_patients,patientele", CPTS_COL_COUNT, R, MAX_COUNT },
	{ "sans_mt", "sans_mt,patients_sans_mt,nb_sans_mt,nb_pat_sans_mt", CPTS_COL_COUNT, R, MAX_COUNT },
	{ "sans_mt_mt_parti", "sans_mt_mt_parti", CPTS_COL_COUNT, 0, MAX_COUNT },
	{ "sans_mt_fictif", "sans_mt_fictif", CPTS_COL_COUNT, 0, MAX_COUNT },
	{ "ald", "ald,patients_ald", CPTS_COL_COUNT, 0, MAX_COUNT },
	{ "ald_sans_mt", "ald_sans_mt", CPTS_COL_COUNT, 0, MAX_COUNT },
	{ "c2s", "c2s,patients_c2s", CPTS_COL_COUNT, 0, MAX_COUNT },
	{ "c2s_sans_mt", "c2s_sans_mt", CPTS_COL_COUNT, 0, MAX_COUNT },
	{ "p70", "p70,patients_70p,p70p", CPTS_COL_COUNT, 0, MAX_COUNT },
	{ "p70_sans_mt", "p70_sans_mt,p70p_sans_mt", CPTS_COL_COUNT, 0, MAX_COUNT },
};
static const cpts_colspec supply_cols[] = {
	{ "code_commune", CPTS_ALIASES_CODE, CPTS_COL_CODE, R | K, 0 },
	{ "profession", "profession,prof,specialite,code_profession", CPTS_COL_TEXT, R | K, 0 },
	{ "effectif", "effectif,effectifs,nb,nombre,nb_medecins,nb_praticiens", CPTS_COL_COUNT, R, MAX_COUNT },
	{ "etp", "etp", CPTS_COL_COUNT, 0, MAX_COUNT },
	{ "age_60p", "age_60p,nb_60p,plus_60,age60p", CPTS_COL_COUNT, 0, MAX_COUNT },
};
static const cpts_colspec flows_cols[] = {
	{ "commune_residence", "commune_residence,residence,code_residence,com_residence,orig,"
	  "origine,commune_patient", CPTS_COL_CODE, R | K, 0 },
	{ "commune_exercice", "commune_exercice,exercice,code_exercice,com_exercice,dest,"
	  "destination,commune_praticien", CPTS_COL_DEST, R | K, 0 },
	{ "profession", "profession,prof,specialite", CPTS_COL_TEXT, K, 0 },
	{ "volume", "volume,actes,nb_actes,consultations,nb,n,flux", CPTS_COL_COUNT, R, MAX_COUNT * 20 },
};
static const cpts_colspec traveltime_cols[] = {
	{ "origine", "origine,orig,from,commune_origine,code_origine", CPTS_COL_CODE, R | K, 0 },
	{ "destination", "destination,dest,to,commune_destination,code_destination",
	  CPTS_COL_CODE, R | K, 0 },
	{ "minutes", "minutes,duree,temps,time,minutes_route,duree_min", CPTS_COL_REAL, R, 10000 },
};
static const cpts_colspec partition_cols[] = {
	{ "code_commune", CPTS_ALIASES_CODE, CPTS_COL_CODE, R | K, 0 },
	{ "territoire", "territoire,territory,cpts,nom_cpts,code_cpts,bassin,basin",
	  CPTS_COL_TEXT, R | K, 0 },
	{ "statut", "statut,status,etat", CPTS_COL_TEXT, 0, 0 },
	{ "nom", "nom,nom_territoire,libelle_territoire,territory_name", CPTS_COL_TEXT,
	  CPTS_COL_SIDE, 0 },
};
static const cpts_colspec attributes_cols[] = {
	{ "code_commune", CPTS_ALIASES_CODE, CPTS_COL_CODE, R | K, 0 },
};
static const cpts_colspec passage_cols[] = {
	{ "old_code", "old_code,ancien_code,code_ancien,old,code_avant,code_old,ancien",
	  CPTS_COL_TEXT, R | K, 0 },
	{ "new_code", "new_code,nouveau_code,code_nouveau,new,code_apres,code_new,nouveau",
	  CPTS_COL_TEXT, R | K, 0 },
	{ "weight", "weight,poids,ratio,part,share", CPTS_COL_TEXT, 0, 0 },
};

#undef R
#undef K
#define N(a) (sizeof(a) / sizeof((a)[0]))

#define ADD_NULLABLE(c) \
	c " = CASE WHEN " c " IS NULL AND excluded." c " IS NULL THEN NULL ELSE coalesce(" c \
	  ",0) + coalesce(excluded." c ",0) END"
#define ADD_MT(c, bit)                                                                   \
	c " = CASE WHEN ((mask | excluded.mask) & " #bit ") THEN NULL WHEN " c " IS NULL AND" \
	  " excluded." c " IS NULL THEN NULL ELSE coalesce(" c ",0) + coalesce(excluded." c  \
	  ",0) END"

const cpts_kindspec cpts_ingest__kinds[CPTS_TABLE_N_KINDS] = {
	[CPTS_TABLE_POPULATION] = { "population", "population", population_cols, N(population_cols),
		"code, sex, age, pop", "code, sex, age", "pop = pop + excluded.pop", CPTS_X_NONE },
	[CPTS_TABLE_CONSUMPTION] = { "consumption", "consumption", consumption_cols,
		N(consumption_cols), "code, sex, age, actes, masked", "code, sex, age",
		"actes = CASE WHEN masked OR excluded.masked THEN NULL ELSE actes + excluded.actes"
		" END, masked = masked OR excluded.masked", CPTS_X_MASKED },
	[CPTS_TABLE_REFERENCE] = { "reference", "reference", reference_cols, N(reference_cols),
		"sex, age, rate", "sex, age", "rate = excluded.rate", CPTS_X_NONE },
	[CPTS_TABLE_MT] = { "mt", "mt", mt_cols, N(mt_cols),
		"code, patients, sans_mt, sans_mt_mt_parti, sans_mt_fictif, ald, ald_sans_mt, c2s,"
		" c2s_sans_mt, p70, p70_sans_mt, mask", "code",
		ADD_MT("patients", 1) ", " ADD_MT("sans_mt", 2) ", " ADD_MT("sans_mt_mt_parti", 4)
		", " ADD_MT("sans_mt_fictif", 8) ", " ADD_MT("ald", 16) ", " ADD_MT("ald_sans_mt", 32)
		", " ADD_MT("c2s", 64) ", " ADD_MT("c2s_sans_mt", 128) ", " ADD_MT("p70", 256) ", "
		ADD_MT("p70_sans_mt", 512) ", mask = mask | excluded.mask", CPTS_X_MASKBITS },
	[CPTS_TABLE_SUPPLY] = { "supply", "supply", supply_cols, N(supply_cols),
		"code, profession, effectif, etp, age_60p", "code, profession",
		ADD_NULLABLE("effectif") ", " ADD_NULLABLE("etp") ", " ADD_NULLABLE("age_60p"),
		CPTS_X_NONE },
	[CPTS_TABLE_FLOWS] = { "flows", "flows", flows_cols, N(flows_cols),
		"orig, dest, profession, volume, masked, outside", "orig, dest, profession",
		"volume = CASE WHEN masked OR excluded.masked THEN NULL ELSE volume + excluded.volume"
		" END, masked = masked OR excluded.masked", CPTS_X_MASKED_OUTSIDE },
	[CPTS_TABLE_TRAVELTIME] = { "traveltime", "traveltime", traveltime_cols,
		N(traveltime_cols), "orig, dest, minutes", "orig, dest",
		"minutes = min(minutes, excluded.minutes)", CPTS_X_NONE },
	[CPTS_TABLE_PARTITION] = { "partition", "partition_members", partition_cols,
		N(partition_cols), "partition, code, territory, statut, weight",
		"partition, code, territory", "weight = min(1.0, weight + excluded.weight)",
		CPTS_X_PARTITION },
	[CPTS_TABLE_ATTRIBUTES] = { "attributes", "attributes", attributes_cols,
		N(attributes_cols), "code, name, value", "code, name", "value = value",
		CPTS_X_NONE },
	[CPTS_TABLE_PASSAGE] = { "passage", "passage", passage_cols, N(passage_cols),
		"old_code, new_code, weight", "old_code, new_code", "weight = excluded.weight",
		CPTS_X_NONE },
};

const char *cpts_table_kind_name(cpts_table_kind k)
{
	if ((int)k < 0 || k >= CPTS_TABLE_N_KINDS)
		return "?";
	return cpts_ingest__kinds[k].name;
}

int cpts_table_kind_parse(const char *name)
{
	for (int k = 0; k < CPTS_TABLE_N_KINDS; k++)
		if (cpts_strcasecmp(name, cpts_ingest__kinds[k].name) == 0)
			return k;
	return -1;
}

/* ---- cells ---------------------------------------------------------------------- */

static bool is_masked_word(const char *s)
{
	static const char *const words[] = { "s", "ns", "secret", "nd", "nc", "c", "x", "*",
					     "masque", "masqué", "secret stat", NULL };
	char low[16];
	size_t n = strlen(s);

	if (s[0] == '<')
		return true; /* <11, < 11, <5 */
	if (n >= sizeof(low))
		return false;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	for (int i = 0; words[i]; i++)
		if (strcmp(low, words[i]) == 0)
			return true;
	return false;
}

enum cpts_cell cpts_ingest__cell(const char *s, double *v)
{
	char tmp[64];
	size_t j = 0;
	const unsigned char *p = (const unsigned char *)s;
	bool digits = false, sep = false;
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return CPTS_CELL_EMPTY;
	if (is_masked_word((const char *)p))
		return CPTS_CELL_MASKED;
	/* copy, dropping blanks used as thousands separators (space, U+00A0, U+202F) */
	for (; *p && j < sizeof(tmp) - 1; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		if (p[0] == 0xC2 && p[1] == 0xA0) {
			p++;
			continue;
		}
		if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF) {
			p += 2;
			continue;
		}
		if (*p >= '0' && *p <= '9')
			digits = true;
		else if (*p == ',' || *p == '.') {
			if (sep)
				return CPTS_CELL_BAD;
			sep = true;
			tmp[j++] = '.';
			continue;
		} else if (!(*p == '-' || *p == '+' || *p == 'e' || *p == 'E'))
			return CPTS_CELL_BAD;
		tmp[j++] = (char)*p;
	}
	if (*p || !digits)
		return CPTS_CELL_BAD;
	tmp[j] = '\0';
	*v = strtod(tmp, &end);
	if (*end != '\0' || !isfinite(*v))
		return CPTS_CELL_BAD;
	return CPTS_CELL_VALUE;
}

/* Sex: F, M or T (both). */
static bool norm_sex(const char *s, char out[2])
{
	static const char *const f[] = { "f", "femme", "femmes", "2", "w", NULL };
	static const char *const m[] = { "m", "h", "homme", "hommes", "1", NULL };
	static const char *const t[] = { "t", "ensemble", "total", "tous", "all", "0", "", "3", NULL };
	char low[16];
	size_t n = strlen(s);

	while (n && s[n - 1] == ' ')
		n--;
	while (*s == ' ')
		s++, n--;
	if (n >= sizeof(low))
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	low[n] = '\0';
	for (int i = 0; f[i]; i++)
		if (strcmp(low, f[i]) == 0)
			return out[0] = 'F', out[1] = '\0', true;
	for (int i = 0; m[i]; i++)
		if (strcmp(low, m[i]) == 0)
			return out[0] = 'M', out[1] = '\0', true;
	for (int i = 0; t[i]; i++)
		if (strcmp(low, t[i]) == 0)
			return out[0] = 'T', out[1] = '\0', true;
	return false;
}

static const char *skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool read_int(const char **p, long *out)
{
	long v = 0;
	int nd = 0;

	while (**p >= '0' && **p <= '9' && nd < 4) {
		v = v * 10 + (**p - '0');
		(*p)++;
		nd++;
	}
	*out = v;
	return nd > 0 && !(**p >= '0' && **p <= '9');
}

/* Age band: "00-04", "0-4", "0 à 4 ans", "95+", "95 ans et plus" -> "00-04" / "95+";
 * "total", "ensemble", "" -> "ALL". */
static bool norm_age(const char *s, char out[48])
{
	const char *p = skip_blank(s);
	long a, b;

	if (*p == '\0' || cpts_strcasecmp(p, "all") == 0 || cpts_strcasecmp(p, "total") == 0 ||
	    cpts_strcasecmp(p, "ensemble") == 0 || cpts_strcasecmp(p, "tous") == 0) {
		memcpy(out, "ALL", 4);
		return true;
	}
	if (!read_int(&p, &a) || a > 120)
		return false;
	p = skip_blank(p);
	if (strncmp(p, "ans", 3) == 0)
		p = skip_blank(p + 3);
	if (*p == '+' || strncmp(p, "et +", 4) == 0 || strncmp(p, "et plus", 7) == 0 ||
	    strncmp(p, "ou plus", 7) == 0) {
		snprintf(out, 48, "%02ld+", a);
		return true;
	}
	if (*p == '-' || *p == '_')
		p++;
	else if (strncmp(p, "à", strlen("à")) == 0)
		p += strlen("à");
	else if (strncmp(p, "a ", 2) == 0)
		p++;
	else
		return false;
	p = skip_blank(p);
	if (!read_int(&p, &b) || b < a || b > 120)
		return false;
	p = skip_blank(p);
	if (strncmp(p, "ans", 3) == 0)
		p = skip_blank(p + 3);
	if (*p)
		return false;
	snprintf(out, 48, "%02ld-%02ld", a, b);
	return true;
}

/* ---- columns --------------------------------------------------------------------- */

/* Lower case, blanks, dashes and dots as underscores: "Code Commune" -> "code_commune". */
static void norm_name(const char *in, char *out, size_t n)
{
	size_t j = 0;

	in = skip_blank(in);
	for (; *in && j + 1 < n; in++) {
		char c = *in;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == ' ' || c == '-' || c == '.')
			c = '_';
		out[j++] = c;
	}
	while (j && out[j - 1] == '_')
		j--;
	out[j] = '\0';
}

int cpts_ingest__find_header(const cpts_csv *c, const char *want)
{
	char a[128], b[128];

	norm_name(want, a, sizeof(a));
	for (size_t i = 0; i < cpts_csv_n_cols(c); i++) {
		norm_name(cpts_csv_col(c, i), b, sizeof(b));
		if (strcmp(a, b) == 0)
			return (int)i;
	}
	return -1;
}

static void list_columns(cpts_buf *b, const cpts_csv *c, const cpts_kindspec *k)
{
	cpts_buf_addstr(b, " (expected: ");
	for (size_t i = 0; i < k->n_cols; i++)
		cpts_buf_addf(b, "%s%s%s%s", i ? ", " : "", k->cols[i].flags & CPTS_COL_REQUIRED ? "" : "[",
			      k->cols[i].canon, k->cols[i].flags & CPTS_COL_REQUIRED ? "" : "]");
	cpts_buf_addstr(b, "; found: ");
	for (size_t i = 0; i < cpts_csv_n_cols(c) && i < 40; i++)
		cpts_buf_addf(b, "%s%s", i ? ", " : "", cpts_csv_col(c, i));
	if (cpts_csv_n_cols(c) > 40)
		cpts_buf_addstr(b, ", ...");
	cpts_buf_addstr(b, "; use --map canonical=theirs to name a column)");
}

int cpts_ingest__match_columns(cpts_ctx *ctx, const cpts_csv *c, const cpts_kindspec *k,
			       const cpts_ingest_table_opts *o, int *col)
{
	cpts_buf b = CPTS_BUF_INIT;
	int rc = CPTS_OK;

	for (size_t m = 0; o && m < o->n_map; m++) {
		const char *eq = strchr(o->map[m], '=');
		bool found = false;
		for (size_t i = 0; eq && i < k->n_cols; i++)
			if (strlen(k->cols[i].canon) == (size_t)(eq - o->map[m]) &&
			    strncmp(k->cols[i].canon, o->map[m], (size_t)(eq - o->map[m])) == 0)
				found = true;
		if (!found) {
			cpts_buf_addf(&b, "--map '%s': expected canonical=theirs with canonical among:",
				      o->map[m]);
			for (size_t i = 0; i < k->n_cols; i++)
				cpts_buf_addf(&b, " %s", k->cols[i].canon);
			rc = cpts_fail(ctx, CPTS_EUSAGE, "%s", b.data);
			goto out;
		}
	}
	for (size_t i = 0; i < k->n_cols; i++) {
		const cpts_colspec *cs = &k->cols[i];
		const char *mapped = NULL;
		size_t cl = strlen(cs->canon);

		col[i] = -1;
		for (size_t m = 0; o && m < o->n_map; m++)
			if (strncmp(o->map[m], cs->canon, cl) == 0 && o->map[m][cl] == '=')
				mapped = o->map[m] + cl + 1;
		if (mapped) {
			col[i] = cpts_ingest__find_header(c, mapped);
		} else {
			char *al = cpts_strdup(cs->aliases);
			for (char *p = al, *q; p && col[i] < 0; p = q) {
				q = strchr(p, ',');
				if (q)
					*q++ = '\0';
				col[i] = cpts_ingest__find_header(c, p);
			}
			free(al);
		}
		if (col[i] < 0 && (cs->flags & CPTS_COL_REQUIRED)) {
			cpts_buf_addf(&b, "'%s': missing column '%s'", cpts_csv_name(c),
				      mapped ? mapped : cs->canon);
			list_columns(&b, c, k);
			rc = cpts_fail(ctx, CPTS_EINPUT, "%s", b.data);
			goto out;
		}
	}
out:
	cpts_buf_release(&b);
	return rc;
}

/* ---- rows ------------------------------------------------------------------------ */

int cpts_ingest__cell_error(cpts_ctx *ctx, const cpts_csv *c, const char *col,
			    const char *value, const char *what)
{
	char shown[48];
	size_t n = strlen(value);

	snprintf(shown, sizeof(shown), "%.40s%s", value, n > 40 ? "..." : "");
	cpts_fail(ctx, CPTS_EINPUT, "%s:%zu: column '%s': '%s' %s", cpts_csv_name(c),
		  cpts_csv_line(c), col, shown, what);
	return CPTS_EINPUT;
}

/* Parse the cells of one row into L->v: the keys (numbers = false) or the values. */
int cpts_ingest__parse_cells(cpts_ctx *ctx, cpts_loader *L, char **f, bool numbers)
{
	const cpts_kindspec *k = L->kind;

	for (size_t i = 0; i < k->n_cols; i++) {
		const cpts_colspec *cs = &k->cols[i];
		bool is_num = cs->type == CPTS_COL_COUNT || cs->type == CPTS_COL_REAL;
		if (is_num != numbers)
			continue;
		const char *s = L->col[i] >= 0 ? f[L->col[i]] : NULL;
		cpts_value *v = &L->v[i];
		const char *cn = L->col[i] >= 0 ? cpts_csv_col(L->csv, (size_t)L->col[i]) : cs->canon;
		unsigned fl = 0;

		v->state = CPTS_V_ABSENT;
		if (!s) {
			if (cs->type == CPTS_COL_SEX)
				memcpy(v->text, "T", 2);
			else if (cs->type == CPTS_COL_AGE)
				memcpy(v->text, "ALL", 4);
			else
				v->text[0] = '\0';
			continue;
		}
		switch (cs->type) {
		case CPTS_COL_CODE:
		case CPTS_COL_DEST:
			if (*skip_blank(s) == '\0')
				return cpts_ingest__cell_error(ctx, L->csv, cn, s, "is empty (a commune"
							       " code is required)");
			if (!cpts_code_normalize(s, strlen(s), v->text, &fl,
						 L->opts->snds_codes && cs->type == CPTS_COL_CODE))
				return cpts_ingest__cell_error(ctx, L->csv, cn, s,
					"is not a commune code (5 characters: 44109, 2A004, 97101)");
			if ((fl & CPTS_CODE_REPAIRED) && L->n_repaired++ == 0)
				snprintf(L->repaired_example, sizeof(L->repaired_example),
					 "line %zu: '%.12s' -> '%.5s'", cpts_csv_line(L->csv), s, v->text);
			v->state = CPTS_V_VALUE;
			break;
		case CPTS_COL_SEX:
			if (!norm_sex(s, v->text))
				return cpts_ingest__cell_error(ctx, L->csv, cn, s,
							       "is not a sex (F, M or T)");
			v->state = CPTS_V_VALUE;
			break;
		case CPTS_COL_AGE:
			if (!norm_age(s, v->text))
				return cpts_ingest__cell_error(ctx, L->csv, cn, s, "is not an age band"
							       " (00-04 ... 90-94, 95+)");
			v->state = CPTS_V_VALUE;
			break;
		case CPTS_COL_TEXT:
			snprintf(v->text, sizeof(v->text), "%s", skip_blank(s));
			{
				size_t n = strlen(v->text);
				while (n && (v->text[n - 1] == ' ' || v->text[n - 1] == '\t'))
					v->text[--n] = '\0';
			}
			v->state = v->text[0] ? CPTS_V_VALUE : CPTS_V_EMPTY;
			/* partition --from-column: no value = the commune stays uncovered */
			if (v->state == CPTS_V_EMPTY && (cs->flags & CPTS_COL_REQUIRED) &&
			    !(L->kind_id == CPTS_TABLE_PARTITION && L->opts->from_column))
				return cpts_ingest__cell_error(ctx, L->csv, cn, s, "is empty");
			break;
		case CPTS_COL_COUNT:
		case CPTS_COL_REAL: {
			enum cpts_cell ce = cpts_ingest__cell(s, &v->num);
			if (ce == CPTS_CELL_BAD)
				return cpts_ingest__cell_error(ctx, L->csv, cn, s, "is not a number");
			if (ce != CPTS_CELL_VALUE) {
				if (cs->type == CPTS_COL_REAL || L->kind == &cpts_ingest__kinds[CPTS_TABLE_POPULATION])
					return cpts_ingest__cell_error(ctx, L->csv, cn, s, ce ==
						CPTS_CELL_EMPTY ? "is empty (a value is required)"
								: "is masked (a value is required here)");
				v->state = CPTS_V_MASKED;
				break;
			}
			if (v->num < 0)
				return cpts_ingest__cell_error(ctx, L->csv, cn, s, "is negative");
			if (cs->max > 0 && v->num > cs->max) {
				char msg[96];
				snprintf(msg, sizeof(msg), "is absurd (above %.0f)", cs->max);
				return cpts_ingest__cell_error(ctx, L->csv, cn, s, msg);
			}
			v->state = CPTS_V_VALUE;
			break;
		}
		}
	}
	return CPTS_OK;
}

int cpts_ingest__row(cpts_ctx *ctx, cpts_loader *L, char **f)
{
	int rc;

	if ((rc = cpts_ingest__parse_cells(ctx, L, f, false)) != CPTS_OK)
		return rc;
	if (L->kind_id == CPTS_TABLE_PARTITION && L->v[1].state != CPTS_V_VALUE) {
		L->n_no_value++;
		return 1;
	}
	if (L->opts->profession) {
		for (size_t i = 0; i < L->kind->n_cols; i++)
			if (strcmp(L->kind->cols[i].canon, "profession") == 0 &&
			    L->v[i].state == CPTS_V_VALUE &&
			    cpts_strcasecmp(L->v[i].text, L->opts->profession) != 0)
				return 1;
	}
	return CPTS_OK;
}
