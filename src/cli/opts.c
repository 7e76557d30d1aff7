/*
 * opts.c - the generic option parser and --help printer behind every command.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cpts/basins.h"
#include "cpts/profile.h"
#include "cpts/progress.h"
#include "cpts/util.h"

struct cpts_progress_term *cli_progress;

const char *cli_command_name = "<command>";

void cli_list_release(cli_list *l)
{
	for (size_t i = 0; i < l->n_blocks; i++)
		free(l->blocks[i]);
	free(l->blocks);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void list_push(cli_list *l, char *value)
{
	l->v = cpts_reallocarray(l->v, l->n + 1, sizeof(char *));
	l->v[l->n++] = value;
}

static void list_add(cli_list *l, char *value, bool split)
{
	char *copy, *start;

	if (!split || !strchr(value, ',')) {
		list_push(l, value);
		return;
	}
	/* split a copy in place; the copy is OWNED by the list (one block per value) */
	copy = cpts_strdup(value);
	l->blocks = cpts_reallocarray(l->blocks, l->n_blocks + 1, sizeof(char *));
	l->blocks[l->n_blocks++] = copy;
	start = copy;
	for (char *p = copy;; p++) {
		bool end = *p == '\0';
		if (*p == ',' || end) {
			*p = '\0';
			if (*start)
				list_push(l, start);
			if (end)
				break;
			start = p + 1;
		}
	}
}

static const cli_opt common_opts[] = {
	{ "quiet", 'q', CLI_FLAG, 0, NULL, "errors only: no warnings, no progress", false, false },
	{ "verbose", 'v', CLI_FLAG, 0, NULL, "more messages (-vv: debug); errors show their "
	  "source location", false, false },
	{ "progress", 0, CLI_FLAG, 0, NULL, "draw progress even when stderr is not a terminal",
	  false, false },
	{ "no-progress", 0, CLI_FLAG, 0, NULL, "never draw progress", false, false },
	{ "catalogue", 0, CLI_STR, 0, "FILE", "indicator catalogue CSV whose rows add to or "
	  "override the default ones by key (repeatable; docs/profile.md)", false, false },
	{ "help", 'h', CLI_FLAG, 0, NULL, "show this help and exit", false, false },
	CLI_END,
};

static void print_opt(const cli_opt *o)
{
	char left[64];

	if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	if (strlen(left) > 26)
		printf("  %s\n  %-26s %s\n", left, "", o->help);
	else
		printf("  %-26s %s\n", left, o->help);
}

/* Print space-separated words as lines of at most 80 columns, indented by 2. */
static void print_wrapped(const char *words)
{
	size_t col = 0;

	while (*words) {
		size_t n = strcspn(words, " ");
		if (col > 0 && col + 1 + n > 78) {
			putchar('\n');
			col = 0;
		}
		printf("%s%.*s", col ? " " : "  ", (int)n, words);
		col += n + (col ? 1 : 2);
		words += n;
		while (*words == ' ')
			words++;
	}
	if (col)
		putchar('\n');
}

/* The --method values, from the basin method table (basins/methods.c): a new method is
 * listed, with what it reads, by its row alone. */
static void print_methods(void)
{
	static const struct { unsigned flag; const char *what; } uses[] = {
		{ CPTS_BASINS_USES_RESOLUTION, "--resolution" },
		{ CPTS_BASINS_USES_SEED, "--seed" },
		{ CPTS_BASINS_USES_OPTIMISER, "the optimiser options" },
	};

	printf("\n--method values (--resolution and --seed also act in the ceiling split):\n");
	for (size_t k = 0; k < cpts_basins_method_count(); k++) {
		const cpts_basins_method_info *m = cpts_basins_method_at(k);
		const char *sep = m->is_default ? "; reads " : "reads ";
		printf("  %-11s %s\n", m->name, m->help);
		if (!m->is_default && !m->uses)
			continue;
		printf("  %-11s (%s", "", m->is_default ? "default" : "");
		for (size_t j = 0; j < sizeof(uses) / sizeof(uses[0]); j++)
			if (m->uses & uses[j].flag) {
				printf("%s%s", sep, uses[j].what);
				sep = ", ";
			}
		printf(")\n");
	}
}

