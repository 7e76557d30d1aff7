/*
 * names.c - fictional French-looking names, départements, regions and INSEE-like codes.
 *
 * Why: the territory must look French to its users (accents, apostrophes, "Saint-",
 * "-sur-", "-lès-") and exercise every escaping path of the exports, so a few names
 * are fixed: the main town "Fictionville", "Saint-Aubin-l'Étang" and "Bourg & Vallée"
 * (an ampersand for the HTML/XML escaping) are always present; islands are "Île-...".
 *
 * Départements: up to 999 communes, one fictional département 99 "Val-de-Fiction" in
 * region 99. Beyond, the territory is cut into strips of at most 900 communes each,
 * numbered 99, then 01, 02, ... (metropolitan-looking numbers, 20 skipped), grouped by
 * eight into fictional regions 99, 98, 96, ... that exist nowhere in the COG. Within a
 * département, codes follow the alphabetical order of the names, as INSEE's do.
 */
#include <stdlib.h>
#include <string.h>

#include "cpts/code.h"
#include "cpts/util.h"
#include "synth/synth_int.h"

static const char *const syl1[] = {
	"Aub", "Bel", "Ber", "Bon", "Cham", "Char", "Chau", "Cour", "Dam", "Es", "Fon", "Gar",
	"Gen", "Jou", "Lan", "Lor", "Mar", "Mau", "Mon", "Mor", "Neu", "Or", "Pey", "Plan",
	"Pra", "Ro", "Sau", "Ser", "Tour", "Val", "Ver", "Vil", "Bru", "Cla", "Dro", "Fla",
	"Gri", "Lé", "Mé", "Sé", "Vé", "Thé", "Bré", "Ché", "Beau", "Cor", "Sal", "Fé",
	"Gué", "Roc", "Aur", "Bar", "Cas", "Ger", "Lu", "Ma", "Pon", "Ri", "Tho", "Vau",
};
static const char *const syl2[] = {
	"ac", "ay", "ville", "court", "mont", "val", "ières", "igny", "ance", "erre", "ois",
	"ouse", "ange", "eux", "in", "oux", "ès", "ette", "ieu", "on", "y", "ourt", "enne",
	"ard", "uel", "eil", "aux", "ère", "an", "ac-le-Vieux", "ignac", "ins", "ecourt",
	"euil", "emont", "ier", "illy", "oles", "asse", "ay-Neuf",
};
/* Endings after a root that ends with a vowel ("Beau" + "lieu", never "Beau" + "ourt"). */
static const char *const syl2c[] = {
	"ville", "court", "mont", "val", "ron", "lac", "nay", "gny", "lieu", "ssac", "rieux",
	"vières", "lange", "ncourt", "rville", "nas", "zac", "mière", "rac", "ssy", "thon",
	"lon", "mas", "ziers", "rbois", "lès",
};
static const char *const saint_m[] = {
	"Aubin", "Martin", "Germain", "Julien", "Hilaire", "Rémy", "Étienne", "Léger",
	"Amand", "Cyr", "Denis", "Médard", "Ouen", "Symphorien", "Genès", "Éloi", "Loup",
	"Georges", "Maurice", "Sulpice", "Benoît", "Gervais", "Privat", "Pardoux",
};
static const char *const saint_f[] = {
	"Marie", "Colombe", "Foy", "Radegonde", "Anne", "Gemme", "Hélène", "Eulalie",
	"Solange", "Geneviève",
};
static const char *const suffix[] = {
	"-sur-Fiction", "-sur-Orvanne", "-en-Val", "-le-Haut", "-le-Bas", "-l'Étang",
	"-lès-Bois", "-d'Aval", "-la-Forêt", "-aux-Prés", "-des-Champs", "-en-Bocage",
	"-le-Château", "-sous-Roche", "-l'Abbaye", "-d'Amont", "-la-Rivière", "-sur-Vérande",
	"-les-Eaux", "-en-Fiction", "-d'Orvanne", "-lès-Moulins",
};
static const char *const article[] = { "Le ", "La ", "Les ", "L'" };
static const char *const island_names[] = { "Île-de-Brume", "Île-Verte-en-Mer" };

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, a) ((a)[synth_rng_int((r), (long)N_OF(a))])

