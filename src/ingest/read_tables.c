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
#include <stdint.h>
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
#define W CPTS_COL_WHOLE

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
	/* optional (issue 14): without it, or a GP label, the rows are GP consultations
	   (the builtin ICC); another profession feeds the catalogue rows whose source is
	   consommation_<profession> (src/profile/generic.c) */
	{ "profession", "profession,prof,specialite,code_profession", CPTS_COL_TEXT, K, 0 },
};
static const cpts_colspec reference_cols[] = {
	{ "sexe", "sexe,sex,genre", CPTS_COL_SEX, R | K, 0 },
	{ "classe_age", "classe_age,age,tranche_age,classe_d_age,cl_age,tranche", CPTS_COL_AGE, R | K, 0 },
	{ "taux", "taux,rate,taux_recours,taux_de_recours", CPTS_COL_REAL, R, 1000 },
};
static const cpts_colspec mt_cols[] = {
	{ "code_commune", CPTS_ALIASES_CODE, CPTS_COL_CODE, R | K, 0 },
	{ "patients", "patients,nb_patients,patientele", CPTS_COL_COUNT, R | W, MAX_COUNT },
	{ "sans_mt", "sans_mt,patients_sans_mt,nb_sans_mt,nb_pat_sans_mt", CPTS_COL_COUNT, R | W, MAX_COUNT },
	{ "sans_mt_mt_parti", "sans_mt_mt_parti", CPTS_COL_COUNT, W, MAX_COUNT },
	{ "sans_mt_fictif", "sans_mt_fictif", CPTS_COL_COUNT, W, MAX_COUNT },
	{ "ald", "ald,patients_ald", CPTS_COL_COUNT, W, MAX_COUNT },
	{ "ald_sans_mt", "ald_sans_mt", CPTS_COL_COUNT, W, MAX_COUNT },
	{ "c2s", "c2s,patients_c2s", CPTS_COL_COUNT, W, MAX_COUNT },
	{ "c2s_sans_mt", "c2s_sans_mt", CPTS_COL_COUNT, W, MAX_COUNT },
	{ "p70", "p70,patients_70p,p70p", CPTS_COL_COUNT, W, MAX_COUNT },
	{ "p70_sans_mt", "p70_sans_mt,p70p_sans_mt", CPTS_COL_COUNT, W, MAX_COUNT },
};
static const cpts_colspec supply_cols[] = {
	{ "code_commune", CPTS_ALIASES_CODE, CPTS_COL_CODE, R | K, 0 },
	/* optional: a file without it (INSEE BPE with --map effectif=NB_D201) counts GPs */
	{ "profession", "profession,prof,specialite,code_profession", CPTS_COL_TEXT, K, 0 },
	{ "effectif", "effectif,effectifs,nb,nombre,nb_medecins,nb_praticiens", CPTS_COL_COUNT, R | W, MAX_COUNT },
	{ "etp", "etp", CPTS_COL_COUNT, 0, MAX_COUNT },
	{ "age_60p", "age_60p,nb_60p,plus_60,age60p", CPTS_COL_COUNT, W, MAX_COUNT },
};
static const cpts_colspec flows_cols[] = {
	{ "commune_residence", "commune_residence,residence,code_residence,com_residence,orig,"
	  "origine,commune_patient", CPTS_COL_CODE, R | K, 0 },
	{ "commune_exercice", "commune_exercice,exercice,code_exercice,com_exercice,dest,"
	  "destination,commune_praticien", CPTS_COL_DEST, R | K, 0 },
	{ "profession", "profession,prof,specialite", CPTS_COL_TEXT, K, 0 },
	{ "volume", "volume,actes,nb_actes,consultations,nb,n,flux", CPTS_COL_COUNT, R | W, MAX_COUNT * 20 },
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
#undef W
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
		N(consumption_cols), "code, sex, age, actes, profession, masked",
		"code, profession, sex, age",
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
	if (s[0] >= '0' && s[0] <= '9')
		return false; /* a number (the common case: no word to compare) */
	if (n >= sizeof(low))
		return false;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	for (int i = 0; words[i]; i++)
		if (strcmp(low, words[i]) == 0)
			return true;
	return false;
}

