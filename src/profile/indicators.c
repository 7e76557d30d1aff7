/*
 * indicators.c - the catalogue of profile indicators: stable keys (also the GeoPackage
 * field names), French labels, units, and what kind of number each is, which decides
 * disclosure control (cpts/profile.h). The age pyramid is stored under keys
 * "pyr_<F|M>_<band>" (e.g. pyr_F_00-04) of kind POPULATION, outside this table.
 */
#include <string.h>

#include "cpts/util.h"

#include "cpts/profile.h"

#define POP CPTS_IND_POPULATION
#define CNT CPTS_IND_COUNT
#define RAT CPTS_IND_RATIO
#define VAL CPTS_IND_VALUE

const cpts_indicator cpts_indicators[] = {
	/* population and territory */
	{ "pop_total", "Population", "hab.", POP, 0, NULL, NULL },
	{ "pop_f", "Femmes", "hab.", POP, 0, NULL, NULL },
	{ "pop_m", "Hommes", "hab.", POP, 0, NULL, NULL },
	{ "pop_75p", "Population de 75 ans ou plus", "hab.", POP, 0, NULL, NULL },
	{ "share_75p", "Part des 75 ans ou plus", "%", VAL, 1, NULL, NULL },
	{ "n_communes", "Nombre de communes", "", VAL, 0, NULL, NULL },
	{ "area_km2", "Superficie", "km²", VAL, 1, NULL, NULL },
	{ "density", "Densité de population", "hab./km²", VAL, 1, NULL, NULL },
	{ "typology", "Typologie (1 urbain dense, 2 intermédiaire, 3 rural)", "", VAL, 0, NULL, NULL },
	/* médecin traitant */
	{ "mt_patients", "Patients consommants", "patients", CNT, 0, NULL, NULL },
	{ "mt_sans_mt", "Patients sans médecin traitant", "patients", CNT, 0, NULL, NULL },
	{ "mt_share", "Part des patients sans médecin traitant", "%", RAT, 1, "mt_sans_mt", "mt_patients" },
	{ "mt_mt_parti", "dont médecin traitant parti", "patients", CNT, 0, NULL, NULL },
	{ "mt_fictif", "dont médecin traitant fictif", "patients", CNT, 0, NULL, NULL },
	{ "mt_ald", "Patients en ALD", "patients", CNT, 0, NULL, NULL },
	{ "mt_ald_sans_mt", "Patients en ALD sans médecin traitant", "patients", CNT, 0, NULL, NULL },
	{ "mt_ald_share", "Part des patients en ALD sans médecin traitant", "%", RAT, 1, "mt_ald_sans_mt", "mt_ald" },
	{ "mt_c2s", "Patients bénéficiaires de la C2S", "patients", CNT, 0, NULL, NULL },
	{ "mt_c2s_sans_mt", "Bénéficiaires de la C2S sans médecin traitant", "patients", CNT, 0, NULL, NULL },
	{ "mt_c2s_share", "Part des bénéficiaires de la C2S sans médecin traitant", "%", RAT, 1, "mt_c2s_sans_mt", "mt_c2s" },
	{ "mt_p70", "Patients de 70 ans ou plus", "patients", CNT, 0, NULL, NULL },
	{ "mt_p70_sans_mt", "Patients de 70 ans ou plus sans médecin traitant", "patients", CNT, 0, NULL, NULL },
	{ "mt_p70_share", "Part des 70 ans ou plus sans médecin traitant", "%", RAT, 1, "mt_p70_sans_mt", "mt_p70" },
	{ "mt_gap_dep_pts", "Écart au département (points)", "pts", RAT, 1, "mt_sans_mt", "mt_patients" },
	{ "mt_gap_pvalue", "Test de l'écart au département (classe de p : 0,001, 0,01 ou 0,05 = p inférieur à cette borne ; 1 = non significatif)", "", RAT, 3, "mt_sans_mt", "mt_patients" },
	/* consumption: ICC by indirect standardisation */
	{ "icc_observed", "Consultations de médecine générale observées", "actes", CNT, 0, NULL, NULL },
	{ "icc_expected", "Consultations attendues", "actes", VAL, 0, NULL, NULL },
	{ "icc", "Indice comparatif de consommation (ICC)", "", RAT, 1, "icc_observed", NULL },
	{ "icc_signif", "ICC significativement différent de 100 (-1 inférieur, 0 non, 1 supérieur)", "", RAT, 0, "icc_observed", NULL },
	{ "missing_gps", "Médecins généralistes manquants (ETP)", "ETP", RAT, 1, "icc_observed", NULL },
	/* supply and accessibility */
	{ "gp_count", "Médecins généralistes (effectif)", "médecins", VAL, 0, NULL, NULL },
	{ "gp_etp", "Médecins généralistes (ETP)", "ETP", VAL, 1, NULL, NULL },
	{ "gp_density", "Densité de médecins généralistes pour 10 000 habitants", "pour 10 000 hab.", VAL, 1, NULL, NULL },
	{ "gp_share_60p", "Part des médecins généralistes de 60 ans ou plus", "%", VAL, 1, NULL, NULL },
	{ "apl", "Accessibilité potentielle localisée (APL)", "consultations/hab.", VAL, 2, NULL, NULL },
	/* ACI tier */
	{ "aci_tier", "Taille ACI", "", VAL, 0, NULL, NULL },
	{ "aci_ceiling_eur", "Financement ACI maximal annuel", "€", VAL, 0, NULL, NULL },
	{ "aci_distance", "Écart au seuil de taille le plus proche", "hab.", VAL, 0, NULL, NULL },
	/* flows (basin metrics) */
	{ "li", "Indice de localisation (LI)", "%", VAL, 1, NULL, NULL },
	{ "msi", "Indice de part de marché (MSI)", "%", VAL, 1, NULL, NULL },
	{ "pac", "Compacité (PAC)", "", VAL, 2, NULL, NULL },
	{ NULL, NULL, NULL, VAL, 0, NULL, NULL },
};

