/*
 * read_html.c - rebuild the audit's linear system from an HTML report directory
 * written by `cpts export --html`, reading what its reader sees: the text of the
 * tables of every page (libxml2's HTML parser), never the workspace.
 *
 * Cells are named as read_gpkg.c names them, so a report read with its GeoPackage
 * shares its numbers: "communes|<code> (<nom>)|<key>", "territoires[<partition>]|<name>|
 * <key>"; the comparison columns are "departements|<code>|<key>", "regions|<code>|<key>",
 * "zone|<label>|<key>"; flow tables "flux[<partition>]|<territory>|<Destination|Origine>|
 * <row>". The row labels are the catalogue's French labels (with their unit), so every
 * indicator of the catalogue is read with no code of its own.
 *
 * What a shown value tells the reader:
 *   "1 234"                 the value (a rounded ratio: within half a unit)
 *   "< 11"                  a masked count in [0, T-1] (the LP target)
 *   "secret statistique"    an unknown (a count: >= 0); not a target: the report
 *                           shows a small count as "< 11", a withdrawn part of a
 *                           masked total (which may be large) this way
 *   "au moins 1 234"        a count known from below (not a target)
 *   "entre a et b", "environ a"  a ratio within those bounds (rounded outwards)
 * Relations: the catalogue's (au_feature_relations); a territory is the sum of the
 * communes its page lists; a département or region column is at least the sum of the
 * communes of it that the report lists, exactly that sum when its "Nombre de communes"
 * equals their number; a region is at least each of its départements shown beside it;
 * a flow table's Total is the sum of its rows, each row's "Part" its share of Total;
 * the paragraph "Écart au département : entre a et b points" (or "x points") ties the
 * territory's and its only département column's médecin-traitant counts, both
 * denominators published: a <= 100 x_T / n_T - 100 x_D / n_D <= b, widened by half a
 * unit of the shown decimal (issue 19, point 6: the gap over pre-masked cells is
 * published as bounds, which are relations too). The test's class printed with it is
 * not linear and is not read (disclosure publishes it only when it is the same at
 * every point of the counts' bounds).
 */
#include <dirent.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"
#include "cpts/code.h"
#include "cpts/profile.h"

/** One commune listed by a territory page. */
typedef struct h_com {
	char *code;  /* OWNED */
	char *cell;  /* OWNED: "<code> (<nom>)" */
	size_t terr; /* index in h_dir.terrs */
} h_com;

/** One comparison column seen (département, region, zone) on a page. */
typedef struct h_col {
	char *layer; /* OWNED: "departements" / "regions" / "zone" */
	char *code;  /* OWNED */
	size_t terr; /* the page's territory */
} h_col;

/** The gap to the département read on a territory page. */
typedef struct h_gap {
	size_t terr;   /* the page's territory */
	double lo, hi; /* points, widened by the rounding */
} h_gap;

/** What is read of one report directory. */
typedef struct h_dir {
	char *part;     /* OWNED: partition name (index page), else the directory */
	char *terr_lay; /* OWNED: "territoires[<part>]" */
	cpts_vec terrs; /* char * OWNED: territory names of the pages */
	cpts_vec coms;  /* h_com */
	cpts_vec cols;  /* h_col */
	cpts_vec gaps;  /* h_gap */
	au_flux *fx;    /* BORROWED: flows read for read_flux.c (may be NULL) */
} h_dir;

/* The text of a node, whitespace collapsed, no-break spaces as spaces (OWNED). */
static char *node_text(xmlNode *n)
{
	xmlChar *raw = xmlNodeGetContent(n);
	const char *p = raw ? (const char *)raw : "";
	cpts_buf b = CPTS_BUF_INIT;
	bool sp = false;

	while (*p) {
		size_t k = 0;
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			k = 1;
		else if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0)
			k = 2;
		else if ((unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x80 &&
			 ((unsigned char)p[2] == 0xaf || (unsigned char)p[2] == 0x89))
			k = 3;
		if (k) {
			sp = true;
			p += k;
			continue;
		}
		if (sp && b.len)
			cpts_buf_addch(&b, ' ');
		sp = false;
		cpts_buf_addch(&b, *p++);
	}
	xmlFree(raw);
	return cpts_buf_detach(&b, NULL);
}

static bool is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* A French number ("1 234,5", "14,2 %", "287 000 €"): spaces dropped, comma as point;
 * false when anything but a unit follows. */
static bool parse_fr(const char *s, double *v)
{
	char buf[96], *end;
	size_t n = 0;

	for (; *s && n + 1 < sizeof(buf); s++) {
		if (*s == ' ')
			continue;
		buf[n++] = *s == ',' ? '.' : *s;
	}
	buf[n] = 0;
	if (!n || !(buf[0] == '-' || buf[0] == '+' || (buf[0] >= '0' && buf[0] <= '9')))
		return false;
	*v = strtod(buf, &end);
	return *end == 0 || strcmp(end, "%") == 0 || strcmp(end, "\xe2\x82\xac") == 0;
}

