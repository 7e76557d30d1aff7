# bench/peers/queen_spdep.R - peer of `cpts graph`: queen contiguity with R spdep
# poly2nb(st_read(FILE), queen = TRUE), the way an R statistician would build it.
# Run by scripts/bench with Rscript (Debian r-cran-spdep, r-cran-sf).
#
# Usage: Rscript queen_spdep.R FILE.geojson
# Prints one JSON line: tool, version, n, read_s (st_read), build_s (poly2nb), pairs
# (unordered queen neighbour pairs), islands (regions without neighbour). Timed apart with
# proc.time() elapsed. Spherical geometry (s2) is switched off: s2 rejects some rings of the
# simplified commune file ("Edge 16 crosses edge 18"), and a statistician would do the same;
# poly2nb then compares planar coordinates (GEOS), as libpysal and cpts do.
suppressPackageStartupMessages({ library(sf); library(spdep) })
suppressMessages(sf_use_s2(FALSE))
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
x <- st_read(args[1], quiet = TRUE)
t1 <- proc.time()[["elapsed"]]
nb <- suppressMessages(poly2nb(x, queen = TRUE))
t2 <- proc.time()[["elapsed"]]
card_nb <- card(nb)
cat(sprintf(paste0('{"tool": "spdep", "version": "%s", "reader": "sf %s", "n": %d, ',
                   '"read_s": %.3f, "build_s": %.3f, "pairs": %d, "islands": %d}\n'),
            as.character(packageVersion("spdep")), as.character(packageVersion("sf")),
            length(nb), t1 - t0, t2 - t1, as.integer(sum(card_nb) / 2),
            as.integer(sum(card_nb == 0))))