/* Inside-département codes, then fictional region codes (absent from the COG). */
static const char *const region_pool[] = { "99", "98", "96", "95", "92", "91", "90", "89",
					   "88", "87", "86", "85" };

static void dep_code_of(size_t d, char out[3])
{
	if (d == 0) {
		memcpy(out, "99", 3);
		return;
	}
	/* 01..19, 21..95 */
	unsigned v = (unsigned)d + (d >= 20 ? 1u : 0u);
	out[0] = (char)('0' + v / 10);
	out[1] = (char)('0' + v % 10);
	out[2] = '\0';
}

/* Last letter a vowel (the UTF-8 'é' ends with byte 0xA9)? */
static bool ends_vowel(const char *s)
{
	size_t n = strlen(s);
	unsigned char c = n ? (unsigned char)s[n - 1] : 0;

	return strchr("aeiouy", c) != NULL || c == 0xA9;
}

static char *make_name(synth_rng *r)
{
	cpts_buf b = CPTS_BUF_INIT;
	double u = synth_rng_u01(r);

	if (u < 0.12) {
		cpts_buf_addstr(&b, "Saint-");
		cpts_buf_addstr(&b, PICK(r, saint_m));
	} else if (u < 0.16) {
		cpts_buf_addstr(&b, "Sainte-");
		cpts_buf_addstr(&b, PICK(r, saint_f));
	} else {
		const char *a = PICK(r, syl1);
		const char *z = ends_vowel(a) ? PICK(r, syl2c) : PICK(r, syl2);
		if (u < 0.30) { /* an article, elided before a vowel: "L'Aubette", "Le Marin" */
			const char *art = PICK(r, article);
			bool vowel = strchr("AEIOU", a[0]) != NULL || strncmp(a, "É", strlen("É")) == 0;
			if (vowel && strcmp(art, "Les ") != 0)
				art = "L'";
			else if (!vowel && strcmp(art, "L'") == 0)
				art = "Le ";
			cpts_buf_addstr(&b, art);
		}
		cpts_buf_addstr(&b, a);
		cpts_buf_addstr(&b, z);
	}
	if ((!strchr(b.data, '-') || strncmp(b.data, "Saint", 5) == 0) && synth_rng_u01(r) < 0.3)
		cpts_buf_addstr(&b, PICK(r, suffix));
	return cpts_buf_detach(&b, NULL);
}