typedef enum { HV_NONE, HV_VALUE, HV_SMALL, HV_SECRET, HV_ATLEAST, HV_RANGE } hv_kind;

/* Read a shown value; lo/hi are the bounds of HV_RANGE / HV_ATLEAST. */
static hv_kind parse_shown(const char *t, double *v, double *lo, double *hi)
{
	const char *et;

	if (strncmp(t, "< ", 2) == 0 && parse_fr(t + 2, v))
		return HV_SMALL;
	if (strcmp(t, "secret statistique") == 0)
		return HV_SECRET;
	if (strncmp(t, "au moins ", 9) == 0 && parse_fr(t + 9, lo))
		return HV_ATLEAST;
	if (strncmp(t, "environ ", 8) == 0 && parse_fr(t + 8, lo)) {
		*hi = *lo;
		return HV_RANGE;
	}
	if (strncmp(t, "entre ", 6) == 0 && (et = strstr(t, " et ")) != NULL) {
		char *a = cpts_strndup(t + 6, (size_t)(et - t - 6));
		bool ok = parse_fr(a, lo) && parse_fr(et + 4, hi);
		free(a);
		return ok ? HV_RANGE : HV_NONE;
	}
	return parse_fr(t, v) ? HV_VALUE : HV_NONE;
}

/* The indicator a row or column label names: its French label, with its unit in
 * brackets or not, after "dont " or not. */
static const cpts_indicator *ind_of_label(const char *label)
{
	for (int pass = 0; pass < 2; pass++) {
		for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++) {
			size_t n = strlen(ind->label_fr);
			if (strncmp(label, ind->label_fr, n) != 0)
				continue;
			if (label[n] == 0 || (label[n] == ' ' && label[n + 1] == '('))
				return ind;
		}
		if (strncmp(label, "dont ", 5) != 0)
			break;
		label += 5;
	}
	return NULL;
}

/* Set one cell from its shown text (as read_gpkg.c's read_cell: a value published in
 * any file is known; a masked one is a target unless known elsewhere). */
static void put_cell(cpts_lp *s, const char *name, const cpts_indicator *ind, const char *txt)
{
	double v = 0, lo = 0, hi = 0;
	hv_kind k = parse_shown(txt, &v, &lo, &hi);
	bool count = ind->kind == CPTS_IND_COUNT;
	size_t i;
	cpts_lp_cell *c;

	if (k == HV_NONE)
		return;
	i = cpts_lp_cell_get(s, name);
	c = &cpts_vec_at(&s->cells, cpts_lp_cell, i);
	c->is_integer = count;
	if (k == HV_VALUE) {
		if (c->is_unknown) { /* a value read first wins (the GeoPackage's is exact) */
			c->is_unknown = false;
			c->is_target = false;
			c->value = v;
		}
		return;
	}
	if ((k == HV_SMALL || k == HV_SECRET) && count)
		c->was_masked = true;
	if (!c->is_unknown || c->is_target)
		return;
	c->lo = count ? 0 : -INFINITY;
	c->hi = INFINITY;
	if (k == HV_SMALL && count) {
		c->is_target = true;
		c->lo = 0; /* zeros are masked too */
		c->hi = v - 1;
		c->need_lo = 1; /* reach 1 and T-1 (audit.h) */
		c->need_hi = v - 1;
	} else if (k == HV_ATLEAST) {
		c->lo = lo;
	} else if (k == HV_RANGE && !count) {
		/* bounds rounded outwards to the shown decimals */
		double h = 0.5 * pow(10, -ind->decimals);
		c->lo = lo - h;
		c->hi = hi + h;
	}
}

/* The cells of a row: th/td children, OWNED texts in *out (n returned). */
static size_t row_cells(xmlNode *tr, char ***out)
{
	size_t n = 0, cap = 0;
	char **v = NULL;

	for (xmlNode *c = tr->children; c; c = c->next) {
		if (!is_el(c, "td") && !is_el(c, "th"))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			v = cpts_reallocarray(v, cap, sizeof(char *));
		}
		v[n++] = node_text(c);
	}
	*out = v;
	return n;
}

static void free_cells(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Every tr of a table in order (thead, tbody or direct). */
static void collect_rows(xmlNode *n, cpts_vec *rows)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (is_el(c, "tr"))
			*(xmlNode **)cpts_vec_push(rows) = c;
		else if (is_el(c, "thead") || is_el(c, "tbody") || is_el(c, "tfoot"))
			collect_rows(c, rows);
	}
}

/* The département or region code a column label names ("Loire-Atlantique",
 * "Département 99"), or NULL (OWNED). */
