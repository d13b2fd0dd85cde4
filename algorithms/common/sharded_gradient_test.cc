// The torch-free network, gradient and optimizer against LibTorch's autograd
// and torch::optim::Adam, and the shards' independence of the thread count.
#include "algorithms/common/sharded_gradient.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include "algorithms/common/actor_critic.h"
#include "algorithms/common/flat_adam.h"

namespace stride::algorithms {
namespace {

ActorCritic SmallModel(Activation activation, uint64_t seed) {
  ActorCriticOptions options;
  options.observation_size = 5;
  options.action_size = 3;
  options.hidden_sizes = {16, 8};
  options.activation = activation;
  options.init_log_std = -0.5;
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  ActorCritic model(options, generator);
  // biases away from zero, so their gradients and the activations' kinks show
  torch::NoGradGuard no_grad;
  for (torch::Tensor& parameter : model->parameters()) {
    parameter.add_(0.1 * torch::randn(parameter.sizes(), generator));
  }
  return model;
}

// the flat gradient in the order of the torch parameters' FlatActorCritic layout
torch::Tensor TorchGradient(ActorCritic& model) {
  std::vector<torch::Tensor> gradients;
  std::vector<torch::Tensor> ordered = model->policy_parameters();
  for (const torch::Tensor& p : model->value_parameters()) ordered.push_back(p);
  for (const torch::Tensor& p : ordered) {
    gradients.push_back(p.grad().defined() ? p.grad().reshape(-1) : torch::zeros({p.numel()}));
  }
  return torch::cat(gradients);
}

torch::Tensor Flat(const std::vector<float>& values) {
  return torch::tensor(values, torch::kFloat32);
}

class ShardedGradientTest : public ::testing::TestWithParam<Activation> {};

TEST_P(ShardedGradientTest, ForwardAndGradientMatchAutograd) {
  ActorCritic model = SmallModel(GetParam(), 3);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(4);
  const torch::Tensor observations = torch::randn({11, 5}, generator);
  std::vector<int64_t> index(7);
  std::iota(index.begin(), index.end(), 2);
  std::swap(index[0], index[5]);

  // loss: 0.5 |mean|^2 + sum(log_std) * sum(mean) + 0.5 |value|^2 over the indexed rows
  const FlatActorCritic& net = model->flat();
  const float* log_std = model->flat_parameters() + net.log_std_offset();
  auto loss = [&](LossShard& shard) {
    for (int r = 0; shard.mean != nullptr && r < shard.rows; ++r) {
      double mean_sum = 0.0;
      for (int d = 0; d < 3; ++d) mean_sum += shard.mean[r * 3 + d];
      const double log_std_sum = log_std[0] + log_std[1] + log_std[2];
      for (int d = 0; d < 3; ++d) {
        shard.d_mean[r * 3 + d] = static_cast<float>(shard.mean[r * 3 + d] + log_std_sum);
        shard.d_log_std[d] += static_cast<float>(mean_sum);
      }
    }
    for (int r = 0; shard.values != nullptr && r < shard.rows; ++r) {
      shard.d_values[r] = shard.values[r];
      shard.sums[0] += shard.values[r];
    }
  };
  ShardedGradient sharded(net, 1, 1);
  const std::vector<float> gradient =
      sharded.Compute(model->flat_parameters(), observations.data_ptr<float>(), index.data(), 7,
                      /*actor=*/true, /*critic=*/true, loss);

  const torch::Tensor rows = observations.index_select(0, torch::tensor(index));
  const torch::Tensor mean = model->ActionMean(rows);
  const torch::Tensor values = model->Value(rows);
  EXPECT_NEAR(sharded.sums()[0], values.sum().item<double>(), 1e-4);
  (0.5 * mean.square().sum() + model->log_std().sum() * mean.sum() + 0.5 * values.square().sum())
      .backward();
  EXPECT_TRUE(torch::allclose(Flat(gradient), TorchGradient(model), 1e-4, 1e-5))
      << Flat(gradient) - TorchGradient(model);
}

INSTANTIATE_TEST_SUITE_P(Activations, ShardedGradientTest,
                         ::testing::Values(Activation::kTanh, Activation::kRelu));

TEST(ShardedGradientThreadsTest, SameBitsOnOneThreadAndOnTwo) {
  ActorCritic model = SmallModel(Activation::kTanh, 5);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(6);
  const torch::Tensor observations = torch::randn({64, 5}, generator);
  std::vector<int64_t> index(64);
  std::iota(index.begin(), index.end(), 0);
  auto loss = [](LossShard& shard) {
    for (int r = 0; shard.mean != nullptr && r < shard.rows; ++r) {
      for (int d = 0; d < 3; ++d) shard.d_mean[r * 3 + d] = shard.mean[r * 3 + d] * 0.37f;
      shard.sums[0] += shard.mean[r * 3];
    }
    for (int r = 0; shard.values != nullptr && r < shard.rows; ++r) {
      shard.d_values[r] = shard.values[r] - 1.0f;
      shard.sums[1] += shard.values[r];
    }
  };
  ShardedGradient one(model->flat(), 2, 1), two(model->flat(), 2, 2);
  ASSERT_EQ(two.threads(), 2);
  // both networks (one per thread), and each alone (one shard per thread)
  for (const auto& [actor, critic] : {std::pair(true, true), {true, false}, {false, true}}) {
    for (int repeat = 0; repeat < 20; ++repeat) {
      const std::vector<float> a =
          one.Compute(model->flat_parameters(), observations.data_ptr<float>(), index.data(), 64,
                      actor, critic, loss);
      const std::vector<float> b =
          two.Compute(model->flat_parameters(), observations.data_ptr<float>(), index.data(), 64,
                      actor, critic, loss);
      ASSERT_EQ(a, b) << "actor " << actor << ", critic " << critic << ", repeat " << repeat;
      ASSERT_EQ(one.sums(), two.sums());
      // the network that did not run has a zero gradient
      const auto critic_begin = b.begin() + model->flat().critic_offset();
      ASSERT_EQ(std::count(b.begin(), critic_begin, 0.0f) == critic_begin - b.begin(), !actor);
      ASSERT_EQ(std::count(critic_begin, b.end(), 0.0f) == b.end() - critic_begin, !critic);
    }
  }
}

TEST(TanhTest, WithinAFewUlpsOfStdTanh) {
  float worst = 0.0f;
  for (float x = -12.0f; x <= 12.0f; x += 1e-3f) {
    worst = std::max(worst, std::abs(Tanh(x) - std::tanh(x)));
  }
  EXPECT_LT(worst, 5e-7f);
  EXPECT_EQ(Tanh(0.0f), 0.0f);
  EXPECT_EQ(Tanh(1e-5f), 1e-5f);
  EXPECT_EQ(Tanh(-30.0f), -Tanh(30.0f));
  EXPECT_NEAR(Tanh(30.0f), 1.0f, 1e-7f);
}

TEST(TanhTest, NetworksComputeTheScalarBits) {
  // an identity first layer: the hidden activations are Tanh of the inputs,
  // through whichever vector version this CPU picked
  const int width = 64, rows = 500;
  Mlp mlp(width, {width}, 1, Activation::kTanh);
  std::vector<float> params(mlp.num_parameters(), 0.0f);
  for (int j = 0; j < width; ++j) params[mlp.weight_offset(0) + j * width + j] = 1.0f;
  std::vector<float> x(rows * width);
  for (size_t k = 0; k < x.size(); ++k) x[k] = -9.0f + 18.0f * k / x.size();
  MlpActivations cache;
  std::vector<float> y(rows);
  mlp.Forward(params.data(), x.data(), rows, cache, y.data());
  for (size_t k = 0; k < x.size(); ++k) ASSERT_EQ(cache.hidden[0][k], Tanh(x[k])) << x[k];
}

TEST(FlatAdamTest, StepsLikeTorchAdam) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(8);
  torch::Tensor torch_params = torch::randn({50}, generator).requires_grad_();
  torch::optim::Adam torch_adam({torch_params}, torch::optim::AdamOptions(1e-2).eps(1e-5));
  std::vector<float> params(torch_params.data_ptr<float>(), torch_params.data_ptr<float>() + 50);
  FlatAdam adam(10, 50, /*eps=*/1e-5);
  for (int step = 0; step < 5; ++step) {
    const torch::Tensor gradient = torch::randn({50}, generator);
    gradient.slice(0, 0, 10).zero_();
    torch_params.mutable_grad() = gradient.clone();
    torch_adam.step();
    adam.Step(params.data(), gradient.data_ptr<float>(), 1e-2);
  }
  EXPECT_TRUE(torch::allclose(Flat(params), torch_params.detach(), 1e-6, 1e-6));
}

TEST(ClipGradientNormTest, ScalesLikeTorch) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(9);
  torch::Tensor parameter = torch::zeros({30}).requires_grad_();
  parameter.mutable_grad() = torch::randn({30}, generator) * 3.0;
  std::vector<float> gradient(parameter.grad().data_ptr<float>(),
                              parameter.grad().data_ptr<float>() + 30);
  const double norm = ClipGradientNorm(gradient, 0.5);
  const double torch_norm = torch::nn::utils::clip_grad_norm_({parameter}, 0.5);
  EXPECT_NEAR(norm, torch_norm, 1e-4);
  EXPECT_TRUE(torch::allclose(Flat(gradient), parameter.grad(), 1e-6, 1e-7));
  // a gradient inside the bound is left alone
  std::vector<float> small = {0.1f, -0.2f};
  ClipGradientNorm(small, 0.5);
  EXPECT_EQ(small, (std::vector<float>{0.1f, -0.2f}));
}

}  // namespace
}  // namespace stride::algorithms
