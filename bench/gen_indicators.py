#!/usr/bin/env python3
"""bench/gen_indicators.py - synthetic `cpts ingest indicators` input and a catalogue of
the same shape as an ORS / Rezone profile, for timing `cpts profile` on France.

Usage: gen_indicators.py COMMUNE_CODES_FILE OUT_DIR
Writes OUT_DIR/indicators.csv (long format, two years) and OUT_DIR/catalogue.csv:
8 shares, 4 crude rates, 2 means, 2 dsr (sex x 19 ESP bands), 2 isr (sex x 10 bands),
1 count and 1 population count (two vintages). Deterministic (seeded).
"""
import random
import sys

codes = [l.strip() for l in open(sys.argv[1]) if l.strip()]
out = sys.argv[2]
rnd = random.Random(1)
rows = []
cat = ["key;label;block;type;unit;decimals;multiplier;sensitive;standard;source"]
esp = ["00-04", "05-09", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
       "45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+"]
isr_bands = ["00-14", "15-29", "30-44", "45-59", "60-64", "65-69", "70-74", "75-79",
             "80-84", "85+"]
with open(f"{out}/indicators.csv", "w") as f:
    f.write("indicateur;code_commune;numerateur;denominateur;sexe;classe_age;annee\n")
    for k in range(8):
        cat.append(f"b_share{k};Part de test {k};Prévention;share;%;1;100;oui;;bs{k}")
        for c in codes:
            n = rnd.randint(20, 3000)
            for y in (2022, 2023):
                x = int(n * rnd.uniform(0.2, 0.6))
                f.write(f"bs{k};{c};{'s' if 0 < x < 11 else x};{n};T;ALL;{y}\n")
    for k in range(4):
        cat.append(f"b_rate{k};Taux de test {k};Accès aux soins;crude_rate;p. 1 000;1;1000;oui;;br{k}")
        for c in codes:
            n = rnd.randint(50, 5000)
            for y in (2022, 2023):
                f.write(f"br{k};{c};{int(n * rnd.uniform(0.01, 0.05))};{n};T;ALL;{y}\n")
    for k in range(2):
        cat.append(f"b_mean{k};Moyenne de test {k};Accès aux soins;mean;;1;1;oui;;bm{k}")
        for c in codes:
            n = rnd.randint(50, 5000)
            f.write(f"bm{k};{c};{int(n * rnd.uniform(3, 6))};{n};T;ALL;2023\n")
    for k in range(2):
        cat.append(f"b_dsr{k};Taux standardisé de test {k};État de santé;dsr;p. 100 000;1;100000;oui;esp2013;bd{k}")
        for c in codes:
            for s in "FM":
                for b in esp:
                    n = rnd.randint(5, 200)
                    f.write(f"bd{k};{c};{rnd.randint(0, 3)};{n};{s};{b};2023\n")
    for k in range(2):
        cat.append(f"b_isr{k};Indice de test {k};État de santé;isr;;1;100;oui;;bi{k}")
        for c in codes:
            for s in "FM":
                for b in isr_bands:
                    n = rnd.randint(5, 300)
                    f.write(f"bi{k};{c};{rnd.randint(0, 5)};{n};{s};{b};2023\n")
    cat.append("b_count;Nombre de test;Accès aux soins;count;;0;1;oui;;bc")
    cat.append("b_pop;Population de test;Population et territoire;count;hab.;0;1;non;;bp")
    for c in codes:
        f.write(f"bc;{c};{rnd.randint(0, 40)};;T;ALL;2023\n")
        p = rnd.randint(50, 5000)
        f.write(f"bp;{c};{p};;T;ALL;2015\n")
        f.write(f"bp;{c};{p + rnd.randint(-50, 80)};;T;ALL;2021\n")
open(f"{out}/catalogue.csv", "w").write("\n".join(cat) + "\n")