/* Length of a space-like thousands separator at p (blank, tab, U+00A0, U+202F), or 0. */
static size_t blank_len(const unsigned char *p)
{
	if (*p == ' ' || *p == '\t')
		return 1;
	if (p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF)
		return 3;
	return 0;
}

/*
 * Number with thousands separators. The digits are split into groups by separators:
 * blanks (space, U+00A0, U+202F) always group thousands; of ',' and '.', when both
 * appear the last one is the decimal separator and the other groups thousands; one of
 * them appearing several times groups thousands; appearing once, it is the decimal
 * separator unless exactly three digits follow it and 1 to 3 precede it ("1,234"),
 * which could be either: then the file's decimal separator (*dec, learnt from earlier
 * cells, '\0' while unknown) decides, and a whole count (whole) can only read it as a
 * thousands separator. Unknown for another number: CPTS_CELL_AMBIGUOUS when strict,
 * else a decimal (the reading of earlier versions). Thousands groups must have three
 * digits ("12 34" is bad). An unambiguous decimal separator is learnt into *dec.
 */
static enum cpts_cell parse_number(const char *s, char *dec, bool whole, bool strict,
				   double *v)
{
	const unsigned char *p = (const unsigned char *)s, *end_p;
	char tmp[80], seps[40];
	size_t glen[41], n_groups = 1, n_seps = 0, j = 0, b;
	int n_comma = 0, n_dot = 0, n_blank = 0;
	char decimal = 0, *end;
	bool neg = false;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return CPTS_CELL_EMPTY;
	if (is_masked_word((const char *)p))
		return CPTS_CELL_MASKED;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	{
		/* plain digits, the common case: no grouping to check (below 10^16 the
		 * conversion rounds as strtod does) */
		const unsigned char *q = p;
		uint64_t u = 0;
		int nd = 0;
		while (*q >= '0' && *q <= '9' && nd < 16) {
			u = u * 10 + (uint64_t)(*q++ - '0');
			nd++;
		}
		if (nd > 0 && *q == '\0') {
			*v = neg ? -(double)u : (double)u;
			return CPTS_CELL_VALUE;
		}
	}
	if (strpbrk((const char *)p, "eE")) { /* 1.5e3: no grouping, either decimal mark */
		for (; *p && j < sizeof(tmp) - 1; p++)
			tmp[j++] = *p == ',' ? '.' : (char)*p;
		tmp[j] = '\0';
		if (*p || !(tmp[0] >= '0' && tmp[0] <= '9'))
			return CPTS_CELL_BAD;
		*v = strtod(tmp, &end);
		if (*end != '\0' || !isfinite(*v))
			return CPTS_CELL_BAD;
		*v = neg ? -*v : *v;
		return CPTS_CELL_VALUE;
	}
	/* trailing blanks are not separators */
	end_p = p + strlen((const char *)p);
	for (;;) {
		if (end_p > p && (end_p[-1] == ' ' || end_p[-1] == '\t'))
			end_p--;
		else if (end_p - p >= 2 && end_p[-2] == 0xC2 && end_p[-1] == 0xA0)
			end_p -= 2;
		else if (end_p - p >= 3 && end_p[-3] == 0xE2 && end_p[-2] == 0x80 &&
			 end_p[-1] == 0xAF)
			end_p -= 3;
		else
			break;
	}
	glen[0] = 0;
	for (; p < end_p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (j >= sizeof(tmp) - 4)
				return CPTS_CELL_BAD;
			tmp[j++] = (char)*p;
			glen[n_groups - 1]++;
			continue;
		}
		b = blank_len(p);
		if (b == 0 && *p != ',' && *p != '.')
			return CPTS_CELL_BAD;
		if (n_seps >= sizeof(seps) || glen[n_groups - 1] == 0)
			return CPTS_CELL_BAD; /* two separators in a row, or one first */
		seps[n_seps++] = b ? ' ' : (char)*p;
		n_blank += b != 0;
		n_comma += *p == ',';
		n_dot += *p == '.';
		glen[n_groups++] = 0;
		if (b)
			p += b - 1;
	}
	if (j == 0 || glen[n_groups - 1] == 0)
		return CPTS_CELL_BAD;
	if (n_comma && n_dot) {
		decimal = seps[n_seps - 1];
		if ((decimal == ',' ? n_comma : n_dot) != 1)
			return CPTS_CELL_BAD;
		if (!*dec)
			*dec = decimal;
	} else if (n_comma + n_dot == 1) {
		char c = n_comma ? ',' : '.';
		size_t k = n_seps - 1; /* the one mark is the last separator, or bad below */
		bool maybe_thousands = seps[k] == c && glen[k + 1] == 3 && glen[k] <= 3 &&
				       (k == 0 || seps[k - 1] == ' ');
		if (seps[k] != c)
			return CPTS_CELL_BAD; /* blanks after the decimal mark */
		if (!maybe_thousands)
			decimal = c;
		else if (*dec)
			decimal = *dec == c ? c : 0;
		else if (n_blank)
			decimal = c; /* "1 234,567": blanks group, so the mark is decimal */
		else if (whole)
			decimal = 0;
		else if (strict)
			return CPTS_CELL_AMBIGUOUS;
		else
			decimal = c;
		if (decimal && !maybe_thousands && !*dec)
			*dec = c;
	}
	/* every separator but the decimal one groups thousands: 1-3 digits, then 3 each */
	for (size_t k = 0; k < n_seps; k++) {
		if (seps[k] == decimal)
			break;
		if ((k == 0 && glen[0] > 3) || glen[k + 1] != 3)
			return CPTS_CELL_BAD;
	}
	if (n_seps > 0 && seps[0] != decimal && glen[0] > 3)
		return CPTS_CELL_BAD;
	/* rebuild the digits with the decimal point */
	{
		char out[96];
		size_t o = 0, d = 0;
		for (size_t g = 0; g < n_groups; g++) {
			if (g > 0 && seps[g - 1] == decimal)
				out[o++] = '.';
			memcpy(out + o, tmp + d, glen[g]);
			o += glen[g];
			d += glen[g];
		}
		out[o] = '\0';
		*v = strtod(out, &end);
		if (*end != '\0' || !isfinite(*v))
			return CPTS_CELL_BAD;
	}
	*v = neg ? -*v : *v;
	return CPTS_CELL_VALUE;
}

