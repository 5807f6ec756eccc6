package org.segmentation.clv;

import java.util.Optional;

/**
 * A fitted lifetime-value model: the small result a fit returns (the parameters, the log-likelihood, how the
 * optimiser ended), in the manner of an MLlib model's training summary.
 *
 * @param model the parameters at the maximum found; empty when the optimiser found none
 * @param logLikelihood the total log-likelihood of the fitted customers at those parameters (NaN without a model)
 * @param customers the customers the likelihood sums over
 * @param evaluations likelihood evaluations the optimiser used
 * @param problem why the fit is not a converged maximum; empty when it is
 * @param starts how many of the optimiser's starts ended with a result
 * @param logLikelihoodGap how much lower the second-best start's (penalised) log-likelihood was, in total over the
 *     customers: near 0 when two starts found the same maximum, NaN with fewer than two
 * @param <M> the model
 */
public record ModelFit<M>(Optional<M> model, double logLikelihood, long customers, int evaluations,
    Optional<String> problem, int starts, double logLikelihoodGap) {

  /** A fit that ended before any optimiser ran, or without a result. */
  static <M> ModelFit<M> none(long customers, int evaluations, Optional<String> problem) {
    return new ModelFit<>(Optional.empty(), Double.NaN, customers, evaluations, problem, 0, Double.NaN);
  }

  public boolean converged() {
    return problem.isEmpty() && model.isPresent();
  }
}