const cpts_indicator *cpts_indicator_find(const char *key)
{
	for (const cpts_indicator *i = cpts_indicators; i->key; i++)
		if (strcmp(i->key, key) == 0)
			return i;
	return NULL;
}

char *cpts_indicator_keys(void)
{
	cpts_buf b = CPTS_BUF_INIT;

	for (const cpts_indicator *i = cpts_indicators; i->key; i++)
		cpts_buf_addf(&b, "%s%s", i == cpts_indicators ? "" : " ", i->key);
	return cpts_buf_detach(&b, NULL);
}

/* Relations between indicators (see cpts_ind_relation): subgroups are at most their
 * total, the two "dont" reasons at most the patients without a GP, and every share is
 * its numerator over its denominator. */
const cpts_ind_relation cpts_ind_relations[] = {
	{ CPTS_REL_PART, "mt_patients", { "mt_sans_mt", NULL }, 0 },
	{ CPTS_REL_PART, "mt_sans_mt", { "mt_mt_parti", "mt_fictif", NULL }, 0 },
	{ CPTS_REL_PART, "mt_patients", { "mt_ald", NULL }, 0 },
	{ CPTS_REL_PART, "mt_patients", { "mt_c2s", NULL }, 0 },
	{ CPTS_REL_PART, "mt_patients", { "mt_p70", NULL }, 0 },
	{ CPTS_REL_PART, "mt_ald", { "mt_ald_sans_mt", NULL }, 0 },
	{ CPTS_REL_PART, "mt_c2s", { "mt_c2s_sans_mt", NULL }, 0 },
	{ CPTS_REL_PART, "mt_p70", { "mt_p70_sans_mt", NULL }, 0 },
	{ CPTS_REL_PART, "mt_sans_mt", { "mt_ald_sans_mt", NULL }, 0 },
	{ CPTS_REL_PART, "mt_sans_mt", { "mt_c2s_sans_mt", NULL }, 0 },
	{ CPTS_REL_PART, "mt_sans_mt", { "mt_p70_sans_mt", NULL }, 0 },
	{ CPTS_REL_SHARE, "mt_share", { "mt_sans_mt", "mt_patients", NULL }, 100 },
	{ CPTS_REL_SHARE, "mt_ald_share", { "mt_ald_sans_mt", "mt_ald", NULL }, 100 },
	{ CPTS_REL_SHARE, "mt_c2s_share", { "mt_c2s_sans_mt", "mt_c2s", NULL }, 100 },
	{ CPTS_REL_SHARE, "mt_p70_share", { "mt_p70_sans_mt", "mt_p70", NULL }, 100 },
	{ CPTS_REL_SHARE, "icc", { "icc_observed", "icc_expected", NULL }, 100 },
	{ CPTS_REL_PART, NULL, { NULL }, 0 },
};