enum cpts_cell cpts_ingest__cell(const char *s, double *v)
{
	char dec = 0;

	return parse_number(s, &dec, false, false, v);
}

enum cpts_cell cpts_ingest__number(const char *s, char *dec, bool whole, double *v)
{
	return parse_number(s, dec, whole, true, v);
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

static void list_columns(cpts_buf *b, const cpts_csv *c, const cpts_kindspec *k,
			 const cpts_ingest_table_opts *o)
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
	/* the option as the running command spells it */
	if (o && o->diagnose_hints)
		cpts_buf_addf(b, "; use --map %s:canonical=theirs to name a column)", k->name);
	else
		cpts_buf_addstr(b, "; use --map canonical=theirs to name a column)");
}

/* A column named twice in the header: which one would be read is anybody's guess. */
static int check_duplicates(cpts_ctx *ctx, const cpts_csv *c)
{
	cpts_strmap *seen = cpts_strmap_new(64);
	int rc = CPTS_OK;
	char name[128];
	int64_t first;

	for (size_t i = 0; i < cpts_csv_n_cols(c) && rc == CPTS_OK; i++) {
		norm_name(cpts_csv_col(c, i), name, sizeof(name));
		if (!name[0])
			continue;
		if (cpts_strmap_get(seen, name, &first))
			rc = cpts_fail(ctx, CPTS_EINPUT, "'%s': line 1: column '%s' appears twice in the"
				       " header (fields %lld and %zu): rename or remove one",
				       cpts_csv_name(c), cpts_csv_col(c, i), (long long)first + 1, i + 1);
		else
			cpts_strmap_put(seen, name, (int64_t)i);
	}
	cpts_strmap_free(seen);
	return rc;
}

