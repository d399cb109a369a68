// CI must fail, not skip, without the shared data (issue 24): tools/check-data.sh names what is
// missing or changed, and a test that would skip for want of a prerequisite fails under CI.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "test_support.h"

namespace emotrace {
namespace {

namespace fs = std::filesystem;

// Sets an environment variable for the test's lifetime.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name))
            old_ = old;
        ::setenv(name, value, 1);
    }
    ~ScopedEnv() {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }

  private:
    const char* name_;
    std::optional<std::string> old_;
};

test::CommandResult checkData(const fs::path& folder, const fs::path& workdir) {
    return test::runProgram(fs::path(EMOTRACE_SOURCE_DIR) / "tools" / "check-data.sh", workdir,
                            {folder.string()});
}

TEST(CheckData, NamesEachMissingFileAndEachChangedOne) {
    test::TempDir dir;
    const auto data = dir / "data";
    fs::create_directories(data / "detectors");
    const auto source = test::sharedData("detectors/face_detection_yunet_2023mar.onnx");
    if (!source)
        EMOTRACE_SKIP_WITHOUT_DATA("detectors/face_detection_yunet_2023mar.onnx");
    fs::copy_file(*source, data / "detectors/face_detection_yunet_2023mar.onnx");
    std::ofstream(data / "detectors/face_detection_yunet_2022mar.onnx") << "not the model";

    const auto result = checkData(data, dir.path());
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("fer2013/fer2013.csv.xz is missing"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("videos/liveportrait_d3.mp4 is missing"), std::string::npos);
    EXPECT_NE(result.err.find("face_detection_yunet_2022mar.onnx differs"), std::string::npos);
    EXPECT_EQ(result.err.find("face_detection_yunet_2023mar.onnx"), std::string::npos)
        << "an unchanged file is not named";

    const auto no_folder = checkData(dir / "nothing-here", dir.path());
    EXPECT_EQ(no_folder.exit_code, 2);
    EXPECT_NE(no_folder.err.find("expected a folder"), std::string::npos) << no_folder.err;
}

TEST(CheckData, TheSharedDataAsCheckedInIsComplete) {
    const auto data = test::sharedData();
    if (!data)
        EMOTRACE_SKIP_WITHOUT_DATA("");
    test::TempDir dir;
    const auto result = checkData(*data, dir.path());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("files complete"), std::string::npos) << result.out;
}

TEST(RequiredPrerequisites, AreAFailureUnderCiAndOnlyASkipElsewhere) {
    {
        ScopedEnv ci("CI", "true");
        EXPECT_TRUE(test::prerequisitesRequired());
        EXPECT_NONFATAL_FAILURE(test::failIfRequired("shared data not found: x"),
                                "shared data not found: x");
    }
    {
        ScopedEnv ci("CI", "false");
        ScopedEnv all("EMOTRACE_REQUIRE_ALL", "0");
        EXPECT_FALSE(test::prerequisitesRequired());
        test::failIfRequired("nothing happens");  // no failure: the test then only skips
    }
    {
        ScopedEnv ci("CI", "false");
        ScopedEnv all("EMOTRACE_REQUIRE_ALL", "1");
        EXPECT_TRUE(test::prerequisitesRequired());
    }
}

}  // namespace
}  // namespace emotrace
