#ifndef TAPELESS_TRAIN_CLIP_BY_VALUE_HPP
#define TAPELESS_TRAIN_CLIP_BY_VALUE_HPP

namespace tapeless::train {

/// Clamps every gradient to [-c, c] (c >= 0), tensor by tensor, element by element; this
/// changes the direction of the step, unlike clip_by_global_norm. NaN stays NaN, so that
/// a broken gradient is not hidden.
///
///   train::clip_by_value(grads, 1.0f);
template <class Params>
void clip_by_value(Params& grads, typename Params::value_type c) {
  for (auto& g : grads.values()) {
    if (g > c) g = c;
    else if (g < -c) g = -c;
  }
}

}  // namespace tapeless::train

#endif
