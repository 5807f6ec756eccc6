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
 */
final class MaximumLikelihood {
  static final double LOG_BOUND = 18;
  private static final double INITIAL_RADIUS = 0.5;
  private static final double STOPPING_RADIUS = 1e-10;

  private MaximumLikelihood() {}

  /**
   * The outcome of one minimisation.
   *
   * @param parameters the parameters (not their logarithms) at the minimum found
   * @param meanNegativeLogLikelihood the objective without the penalty, per unit of weight
   * @param evaluations objective evaluations used
   * @param problem why the result is not a converged maximum, if it is not
   */
  record Result(double[] parameters, double meanNegativeLogLikelihood, int evaluations, Optional<String> problem) {
    boolean converged() {
      return problem.isEmpty();
    }
  }

  /**
   * @param meanNegativeLogLikelihood the objective over the parameters (not their logarithms), per unit of weight;
   *     may return a non-finite value for parameters where the likelihood underflows
   * @param parameterCount how many parameters
   * @param penalizer the L2 penalty coefficient on the parameters (0: plain maximum likelihood)
   * @param maxEvaluations the evaluation budget
   */
  static Result minimise(ToDoubleFunction<double[]> meanNegativeLogLikelihood, int parameterCount, double penalizer,
      int maxEvaluations) {
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
    double[] lower = new double[parameterCount];
    double[] upper = new double[parameterCount];
    java.util.Arrays.fill(lower, -LOG_BOUND);
    java.util.Arrays.fill(upper, LOG_BOUND);
    BOBYQAOptimizer optimizer = new BOBYQAOptimizer(2 * parameterCount + 1, INITIAL_RADIUS, STOPPING_RADIUS);
    double[] start = new double[parameterCount]; // every parameter 1, as lifetimes starts
    try {
      PointValuePair best = optimizer.optimize(new MaxEval(maxEvaluations), GoalType.MINIMIZE,
          new ObjectiveFunction(objective::applyAsDouble), new InitialGuess(start), new SimpleBounds(lower, upper));
      double[] parameters = exp(best.getPoint());
      double value = meanNegativeLogLikelihood.applyAsDouble(parameters);
      Optional<String> problem = Optional.empty();
      if (!Double.isFinite(value)) {
        problem = Optional.of("the likelihood is not finite at the best parameters found");
      } else if (onBound(best.getPoint())) {
        problem = Optional.of("a parameter reached its bound (the data do not pin the model down)");
      }
      return new Result(parameters, value, optimizer.getEvaluations(), problem);
    } catch (TooManyEvaluationsException e) {
      return new Result(null, Double.NaN, maxEvaluations,
          Optional.of("no convergence within " + maxEvaluations + " evaluations"));
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
