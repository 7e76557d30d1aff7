/*
 * methods.c - the basin method table: one row per method.
 *
 * Why: a method used to be an enum value in the public header, a row here, and a name
 * written again in the help and option checks of cpts basins and cpts diagnose. Now
 * the row is the only place that names it: the CLI's --method values and --help list,
 * the default of both commands and of the library (cpts_basins_opts.method NULL), the
 * quick settings of the --resample reruns and the French label shown to readers all
 * read this table.
 *
 * Adding a method touches three files, and no build file:
 *   1. src/basins/method_<name>.c, its run function, declared and then defined with
 *      CPTS_BASINS__METHOD(cpts_basins__method_<name>) (basins_int.h); every file named
 *      method_*.c is compiled (the listing in src/basins/meson.build);
 *   2. its declaration and row below, in this file;
 *   3. tests/unit/basins/test_method_<name>.c, a TAP test registered by the listing in
 *      tests/unit/basins/meson.build (tests/check-registered.sh checks it against the
 *      tests meson registered).
 * Meson reads the listings when it configures: scripts/build.sh reconfigures a build
 * whose listed files changed (by hand: meson setup --reconfigure DIR).
 * scripts/method-demo.sh adds a dummy method so in a temporary copy and counts the files.
 *
 * Invariants: names are unique; exactly one row is the default (tests/unit/basins/
 * test_methods.c checks both); the order is the order of the help's list.
 */
#include <stdio.h>
#include <string.h>

#include "basins/basins_int.h"

/* The run functions (run.c for the four methods that share its constraint steps). */
CPTS_BASINS__METHOD(cpts_basins__method_optimise);
CPTS_BASINS__METHOD(cpts_basins__method_plurality);
CPTS_BASINS__METHOD(cpts_basins__method_modularity);
CPTS_BASINS__METHOD(cpts_basins__method_leiden);

static const cpts_basins__method methods[] = {
	{ { "optimise", "local search of the overall LI from plurality and modularity starts",
	    "optimisation de la part des recours gardés dans les bassins (recherche locale)",
	    CPTS_BASINS_USES_RESOLUTION | CPTS_BASINS_USES_SEED | CPTS_BASINS_USES_OPTIMISER,
	    true }, cpts_basins__method_optimise },
	{ { "plurality", "refined Dartmouth: each commune follows where most of its flows go",
	    "pluralité (méthode de Dartmouth affinée)", 0, false },
	  cpts_basins__method_plurality },
	{ { "modularity", "spatially constrained Louvain on the symmetrised flows",
	    "modularité sous contrainte de contiguïté (Louvain)",
	    CPTS_BASINS_USES_RESOLUTION | CPTS_BASINS_USES_SEED, false },
	  cpts_basins__method_modularity },
	{ { "leiden", "igraph's Leiden on the flows, then contiguity, floor and ceiling",
	    "algorithme de Leiden sur les flux, puis contiguïté, plancher et plafond",
	    CPTS_BASINS_USES_RESOLUTION | CPTS_BASINS_USES_SEED, false },
	  cpts_basins__method_leiden },
};
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

const cpts_basins__method *cpts_basins__method_find(const char *name)
{
	for (size_t k = 0; k < N_METHODS; k++)
		if (name ? strcmp(methods[k].info.name, name) == 0 : methods[k].info.is_default)
			return &methods[k];
	return NULL;
}

size_t cpts_basins_method_count(void)
{
	return N_METHODS;
}

const cpts_basins_method_info *cpts_basins_method_at(size_t k)
{
	return k < N_METHODS ? &methods[k].info : NULL;
}

const cpts_basins_method_info *cpts_basins_method_find(const char *name)
{
	const cpts_basins__method *m = cpts_basins__method_find(name);

	return m ? &m->info : NULL;
}

const char *cpts_basins_method_list(void)
{
	/* from the table, so that a new method is listed by its row alone */
	static char list[256];

	if (!list[0]) {
		size_t len = 0;
		for (size_t k = 0; k < N_METHODS && len < sizeof(list); k++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						k == 0 ? "" : k + 1 == N_METHODS ? " or " : ", ",
						methods[k].info.name);
	}
	return list;
}
