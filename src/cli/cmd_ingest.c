/*
 * cmd_ingest.c - `cpts ingest KIND WS FILE`: load a commune layer or one CSV table of
 * the input contract into a workspace. A thin shell: options into the option structs of
 * cpts/ingest.h, then cpts_ingest_communes / cpts_ingest_table. Every kind shares one
 * option table; options that do not apply to a kind are refused.
 */
#include <stdlib.h>
#include <string.h>

#include "cpts/outfile.h"
#include "cli/cli.h"
#include "cpts/graph.h"
#include "cpts/ingest.h"
#include "cpts/pipeline.h"
#include "cpts/store.h"
#include "cpts/util.h"

struct ingest_opts {
	const char *layer, *code_field, *name_field, *s_srs, *vintage, *name, *profession;
	const char *from_column, *name_column, *names;
	bool skip_failures, skip_unknown, snds_codes;
	cli_list map;
};

#define O(f) offsetof(struct ingest_opts, f)
static const cli_opt table[] = {
	{ "layer", 0, CLI_STR, O(layer), "L", "communes: layer to read (default: the first)", false, false },
	{ "code-field", 0, CLI_STR, O(code_field), "F", "communes: field of the INSEE code", false, false },
	{ "name-field", 0, CLI_STR, O(name_field), "F", "communes: field of the commune name", false, false },
	{ "s-srs", 0, CLI_STR, O(s_srs), "SRS", "communes: CRS of the file when it has none "
	  "(default EPSG:4326)", false, false },
	{ "skip-failures", 0, CLI_FLAG, O(skip_failures), NULL, "communes: skip bad features "
	  "(exit code 1) instead of failing", false, false },
	{ "map", 0, CLI_LIST, O(map), "CANON=THEIRS", "tables: read column THEIRS as the "
	  "canonical column CANON (repeatable)", true, false },
	{ "skip-unknown", 0, CLI_FLAG, O(skip_unknown), NULL, "tables: set aside rows of "
	  "communes not in the workspace (counted)", false, false },
	{ "snds-codes", 0, CLI_FLAG, O(snds_codes), NULL, "tables: residence codes are SNDS "
	  "codes (3-char département + 3-char commune)", false, false },
	{ "name", 0, CLI_STR, O(name), "NAME", "partition: its name (default: the file's base "
	  "name)", false, false },
	{ "from-column", 0, CLI_STR, O(from_column), "COLUMN", "partition: the territory of "
	  "each commune is this column of any per-commune file (e.g. epci_siren); communes "
	  "without a value stay uncovered", false, false },
	{ "name-column", 0, CLI_STR, O(name_column), "COLUMN", "partition, with --from-column: "
	  "the territory names are this column", false, false },
	{ "names", 0, CLI_STR, O(names), "FILE", "partition: territory names from FILE (the "
	  "territory id in its first column, the name in column nom)", false, false },
	{ "profession", 0, CLI_STR, O(profession), "P", "supply/flows: keep only this "
	  "profession", false, false },
	{ "vintage", 0, CLI_STR, O(vintage), "V", "vintage recorded with the source, e.g. "
	  "'COG 2024'", false, false },
	CLI_END,
};
#undef O

static const cli_cmd_help help_all = {
	"ingest", "KIND WS FILE [options]",
	"Load data into the workspace WS, replacing what that kind held (one transaction:\n"
	"on any error the workspace is unchanged). KIND is one of:\n"
	"  communes     commune polygons from any GDAL vector source (.gz read directly)\n"
	"  population   code_commune;sexe;classe_age;population (or code_commune;population)\n"
	"  consumption  code_commune;sexe;classe_age;actes\n"
	"  reference    sexe;classe_age;taux\n"
	"  mt           code_commune;patients;sans_mt[;...]\n"
	"  supply       code_commune;[profession;]effectif[;etp;age_60p] (no profession\n"
	"               column: every row counts GPs, or the --profession given)\n"
	"  flows        commune_residence;commune_exercice;volume[;profession]\n"
	"  traveltime   origine;destination;minutes\n"
	"  partition    code_commune;territoire[;statut][;nom], or any per-commune file\n"
	"               with --from-column COLUMN [--name-column COLUMN | --names FILE]\n"
	"  attributes   code_commune;any per-commune columns\n"
	"  passage      old_code;new_code[;weight] (applied to every later table)\n"
	"  indicators   indicateur;code_commune;numerateur[;denominateur;sexe;classe_age;\n"
	"               annee]: any indicator of the catalogue (--catalogue), long format;\n"
	"               or wide (no indicateur column): the columns named by the catalogue's\n"
	"               sources, e.g. NB_D113 of the BPE, zonage_mg=1_ZIP of the ARS zoning\n"
	"CSV files: ';' ',' or tab, UTF-8 (BOM) or Windows-1252, decimal comma or point,\n"
	"quoted fields, CRLF, .csv.gz. Masked cells (<11, s, NS, secret, empty) are kept\n"
	"as masked, never zero. Column names are matched case-insensitively with aliases.",
	"cpts ingest population ws.sqlite pop.csv --map population=PMUN21",
};

