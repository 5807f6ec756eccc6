package org.segmentation.clustering;

import java.util.Arrays;

/**
 * The Hungarian method (Kuhn-Munkres, O(n^3)): the assignment of rows to columns of a square cost matrix with the
 * least total cost. Used to match the clusters of a refitted model to the previous model's, on a k x k matrix, so it
 * runs on the driver. No maintained Java library of the Spark classpath offers it (commons-math3 does not).
 */
final class OptimalAssignment {
  private OptimalAssignment() {}

  /** @return for each row, the column assigned to it */
  static int[] minimumCost(double[][] cost) {
    int n = cost.length;
    // potentials u (rows) and v (columns), p[j] = row matched to column j (1-based, 0 = none), way = augmenting path
    double[] u = new double[n + 1];
    double[] v = new double[n + 1];
    int[] p = new int[n + 1];
    int[] way = new int[n + 1];
    for (int i = 1; i <= n; i++) {
      p[0] = i;
      int j0 = 0;
      double[] minv = new double[n + 1];
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      boolean[] used = new boolean[n + 1];
      do {
        used[j0] = true;
        int i0 = p[j0];
        double delta = Double.POSITIVE_INFINITY;
        int j1 = 0;
        for (int j = 1; j <= n; j++) {
          if (!used[j]) {
            double reduced = cost[i0 - 1][j - 1] - u[i0] - v[j];
            if (reduced < minv[j]) {
              minv[j] = reduced;
              way[j] = j0;
            }
            if (minv[j] < delta) {
              delta = minv[j];
              j1 = j;
            }
          }
        }
        for (int j = 0; j <= n; j++) {
          if (used[j]) {
            u[p[j]] += delta;
            v[j] -= delta;
          } else {
            minv[j] -= delta;
          }
        }
        j0 = j1;
      } while (p[j0] != 0);
      do {
        int j1 = way[j0];
        p[j0] = p[j1];
        j0 = j1;
      } while (j0 != 0);
    }
    int[] assignment = new int[n];
    for (int j = 1; j <= n; j++) {
      assignment[p[j] - 1] = j - 1;
    }
    return assignment;
  }
}