static char *code_of_label(const char *label, bool *is_region)
{
	char b[8];

	*is_region = false;
	if (strncmp(label, "Département ", 13) == 0)
		return cpts_strdup(label + 13);
	if (strncmp(label, "Région ", 8) == 0) {
		*is_region = true;
		return cpts_strdup(label + 8);
	}
	for (int i = 1; i <= 976; i++) {
		if (i == 20 || (i > 95 && i < 971))
			continue;
		snprintf(b, sizeof(b), i < 100 ? "%02d" : "%d", i);
		const char *nm = cpts_dep_name(b);
		if (nm && strcmp(nm, label) == 0)
			return cpts_strdup(b);
	}
	for (const char *const *d = (const char *const[]){ "2A", "2B", NULL }; *d; d++) {
		const char *nm = cpts_dep_name(*d);
		if (nm && strcmp(nm, label) == 0)
			return cpts_strdup(*d);
	}
	for (int i = 1; i <= 94; i++) {
		snprintf(b, sizeof(b), "%02d", i);
		const char *nm = cpts_region_name(b);
		if (nm && strcmp(nm, label) == 0) {
			*is_region = true;
			return cpts_strdup(b);
		}
	}
	return NULL;
}

/* A comparison table: header "Indicateur | Territoire | <columns>". */
static void table_compare(cpts_lp *s, h_dir *d, size_t terr, const char *tname,
			  xmlNode **rows, size_t n_rows)
{
	char **hd, **cl;
	size_t nh = row_cells(rows[0], &hd);
	char **colname = cpts_calloc(nh + 1, sizeof(char *));

	for (size_t j = 1; j < nh; j++) {
		bool reg;
		char *code;
		if (strcmp(hd[j], "Territoire") == 0) {
			colname[j] = cpts_asprintf("%s|%s", d->terr_lay, tname);
			continue;
		}
		code = code_of_label(hd[j], &reg);
		h_col *c = cpts_vec_push(&d->cols);
		c->layer = cpts_strdup(code ? (reg ? "regions" : "departements") : "zone");
		c->code = code ? code : cpts_strdup(hd[j]);
		c->terr = terr;
		colname[j] = cpts_asprintf("%s|%s", c->layer, c->code);
	}
	for (size_t r = 1; r < n_rows; r++) {
		size_t nc = row_cells(rows[r], &cl);
		const cpts_indicator *ind = nc ? ind_of_label(cl[0]) : NULL;
		for (size_t j = 1; ind && j < nc && j < nh; j++) {
			char *nm = cpts_asprintf("%s|%s", colname[j], ind->key);
			put_cell(s, nm, ind, cl[j]);
			free(nm);
		}
		free_cells(cl, nc);
	}
	for (size_t j = 0; j < nh; j++)
		free(colname[j]);
	free(colname);
	free_cells(hd, nh);
}

/* The table of a page's communes: header "Commune | Code | <indicator labels>". */
static void table_communes(cpts_lp *s, h_dir *d, size_t terr, xmlNode **rows, size_t n_rows,
			   char **hd, size_t nh)
{
	char **cl;
	const cpts_indicator **ind = cpts_calloc(nh + 1, sizeof(*ind));

	for (size_t j = 2; j < nh; j++)
		ind[j] = ind_of_label(hd[j]);
	for (size_t r = 1; r < n_rows; r++) {
		size_t nc = row_cells(rows[r], &cl);
		if (nc >= 2 && *cl[1]) {
			h_com *c = cpts_vec_push(&d->coms);
			c->code = cpts_strdup(cl[1]);
			c->cell = cpts_asprintf("%s (%s)", cl[1], cl[0]);
			c->terr = terr;
			if (d->fx)
				au_flux_commune(d->fx, d->part, cl[1], cl[0],
						cpts_vec_at(&d->terrs, char *, terr));
			for (size_t j = 2; j < nc && j < nh; j++) {
				if (!ind[j])
					continue;
				char *nm = cpts_asprintf("communes|%s|%s", c->cell, ind[j]->key);
				put_cell(s, nm, ind[j], cl[j]);
				free(nm);
			}
		}
		free_cells(cl, nc);
	}
	free(ind);
}

