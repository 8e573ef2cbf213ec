// The single-rank communicator and the launcher environment. The MPI
// backend runs across real ranks in ctest's dist.mpi.* tests (dist_check.cpp).
#include "runtime/dist/communicator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

namespace lac::dist {
namespace {

TEST(SingleRank, CollectivesAreTheIdentity) {
  auto c = singleRank();
  EXPECT_EQ(c->rank(), 0);
  EXPECT_EQ(c->size(), 1);
  EXPECT_STREQ(c->backend(), "single");
  std::vector<float> x{1.5f, -2.0f, 3.25f};
  ASSERT_TRUE(c->allReduceSum(x.data(), 3).ok());
  EXPECT_EQ(x, (std::vector<float>{1.5f, -2.0f, 3.25f}));
  std::vector<float> y(3, 0.0f);
  ASSERT_TRUE(c->allGather(x.data(), y.data(), 3).ok());
  EXPECT_EQ(y, x);
  char msg[8] = "step";
  ASSERT_TRUE(c->broadcast(msg, sizeof msg, 0).ok());
  EXPECT_STREQ(msg, "step");
  EXPECT_TRUE(c->barrier().ok());
}

TEST(Launcher, DetectsMpirunFromTheEnvironment) {
  unsetenv("OMPI_COMM_WORLD_SIZE");
  unsetenv("PMI_SIZE");
  unsetenv("PMIX_RANK");
  unsetenv("MPI_LOCALNRANKS");
  EXPECT_FALSE(launchedByMpi());
  setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  EXPECT_TRUE(launchedByMpi());
  unsetenv("OMPI_COMM_WORLD_SIZE");
  setenv("OMPI_COMM_WORLD_LOCAL_RANK", "3", 1);
  EXPECT_EQ(localRank(), 3);
  unsetenv("OMPI_COMM_WORLD_LOCAL_RANK");
}

TEST(Launcher, TimeoutComesFromTheEnvironment) {
  setenv("LAC_TP_TIMEOUT_S", "2.5", 1);
  EXPECT_EQ(collectiveTimeout().count(), 2500);
  unsetenv("LAC_TP_TIMEOUT_S");
  EXPECT_EQ(collectiveTimeout().count(), 120000);
}

TEST(Backends, BuildWithoutABackendSaysHowToGetIt) {
  if (haveMpi()) GTEST_SKIP() << "this build has MPI (exercised by ctest dist.mpi.*)";
  auto r = openMpi();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::Unsupported);
  EXPECT_NE(r.message().find("libopenmpi-dev"), std::string::npos) << r.message();
}

}  // namespace
}  // namespace lac::dist
