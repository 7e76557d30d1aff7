/*
 * code.c - INSEE commune codes: shape, repair of lost leading zeros, SNDS conversion,
 * arrondissements of Paris/Lyon/Marseille, département/region and projected CRS.
 */
#include <string.h>

#include "cpts/code.h"
#include "cpts/util.h"
#include "core/code_int.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

long cpts_code_key(const char *c)
{
	int c1;

	if (!c || c[0] < '0' || c[0] > '9' || !c[1] || !c[2] || !c[3] || !c[4] || c[5])
		return -1;
	c1 = c[1] >= '0' && c[1] <= '9' ? c[1] - '0' : c[1] == 'A' ? 10 : c[1] == 'B' ? 11 : -1;
	if (c1 < 0 || c[2] < '0' || c[2] > '9' || c[3] < '0' || c[3] > '9' || c[4] < '0' ||
	    c[4] > '9')
		return -1;
	return ((c[0] - '0') * 12L + c1) * 1000L + (c[2] - '0') * 100L + (c[3] - '0') * 10L +
	       (c[4] - '0');
}

bool cpts_code_valid(const char *c)
{
	if (strlen(c) != 5)
		return false;
	if (c[0] == '2' && (c[1] == 'A' || c[1] == 'B'))
		return is_digit(c[2]) && is_digit(c[3]) && is_digit(c[4]);
	for (int i = 0; i < 5; i++)
		if (!is_digit(c[i]))
			return false;
	if (c[0] == '0' && c[1] == '0')
		return false; /* no département 00 */
	if (c[0] == '2' && c[1] == '0')
		return false; /* 20 became 2A/2B in 1976 */
	return true;
}

bool cpts_code_normalize(const char *in, size_t len, char out[6], unsigned *flags,
			 bool allow_snds)
{
	char tmp[16];
	size_t n = 0;

	if (flags)
		*flags = 0;
	out[0] = '\0';
	/* trim blanks and quotes */
	while (len && (*in == ' ' || *in == '\t' || *in == '"' || *in == '\'')) {
		in++;
		len--;
	}
	while (len && (in[len - 1] == ' ' || in[len - 1] == '\t' || in[len - 1] == '"' ||
		       in[len - 1] == '\'' || in[len - 1] == '\r'))
		len--;
	/* spreadsheet artefact: "1004.0" / "1004,0" */
	if (len > 2 && (in[len - 2] == '.' || in[len - 2] == ',') && in[len - 1] == '0')
		len -= 2;
	if (len == 0 || len >= sizeof(tmp))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c == 'a' || c == 'b')
			c = (char)(c - 'a' + 'A');
		tmp[n++] = c;
	}
	tmp[n] = '\0';
	if (n == 6 && allow_snds) {
		/* SNDS: 3-char département + 3-char commune. Overseas: "971" + "105" ->
		 * 97105 (the commune part repeats the third digit of the département). */
		if (tmp[0] == '9' && tmp[1] == '7') {
			out[0] = '9', out[1] = '7';
			memcpy(out + 2, tmp + 3, 3);
		} else if (tmp[0] == '0') {
			out[0] = tmp[1], out[1] = tmp[2];
			memcpy(out + 2, tmp + 3, 3);
		} else {
			return false;
		}
		out[5] = '\0';
		if (flags)
			*flags |= CPTS_CODE_SNDS;
		return cpts_code_valid(out);
	}
	if (n == 4) {
		for (size_t i = 0; i < 4; i++)
			if (!is_digit(tmp[i]))
				return false;
		out[0] = '0';
		memcpy(out + 1, tmp, 4);
		out[5] = '\0';
		if (flags)
			*flags |= CPTS_CODE_REPAIRED;
		return cpts_code_valid(out);
	}
	if (n != 5)
		return false;
	memcpy(out, tmp, 6);
	return cpts_code_valid(out);
}

void cpts_code_dep(const char *code, char out[4])
{
	if (code[0] == '9' && code[1] == '7') {
		memcpy(out, code, 3);
		out[3] = '\0';
	} else {
		out[0] = code[0];
		out[1] = code[1];
		out[2] = '\0';
	}
}

int cpts_code_srid(const char *code)
{
	if (code[0] != '9' || code[1] != '7')
		return 2154; /* RGF93 v1 / Lambert-93 */
	switch (code[2]) {
	case '1': /* Guadeloupe */
	case '2': /* Martinique */
	case '7': /* Saint-Barthélemy */
	case '8': /* Saint-Martin */
		return 5490; /* RGAF09 / UTM 20N */
	case '3':
		return 2972; /* RGFG95 / UTM 22N (Guyane) */
	case '4':
		return 2975; /* RGR92 / UTM 40S (La Réunion) */
	case '5':
		return 4467; /* RGSPM06 / UTM 21N (Saint-Pierre-et-Miquelon) */
	case '6':
		return 4471; /* RGM04 / UTM 38S (Mayotte) */
	default:
		return 2154;
	}
}

const char *cpts_code_arm_parent(const char *c)
{
	long n;
	char num[6];

	if (!cpts_code_valid(c) || c[1] == 'A' || c[1] == 'B')
		return NULL;
	memcpy(num, c, 6);
	if (!cpts_parse_long(num, &n))
		return NULL;
	if (n >= 75101 && n <= 75120)
		return "75056";
	if (n >= 69381 && n <= 69389)
		return "69123";
	if (n >= 13201 && n <= 13216)
		return "13055";
	return NULL;
}

bool cpts_code_has_arms(const char *c)
{
	return strcmp(c, "75056") == 0 || strcmp(c, "69123") == 0 || strcmp(c, "13055") == 0;
}

static const struct cpts_dep_row *dep_row(const char *dep)
{
	for (const struct cpts_dep_row *r = cpts_dep_rows; r->dep; r++)
		if (strcmp(r->dep, dep) == 0)
			return r;
	return NULL;
}

const char *cpts_dep_region(const char *dep)
{
	const struct cpts_dep_row *r = dep_row(dep);
	return r ? r->reg : NULL;
}

const char *cpts_dep_name(const char *dep)
{
	const struct cpts_dep_row *r = dep_row(dep);
	return r ? r->name : NULL;
}

const char *cpts_region_name(const char *reg)
{
	for (const struct cpts_reg_row *r = cpts_reg_rows; r->reg; r++)
		if (strcmp(r->reg, reg) == 0)
			return r->name;
	return NULL;
}