/* A flow table: "Destination|Origine | Recours | Part", rows then Total. */
static void table_flows(cpts_lp *s, h_dir *d, const char *tname, const char *dir,
			xmlNode **rows, size_t n_rows)
{
	static const cpts_indicator flow = { .key = "recours", .label_fr = "Recours",
		.unit_fr = "", .kind = CPTS_IND_COUNT, .decimals = 0 };
	static const cpts_indicator part = { .key = "part", .label_fr = "Part",
		.unit_fr = "%", .kind = CPTS_IND_RATIO, .decimals = 1 };
	char **cl, *tot = NULL;
	cpts_vec names;

	cpts_vec_init(&names, sizeof(char *), SIZE_MAX / sizeof(char *));
	const char **labels = cpts_calloc(n_rows + 1, sizeof(char *));
	size_t n_lab = 0;
	for (size_t r = 1; r < n_rows; r++) {
		size_t nc = row_cells(rows[r], &cl);
		if (nc >= 2 && d->fx)
			labels[n_lab++] = cpts_strdup(cl[0]);
		if (nc >= 2) {
			char *nm = cpts_asprintf("flux[%s]|%s|%s|%s", d->part, tname, dir, cl[0]);
			put_cell(s, nm, &flow, cl[1]);
			if (strcmp(cl[0], "Total") == 0) {
				free(tot);
				tot = nm;
			} else {
				*(char **)cpts_vec_push(&names) = nm;
				if (nc >= 3) {
					char *pn = cpts_asprintf("%s|part", nm);
					put_cell(s, pn, &part, cl[2]);
					free(pn);
				}
			}
		}
		free_cells(cl, nc);
	}
	if (d->fx)
		au_flux_table(d->fx, d->part, tname, dir, labels, n_lab);
	for (size_t k = 0; k < n_lab; k++)
		free((char *)labels[k]);
	free(labels);
	if (tot) {
		long t = cpts_lp_cell_find(s, tot);
		cpts_lp_rel_begin(s, 0, 0);
		cpts_lp_rel_term(s, (size_t)t, 1);
		for (size_t k = 0; k < names.n; k++)
			cpts_lp_rel_term(s, (size_t)cpts_lp_cell_find(s,
					 cpts_vec_at(&names, char *, k)), -1);
		cpts_lp_rel_end(s);
		/* each row's share of the Total: 100 row - p Total within the rounding */
		for (size_t k = 0; k < names.n; k++) {
			const char *nm = cpts_vec_at(&names, char *, k);
			char *pn = cpts_asprintf("%s|part", nm);
			long pc = cpts_lp_cell_find(s, pn), rc = cpts_lp_cell_find(s, nm);
			free(pn);
			if (pc < 0 || rc < 0)
				continue;
			const cpts_lp_cell *p = &cpts_vec_at(&s->cells, cpts_lp_cell, (size_t)pc);
			if (p->is_unknown)
				continue;
			cpts_lp_rel_begin(s, -INFINITY, 0);
			cpts_lp_rel_term(s, (size_t)rc, 100);
			cpts_lp_rel_term(s, (size_t)t, -(p->value + 0.05 + 1e-9));
			cpts_lp_rel_end(s);
			cpts_lp_rel_begin(s, 0, INFINITY);
			cpts_lp_rel_term(s, (size_t)rc, 100);
			cpts_lp_rel_term(s, (size_t)t, -(p->value - 0.05 - 1e-9));
			cpts_lp_rel_end(s);
		}
	}
	for (size_t k = 0; k < names.n; k++)
		free(cpts_vec_at(&names, char *, k));
	cpts_vec_release(&names);
	free(tot);
}

/* The index page's territory table: "Territoire | ... | <indicator labels>". */
static void table_territories(cpts_lp *s, h_dir *d, xmlNode **rows, size_t n_rows,
			      char **hd, size_t nh)
{
	char **cl;

	for (size_t r = 1; r < n_rows; r++) {
		size_t nc = row_cells(rows[r], &cl);
		bool ref = nc && strstr(cl[0], "(référence)") != NULL;
		for (size_t j = 1; nc && j < nc && j < nh; j++) {
			const cpts_indicator *ind = ind_of_label(hd[j]);
			if (!ind)
				continue;
			char *nm = ref ? cpts_asprintf("zone|%s|%s", cl[0], ind->key)
				       : cpts_asprintf("%s|%s|%s", d->terr_lay, cl[0], ind->key);
			put_cell(s, nm, ind, cl[j]);
			free(nm);
		}
		free_cells(cl, nc);
	}
}

/* Two-cell rows "label | value" outside the tables above: the page's territory. */
static void table_pairs(cpts_lp *s, h_dir *d, const char *tname, xmlNode **rows, size_t n_rows)
{
	char **cl;

	for (size_t r = 0; r < n_rows; r++) {
		size_t nc = row_cells(rows[r], &cl);
		const cpts_indicator *ind = nc == 2 ? ind_of_label(cl[0]) : NULL;
		if (ind) {
			char *nm = cpts_asprintf("%s|%s|%s", d->terr_lay, tname, ind->key);
			put_cell(s, nm, ind, cl[1]);
			free(nm);
		}
		free_cells(cl, nc);
	}
}

/* Find every table (and the first h1) under n. */
static void walk(xmlNode *n, cpts_vec *tables, char **h1)
{
	for (xmlNode *c = n; c; c = c->next) {
		if (is_el(c, "table")) {
			*(xmlNode **)cpts_vec_push(tables) = c;
			continue;
		}
		if (is_el(c, "h1") && !*h1)
			*h1 = node_text(c);
		if (c->children)
			walk(c->children, tables, h1);
	}
}

/* The text of the first <p> under n starting "Écart au département : " (OWNED), or
 * NULL. */
static char *gap_text(xmlNode *n)
{
	static const char pre[] = "Écart au département : ";

	for (xmlNode *c = n; c; c = c->next) {
		if (is_el(c, "p")) {
			char *t = node_text(c);
			if (strncmp(t, pre, sizeof(pre) - 1) == 0) {
				memmove(t, t + sizeof(pre) - 1, strlen(t) - (sizeof(pre) - 1) + 1);
				return t;
			}
			free(t);
			continue;
		}
		if (c->children) {
			char *t = gap_text(c->children);
			if (t)
				return t;
		}
	}
	return NULL;
}

