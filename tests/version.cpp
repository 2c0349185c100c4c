// One version everywhere: project(VERSION) in CMakeLists.txt is the source, and every other place
// that states it must agree -- the header users compile against, the vcpkg manifest, and the
// two package files a build generates (read out of the generated files by tests/CMakeLists.txt).
#include <string>

#include <gtest/gtest.h>

#include <miocpp/version.hpp>

namespace {

std::string header_version() {
  return std::to_string(MIOCPP_VERSION_MAJOR) + "." + std::to_string(MIOCPP_VERSION_MINOR) + "." +
         std::to_string(MIOCPP_VERSION_PATCH);
}

TEST(Version, HeaderMatchesTheProjectVersion) {
  EXPECT_EQ(header_version(), MIOCPP_TEST_PROJECT_VERSION);
}

TEST(Version, CombinedNumberIsMajorMinorPatch) {
  EXPECT_EQ(MIOCPP_VERSION,
            MIOCPP_VERSION_MAJOR * 10000 + MIOCPP_VERSION_MINOR * 100 + MIOCPP_VERSION_PATCH);
  // Usable by the preprocessor, which is what the macros are for.
#if MIOCPP_VERSION < 100
  FAIL() << "MIOCPP_VERSION is below 0.1.0";
#endif
}

TEST(Version, VcpkgManifestMatchesTheProjectVersion) {
  EXPECT_STREQ(MIOCPP_TEST_VCPKG_VERSION, MIOCPP_TEST_PROJECT_VERSION);
}

TEST(Version, PackageConfigVersionFileMatchesTheProjectVersion) {
  EXPECT_STREQ(MIOCPP_TEST_CONFIG_VERSION, MIOCPP_TEST_PROJECT_VERSION);
}

TEST(Version, PkgConfigFileMatchesTheProjectVersion) {
  EXPECT_STREQ(MIOCPP_TEST_PKGCONFIG_VERSION, MIOCPP_TEST_PROJECT_VERSION);
}

}  // namespace
