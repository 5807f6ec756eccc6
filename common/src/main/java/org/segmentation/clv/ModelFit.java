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
 * @param <M> the model
 */
public record ModelFit<M>(Optional<M> model, double logLikelihood, long customers, int evaluations,
    Optional<String> problem) {

  public boolean converged() {
    return problem.isEmpty() && model.isPresent();
  }
}