/* "entre a et b points ..." or "x points ...": the bounds in points, false otherwise
 * ("secret statistique"). */
static bool parse_gap(const char *t, double *lo, double *hi)
{
	const char *et, *pts;
	char *a;
	bool ok;

	if (strncmp(t, "entre ", 6) == 0 && (et = strstr(t, " et ")) != NULL &&
	    (pts = strstr(et, " point")) != NULL) {
		a = cpts_strndup(t + 6, (size_t)(et - t - 6));
		ok = parse_fr(a, lo);
		free(a);
		a = cpts_strndup(et + 4, (size_t)(pts - et - 4));
		ok = ok && parse_fr(a, hi);
		free(a);
		return ok;
	}
	if ((pts = strstr(t, " point")) == NULL)
		return false;
	a = cpts_strndup(t, (size_t)(pts - t));
	ok = parse_fr(a, lo);
	free(a);
	*hi = *lo;
	return ok;
}

static htmlDocPtr parse(const char *path)
{
	return htmlReadFile(path, "UTF-8", HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
			    HTML_PARSE_RECOVER | HTML_PARSE_NONET);
}

/* The index page: partition name and threshold of the "Méthode et paramètres" table. */
static void read_index_params(cpts_lp *s, h_dir *d, const char *path)
{
	htmlDocPtr doc = parse(path);
	cpts_vec tables, rows;
	char *h1 = NULL, **cl;

	if (!doc)
		return;
	cpts_vec_init(&tables, sizeof(xmlNode *), SIZE_MAX / sizeof(xmlNode *));
	walk(xmlDocGetRootElement(doc), &tables, &h1);
	for (size_t i = 0; i < tables.n; i++) {
		cpts_vec_init(&rows, sizeof(xmlNode *), SIZE_MAX / sizeof(xmlNode *));
		collect_rows(cpts_vec_at(&tables, xmlNode *, i), &rows);
		for (size_t r = 0; r < rows.n; r++) {
			size_t nc = row_cells(cpts_vec_at(&rows, xmlNode *, r), &cl);
			double v;
			if (nc == 2 && strcmp(cl[0], "Partition") == 0 && !d->part)
				d->part = cpts_strdup(cl[1]);
			if (nc == 2 && strcmp(cl[0], "Seuil du secret statistique") == 0 &&
			    s->thr <= 0 && parse_fr(cl[1], &v) && v >= 2)
				s->thr = v;
			free_cells(cl, nc);
		}
		cpts_vec_release(&rows);
	}
	cpts_vec_release(&tables);
	free(h1);
	xmlFreeDoc(doc);
}

static int read_page(cpts_lp *s, h_dir *d, const char *path, bool is_index)
{
	htmlDocPtr doc = parse(path);
	cpts_vec tables, rows;
	char *h1 = NULL, **hd;
	size_t terr = SIZE_MAX;

	if (!doc)
		return CPTS_EIO;
	cpts_vec_init(&tables, sizeof(xmlNode *), SIZE_MAX / sizeof(xmlNode *));
	walk(xmlDocGetRootElement(doc), &tables, &h1);
	if (!is_index && h1 && d->fx)
		au_flux_page(d->fx, d->part, h1, xmlDocGetRootElement(doc));
	if (!is_index && h1) {
		char *gt = gap_text(xmlDocGetRootElement(doc));
		double lo, hi;
		terr = d->terrs.n;
		*(char **)cpts_vec_push(&d->terrs) = cpts_strdup(h1);
		if (gt && parse_gap(gt, &lo, &hi) && lo <= hi) {
			h_gap *g = cpts_vec_push(&d->gaps);
			g->terr = terr;
			g->lo = lo - 0.05 - 1e-9; /* shown at one decimal */
			g->hi = hi + 0.05 + 1e-9;
		}
		free(gt);
	}
	for (size_t i = 0; i < tables.n; i++) {
		cpts_vec_init(&rows, sizeof(xmlNode *), SIZE_MAX / sizeof(xmlNode *));
		collect_rows(cpts_vec_at(&tables, xmlNode *, i), &rows);
		xmlNode **rv = rows.data;
		size_t nh = rows.n ? row_cells(rv[0], &hd) : 0;
		if (nh >= 2 && strcmp(hd[0], "Indicateur") == 0 && strcmp(hd[1], "Territoire") == 0) {
			if (terr != SIZE_MAX)
				table_compare(s, d, terr, h1, rv, rows.n);
		} else if (nh >= 2 && strcmp(hd[0], "Commune") == 0 && strcmp(hd[1], "Code") == 0) {
			if (terr != SIZE_MAX)
				table_communes(s, d, terr, rv, rows.n, hd, nh);
		} else if (nh == 3 && (strcmp(hd[0], "Destination") == 0 ||
				       strcmp(hd[0], "Origine") == 0)) {
			if (terr != SIZE_MAX)
				table_flows(s, d, h1, hd[0], rv, rows.n);
		} else if (nh >= 2 && strcmp(hd[0], "Territoire") == 0 && is_index) {
			table_territories(s, d, rv, rows.n, hd, nh);
		} else if (terr != SIZE_MAX) {
			table_pairs(s, d, h1, rv, rows.n);
		}
		if (nh)
			free_cells(hd, nh);
		cpts_vec_release(&rows);
	}
	cpts_vec_release(&tables);
	free(h1);
	xmlFreeDoc(doc);
	return CPTS_OK;
}

