# Reference numbers for tests/test_cluster.py (jingwu.cluster).
# Run from the repository root:  Rscript tests/reference/cluster_reference.R
# Writes tests/reference/cluster_reference.csv.
# Data: R's built-in iris measurements (Fisher 1936; identical to sklearn's load_iris),
# partitioned by species (a fixed partition, so no clustering randomness).
suppressPackageStartupMessages({library(fpc); library(cluster)})
x <- as.matrix(iris[, 1:4])
lab <- as.integer(iris$Species)
d <- dist(x)
st <- cluster.stats(d, lab)
# fpc::clujaccard on a fixed case (the building block of clusterboot's bootmean):
# original cluster 1 restricted to the distinct sampled points c(1, 2, 4, 5) of
# orig = c(1,1,1,2,2,2), against the bootstrap cluster {2, 4, 5}.
orig <- c(1, 1, 1, 2, 2, 2); bsamp <- c(1, 2, 4, 5); boot <- c(7, 8, 8, 8)
j11 <- clujaccard(orig[bsamp] == 1, boot == 7, zerobyzero = 0)
j12 <- clujaccard(orig[bsamp] == 1, boot == 8, zerobyzero = 0)
j22 <- clujaccard(orig[bsamp] == 2, boot == 8, zerobyzero = 0)
out <- data.frame(
  quantity = c("iris_species_silhouette", "iris_species_calinski_harabasz",
               "jaccard_c1_b7", "jaccard_c1_b8", "jaccard_c2_b8"),
  value = c(st$avg.silwidth, st$ch, j11, j12, j22),
  source = c("fpc::cluster.stats avg.silwidth", "fpc::cluster.stats ch",
             "fpc::clujaccard", "fpc::clujaccard", "fpc::clujaccard"),
  r_version = R.version.string,
  fpc_version = as.character(packageVersion("fpc")),
  cluster_version = as.character(packageVersion("cluster")))
write.csv(out, "tests/reference/cluster_reference.csv", row.names = FALSE)
print(out)
