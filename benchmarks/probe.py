"""A multinomial logistic-regression probe on frozen features, for the frozen-feature baselines
beside this file (which Python runs with this folder on its path)."""

import jax
import jax.numpy as jnp
import numpy as np
import optax

ITERATIONS = 300


def fit(features, labels, num_classes, l2):
  """Multinomial logistic regression (weights, bias) on `features` [N, C] by L-BFGS, with an L2
  penalty `l2` on the weights."""
  def objective(params):
    logits = features @ params["w"] + params["b"]
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    return loss + 0.5 * l2 * jnp.sum(params["w"] ** 2)

  params = {"w": jnp.zeros((features.shape[1], num_classes)), "b": jnp.zeros(num_classes)}
  solver = optax.lbfgs()
  value_and_grad = optax.value_and_grad_from_state(objective)

  @jax.jit
  def run(params):
    def step(carry, _):
      params, state = carry
      value, grad = value_and_grad(params, state=state)
      updates, state = solver.update(grad, state, params, value=value, grad=grad,
                                     value_fn=objective)
      return (optax.apply_updates(params, updates), state), None

    (params, _), _ = jax.lax.scan(step, (params, solver.init(params)), None, ITERATIONS)
    return params

  return run(params)


def top1_by_l2(train_features, train_labels, test_features, test_labels, num_classes,
               penalties) -> dict[str, float]:
  """Test top-1 of the probe fitted on the train features for each L2 penalty (features
  standardised by the train features' mean and deviation), keyed by str(penalty)."""
  mean, std = train_features.mean(0), train_features.std(0) + 1e-6
  train, test = (train_features - mean) / std, (test_features - mean) / std
  top1 = {}
  for l2 in map(float, penalties):
    params = fit(jnp.asarray(train), jnp.asarray(train_labels), num_classes, l2)
    predicted = np.argmax(test @ np.asarray(params["w"]) + np.asarray(params["b"]), -1)
    top1[str(l2)] = round(float(np.mean(predicted == np.asarray(test_labels))), 4)
  return top1