/* The commune prefix of a département: 2A/2B, 97x, else two characters. */
static size_t dep_len(const char *code)
{
	return strncmp(code, "97", 2) == 0 ? 3 : 2;
}

/* n_communes of a cell layer|code as published (or -1). */
static double n_communes_of(const cpts_lp *s, const char *layer, const char *code)
{
	char *nm = cpts_asprintf("%s|%s|n_communes", layer, code);
	long k = cpts_lp_cell_find(s, nm);

	free(nm);
	if (k < 0 || cpts_vec_at(&s->cells, cpts_lp_cell, (size_t)k).is_unknown)
		return -1;
	return cpts_vec_at(&s->cells, cpts_lp_cell, (size_t)k).value;
}

static long find3(const cpts_lp *s, const char *a, const char *b, const char *key)
{
	char *nm = cpts_asprintf("%s|%s|%s", a, b, key);
	long k = cpts_lp_cell_find(s, nm);

	free(nm);
	return k;
}

/* A commune's count cell; created (an unknown >= 0) when the files do not show it:
 * the report shows shares of communes, not their counts. */
static size_t com_cell(cpts_lp *s, const char *cell, const char *key)
{
	char *nm = cpts_asprintf("communes|%s|%s", cell, key);
	size_t k = cpts_lp_cell_get(s, nm);

	free(nm);
	cpts_vec_at(&s->cells, cpts_lp_cell, k).is_integer = true;
	return k;
}

/* The published value of a cell, NAN when unknown or absent. */
static double known_value(const cpts_lp *s, long k)
{
	const cpts_lp_cell *c;

	if (k < 0)
		return NAN;
	c = &cpts_vec_at(&s->cells, cpts_lp_cell, (size_t)k);
	return c->is_unknown ? NAN : c->value;
}

/* The gap paragraphs: lo <= 100 x_T / n_T - 100 x_D / n_D <= hi (header comment). */
static void gap_relations(cpts_lp *s, const h_dir *d)
{
	for (size_t i = 0; i < d->gaps.n; i++) {
		const h_gap *g = &cpts_vec_at(&d->gaps, h_gap, i);
		const char *tn = cpts_vec_at(&d->terrs, char *, g->terr), *dep = NULL;
		bool several = false;
		for (size_t j = 0; j < d->cols.n; j++) {
			const h_col *c = &cpts_vec_at(&d->cols, h_col, j);
			if (c->terr != g->terr || strcmp(c->layer, "departements") != 0)
				continue;
			several |= dep && strcmp(dep, c->code) != 0;
			dep = c->code;
		}
		if (!dep || several)
			continue; /* which département is not said: no relation */
		long tx = find3(s, d->terr_lay, tn, "mt_sans_mt");
		long dx = find3(s, "departements", dep, "mt_sans_mt");
		double nt = known_value(s, find3(s, d->terr_lay, tn, "mt_patients"));
		double nd = known_value(s, find3(s, "departements", dep, "mt_patients"));
		if (tx < 0 || dx < 0 || !(nt > 0) || !(nd > 0))
			continue;
		cpts_lp_rel_begin(s, g->lo, g->hi);
		cpts_lp_rel_term(s, (size_t)tx, 100.0 / nt);
		cpts_lp_rel_term(s, (size_t)dx, -100.0 / nd);
		cpts_lp_rel_end(s);
	}
}

/* Flow totals over commune sets (issue 19, three or more publications): a flow table's
 * Total is the sum of the flows of the page's communes ("Destination": their
 * residents', "Origine": those they receive) when the page lists every commune of its
 * territory. The communes' flows are cells of their own, so reports of two partitions
 * read together relate (A and B of one, A u B u {c} of the other give c's flows); each
 * is a target like a masked count (proved 0 is nothing learnt). */
