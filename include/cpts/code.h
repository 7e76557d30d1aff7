/*
 * cpts/code.h - INSEE commune codes, départements, regions and their CRS.
 *
 * Codes are 5-character strings, never numbers: `01004`, `2A004`, `97101`. This module
 * knows the shape of a valid code, repairs a code that lost its leading zero in a
 * spreadsheet, converts SNDS residence codes (3-character département + 3-character
 * commune), knows the Paris/Lyon/Marseille arrondissements, maps a département to its
 * region (reference table of the COG 2024, embedded in code_table.c) and chooses the
 * projected CRS of a commune (DOMAIN.md section 4).
 */
#ifndef CPTS_CODE_H
#define CPTS_CODE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum cpts_code_flags {
	CPTS_CODE_REPAIRED = 1 << 0, /* a 4-digit code got its leading zero back */
	CPTS_CODE_SNDS = 1 << 1,     /* converted from a 6-character SNDS code */
};

/**
 * Normalise a commune code read from a file. Accepts surrounding blanks and quotes,
 * `1004` (-> `01004`, flag REPAIRED), `1004.0` from spreadsheets, lower-case 2a/2b.
 * With allow_snds, a 6-character SNDS code `075056` / `02A004` / `971105` is converted.
 * @param out 6 bytes: the code, NUL-terminated
 * @return true when the result is a well-formed code
 */
bool cpts_code_normalize(const char *in, size_t len, char out[6], unsigned *flags,
			 bool allow_snds);

/** True for a well-formed 5-character code. */
bool cpts_code_valid(const char *code);

/** Bound of cpts_code_key. */
#define CPTS_CODE_KEYS 120000
/**
 * A dense key below CPTS_CODE_KEYS for a 5-character code of two characters of
 * département from [0-9AB] and three digits ((c0 * 12 + c1) * 1000 + digits), or -1:
 * millions of flow rows resolve a code by one array read instead of a hash lookup.
 */
long cpts_code_key(const char *code);

/** Département of a code: `01`, `2A`, `971` (out has room for 4 bytes). */
void cpts_code_dep(const char *code, char out[4]);

/** EPSG code of the projected CRS for a commune (2154 in metropolitan France). */
int cpts_code_srid(const char *code);

/** For an arrondissement of Paris/Lyon/Marseille, the code of its commune; else NULL. */
const char *cpts_code_arm_parent(const char *code);

/** True for the three communes that have arrondissements (75056, 69123, 13055). */
bool cpts_code_has_arms(const char *code);

/** Region code of a département (`44` -> `52`), or NULL when unknown. */
const char *cpts_dep_region(const char *dep);
/** Name of a département / region (French), or NULL. */
const char *cpts_dep_name(const char *dep);
const char *cpts_region_name(const char *reg);

#ifdef __cplusplus
}
#endif
#endif