/* Index in argv of the first positional argument (the kind), skipping options and the
 * values of the options of the table that take one; argc when there is none. */
static int first_positional(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? i + 1 : argc;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		if (a[1] == '-' && !strchr(a, '=')) {
			for (const cli_opt *o = table; o->name; o++)
				if (strcmp(o->name, a + 2) == 0 && o->type != CLI_FLAG)
					i++;
		}
	}
	return argc;
}

int cmd_ingest(cpts_ctx *ctx, int argc, char **argv)
{
	struct ingest_opts o;
	cli_cmd_help help = help_all;
	char **pos = NULL, **args = NULL, name[32];
	size_t n_pos, n_skipped = 0;
	cpts_store *s = NULL;
	int rc, kind = -2, k = first_positional(argc, argv);

	memset(&o, 0, sizeof(o));
	if (k < argc) {
		/* the kind, wherever it stands (`cpts ingest -q mt WS F`): taken out of argv */
		const char *kn = argv[k];
		kind = strcmp(kn, "communes") == 0 ? -1 : cpts_table_kind_parse(kn);
		if (strcmp(kn, "indicators") == 0)
			kind = -3; /* the long format of the indicator engine */
		if (kind == -1 && strcmp(kn, "communes") != 0) {
			rc = cpts_fail(ctx, CPTS_EUSAGE, "'%s' is not a kind of data for 'cpts ingest'"
				       " (communes, population, consumption, reference, mt, supply,"
				       " flows, traveltime, partition, attributes, passage, indicators)", kn);
			goto out;
		}
		snprintf(name, sizeof(name), "ingest %s", kn);
		help.name = name;
		help.usage = "WS FILE [options]";
		args = cpts_calloc((size_t)argc, sizeof(char *));
		for (int i = 0, j = 0; i < argc; i++)
			if (i != k)
				args[j++] = argv[i];
		argc--;
		argv = args;
	}
	if ((rc = cli_parse(ctx, argc, argv, table, &o, &help, &pos, &n_pos)) != 0)
		goto out;
	if (kind == -2) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "'cpts ingest' needs KIND WS FILE");
		goto out;
	}
	if ((rc = cli_require_pos(ctx, &help, n_pos, 2, 2)) < 0)
		goto out;
	if (cpts_same_file(pos[0], pos[1])) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "'%s' is the workspace itself: give the file to"
			       " ingest", pos[1]);
		goto out;
	}
	if ((rc = cpts_store_open(ctx, &s, pos[0], 0)) < 0)
		goto out;
	if (kind == -1 && (o.from_column || o.name_column || o.names || o.map.n ||
			   o.skip_unknown || o.snds_codes || o.name || o.profession)) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "'cpts ingest communes' takes none of --map,"
			       " --skip-unknown, --snds-codes, --name, --profession, --from-column,"
			       " --name-column, --names (options of the CSV tables)");
		goto out;
	}
	if (kind == -3) {
		size_t n_src;
		const char **src = cpts_catalogue_sources(&n_src);
		rc = cpts_ingest_indicators_from(ctx, s, pos[1], src, n_src);
		free(src);
	} else if (kind == -1) {
		cpts_ingest_communes_opts co = CPTS_INGEST_COMMUNES_OPTS_INIT;
		co.layer = o.layer;
		co.code_field = o.code_field;
		co.name_field = o.name_field;
		co.s_srs = o.s_srs;
		co.skip_failures = o.skip_failures;
		co.vintage = o.vintage;
		rc = cpts_ingest_communes(ctx, s, pos[1], &co, &n_skipped);
	} else {
		cpts_ingest_table_opts to = CPTS_INGEST_TABLE_OPTS_INIT;
		to.map = (const char *const *)o.map.v;
		to.n_map = o.map.n;
		to.skip_unknown = o.skip_unknown;
		to.snds_codes = o.snds_codes;
		to.name = o.name;
		to.vintage = o.vintage;
		to.profession = o.profession;
		to.from_column = o.from_column;
		to.name_column = o.name_column;
		to.names_file = o.names;
		rc = cpts_ingest_table(ctx, s, (cpts_table_kind)kind, pos[1], &to);
		/* the matrix every basin run reads, packed once here (graph/flows.c) */
		if (rc >= 0 && kind == CPTS_TABLE_FLOWS)
			rc = cpts_flows_cache(ctx, s);
	}
out:
	cpts_store_free(s);
	cli_list_release(&o.map);
	free(pos);
	free(args);
	rc = cli_finish(ctx, rc);
	if (rc == CPTS_EXIT_OK && n_skipped > 0)
		rc = CPTS_EXIT_SKIPPED;
	return rc;
}
