/*
 * profile/catalogue_int.h - the default indicator catalogue embedded at build time
 * (scripts/embed_csv.py turns data/indicators/<name>.csv into the generated
 * catalogue_data.c), shared by src/profile/indicators.c only.
 */
#ifndef CPTS_CATALOGUE_INT_H
#define CPTS_CATALOGUE_INT_H

/** One embedded file: its base name and its text (static storage). */
typedef struct cpts_embedded {
	const char *name;
	const char *text;
} cpts_embedded;

/** The default catalogue files, terminated by a row with name NULL. */
extern const cpts_embedded cpts_catalogue_default[];

#endif