static void flow_total_relations(cpts_lp *s, const h_dir *d, const bool *shared)
{
	static const char *const dirs[2][2] = { { "Destination", "flux_residents" },
						 { "Origine", "flux_recus" } };

	for (size_t t = 0; t < d->terrs.n; t++) {
		const char *tn = cpts_vec_at(&d->terrs, char *, t);
		size_t n = 0;
		if (shared[t])
			continue;
		for (size_t i = 0; i < d->coms.n; i++)
			n += cpts_vec_at(&d->coms, h_com, i).terr == t;
		double nt = n_communes_of(s, d->terr_lay, tn);
		if (!n || fabs(nt - (double)n) >= 0.5)
			continue;
		for (int k = 0; k < 2; k++) {
			char *tot = cpts_asprintf("flux[%s]|%s|%s|Total", d->part, tn, dirs[k][0]);
			long tc = cpts_lp_cell_find(s, tot);
			free(tot);
			if (tc < 0)
				continue;
			cpts_lp_rel_begin(s, 0, 0);
			cpts_lp_rel_term(s, (size_t)tc, 1);
			for (size_t i = 0; i < d->coms.n; i++) {
				const h_com *c = &cpts_vec_at(&d->coms, h_com, i);
				if (c->terr != t)
					continue;
				size_t x = com_cell(s, c->cell, dirs[k][1]);
				cpts_lp_cell *cell = &cpts_vec_at(&s->cells, cpts_lp_cell, x);
				cell->is_target = cell->zero_ok = true;
				cell->need_lo = 1;
				cell->need_hi = s->thr - 1;
				cpts_lp_rel_term(s, x, -1);
			}
			cpts_lp_rel_end(s);
		}
	}
}

