// Errors that carry a message a user can act on. Each kind maps to one exit code of the
// command-line tools, so scripts can tell a bad video from a bad model.
#pragma once

#include <stdexcept>
#include <string>

namespace emotrace {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A camera, video file or screen that cannot be opened or read.
class SourceError : public Error {
  public:
    using Error::Error;
};

// A face detector model that is missing or fails to load.
class DetectorError : public Error {
  public:
    using Error::Error;
};

// An emotion model file that is missing, corrupt or of the wrong shape.
class ModelError : public Error {
  public:
    using Error::Error;
};

// An output file that cannot be written (missing folder, full disk, no permission).
class OutputError : public Error {
  public:
    using Error::Error;
};

}  // namespace emotrace
