#pragma once
// Third-party libraries (OpenSSL, libsrtp2) are initialised here, once, at start-up and in the
// test main. Safe to call more than once.
namespace medicall {
void InitLibraries();
}