/* Spatial relations of one directory (see the header comment). */
static void dir_relations(cpts_lp *s, h_dir *d)
{
	cpts_strmap *seen = cpts_strmap_new(d->coms.n + 1); /* commune code -> first terr */
	bool *shared = cpts_calloc(d->terrs.n + 1, sizeof(bool));
	int64_t k;

	for (size_t i = 0; i < d->coms.n; i++) {
		const h_com *c = &cpts_vec_at(&d->coms, h_com, i);
		if (cpts_strmap_get(seen, c->code, &k)) {
			shared[c->terr] = true;
			shared[k] = true;
		} else {
			cpts_strmap_put(seen, c->code, (int64_t)c->terr);
		}
	}
	for (size_t i = 0; i < d->coms.n; i++)
		au_feature_relations(s, "communes", cpts_vec_at(&d->coms, h_com, i).cell);
	for (size_t t = 0; t < d->terrs.n; t++)
		au_feature_relations(s, d->terr_lay, cpts_vec_at(&d->terrs, char *, t));
	for (size_t i = 0; i < d->cols.n; i++) {
		const h_col *c = &cpts_vec_at(&d->cols, h_col, i);
		au_feature_relations(s, c->layer, c->code);
	}
	for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++) {
		if (ind->kind != CPTS_IND_COUNT)
			continue;
		/* territory = the sum of the communes its page lists */
		for (size_t t = 0; t < d->terrs.n; t++) {
			const char *tn = cpts_vec_at(&d->terrs, char *, t);
			long tc = find3(s, d->terr_lay, tn, ind->key);
			size_t n = 0;
			if (tc < 0 || shared[t])
				continue;
			for (size_t i = 0; i < d->coms.n; i++)
				n += cpts_vec_at(&d->coms, h_com, i).terr == t;
			if (!n)
				continue;
			/* every commune listed: the sum; else at least the listed ones */
			double nt = n_communes_of(s, d->terr_lay, tn);
			cpts_lp_rel_begin(s, 0, fabs(nt - (double)n) < 0.5 ? 0 : INFINITY);
			cpts_lp_rel_term(s, (size_t)tc, 1);
			for (size_t i = 0; i < d->coms.n; i++) {
				const h_com *c = &cpts_vec_at(&d->coms, h_com, i);
				if (c->terr == t)
					cpts_lp_rel_term(s, com_cell(s, c->cell, ind->key), -1);
			}
			cpts_lp_rel_end(s);
		}
		/* département / region = the communes of it listed (at least) */
		cpts_strmap *done = cpts_strmap_new(16);
		for (size_t i = 0; i < d->cols.n; i++) {
			const h_col *c = &cpts_vec_at(&d->cols, h_col, i);
			char *key = cpts_asprintf("%s|%s", c->layer, c->code);
			long cc = find3(s, c->layer, c->code, ind->key);
			bool dep = strcmp(c->layer, "departements") == 0;
			if (cc < 0 || cpts_strmap_get(done, key, NULL)) {
				free(key);
				continue;
			}
			cpts_strmap_put(done, key, 1);
			free(key);
			if (dep) {
				size_t n = 0;
				cpts_strmap *once = cpts_strmap_new(64);
				for (size_t j = 0; j < d->coms.n; j++) {
					const h_com *m = &cpts_vec_at(&d->coms, h_com, j);
					if (strncmp(m->code, c->code, dep_len(m->code)) == 0 &&
					    strlen(c->code) == dep_len(m->code) &&
					    !cpts_strmap_get(once, m->code, NULL)) {
						cpts_strmap_put(once, m->code, 1);
						n++;
					}
				}
				double nc = n_communes_of(s, c->layer, c->code);
				cpts_lp_rel_begin(s, 0, fabs(nc - (double)n) < 0.5 ? 0 : INFINITY);
				cpts_lp_rel_term(s, (size_t)cc, 1);
				cpts_strmap_free(once);
				once = cpts_strmap_new(64);
				for (size_t j = 0; j < d->coms.n; j++) {
					const h_com *m = &cpts_vec_at(&d->coms, h_com, j);
					if (strncmp(m->code, c->code, dep_len(m->code)) != 0 ||
					    strlen(c->code) != dep_len(m->code) ||
					    cpts_strmap_get(once, m->code, NULL))
						continue;
					cpts_strmap_put(once, m->code, 1);
					cpts_lp_rel_term(s, com_cell(s, m->cell, ind->key), -1);
				}
				cpts_lp_rel_end(s);
				cpts_strmap_free(once);
			} else if (strcmp(c->layer, "regions") == 0) {
				/* at least each département shown beside it */
				for (size_t j = 0; j < d->cols.n; j++) {
					const h_col *e = &cpts_vec_at(&d->cols, h_col, j);
					long ec;
					if (e->terr != c->terr || strcmp(e->layer, "departements") != 0 ||
					    (ec = find3(s, e->layer, e->code, ind->key)) < 0)
						continue;
					double nr = n_communes_of(s, c->layer, c->code);
					double nd = n_communes_of(s, e->layer, e->code);
					cpts_lp_rel_begin(s, 0, nr >= 0 && fabs(nr - nd) < 0.5 ? 0 : INFINITY);
					cpts_lp_rel_term(s, (size_t)cc, 1);
					cpts_lp_rel_term(s, (size_t)ec, -1);
					cpts_lp_rel_end(s);
				}
			}
		}
		cpts_strmap_free(done);
	}
	gap_relations(s, d);
	flow_total_relations(s, d, shared);
	free(shared);
	cpts_strmap_free(seen);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int au_read_html_dir(cpts_ctx *ctx, cpts_lp *s, const char *dir, au_flux *fx)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	cpts_vec files;
	h_dir d;
	char *ix;
	int rc = CPTS_OK;
	size_t n_read = 0;

	if (!dh)
		return cpts_fail(ctx, CPTS_EIO, "cannot read directory '%s'", dir);
	memset(&d, 0, sizeof(d));
	d.fx = fx;
	cpts_vec_init(&files, sizeof(char *), SIZE_MAX / sizeof(char *));
	while ((e = readdir(dh)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n > 5 && strcmp(e->d_name + n - 5, ".html") == 0)
			*(char **)cpts_vec_push(&files) = cpts_strdup(e->d_name);
	}
	closedir(dh);
	cpts_qsort(files.data, files.n, sizeof(char *), cmp_str);
	cpts_vec_init(&d.terrs, sizeof(char *), SIZE_MAX / sizeof(char *));
	cpts_vec_init(&d.coms, sizeof(h_com), SIZE_MAX / sizeof(h_com));
	cpts_vec_init(&d.cols, sizeof(h_col), SIZE_MAX / sizeof(h_col));
	cpts_vec_init(&d.gaps, sizeof(h_gap), SIZE_MAX / sizeof(h_gap));
	ix = cpts_asprintf("%s/index.html", dir);
	read_index_params(s, &d, ix);
	free(ix);
	if (s->thr <= 0)
		s->thr = CPTS_DOMAIN_MASK_THRESHOLD; /* the default when the file does not say */
	if (!d.part)
		d.part = cpts_strdup(dir);
	d.terr_lay = cpts_asprintf("territoires[%s]", d.part);
	for (size_t i = 0; i < files.n && rc == CPTS_OK; i++) {
		const char *f = cpts_vec_at(&files, char *, i);
		char *p = cpts_asprintf("%s/%s", dir, f);
		if (read_page(s, &d, p, strcmp(f, "index.html") == 0) != CPTS_OK)
			rc = cpts_fail(ctx, CPTS_EINPUT, "'%s' cannot be read as HTML", p);
		else
			n_read++;
		free(p);
	}
	if (rc == CPTS_OK && n_read == 0)
		rc = cpts_fail(ctx, CPTS_EINPUT, "'%s' holds no .html file: not a cpts report"
			       " directory", dir);
	if (rc == CPTS_OK)
		dir_relations(s, &d);
	for (size_t i = 0; i < files.n; i++)
		free(cpts_vec_at(&files, char *, i));
	cpts_vec_release(&files);
	for (size_t i = 0; i < d.terrs.n; i++)
		free(cpts_vec_at(&d.terrs, char *, i));
	for (size_t i = 0; i < d.coms.n; i++) {
		free(cpts_vec_at(&d.coms, h_com, i).code);
		free(cpts_vec_at(&d.coms, h_com, i).cell);
	}
	for (size_t i = 0; i < d.cols.n; i++) {
		free(cpts_vec_at(&d.cols, h_col, i).layer);
		free(cpts_vec_at(&d.cols, h_col, i).code);
	}
	cpts_vec_release(&d.terrs);
	cpts_vec_release(&d.coms);
	cpts_vec_release(&d.cols);
	cpts_vec_release(&d.gaps);
	free(d.part);
	free(d.terr_lay);
	return rc;
}
