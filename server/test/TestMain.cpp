// Shared GoogleTest main: initialises third-party libraries once, as the server does.
#include <gtest/gtest.h>

#include "common/LibraryInit.hpp"
#include "common/Logger.hpp"

int main(int argc, char** argv) {
  medicall::InitLibraries();
  medicall::log::SetLevel(medicall::log::Level::Warn);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