/* Columns of the file no canonical column reads: said, never silently dropped. */
static void warn_unused(cpts_ctx *ctx, const cpts_csv *c, const cpts_kindspec *k,
			const int *col)
{
	cpts_buf b = CPTS_BUF_INIT;
	size_t n = 0;

	if (k == &cpts_ingest__kinds[CPTS_TABLE_ATTRIBUTES])
		return; /* every other column is an attribute */
	for (size_t i = 0; i < cpts_csv_n_cols(c); i++) {
		bool used = false;
		for (size_t j = 0; j < k->n_cols && !used; j++)
			used = col[j] == (int)i;
		if (used || !*cpts_csv_col_low(c, i))
			continue;
		if (n++ < 20)
			cpts_buf_addf(&b, "%s'%s'", n > 1 ? ", " : "", cpts_csv_col(c, i));
	}
	if (n > 20)
		cpts_buf_addstr(&b, ", ...");
	if (n)
		cpts_warn(ctx, "'%s': %zu column%s not read (not a column of %s; name one with"
			  " --map canonical=theirs): %s", cpts_csv_name(c), n, n > 1 ? "s" : "",
			  k->name, b.data);
	cpts_buf_release(&b);
}

int cpts_ingest__match_columns(cpts_ctx *ctx, const cpts_csv *c, const cpts_kindspec *k,
			       const cpts_ingest_table_opts *o, int *col)
{
	cpts_buf b = CPTS_BUF_INIT;
	int rc = CPTS_OK;

	if ((rc = check_duplicates(ctx, c)) < 0)
		return rc;

	for (size_t m = 0; o && m < o->n_map; m++) {
		const char *eq = strchr(o->map[m], '=');
		bool found = false;
		for (size_t i = 0; eq && i < k->n_cols; i++)
			if (strlen(k->cols[i].canon) == (size_t)(eq - o->map[m]) &&
			    strncmp(k->cols[i].canon, o->map[m], (size_t)(eq - o->map[m])) == 0)
				found = true;
		if (!found) {
			if (o->diagnose_hints)
				cpts_buf_addf(&b, "--map '%s:%s': expected %s:canonical=theirs with"
					      " canonical among:", k->name, o->map[m], k->name);
			else
				cpts_buf_addf(&b, "--map '%s': expected canonical=theirs with canonical"
					      " among:", o->map[m]);
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
			list_columns(&b, c, k, o);
			rc = cpts_fail(ctx, CPTS_EINPUT, "%s", b.data);
			goto out;
		}
	}
	warn_unused(ctx, c, k, col);
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

/*
 * Counts of a row bounded by another: a subgroup never exceeds its group, the parts of
 * a breakdown never exceed their whole (both known, neither masked). A file saying
 * otherwise would publish shares above 100 %.
 */
static const struct count_bound {
	cpts_table_kind kind;
	const char *part[2]; /* summed; part[1] may be NULL */
	const char *whole;
} count_bounds[] = {
	{ CPTS_TABLE_MT, { "sans_mt", NULL }, "patients" },
	{ CPTS_TABLE_MT, { "sans_mt_mt_parti", "sans_mt_fictif" }, "sans_mt" },
	{ CPTS_TABLE_MT, { "ald", NULL }, "patients" },
	{ CPTS_TABLE_MT, { "ald_sans_mt", NULL }, "ald" },
	{ CPTS_TABLE_MT, { "c2s", NULL }, "patients" },
	{ CPTS_TABLE_MT, { "c2s_sans_mt", NULL }, "c2s" },
	{ CPTS_TABLE_MT, { "p70", NULL }, "patients" },
	{ CPTS_TABLE_MT, { "p70_sans_mt", NULL }, "p70" },
	{ CPTS_TABLE_SUPPLY, { "age_60p", NULL }, "effectif" },
};

/* Index of a canonical column in the kind (-1 when absent). */
static int canon_index(const cpts_kindspec *k, const char *canon)
{
	for (size_t i = 0; i < k->n_cols; i++)
		if (strcmp(k->cols[i].canon, canon) == 0)
			return (int)i;
	return -1;
}

static int check_bounds(cpts_ctx *ctx, const cpts_loader *L)
{
	for (size_t b = 0; b < sizeof(count_bounds) / sizeof(count_bounds[0]); b++) {
		const struct count_bound *cb = &count_bounds[b];
		int w, p[2];
		double sum = 0;
		bool known;
		if (&cpts_ingest__kinds[cb->kind] != L->kind)
			continue; /* before any name is compared: millions of flow rows */
		w = canon_index(L->kind, cb->whole);
		known = w >= 0 && L->v[w].state == CPTS_V_VALUE;
		if (!known)
			continue;
		for (int k = 0; k < 2; k++) {
			p[k] = cb->part[k] ? canon_index(L->kind, cb->part[k]) : -1;
			if (cb->part[k] && (p[k] < 0 || L->v[p[k]].state != CPTS_V_VALUE))
				known = false;
			else if (p[k] >= 0)
				sum += L->v[p[k]].num;
		}
		if (!known || sum <= L->v[w].num)
			continue;
		if (p[1] >= 0)
			return cpts_fail(ctx, CPTS_EINPUT, "%s:%zu: '%s' (%g) + '%s' (%g) is more than"
					 " '%s' (%g): the parts of a breakdown cannot exceed their"
					 " whole", cpts_csv_name(L->csv), cpts_csv_line(L->csv),
					 cpts_csv_col(L->csv, (size_t)L->col[p[0]]), L->v[p[0]].num,
					 cpts_csv_col(L->csv, (size_t)L->col[p[1]]), L->v[p[1]].num,
					 cpts_csv_col(L->csv, (size_t)L->col[w]), L->v[w].num);
		return cpts_fail(ctx, CPTS_EINPUT, "%s:%zu: '%s' (%g) is more than '%s' (%g): a"
				 " subgroup cannot exceed its group", cpts_csv_name(L->csv),
				 cpts_csv_line(L->csv), cpts_csv_col(L->csv, (size_t)L->col[p[0]]),
				 L->v[p[0]].num, cpts_csv_col(L->csv, (size_t)L->col[w]), L->v[w].num);
	}
	return CPTS_OK;
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
			else if (L->kind_id == CPTS_TABLE_SUPPLY && strcmp(cs->canon, "profession") == 0)
				snprintf(v->text, sizeof(v->text), "%s", L->opts->profession
					 ? L->opts->profession : "medecin_generaliste");
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
			/* never cut an id or a name (mid-character, and two long ids into one) */
			if (strlen(skip_blank(s)) >= sizeof(v->text))
				return cpts_ingest__cell_error(ctx, L->csv, cn, "(too long)",
							       "is longer than 1,023 bytes");
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
			bool whole = (cs->flags & CPTS_COL_WHOLE) != 0;
			enum cpts_cell ce = cpts_ingest__number(s, &L->dec, whole, &v->num);
			if (ce == CPTS_CELL_BAD)
				return cpts_ingest__cell_error(ctx, L->csv, cn, s, "is not a number"
							       " (thousands separators group three"
							       " digits: 1 234 or 1.234,5)");
			if (ce == CPTS_CELL_AMBIGUOUS)
				return cpts_ingest__cell_error(ctx, L->csv, cn, s, "is ambiguous: a"
							       " thousands or a decimal separator? no"
							       " earlier cell of the file tells (write"
							       " it without thousands separator)");
			if (ce == CPTS_CELL_VALUE && whole && v->num != floor(v->num))
				return cpts_ingest__cell_error(ctx, L->csv, cn, s, L->dec == ',' &&
							       strchr(s, ',') ? "is not a whole"
							       " number (a count; the decimal separator"
							       " of this file is ',')"
							       : "is not a whole number (a count)");
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
	return numbers ? check_bounds(ctx, L) : CPTS_OK;
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