/* Lower-case ASCII folding of the Latin-1 letters of UTF-8, for alphabetical order. */
static void fold(const char *s, char *out, size_t n)
{
	static const char up[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYPsaaaaaaaceeeeiiiidnooooo/ouuuuypy";
	size_t w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && w + 1 < n; p++) {
		unsigned char c = *p;
		if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
			c = (unsigned char)up[p[1] - 0x80];
			p++;
		}
		out[w++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[w] = '\0';
}

typedef struct sort_item {
	char key[96];  /* folded name */
	size_t i;      /* commune index */
	double v;      /* coordinate for strip sorting */
} sort_item;

static const cpts_synth *g_sort_s; /* qsort has no context argument (C17) */

static int cmp_key(const void *a, const void *b)
{
	const sort_item *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	c = strcmp(g_sort_s->name[x->i], g_sort_s->name[y->i]);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int cmp_v(const void *a, const void *b)
{
	const sort_item *x = a, *y = b;

	if (x->v != y->v)
		return (x->v > y->v) - (x->v < y->v);
	return (x->i > y->i) - (x->i < y->i);
}

/* Cut the communes into n_deps strips: rows by y (north first), columns by x. */
static void assign_deps(cpts_synth *s)
{
	size_t n = s->n, d = s->n_deps, rows = 1, done = 0, dep = 0;
	sort_item *it = cpts_mallocarray(n, sizeof(*it));

	while ((rows + 1) * (rows + 1) <= d)
		rows++;
	for (size_t i = 0; i < n; i++)
		it[i].i = i, it[i].v = -s->xy[2 * i + 1];
	cpts_qsort(it, n, sizeof(*it), cmp_v);
	for (size_t row = 0; row < rows; row++) {
		size_t deps_row = d / rows + (row < d % rows ? 1 : 0);
		size_t n_row = (n * (dep + deps_row)) / d - done;
		sort_item *r = it + done;

		for (size_t j = 0; j < n_row; j++)
			r[j].v = s->xy[2 * r[j].i];
		cpts_qsort(r, n_row, sizeof(*r), cmp_v);
		for (size_t c = 0, off = 0; c < deps_row; c++) {
			size_t take = (n * (dep + 1)) / d - (done + off);
			for (size_t j = off; j < off + take; j++)
				s->dep[r[j].i] = (int32_t)dep;
			off += take;
			dep++;
		}
		done += n_row;
	}
	free(it);
}

static void assign_codes(cpts_synth *s)
{
	sort_item *it = cpts_mallocarray(s->n, sizeof(*it));

	g_sort_s = s;
	for (size_t d = 0; d < s->n_deps; d++) {
		size_t m = 0;
		for (size_t i = 0; i < s->n; i++) {
			if ((size_t)s->dep[i] != d)
				continue;
			fold(s->name[i], it[m].key, sizeof(it[m].key));
			it[m].i = i;
			m++;
		}
		cpts_qsort(it, m, sizeof(*it), cmp_key);
		/* commune numbers 001..999, less those with a meaning of their own: the
		   Paris/Lyon/Marseille communes and their arrondissements (75056, 75101..
		   75120, 69123, 69381..69389, 13055, 13201..13216), which every reader of
		   real data treats apart */
		unsigned allowed[999];
		size_t n_allowed = 0;
		for (unsigned k = 1; k <= 999; k++) {
			char probe[6];
			snprintf(probe, sizeof(probe), "%.2s%03u", s->dep_code[d], k);
			if (!cpts_code_arm_parent(probe) && !cpts_code_has_arms(probe))
				allowed[n_allowed++] = k;
		}
		double step = m > 1 ? (double)(n_allowed - 1) / (double)(m - 1) : 1.0;
		if (step > 3.0)
			step = 3.0;
		for (size_t j = 0; j < m; j++) {
			unsigned num = allowed[(size_t)(j * step)];
			char *c = s->code[it[j].i];
			c[0] = s->dep_code[d][0];
			c[1] = s->dep_code[d][1];
			c[2] = (char)('0' + num / 100);
			c[3] = (char)('0' + num / 10 % 10);
			c[4] = (char)('0' + num % 10);
			c[5] = '\0';
		}
	}
	free(it);
}

int synth_names(cpts_ctx *ctx, cpts_synth *s)
{
	synth_rng r;
	cpts_strmap *seen = cpts_strmap_new(s->n * 2);
	size_t n_isl = 0, special = 0;
	static const char *const fixed[] = { "Saint-Aubin-l'Étang", "Bourg & Vallée" };

	synth_rng_seed(&r, s->opts.seed, STREAM_NAMES, 0);
	for (size_t i = 0; i < s->n; i++) {
		char *nm = NULL;
		if (i == 0) {
			nm = cpts_strdup("Fictionville");
		} else if (s->kind[i] == KIND_ISLAND && n_isl < N_OF(island_names)) {
			nm = cpts_strdup(island_names[n_isl++]);
		} else if (s->kind[i] == KIND_RURAL && special < N_OF(fixed)) {
			nm = cpts_strdup(fixed[special++]);
		}
		for (int attempt = 0; !nm || cpts_strmap_get(seen, nm, NULL); attempt++) {
			free(nm);
			nm = make_name(&r);
			if (attempt > 40) { /* crowded: join two roots */
				char *b = make_name(&r);
				char *j = cpts_asprintf("%s-%s", nm, b);
				free(nm);
				free(b);
				nm = j;
			}
		}
		cpts_strmap_put(seen, nm, (int64_t)i);
		s->name[i] = nm;
	}
	cpts_strmap_free(seen);
	s->n_deps = s->n <= 999 ? 1 : (s->n + 899) / 900;
	s->dep_code = cpts_calloc(s->n_deps, sizeof(*s->dep_code));
	s->dep_reg = cpts_calloc(s->n_deps, sizeof(*s->dep_reg));
	for (size_t d = 0; d < s->n_deps; d++) {
		dep_code_of(d, s->dep_code[d]);
		memcpy(s->dep_reg[d], region_pool[d / 8], 3);
	}
	assign_deps(s);
	assign_codes(s);
	return cpts_progress(ctx, 0.45, "synth: names and codes");
}
