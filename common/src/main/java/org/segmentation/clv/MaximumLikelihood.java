package org.segmentation.clv;

import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Maximum likelihood for the lifetime-value models: minimises the mean negative log-likelihood per customer, plus an
 * optional L2 penalty on the parameters (as {@code penalizer_coef} in the {@code lifetimes} library), over the
 * logarithms of the parameters, so that every parameter stays positive without constraints on the model side.
 *
 * <p>Optimiser: Powell's BOBYQA from Commons Math, a derivative-free trust-region method made for a handful of
 * smooth, bounded variables; with three or four parameters it needs no gradient code that could be subtly wrong. The
 * log-parameters are bounded to ±{@value #LOG_BOUND} (e^18 is about 6.6e7); the data are scaled beforehand so that
 * sensible parameters lie near 1. A fit that stops on a bound has not found an interior maximum and is reported as
 * not converged, as is one that runs out of evaluations.
 *
 * <p><b>Several starts.</b> The BG/NBD likelihood has ridges where two parameters are barely identified (a and b of
 * a population that hardly drops out): a local optimiser stops on the first plateau it meets, and where it stops
 * depends on where it started. So the minimisation runs from several starts — every parameter 1 (where
 * {@code lifetimes} starts), every parameter e^-2 and e^2, and {@value #RANDOM_STARTS} seeded random points in
 * [-4, 4] per log-parameter — keeps the best, and polishes it with restarts from there until a restart no longer
 * improves it by more than {@value #POLISH_TOLERANCE} per customer. The result says how many starts ran and the gap
 * between the best two (a gap near 0: two starts found the same maximum).
 */
final class MaximumLikelihood {
  static final double LOG_BOUND = 18;
  static final int RANDOM_STARTS = 3;
  static final double POLISH_TOLERANCE = 1e-10;
  private static final int MAX_POLISHES = 5;
  private static final long SEED = 20261204L;
  private static final double INITIAL_RADIUS = 0.5;
  private static final double POLISH_RADIUS = 0.05;
  private static final double STOPPING_RADIUS = 1e-10;

  private MaximumLikelihood() {}

  /**
   * The outcome of the minimisation.
   *
   * @param parameters the parameters (not their logarithms) at the minimum found
   * @param meanNegativeLogLikelihood the objective without the penalty, per unit of weight
   * @param evaluations objective evaluations used, over all starts and polishes
   * @param problem why the result is not a converged maximum, if it is not
   * @param starts how many starts ended with a result
   * @param gapToSecondBest the second-best start's penalised objective minus the best's, per unit of weight (NaN with
   *     fewer than two results)
   */
  record Result(double[] parameters, double meanNegativeLogLikelihood, int evaluations, Optional<String> problem,
      int starts, double gapToSecondBest) {
    boolean converged() {
      return problem.isEmpty();
    }
  }

  /** The starts, in log-parameter space: every parameter 1, e^-2 and e^2, then seeded random points. */
  static java.util.List<double[]> starts(int parameterCount) {
    java.util.List<double[]> starts = new java.util.ArrayList<>();
    for (double value : new double[] {0, -2, 2}) {
      double[] start = new double[parameterCount];
      java.util.Arrays.fill(start, value);
      starts.add(start);
    }
    java.util.Random random = new java.util.Random(SEED);
    for (int i = 0; i < RANDOM_STARTS; i++) {
      double[] start = new double[parameterCount];
      for (int j = 0; j < parameterCount; j++) {
        start[j] = -4 + 8 * random.nextDouble();
      }
      starts.add(start);
    }
    return starts;
  }

  /**
   * @param meanNegativeLogLikelihood the objective over the parameters (not their logarithms), per unit of weight;
   *     may return a non-finite value for parameters where the likelihood underflows
   * @param parameterCount how many parameters
   * @param penalizer the L2 penalty coefficient on the parameters (0: plain maximum likelihood)
   * @param maxEvaluations the evaluation budget of each start
   */
  static Result minimise(ToDoubleFunction<double[]> meanNegativeLogLikelihood, int parameterCount, double penalizer,
      int maxEvaluations) {
    return minimise(meanNegativeLogLikelihood, parameterCount, penalizer, maxEvaluations, starts(parameterCount));
  }

  /** As above, from the given starts (log-parameters), the first of which is the reference start. */
  static Result minimise(ToDoubleFunction<double[]> meanNegativeLogLikelihood, int parameterCount, double penalizer,
      int maxEvaluations, java.util.List<double[]> starts) {
    ToDoubleFunction<double[]> objective = logParameters -> {
      double[] parameters = exp(logParameters);
      double value = meanNegativeLogLikelihood.applyAsDouble(parameters);
      double penalty = 0;
      for (double parameter : parameters) {
        penalty += parameter * parameter;
      }
      double penalised = value + penalizer * penalty;
      // BOBYQA models the objective by interpolation: a huge finite value steers it away, a NaN would poison it
      return Double.isFinite(penalised) ? penalised : 1e100;
    };
    int evaluations = 0;
    PointValuePair best = null;
    double secondBest = Double.NaN;
    int ended = 0;
    for (double[] start : starts) {
      Local local = fromStart(objective, start, INITIAL_RADIUS, maxEvaluations);
      evaluations += local.evaluations();
      if (local.optimum() == null) {
        continue;
      }
      ended++;
      double value = local.optimum().getValue();
      if (best == null || value < best.getValue()) {
        secondBest = best == null ? Double.NaN : best.getValue();
        best = local.optimum();
      } else if (Double.isNaN(secondBest) || value < secondBest) {
        secondBest = value;
      }
    }
    if (best == null) {
      return new Result(null, Double.NaN, evaluations, Optional.of("no convergence within " + maxEvaluations
          + " evaluations from any of " + starts.size() + " starts"), 0, Double.NaN);
    }
    // polish: a restart from the best point, with a small trust region, until it no longer improves
    for (int polish = 0; polish < MAX_POLISHES; polish++) {
      Local local = fromStart(objective, best.getPoint(), POLISH_RADIUS, maxEvaluations);
      evaluations += local.evaluations();
      if (local.optimum() == null || local.optimum().getValue() > best.getValue() - POLISH_TOLERANCE) {
        break;
      }
      best = local.optimum();
    }
    double[] parameters = exp(best.getPoint());
    double value = meanNegativeLogLikelihood.applyAsDouble(parameters);
    Optional<String> problem = Optional.empty();
    if (!Double.isFinite(value)) {
      problem = Optional.of("the likelihood is not finite at the best parameters found");
    } else if (onBound(best.getPoint())) {
      problem = Optional.of("a parameter reached its bound (the data do not pin the model down)");
    }
    return new Result(parameters, value, evaluations, problem, ended,
        Double.isNaN(secondBest) ? Double.NaN : Math.max(0, secondBest - best.getValue()));
  }

  /** One BOBYQA minimisation; no optimum when it ran out of evaluations. */
  private record Local(PointValuePair optimum, int evaluations) {}

  private static Local fromStart(ToDoubleFunction<double[]> objective, double[] start, double radius,
      int maxEvaluations) {
    int n = start.length;
    double[] lower = new double[n];
    double[] upper = new double[n];
    java.util.Arrays.fill(lower, -LOG_BOUND);
    java.util.Arrays.fill(upper, LOG_BOUND);
    BOBYQAOptimizer optimizer = new BOBYQAOptimizer(2 * n + 1, radius, STOPPING_RADIUS);
    try {
      PointValuePair optimum = optimizer.optimize(new MaxEval(maxEvaluations), GoalType.MINIMIZE,
          new ObjectiveFunction(objective::applyAsDouble), new InitialGuess(start.clone()),
          new SimpleBounds(lower, upper));
      return new Local(optimum, optimizer.getEvaluations());
    } catch (TooManyEvaluationsException e) {
      return new Local(null, maxEvaluations);
    }
  }

  private static boolean onBound(double[] logParameters) {
    for (double value : logParameters) {
      if (Math.abs(value) > LOG_BOUND - 1e-3) {
        return true;
      }
    }
    return false;
  }

  private static double[] exp(double[] logs) {
    double[] values = new double[logs.length];
    for (int i = 0; i < logs.length; i++) {
      values[i] = Math.exp(logs[i]);
    }
    return values;
  }
}