void cli_print_help(const cli_cmd_help *help, const cli_opt *table)
{
	printf("usage: cpts %s %s\n\n%s\n", help->name, help->usage, help->summary);
	if (table && table[0].name) {
		printf("\noptions:\n");
		for (const cli_opt *o = table; o->name; o++)
			print_opt(o);
	}
	for (const cli_opt *o = table; o && o->name; o++) {
		if (strcmp(o->name, "map-indicator") == 0) {
			/* the valid keys, from the catalogue itself (profile/indicators.c) */
			char *keys = cpts_indicator_keys();
			printf("\n--map-indicator keys:\n");
			print_wrapped(keys);
			free(keys);
		}
		if (strcmp(o->name, "method") == 0)
			print_methods();
	}
	printf("\ncommon options:\n");
	for (const cli_opt *o = common_opts; o->name; o++)
		print_opt(o);
	if (help->example)
		printf("\nexample:\n  %s\n", help->example);
}

static const cli_opt *find_long(const cli_opt *table, const char *name, size_t n)
{
	for (const cli_opt *o = table; o && o->name; o++)
		if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
			return o;
	return NULL;
}

static const cli_opt *find_short(const cli_opt *table, char c)
{
	for (const cli_opt *o = table; o && o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static int apply_common(cpts_ctx *ctx, const cli_opt *o, const cli_cmd_help *help,
			const cli_opt *table)
{
	if (strcmp(o->name, "quiet") == 0) {
		ctx->verbosity = CPTS_LOG_ERROR;
	} else if (strcmp(o->name, "verbose") == 0) {
		ctx->verbosity = ctx->verbosity < CPTS_LOG_NOTE ? CPTS_LOG_NOTE : CPTS_LOG_DEBUG;
	} else if (strcmp(o->name, "progress") == 0) {
		cpts_progress_term_free(cli_progress);
		cli_progress = cpts_progress_term_new(1);
		ctx->progress = cpts_progress_term_cb;
		ctx->progress_arg = cli_progress;
	} else if (strcmp(o->name, "no-progress") == 0) {
		ctx->progress = cpts_progress_none;
		ctx->progress_arg = NULL;
	} else if (strcmp(o->name, "help") == 0) {
		cli_print_help(help, table);
		return 1;
	}
	return 0;
}

static int set_value(cpts_ctx *ctx, const cli_opt *o, void *opts, char *value)
{
	char *field = (char *)opts + o->offset;

	switch (o->type) {
	case CLI_STR:
		*(const char **)(void *)field = value;
		return 0;
	case CLI_INT: {
		long v;
		if (!cpts_parse_long(value, &v))
			return cpts_fail(ctx, CPTS_EUSAGE, "option '--%s' wants an integer, not '%s'",
					 o->name, value);
		*(long *)(void *)field = v;
		return 0;
	}
	case CLI_DBL: {
		double v;
		if (!cpts_parse_double(value, &v))
			return cpts_fail(ctx, CPTS_EUSAGE, "option '--%s' wants a number, not '%s'",
					 o->name, value);
		*(double *)(void *)field = v;
		return 0;
	}
	case CLI_LIST:
		list_add((cli_list *)(void *)field, value, o->split);
		return 0;
	case CLI_FLAG:
		*(bool *)(void *)field = true;
		return 0;
	}
	return 0;
}

int cli_parse(cpts_ctx *ctx, int argc, char **argv, const cli_opt *table, void *opts,
	      const cli_cmd_help *help, char ***pos, size_t *n_pos)
{
	char **p = cpts_calloc((size_t)argc + 1, sizeof(char *));
	size_t np = 0;
	bool only_pos = false;

	*pos = p;
	*n_pos = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		const cli_opt *o = NULL;
		char *value = NULL;
		bool common = false;

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			p[np++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			o = find_long(table, name, n);
			if (!o) {
				o = find_long(common_opts, name, n);
				common = o != NULL;
			}
			if (!o)
				return cpts_fail(ctx, CPTS_EUSAGE, "unknown option '--%.*s' for 'cpts %s'",
						 (int)n, name, help->name);
			if (eq)
				value = (char *)eq + 1;
		} else {
			/* -q, -v, -vv, -h, or a short option of the table */
			for (const char *c = a + 1; *c; c++) {
				o = find_short(table, *c);
				common = false;
				if (!o) {
					o = find_short(common_opts, *c);
					common = o != NULL;
				}
				if (!o)
					return cpts_fail(ctx, CPTS_EUSAGE, "unknown option '-%c' for 'cpts %s'",
							 *c, help->name);
				if (common) {
					if (apply_common(ctx, o, help, table))
						return 1;
					o = NULL;
					continue;
				}
				if (o->type != CLI_FLAG) {
					if (c[1]) {
						value = (char *)c + 1;
					} else if (i + 1 < argc) {
						value = argv[++i];
					} else {
						return cpts_fail(ctx, CPTS_EUSAGE, "option '-%c' needs %s",
								 *c, o->arg ? o->arg : "a value");
					}
					if (set_value(ctx, o, opts, value) < 0)
						return CPTS_EUSAGE;
					o = NULL;
					break;
				}
				if (set_value(ctx, o, opts, NULL) < 0)
					return CPTS_EUSAGE;
				o = NULL;
			}
			continue;
		}
		if (common && o->type == CLI_STR) {
			/* --catalogue FILE: loaded now, before the command runs */
			int rc;
			if (!value) {
				if (i + 1 >= argc)
					return cpts_fail(ctx, CPTS_EUSAGE, "option '--%s' needs %s",
							 o->name, o->arg);
				value = argv[++i];
			}
			if ((rc = cpts_catalogue_load(ctx, value)) < 0)
				return rc;
			continue;
		}
		if (common) {
			if (apply_common(ctx, o, help, table))
				return 1;
			continue;
		}
		if (o->type == CLI_FLAG) {
			if (value)
				return cpts_fail(ctx, CPTS_EUSAGE, "option '--%s' takes no value", o->name);
			set_value(ctx, o, opts, NULL);
			continue;
		}
		if (!value) {
			if (i + 1 >= argc)
				return cpts_fail(ctx, CPTS_EUSAGE, "option '--%s' needs %s", o->name,
						 o->arg ? o->arg : "a value");
			value = argv[++i];
		}
		if (set_value(ctx, o, opts, value) < 0)
			return CPTS_EUSAGE;
	}
	*n_pos = np;
	for (const cli_opt *o = table; o && o->name; o++) {
		const char *field = (const char *)opts + o->offset;
		bool given;
		if (!o->required)
			continue;
		if (o->type == CLI_LIST)
			given = ((const cli_list *)(const void *)field)->n > 0;
		else
			given = *(const char *const *)(const void *)field != NULL;
		if (!given)
			return cpts_fail(ctx, CPTS_EUSAGE, "'cpts %s' needs --%s%s%s", help->name,
					 o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	}
	return 0;
}

int cli_parse_pos(cpts_ctx *ctx, int argc, char **argv, const cli_opt *table, void *opts,
		  const cli_cmd_help *help, size_t lo, size_t hi, char ***pos, size_t *n_pos)
{
	int rc = cli_parse(ctx, argc, argv, table, opts, help, pos, n_pos);

	if (rc != 0)
		return rc;
	return cli_require_pos(ctx, help, *n_pos, lo, hi);
}

int cli_require_pos(cpts_ctx *ctx, const cli_cmd_help *help, size_t n_pos, size_t lo,
		    size_t hi)
{
	if (n_pos < lo)
		return cpts_fail(ctx, CPTS_EUSAGE, "'cpts %s' needs %s", help->name, help->usage);
	if (n_pos > hi)
		return cpts_fail(ctx, CPTS_EUSAGE, "too many arguments for 'cpts %s' (usage: cpts %s"
				 " %s)", help->name, help->name, help->usage);
	return CPTS_OK;
}

char *cli_join_args(int argc, char **argv)
{
	cpts_buf b = CPTS_BUF_INIT;

	for (int i = 0; i < argc; i++) {
		if (i)
			cpts_buf_addch(&b, ' ');
		cpts_buf_addstr(&b, argv[i]);
	}
	return cpts_buf_detach(&b, NULL);
}

int cli_finish(cpts_ctx *ctx, int rc)
{
	if (cli_progress)
		cpts_progress_term_done(cli_progress);
	if (rc == 1)
		return CPTS_EXIT_OK; /* --help */
	if (rc < 0 || ctx->err.code != CPTS_OK) {
		int code = ctx->err.code != CPTS_OK ? ctx->err.code : rc;
		if (cpts_interrupted(ctx))
			code = CPTS_ECANCEL;
		if (ctx->err.code == CPTS_OK)
			cpts_fail(ctx, (cpts_status)code, "failed");
		cpts_error_print(ctx);
		if (code == CPTS_EUSAGE)
			fprintf(ctx->log ? ctx->log : stderr, "cpts: try 'cpts %s --help'\n",
				cli_command_name);
		return cpts_status_exit_code(code);
	}
	return CPTS_EXIT_OK;
}
